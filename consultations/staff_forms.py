"""Forms of the Secretaría's side of the virtual forum: moderation, other channels, reasoned responses.

The forms only shape what was typed; the rules (reasons required, what a response needs, which
channel is "other") are the services' (consultations/services.py, responses.py), whose errors the
views put back on these forms. None of them writes to the database, except the response templates'
ModelForm (configuration, not a workflow state).

Filters are plain GET forms: every list is a shareable URL and works without JavaScript.
"""

from __future__ import annotations

import os
import uuid

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from commitments.forms import DateInput
from commitments.models import Version
from paga.models import Channel
from paga.uploads import content_matches
from paga.validators import SensibleValuesMixin

from . import services
from .models import (
    Consultation,
    Contribution,
    Disposition,
    Flag,
    ModerationAction,
    ResponseTemplate,
)

State = Contribution.State
MAX_REASON = ModerationAction._meta.get_field("reason").max_length


# --- Items of a consultation ------------------------------------------------------------------------
def item_choices(consultation: Consultation, *, whole_document: str | None = None) -> list[tuple[str, str]]:
    """What a contribution of `consultation` may be about, as choice values "c<pk>" (a proposal or
    commitment) or "p<pk>" (a paragraph of the document). One query."""
    if consultation.kind == Consultation.Kind.DOCUMENT:
        choices = [
            (f"p{p.pk}", _("Paragraph %(number)s") % {"number": p.number})
            for p in consultation.paragraphs.only("pk", "number", "consultation_id")
        ]
        if whole_document:
            choices.insert(0, ("documento", whole_document))
        return choices
    return [
        (f"c{c.pk}", str(c))
        for c in consultation.items.only("pk", "number", "title").order_by("number", "pk")
    ]


def item_of(consultation: Consultation, value: str) -> dict:
    """The choice value as the services' keywords: {"commitment": ...} or {"paragraph": ...} (or {})."""
    if value.startswith("c") and value[1:].isdigit():
        return {"commitment": consultation.items.filter(pk=int(value[1:])).first()}
    if value.startswith("p") and value[1:].isdigit():
        return {"paragraph": consultation.paragraphs.filter(pk=int(value[1:])).first()}
    return {}


def item_filter(value: str) -> Q:
    """The choice value as a filter on contributions."""
    if value.startswith("c") and value[1:].isdigit():
        return Q(commitment_id=int(value[1:]))
    if value.startswith("p") and value[1:].isdigit():
        return Q(paragraph_id=int(value[1:]))
    if value == "documento":
        return Q(commitment__isnull=True, paragraph__isnull=True)
    return Q()


# --- Moderation ------------------------------------------------------------------------------------
class ModerationFilterForm(forms.Form):
    """The moderation queue's filters, all in the query string."""

    TO_REVIEW, PENDING, FLAGGED, HIDDEN = "", "pendiente", "reportado", "oculto"

    estado = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            (TO_REVIEW, _("Everything to review (reported or hidden pending review)")),
            (PENDING, _("Hidden pending review")),
            (FLAGGED, _("Visible, with open reports")),
            (HIDDEN, _("Hidden by moderation")),
        ],
    )
    consulta = forms.ChoiceField(label=_("Consultation"), required=False)
    motivo = forms.ChoiceField(
        label=_("Reason reported"), required=False, choices=[("", _("Any reason")), *Flag.Reason.choices]
    )
    canal = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices]
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Words from the text, or the author's name."),
    )

    def __init__(self, *args, consultations: list[Consultation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consulta"].choices = [("", _("All consultations"))] + [
            (c.slug, c.title) for c in consultations
        ]

    def values(self) -> dict:
        """The valid filters (an invalid one is ignored, and shown as an error on the form)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}


class ReasonForm(forms.Form):
    """Hide a contribution or block its author: the reason is required (the author is told)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason: the author is told.")},
    )


class HideForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "ocultar")
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Reason for hiding")
        self.fields["reason"].help_text = _(
            "Shown publicly in place of the text (“hidden by moderation: …”) and emailed to the author."
        )


class BlockForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "bloquear")
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Reason for blocking the author")
        self.fields["reason"].help_text = _(
            "The person reads it when they try to post. What they wrote stays as it is."
        )


class RestoreForm(forms.Form):
    reason = forms.CharField(
        label=_("Note for the author (optional)"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "restaurar")
        super().__init__(*args, **kwargs)


class LogFilterForm(forms.Form):
    accion = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All actions")), *ModerationAction.Action.choices],
    )


