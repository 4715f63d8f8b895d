"""Forms of the ministries' technical review: the decision, an internal note, a resubmission, and the
milestones, contact and resources a reviewer completes while the commitment is in review.

The forms only shape what was typed; the rules (a reason to request changes, who may edit, stale edits)
are the services' (commitments/services.py), whose errors the views put back on these forms.
"""

from __future__ import annotations

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from paga.validators import SensibleValuesMixin

from .models import Commitment

REVIEW_FIELDS = (
    "contact_name", "contact_position", "contact_email", "contact_phone",
    "resources_amount", "resources_currency", "resources_source",
)  # fmt: skip


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


class ReviewFieldsForm(SensibleValuesMixin, forms.Form):
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
