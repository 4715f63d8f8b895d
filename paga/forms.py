from django import forms
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .services import record_signup


def _consent_label():
    return format_html(
        '{} <a href="{}">{}</a>',
        _("I have read the personal-data policy and I agree that my data are processed as it describes."),
        reverse_lazy("paga:privacy"),
        _("Read the policy"),
    )


class SignupForm(forms.Form):
    """Extra signup fields for allauth: a public display name and express consent (Ley 29733)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("Shown next to what you write. It need not be your full name."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    consent = forms.BooleanField(
        label=lazy(_consent_label, SafeString)(),
        required=True,
        error_messages={"required": _("To take part you must agree to the personal-data policy.")},
    )

    field_order = ["display_name", "email", "password1", "password2", "consent"]

    def signup(self, request, user) -> None:
        record_signup(
            user=user, display_name=self.cleaned_data["display_name"], consented=self.cleaned_data["consent"]
        )
