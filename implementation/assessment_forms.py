"""Forms of the self-assessment's staff pages: validation of shapes only, the rules are
assessment_services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.forms import DateInput
from workshops.staff_forms import DateTimeInput

from .assessment_models import SelfAssessment
from .assessment_services import REASON_LENGTH, TEXT_LENGTH

MOMENT_ERRORS = {"invalid": _("Give the date as day, month and year, and the time as hours and minutes.")}


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Report"),
        choices=SelfAssessment.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose mid-term or end-of-term.")},
    )
    as_of = forms.DateField(
        label=_("Data as of"),
        help_text=_("The report counts the progress reports validated and dated on or before this day."),
        widget=DateInput,
        error_messages={"required": _("Give the date of the data."), "invalid": _("Enter a valid date.")},
    )


class SectionForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        help_text=_("Separate paragraphs with a blank line: each paragraph is commented on its own."),
        max_length=TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 18}),
        error_messages={"required": _("Write the section's text.")},
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        help_text=_("Recorded with the new version, with your name and the date."),
        max_length=REASON_LENGTH,
        error_messages={"required": _("Say why the text changes: the change is recorded with its reason.")},
    )


class PublishForm(forms.Form):
    opens_at = forms.DateTimeField(
        label=_("Opens at"),
        widget=DateTimeInput,
        error_messages={"required": _("Give when the consultation opens."), **MOMENT_ERRORS},
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        help_text=_("At least two weeks after it opens (OGP)."),
        widget=DateTimeInput,
        error_messages={"required": _("Give when the consultation closes."), **MOMENT_ERRORS},
    )


class FinalizeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Finalize the report: its text will no longer change and its PDF will be published."),
        error_messages={"required": _("Tick the box to confirm that the report is to be finalized.")},
    )
