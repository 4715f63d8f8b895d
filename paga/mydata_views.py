"""“Mis datos” (Ley 29733): what the portal holds about me, by app, with the download of all of it as
JSON (access and portability), my consents (withdraw, give again) and the deletion of my account
(cancellation). The rules live in paga/personal_data.py; these views only ask and show.

Every page here is personal: signed in only and never cached (`never_cache`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import clock, personal_data, ratelimit
from .models import Consent
from .mydata_forms import DeleteAccountForm

# Wrong passwords on the deletion page: a few tries, then a pause (per person).
DELETE_RATE = "5/15m"


@never_cache
@login_required
@require_safe
def my_data(request):
    data = personal_data.export_all(request.user)
    mine = data["paga"]
    return render(
        request,
        "paga/mydata.html",
        {
            "account": mine["account"],
            "consents": mine["consents"],
            "withdrawn": personal_data.consent_withdrawn(
                [c for c in mine["consents"] if c["purpose"] == Consent.Purpose.PERSONAL_DATA]
            ),
            "parts": personal_data.parts(data),
            "policy_version": settings.COCREA_PRIVACY_POLICY_VERSION,
            "contact_email": settings.COCREA_CONTACT_EMAIL,
        },
    )


@never_cache
@login_required
@require_safe
def my_data_json(request):
    response = HttpResponse(
        personal_data.export_json(request.user), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="cocrea-mis-datos-{clock.today():%Y-%m-%d}.json"'
    return response


@never_cache
@login_required
@require_POST
def consent(request):
    """Withdraw one of my consents, or give it again (to the current version of the policy)."""
    action = request.POST.get("action", "")
    back = reverse("paga:my_data") + "#consentimientos"
    if action == "withdraw":
        try:
            personal_data.withdraw_consent(user=request.user, consent_id=int(request.POST.get("consent", "")))
        except (ValueError, Consent.DoesNotExist):
            raise Http404 from None
        messages.success(
            request,
            _(
                "You withdrew your consent. From now on your account cannot comment, support, report or "
                "register for events; you can give it again here."
            ),
        )
    elif action == "give":
        personal_data.give_consent(user=request.user)
        messages.success(request, _("Thank you: your consent to the personal-data policy is recorded."))
    else:
        messages.error(request, _("Choose whether to withdraw or to give your consent."))
    return redirect(back)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request):
    """Ask for the password, then delete (or strip) the account, sign out and say what happened."""
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.hit(f"mydata-delete:{request.user.pk}", DELETE_RATE):
            form.add_error("password", _("Too many attempts. Wait a few minutes and try again."))
        else:
            try:
                done = personal_data.erase_account(user=request.user, password=form.cleaned_data["password"])
            except ValidationError as error:
                form.add_error("password", error)
            else:
                logout(request)
                if done is personal_data.Erasure.DELETED:
                    text = _("Your account was deleted. What you wrote stays public as “%(name)s”.")
                else:
                    text = _(
                        "Your account was closed and your personal data erased. The records of your work "
                        "stay, under “%(name)s”."
                    )
                messages.success(request, text % {"name": personal_data.ANONYMOUS_NAME})
                return redirect("paga:home")
    return render(request, "paga/mydata_delete.html", {"form": form})
