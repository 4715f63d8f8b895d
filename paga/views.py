from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from . import clock, openings, selectors, services
from .ics import ics_response, timeline_calendar
from .models import EmailOptOut
from .pagecache import SITE, changes_at, kept_page, public_page


@require_safe
@public_page(reads=(SITE,))
def home(request):
    plan = selectors.current_plan(request)

    def context() -> dict:
        now = openings.what_now(plan)
        changes_at(request, now.changes_at)  # a consultation or registration opens or closes then
        return {
            "plan": plan,
            "now": now.opening,
            "timeline": selectors.timeline(plan=plan, today=clock.today()),
            "objectives": plan.objectives.all(),
            "themes": plan.themes.select_related("priority"),
        }

    return kept_page(request, "paga/home.html", context)


@require_safe
@public_page(reads=(SITE,))
def timeline(request):
    plan = selectors.current_plan(request)
    return kept_page(
        request,
        "paga/timeline.html",
        lambda: {"plan": plan, "timeline": selectors.timeline(plan=plan, today=clock.today())},
    )


@require_safe
@public_page(reads=(SITE,))
def timeline_ics(request):
    plan = selectors.current_plan(request)
    tl = selectors.timeline(plan=plan, today=clock.today())
    body = timeline_calendar(
        plan=plan,
        stages=[row.stage for row in tl.rows],
        base_url=request.build_absolute_uri("/").rstrip("/"),
        host=request.get_host().split(":")[0],
    )
    return ics_response(body, f"{plan.slug}-cronograma.ics")


@require_safe
def health(request):
    """Liveness probe for the load balancer; touches neither the database nor Redis."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@public_page(reads=(SITE,))
def plans_index(request):
    """Every action plan of the portal, each at its own addresses (paga/plans.py)."""
    return render(request, "paga/plans.html", {"entries": selectors.plans_index()})


@require_safe
@public_page(reads=(SITE,))
def privacy(request):
    return render(
        request,
        "paga/privacy.html",
        {
            "policy_version": settings.COCREA_PRIVACY_POLICY_VERSION,
            "contact_email": settings.COCREA_CONTACT_EMAIL,
        },
    )


@csrf_exempt  # RFC 8058: a mail client's one-click POST carries no CSRF token; the signed token authorises
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """One-click unsubscribe from one kind of notification. GET only shows the choice (link scanners
    open links); POST (the button, or the mail client's `List-Unsubscribe=One-Click`) stops it. A
    second button subscribes again."""
    try:
        user, kind = services.read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "paga/unsubscribe.html", {"invalid": True}, status=400)
    label = EmailOptOut.Kind(kind).label
    if request.method == "POST":
        if request.POST.get("action") == "subscribe":
            services.opt_in(user=user, kind=kind)
            messages.success(request, _("You will receive these emails again: %(kind)s.") % {"kind": label})
        else:
            services.opt_out(user=user, kind=kind)
            messages.success(
                request, _("Done: you will no longer receive these emails: %(kind)s.") % {"kind": label}
            )
        return redirect("paga:unsubscribe", token=token)
    return render(
        request,
        "paga/unsubscribe.html",
        {"kind": label, "opted_out": services.is_opted_out(user=user, kind=kind)},
    )


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    """Rendered without context processors: it must work when the database does not."""
    return HttpResponseServerError(loader.get_template("500.html").render())
