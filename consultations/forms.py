"""Forms of the public forum: a comment (or reply), an edit, a report. They only shape what was typed;
the rules (window, depth, blocks, verified email, edit window) are the services', whose errors the views
put back on these forms with the text kept."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from commitments.models import Commitment

from .models import Contribution, Flag

# The parts of a commitment's template a comment may be about (Commitment.TEXT_FIELDS, grouped as the
# commitment's page shows them); "" is the whole proposal.
SECTION_FIELDS = (
    "title",
    "problem",
    "baseline",
    "description",
    "how_it_helps",
    "priority",
    "sdg_targets",
    "oecd_standards",
    "additional_info",
    "lead_entity",
    "resources_amount",
)
LABELS = {"title": _("Title"), "resources_amount": _("Resources"), "milestones": _("Milestones")}


def section_choices() -> list[tuple[str, str]]:
    labels = [
        (name, LABELS.get(name) or Commitment._meta.get_field(name).verbose_name) for name in SECTION_FIELDS
    ]
    labels.insert(-2, ("milestones", LABELS["milestones"]))
    return [(name, str(label)[:1].upper() + str(label)[1:]) for name, label in labels]


def section_label(code: str) -> str:
    return dict(section_choices()).get(code, code)


NONE = ("", _("Not stated"))
TEXT_HINT = _(
    "At most %(max)s characters. You may use *italics*, **bold**, lists and links; HTML is shown as text."
)


def _text_hint(max_length: int) -> str:
    return str(TEXT_HINT) % {"max": max_length}


text_hint = lazy(_text_hint, str)

# Where a service's refusal belongs on the form (the rest go at the top, in the error summary).
ERROR_FIELDS = {
    "empty": "text",
    "too_long": "text",
    "invalid_stance": "stance",
    "invalid_category": "category",
    "invalid_section": "section",
    "invalid_reason": "reason",
}


def put_back(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError on the form: on its field when it names one, else at the top."""
    for item in error.error_list:
        field = ERROR_FIELDS.get(item.code or "")
        form.add_error(field if field in form.fields else None, item)


class TextField(forms.CharField):
    widget = forms.Textarea

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Your comment"))
        kwargs.setdefault("max_length", Contribution.MAX_LENGTH)
        # Lazy: the field is built at import time, the hint must follow each request's language.
        kwargs.setdefault("help_text", text_hint(kwargs["max_length"]))
        kwargs.setdefault("strip", False)  # stored as typed
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"rows": 6, "cols": 60})
        return attrs


class CommentForm(forms.Form):
    """A comment on an item, a paragraph or the document, or a reply (no section then)."""

    text = TextField()
    stance = forms.ChoiceField(
        label=_("Your position (optional)"),
        choices=[NONE, *Contribution.Stance.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(
        label=_("Kind of contribution (optional)"),
        choices=[NONE, *Contribution.Category.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    section = forms.ChoiceField(
        label=_("Part of the proposal it is about (optional)"),
        required=False,
    )

    def __init__(self, *args, sections: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if sections:
            self.fields["section"].choices = [("", _("The whole proposal")), *section_choices()]
        else:
            del self.fields["section"]

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if not text.strip():
            raise ValidationError(_("Write the text of your contribution."), code="empty")
        return text


class EditForm(forms.Form):
    text = TextField(label=_("Text of your comment"))

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if not text.strip():
            raise ValidationError(_("Write the text of your contribution."), code="empty")
        return text


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you reporting it?"),
        choices=Flag.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason for the report.")},
    )