# --- Other channels --------------------------------------------------------------------------------
MAX_ATTACHMENT = 5 * 1024 * 1024
# Extension -> (what it is, in words; the content type it is served as).
ATTACHMENT_TYPES = {
    ".pdf": ("PDF", "application/pdf"),
    ".jpg": ("JPEG", "image/jpeg"),
    ".jpeg": ("JPEG", "image/jpeg"),
    ".png": ("PNG", "image/png"),
    ".txt": (_("plain text"), "text/plain; charset=utf-8"),
    ".docx": ("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


def attachment_type(name: str) -> tuple[str, str] | None:
    return ATTACHMENT_TYPES.get(os.path.splitext(name or "")[1].lower())


class OtherChannelForm(SensibleValuesMixin, forms.Form):
    """A contribution received by email, social networks, on paper or in person."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", "—")] + [(c.value, c.label) for c in services.OTHER_CHANNELS],
        error_messages={"required": _("Choose the channel the contribution arrived through.")},
    )
    received_on = forms.DateField(
        label=_("Date received"),
        widget=DateInput,
        error_messages={
            "required": _("Give the date the contribution was received."),
            "invalid": _("Give the date as day, month and year."),
        },
    )
    given_name = forms.CharField(
        label=_("Name or organisation, as given"),
        max_length=Contribution._meta.get_field("given_name").max_length,
        help_text=_("Exactly as the contribution states it. It is shown publicly with the contribution."),
        error_messages={"required": _("Give the name or organisation as the contribution states it.")},
    )
    item = forms.ChoiceField(label=_("What it is about"))
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
        help_text=_("Copy it as received. Leave out email addresses and telephone numbers."),
        error_messages={"required": _("Write the text of the contribution.")},
    )
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_(
            "The letter, email or photo as received: PDF, JPEG, PNG, plain text or DOCX, at most 5 MB. "
            "Only the Secretaría can open it."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.txt,.docx"}),
    )

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        whole = _("The document as a whole")
        self.fields["item"].choices = [("", "—"), *item_choices(consultation, whole_document=whole)]
        self.fields["item"].error_messages["required"] = (
            _("Choose the paragraph, or the document as a whole.")
            if consultation.kind == Consultation.Kind.DOCUMENT
            else _("Choose the proposal or commitment the contribution is about.")
        )

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        kind = attachment_type(upload.name)
        if kind is None:
            raise forms.ValidationError(
                _("Attach a PDF, JPEG, PNG, plain text or DOCX file; “%(name)s” is none of these."),
                params={"name": upload.name},
            )
        if upload.size > MAX_ATTACHMENT:
            raise forms.ValidationError(
                _("The attachment has %(size)s MB; the limit is 5 MB."),
                params={"size": f"{upload.size / 1024 / 1024:.1f}"},
            )
        extension = os.path.splitext(upload.name)[1].lower()
        if not content_matches(extension, upload):
            raise forms.ValidationError(
                _("The file “%(name)s” is not really a %(kind)s file: its content says otherwise."),
                params={"name": upload.name, "kind": kind[0]},
            )
        # A name of our own: the original may carry personal data, and is kept out of the storage path.
        upload.name = f"{uuid.uuid4().hex}{'.jpg' if extension == '.jpeg' else extension}"
        return upload

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "channel": data["channel"],
            "received_on": data["received_on"],
            "given_name": data["given_name"],
            "text": data["text"],
            "attachment": data.get("attachment"),
            "stance": data["stance"],
            "category": data["category"],
            **item_of(self.consultation, data["item"]),
        }


# --- Responses -------------------------------------------------------------------------------------
class ResponsesFilterForm(forms.Form):
    ANSWERED, UNANSWERED, UNPUBLISHED = "publicadas", "sin_respuesta", "sin_publicar"

    estado = forms.ChoiceField(
        label=_("Response"),
        required=False,
        choices=[
            ("", _("All contributions")),
            (UNANSWERED, _("No response yet")),
            (UNPUBLISHED, _("Response written, not published")),
            (ANSWERED, _("Response published")),
        ],
    )
    item = forms.ChoiceField(label=_("Item"), required=False)
    canal = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices]
    )
    disposicion = forms.ChoiceField(
        label=_("Disposition"), required=False, choices=[("", _("Any disposition")), *Disposition.choices]
    )

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [
            ("", _("All items")),
            *item_choices(consultation, whole_document=_("The document as a whole")),
        ]

    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Version) -> str:
        return _("%(commitment)s, version %(n)s") % {"commitment": obj.commitment, "n": obj.number}


def plan_versions(consultation: Consultation) -> QuerySet[Version]:
    """The versions of the commitments of the consultation's plan (where a contribution may go into)."""
    return (
        Version.objects.filter(commitment__plan_id=consultation.plan_id)
        .select_related("commitment")
        .only("pk", "number", "commitment__id", "commitment__number", "commitment__title")
        .order_by("commitment__number", "commitment__pk", "number")
    )


class RespondForm(forms.Form):
    """A reasoned response: disposition, reason and what it links to."""

    disposition = forms.ChoiceField(
        label=_("Disposition"),
        choices=[("", "—"), *Disposition.choices],
        error_messages={"required": _("Choose a disposition for the response.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required for every disposition but “incorporated”. Published with the response."),
    )
    commitment_version = VersionChoiceField(
        label=_("Commitment version it went into"),
        required=False,
        queryset=Version.objects.none(),
        empty_label="—",
        help_text=_("For “incorporated” and “partially incorporated”."),
    )
    duplicate_of = forms.IntegerField(
        label=_("Number of the contribution it duplicates"),
        required=False,
        min_value=1,
        help_text=_("For “duplicate”: the number (n.º) shown beside each contribution."),
    )

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        versions = list(plan_versions(consultation))
        field = self.fields["commitment_version"]
        field.queryset = Version.objects.filter(pk__in=[v.pk for v in versions])
        field.choices = [("", "—")] + [(v.pk, field.label_from_instance(v)) for v in versions]

    def clean_duplicate_of(self):
        number = self.cleaned_data.get("duplicate_of")
        if number is None:
            return None
        original = Contribution.objects.filter(pk=number, consultation=self.consultation).first()
        if original is None:
            raise forms.ValidationError(
                _("No contribution n.º %(n)s in this consultation."), params={"n": number}
            )
        return original

    def response_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "disposition": data["disposition"],
            "reason": data["reason"],
            "commitment_version": data["commitment_version"],
            "duplicate_of": data["duplicate_of"],
        }


class BulkRespondForm(RespondForm):
    """The same response to every selected contribution (the checkboxes of the list)."""

    aportes = forms.ModelMultipleChoiceField(
        label=_("Contributions to answer"),
        queryset=Contribution.objects.none(),
        widget=forms.MultipleHiddenInput,  # drawn by the template, one labelled box per row
        error_messages={
            "required": _("Select at least one contribution to answer."),
            "invalid_choice": _("A selected contribution is not part of this consultation."),
            "invalid_pk_value": _("A selected contribution is not part of this consultation."),
        },
    )

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, consultation=consultation, **kwargs)
        self.fields["aportes"].queryset = Contribution.objects.filter(consultation=consultation)
        self.order_fields(["aportes"])

    def selected_ids(self) -> set[int]:
        """What was ticked, kept across an error (as typed, valid or not)."""
        if not self.is_bound:
            return set()
        return {int(v) for v in self.data.getlist(self.add_prefix("aportes")) if str(v).isdigit()}


class TemplateChoiceForm(forms.Form):
    """Start the response from a template: a GET parameter pre-fills the form (no JavaScript)."""

    plantilla = forms.ChoiceField(label=_("Start from a response template"), required=False)

    def __init__(self, *args, templates: list[ResponseTemplate], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["plantilla"]
        field.choices = [("", "—")] + [
            (t.pk, f"{t.title} ({t.get_disposition_display()})") for t in templates
        ]
        self.templates = {t.pk: t for t in templates}

    def chosen(self) -> ResponseTemplate | None:
        value = self.data.get("plantilla", "") if self.is_bound else ""
        return self.templates.get(int(value)) if str(value).isdigit() else None


class ResponseTemplateForm(forms.ModelForm):
    class Meta:
        model = ResponseTemplate
        fields = ["title", "disposition", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "title": _("For the Secretaría only: how you find it in the list."),
            "text": _("The reason, as it will read once adapted to each contribution."),
        }
        error_messages = {
            "title": {"required": _("Give the template a title.")},
            "disposition": {"required": _("Choose the disposition the template gives.")},
            "text": {"required": _("Write the reason the template starts from.")},
        }
