from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_safe

from . import clock, selectors
from .ics import timeline_calendar


@require_safe
def home(request):
    plan = selectors.current_plan(request)
    tl = selectors.timeline(plan=plan, today=clock.today())
    return render(
        request,
        "paga/home.html",
        {
            "plan": plan,
            "timeline": tl,
            "objectives": plan.objectives.all(),
            "themes": plan.themes.select_related("priority"),
        },
    )


@require_safe
def timeline(request):
    plan = selectors.current_plan(request)
    return render(
        request,
        "paga/timeline.html",
        {"plan": plan, "timeline": selectors.timeline(plan=plan, today=clock.today())},
    )


@require_safe
def timeline_ics(request):
    plan = selectors.current_plan(request)
    tl = selectors.timeline(plan=plan, today=clock.today())
    body = timeline_calendar(
        plan=plan,
        stages=[row.stage for row in tl.rows],
        base_url=request.build_absolute_uri("/").rstrip("/"),
        host=request.get_host().split(":")[0],
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{plan.slug}-cronograma.ics"'
    return response


@require_safe
def health(request):
    """Liveness probe for the load balancer; touches neither the database nor Redis."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def privacy(request):
    return render(
        request,
        "paga/privacy.html",
        {
            "policy_version": settings.COCREA_PRIVACY_POLICY_VERSION,
            "contact_email": settings.COCREA_CONTACT_EMAIL,
        },
    )


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    """Rendered without context processors: it must work when the database does not."""
    return HttpResponseServerError(loader.get_template("500.html").render())
