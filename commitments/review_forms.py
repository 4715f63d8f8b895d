"""Forms of the ministries' technical review: the decision, an internal note, a resubmission, and the
milestones, contact and resources a reviewer completes while the commitment is in review.

The forms only shape what was typed; the rules (a reason to request changes, who may edit, stale edits)
are the services' (commitments/services.py), whose errors the views put back on these forms.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from paga.models import ActorType, Entity

from .models import Commitment, Milestone, MilestoneStatus

REVIEW_FIELDS = (
    "contact_name", "contact_position", "contact_email", "contact_phone",
    "resources_amount", "resources_currency", "resources_source",
)  # fmt: skip
MILESTONE_FIELDS = ("description", "responsible", "start_date", "due_date", "status")


class DateInput(forms.DateInput):
    """The browser's date picker; the value in ISO format, which every browser expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DecisionForm(forms.Form):
    """Sign off or request changes: the two submit buttons carry `decision`."""

    APPROVE, CHANGES = "approve", "changes"

    decision = forms.ChoiceField(
        choices=[(APPROVE, _("Sign off")), (CHANGES, _("Request changes"))],
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose “Sign off” or “Request changes”.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_(
            "Required when you request changes: say what must change and why. It is kept with the decision."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == self.APPROVE


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        help_text=_("Seen only by the Secretaría and the reviewing entity, never published."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ResubmitForm(forms.Form):
    reason = forms.CharField(
        label=_("What was changed (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewFieldsForm(forms.Form):
    """Contact and resources, the revision the edit started from, and why it was made.

    A plain form (not a ModelForm): validating it must not touch the commitment shown on the page.
    """

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Commitment, fields=REVIEW_FIELDS))
        self.fields["contact_email"].widget.attrs["autocomplete"] = "off"
        self.fields["contact_phone"].widget.input_type = "tel"
        self.fields["resources_currency"].help_text = _("Three-letter code, e.g. PEN or USD.")
        self.fields["reason"] = forms.CharField(
            label=_("What did you change, and why?"),
            help_text=_("Kept with the new version of the commitment."),
            required=False,
            max_length=300,
        )

    @staticmethod
    def initial_for(commitment: Commitment) -> dict:
        return {"revision": commitment.revision, **{f: getattr(commitment, f) for f in REVIEW_FIELDS}}

    def changed_fields(self) -> dict:
        return {f: self.cleaned_data[f] for f in REVIEW_FIELDS}


class MilestoneForm(forms.Form):
    """One milestone: product or activity, responsible entity, dates, status."""

    description = forms.CharField(
        label=_("Verifiable product or activity"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    responsible = forms.TypedChoiceField(
        label=_("Responsible entity"), coerce=int, empty_value=None, required=False
    )
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DateInput)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)
    status = forms.ChoiceField(
        label=_("Status"), choices=MilestoneStatus.choices, initial=MilestoneStatus.SCHEDULED
    )

    def __init__(self, *args, entities: dict[int, Entity], **kwargs):
        super().__init__(*args, **kwargs)
        self.entities = entities
        # The choices are built once for the whole formset (no query per row).
        self.fields["responsible"].choices = [("", "—")] + [(pk, str(e)) for pk, e in entities.items()]

    def row(self) -> dict:
        """The milestone as services.commitment_update takes it."""
        data = {f: self.cleaned_data.get(f) for f in MILESTONE_FIELDS}
        data["responsible"] = self.entities.get(data["responsible"])
        return data


class BaseMilestoneFormSet(forms.BaseFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this milestone")

    def rows(self) -> list[dict]:
        """The milestones to keep, in order: changed or initial rows not marked for removal."""
        return [
            form.row()
            for form in self.forms
            if form.cleaned_data
            and not self._should_delete_form(form)
            and form.cleaned_data.get("description")
        ]


MilestoneFormSet = forms.formset_factory(
    MilestoneForm, formset=BaseMilestoneFormSet, extra=1, can_delete=True, can_delete_extra=False
)


def responsible_entities(milestones: list[Milestone]) -> dict[int, Entity]:
    """Public entities a milestone may name, plus any already named (one query)."""
    named = [m.responsible_id for m in milestones if m.responsible_id]
    entities = Entity.objects.filter(Q(actor_type=ActorType.PUBLIC_ENTITY) | Q(pk__in=named)).order_by("name")
    return {e.pk: e for e in entities}


def milestone_initial(milestones: list[Milestone]) -> list[dict]:
    return [
        {
            "description": m.description,
            "responsible": m.responsible_id,
            "start_date": m.start_date,
            "due_date": m.due_date,
            "status": m.status,
        }
        for m in milestones
    ]
