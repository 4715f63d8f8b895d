"""Forms of an event's outcomes (workshops/outcomes.py holds the rules): a contribution typed in, an
input sheet to import, a proposal credited or created, a national table's decision.

The forms shape what was typed; the services decide, and the views put their errors back here.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.forms import DateInput
from commitments.models import Commitment
from consultations.models import Contribution
from paga.models import ActorType, Theme
from paga.validators import SensibleValuesMixin

from . import outcomes
from .models import Decision, Event


def _proposal_choices(commitments) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(c.pk), str(c)) for c in commitments]


def _date_field() -> forms.DateField:
    return forms.DateField(
        label=_("Date the contributions were made"),
        widget=DateInput,
        help_text=_("This event has no date: give the day the contributions were made."),
        error_messages={
            "required": _("Give the date the contributions were made."),
            "invalid": _("Give the date as day, month and year."),
        },
    )


class EventInputForm(SensibleValuesMixin, forms.Form):
    """One contribution made at the event, as written on its input sheet."""

    proposal = forms.ChoiceField(
        label=_("Proposal it is about"),
        help_text=_("Only proposals in a consultation of the plan: their contributions are answered there."),
        error_messages={"required": _("Choose the proposal the contribution is about.")},
    )
    given_name = forms.CharField(
        label=_("Name or organisation, as written"),
        max_length=outcomes.MAX_NAME,
        help_text=_("Exactly as the sheet states it. It is shown publicly with the contribution."),
        error_messages={"required": _("Give the name or organisation as the sheet states it.")},
    )
    actor_type = forms.ChoiceField(
        label=_("Actor type"), required=False, choices=[("", _("Not stated")), *ActorType.choices]
    )
    stance = forms.ChoiceField(
        label=_("Stance"), required=False, choices=[("", _("Not stated")), *Contribution.Stance.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Not stated")), *Contribution.Category.choices]
    )
    text = forms.CharField(
        label=_("Text of the contribution"),
        max_length=Contribution.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Copy it as written. Leave out email addresses and telephone numbers."),
        error_messages={"required": _("Write the text of the contribution.")},
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        in_consultation = outcomes.consultations_by_proposal(event.plan_id)
        self.proposals = {
            c.pk: c
            for c in Commitment.objects.filter(pk__in=list(in_consultation))
            .only("pk", "plan_id", "number", "slug", "title")
            .order_by("number", "title", "pk")
        }
        self.fields["proposal"].choices = _proposal_choices(self.proposals.values())
        if event.starts_at is None:
            self.fields["received_on"] = _date_field()
            self.order_fields(["received_on"])

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "commitment": self.proposals[int(data["proposal"])],
            "given_name": data["given_name"],
            "actor_type": data["actor_type"],
            "stance": data["stance"],
            "category": data["category"],
            "text": data["text"],
            "received_on": data.get("received_on"),
        }


class ImportForm(SensibleValuesMixin, forms.Form):
    """The CSV of the event's input sheets."""

    sheet = forms.FileField(
        label=_("CSV file of the input sheets"),
        help_text=_(
            "UTF-8, columns separated by commas or semicolons, a header row; at most 1 MB and 2,000 rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": _("Choose the CSV file to import.")},
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        if event.starts_at is None:
            self.fields["received_on"] = _date_field()

    def clean_sheet(self) -> bytes:
        upload = self.cleaned_data["sheet"]
        if upload.size > outcomes.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file has %(size)s KB; the limit is 1 MB (1024 KB)."),
                params={"size": upload.size // 1024},
            )
        return upload.read()


class LinkProposalForm(forms.Form):
    proposal = forms.ChoiceField(
        label=_("Proposal produced by this event"),
        error_messages={"required": _("Choose the proposal to credit to this event.")},
    )

    def __init__(self, *args, event: Event, linked: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = {
            c.pk: c
            for c in Commitment.objects.filter(plan_id=event.plan_id)
            .exclude(pk__in=linked)
            .only("pk", "plan_id", "number", "slug", "title")
            .order_by("number", "title", "pk")
        }
        self.fields["proposal"].choices = _proposal_choices(self.proposals.values())

    def chosen(self) -> Commitment:
        return self.proposals[int(self.cleaned_data["proposal"])]


class NewProposalForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the proposal"),
        max_length=Commitment._meta.get_field("title").max_length,
        error_messages={"required": _("Give the proposal a title.")},
    )
    theme = forms.ModelChoiceField(label=_("Theme"), required=False, queryset=Theme.objects.none())
    problem = forms.CharField(
        label=_("What problem does it address?"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    description = forms.CharField(
        label=_("What is the proposal?"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, event: Event, **kwargs):
        themes = list(event.themes.all())
        if len(themes) == 1:
            kwargs.setdefault("initial", {"theme": themes[0].pk})
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(plan_id=event.plan_id)
        self.fields["theme"].empty_label = _("No theme yet")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision of the table"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the decision of the table.")},
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Reservations, changes agreed, why there was no consensus. Published."),
    )
    sectors_present = forms.MultipleChoiceField(
        label=_("Sectors present"),
        required=False,
        choices=ActorType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
