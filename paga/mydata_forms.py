"""The form of "Mis datos": deleting the account asks for the password (paga/mydata_views.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        help_text=_("To be sure it is you. Deleting the account cannot be undone."),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Type your password to delete your account.")},
    )
