"""Forms of the plan's versions: which commitments and in which order, the freezing confirmation, the
approval's instrument. Validation only: the rules are plan_services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from paga.validators import SensibleValuesMixin

from .forms import DateInput
from .plan_models import PlanVersion

MAX_PLACE = 999


class ItemsForm(forms.Form):
    """A place number for each candidate commitment (empty: not in the plan). No JavaScript needed:
    the commitments are sorted by the numbers typed and numbered 1, 2, 3… from there."""

    def __init__(self, *args, candidates: list, places: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for commitment in candidates:
            self.fields[f"lugar_{commitment.pk}"] = forms.IntegerField(
                label=commitment.title,
                required=False,
                min_value=1,
                max_value=MAX_PLACE,
                initial=places.get(commitment.pk),
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "place"}),
            )

    def rows(self):
        """(commitment, its place field), in the order the candidates were given."""
        return [(c, self[f"lugar_{c.pk}"]) for c in self.candidates]

    def ordered_ids(self) -> list[int]:
        """The commitments given a place, by that place (ties keep the listed order)."""
        placed = [
            (self.cleaned_data[f"lugar_{c.pk}"], n, c.pk)
            for n, c in enumerate(self.candidates)
            if self.cleaned_data.get(f"lugar_{c.pk}") is not None
        ]
        return [pk for _place, _n, pk in sorted(placed)]


class FreezeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the preview: freeze this version. It cannot be changed afterwards."),
        error_messages={"required": _("Tick the box to confirm that the version is to be frozen.")},
    )


class ApproveForm(SensibleValuesMixin, forms.Form):
    instrument = forms.ChoiceField(
        label=_("Instrument that approves the plan"),
        choices=PlanVersion.Instrument.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the instrument that approves the plan.")},
    )
    instrument_number = forms.CharField(
        label=_("Number"),
        help_text=_("As published, e.g. 099-2017-PCM."),
        max_length=60,
        error_messages={"required": _("Give the number of the instrument, e.g. 099-2017-PCM.")},
    )
    instrument_date = forms.DateField(
        label=_("Date of the instrument"),
        widget=DateInput,
        error_messages={
            "required": _("Give the date of the instrument."),
            "invalid": _("Enter a valid date."),
        },
    )
    instrument_url = forms.URLField(
        assume_scheme="https",
        label=_("Link to its publication (optional)"),
        help_text=_("For example, the page of El Peruano or of gob.pe where it is published."),
        required=False,
        max_length=500,
    )
