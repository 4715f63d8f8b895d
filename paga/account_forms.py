"""allauth's sign-up form, answering in the same time whether or not the address has an account.

With ACCOUNT_PREVENT_ENUMERATION (allauth's default) a sign-up with an address that already has an
account creates nothing and emails its owner instead, and both answer "check your email". But only a
new account hashes the password, which takes most of a second on purpose: the time of the answer
told a stranger whether the address is registered. The known address now pays the same hash.
(paga.forms.SignupForm holds the portal's own fields; allauth makes it the base of this one.)
"""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password


class SignupForm(AllauthSignupForm):
    def try_save(self, request):
        if self.account_already_exists:
            # The work of `set_password` for a new account (same hasher, same cost), then discarded.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
