"""The report form of a ministry reviewer and the Secretaría's decision forms. Fields only: the rules
are the services' (implementation/services.py), whose errors views put back on these forms."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from commitments.forms import DateInput
from paga.validators import SensibleValuesMixin
from workshops import services as workshop_services

from .models import Evidence, ProgressStatus
from .services import EvidenceFile, EvidenceLink

LINK_SLOTS = 3
FILE_SLOTS = 2
TITLE = Evidence._meta.get_field("title").max_length


class ReportForm(SensibleValuesMixin, forms.Form):
    """Status on the IRM scale, what was done, the date it speaks of, and up to three links and two files
    of evidence (fixed slots: works without JavaScript)."""

    status = forms.ChoiceField(
        label=_("Progress of the milestone"),
        choices=ProgressStatus.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "On the IRM's scale. “Delayed” is not chosen: the portal shows it when the due date passes."
        ),
        error_messages={"required": _("Choose the milestone's progress.")},
    )
    done = forms.CharField(
        label=_("What was done"),
        help_text=_("Published as written once the Secretaría validates the report."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": _("Say what was done.")},
    )
    as_of = forms.DateField(
        label=_("Date of the report"),
        help_text=_("The day the report speaks of; not in the future."),
        widget=DateInput,
        error_messages={
            "required": _("Give the date the report speaks of."),
            "invalid": _("Give the date as day, month and year."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, LINK_SLOTS + 1):
            self.fields[f"link{n}_title"] = forms.CharField(
                label=_("Title of link %(n)s") % {"n": n}, required=False, max_length=TITLE
            )
            self.fields[f"link{n}_url"] = forms.CharField(
                label=_("Address of link %(n)s") % {"n": n},
                required=False,
                max_length=500,
                help_text=_("Starting with https:// or http://"),
                widget=forms.URLInput,
            )
        for n in range(1, FILE_SLOTS + 1):
            self.fields[f"file{n}_title"] = forms.CharField(
                label=_("Title of file %(n)s") % {"n": n}, required=False, max_length=TITLE
            )
            self.fields[f"file{n}"] = forms.FileField(
                label=_("File %(n)s") % {"n": n},
                required=False,
                help_text=_("PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, PNG, JPEG, CSV or TXT, at most %(mb)s MB.")
                % {"mb": workshop_services.document_max_bytes() // (1024 * 1024)},
                widget=forms.ClearableFileInput(
                    attrs={"accept": ",".join(sorted(workshop_services.DOCUMENT_TYPES))}
                ),
            )

    def link_fields(self):
        return [(self[f"link{n}_title"], self[f"link{n}_url"]) for n in range(1, LINK_SLOTS + 1)]

    def file_fields(self):
        return [(self[f"file{n}_title"], self[f"file{n}"]) for n in range(1, FILE_SLOTS + 1)]

    def clean(self):
        cleaned = super().clean()
        http = URLValidator(schemes=["http", "https"])
        for n in range(1, LINK_SLOTS + 1):
            title, url = cleaned.get(f"link{n}_title", "").strip(), cleaned.get(f"link{n}_url", "").strip()
            if url and not title:
                self.add_error(f"link{n}_title", _("Give the link a title."))
            if title and not url:
                self.add_error(f"link{n}_url", _("Give the link's address."))
            if url:
                try:
                    http(url)
                except forms.ValidationError:
                    self.add_error(f"link{n}_url", _("Give a web address starting with https:// or http://."))
        for n in range(1, FILE_SLOTS + 1):
            title, upload = cleaned.get(f"file{n}_title", "").strip(), cleaned.get(f"file{n}")
            if upload and not title:
                self.add_error(f"file{n}_title", _("Give the file a title."))
            if title and not upload and f"file{n}" not in self.errors:
                self.add_error(f"file{n}", _("Choose the file, or leave its title empty."))
            if upload:
                try:
                    workshop_services._check_file(upload)
                except forms.ValidationError as error:
                    for message in error.message_dict.get("upload", []):
                        self.add_error(f"file{n}", message)
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "done": data["done"],
            "as_of": data["as_of"],
            "links": [
                EvidenceLink(data[f"link{n}_title"], data[f"link{n}_url"])
                for n in range(1, LINK_SLOTS + 1)
                if data.get(f"link{n}_url")
            ],
            "files": [
                EvidenceFile(data[f"file{n}_title"], data[f"file{n}"])
                for n in range(1, FILE_SLOTS + 1)
                if data.get(f"file{n}")
            ],
        }


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning it"),
        help_text=_("The entity reads it to correct the report; it stays with the report."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        error_messages={"required": _("Say why the report is returned: the entity needs it to correct it.")},
    )
