"""Several action plans in one portal: which plan a request is about, and addresses in a given plan.

The current plan (`ActionPlan.is_current`) is served at the portal's plain addresses (`/compromisos/`);
every plan, the current one included, also at `/planes/<slug>/…` (`/planes/paga-2017-2019/compromisos/`),
addresses that stay valid when another plan becomes the current one. The same views serve both: the
middleware takes the prefix off the path the URLconf sees, notes the plan on the request (views ask
`paga.selectors.current_plan(request)`) and adds the prefix to Django's script prefix, so every address
`reverse()` and `{% url %}` give during that request stays in the plan. No view, template or app knows
about the prefix; `reverse_in()` gives an address in another plan (links between plans, emails).
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import get_script_prefix, reverse, set_script_prefix

from .models import ActionPlan

PREFIX = "planes"
_PLAN_PATH = re.compile(rf"^/{PREFIX}/(?P<slug>[-a-z0-9]+)(?P<rest>/.*)?$")


def prefix(plan: ActionPlan) -> str:
    """The address prefix of `plan`'s pages, without slashes around it: `planes/<slug>`."""
    return f"{PREFIX}/{plan.slug}"


@contextmanager
def addresses_in(plan: ActionPlan | None):
    """Within the block, `reverse()` gives addresses in `plan` (its `/planes/<slug>/` form, the plain
    form for the current plan); None: the plain form."""
    previous = get_script_prefix()
    base = _base(previous)
    set_script_prefix(base if plan is None or plan.is_current else f"{base}{prefix(plan)}/")
    try:
        yield
    finally:
        set_script_prefix(previous)


def reverse_in(plan: ActionPlan | None, viewname: str, *args, **kwargs) -> str:
    """`reverse(viewname, args, kwargs)` in `plan`: see addresses_in()."""
    with addresses_in(plan):
        return reverse(viewname, *args, **kwargs)


class OtherPlan(Exception):
    """Raised by require(): the object asked for belongs to another plan than the address's."""

    def __init__(self, plan_id: int):
        super().__init__(plan_id)
        self.plan_id = plan_id


def require(request, plan: ActionPlan | int) -> None:
    """An object of `plan` (a plan, or its id) is shown or changed only at its own plan's addresses:
    elsewhere a GET is redirected to the same page in that plan (so a plain address of a plan that is no
    longer the current one keeps working), any other method is a 404. Views call it with the object they
    fetched by a key that is unique across plans (a consultation's or an event's slug, a primary key);
    given the plan itself (select_related), a plain address costs no query."""
    from .selectors import find_current_plan

    plan_id = plan.pk if isinstance(plan, ActionPlan) else plan
    if isinstance(plan, ActionPlan) and not hasattr(request, "_current_plan"):
        here = plan.is_current  # a plain address (the middleware notes the plan of a /planes/ one)
    else:
        current = find_current_plan(request)
        here = current is not None and current.pk == plan_id
    if not here:
        raise OtherPlan(plan_id)


def _base(script_prefix: str) -> str:
    """The script prefix without the plan's part this middleware added."""
    match = re.search(rf"{PREFIX}/[-a-z0-9]+/$", script_prefix)
    return script_prefix[: match.start()] if match else script_prefix


class PlanPrefixMiddleware:
    """`/planes/<slug>/rest` is `/rest` for the plan `<slug>` (404 for an unknown slug)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = _PLAN_PATH.match(request.path_info)
        if not match:
            return self.get_response(request)
        plan = ActionPlan.objects.filter(slug=match["slug"]).first()
        if plan is None:
            raise Http404("No such plan")
        if match["rest"] is None:  # /planes/<slug>: the plan's home
            return HttpResponsePermanentRedirect(f"{request.path}/")
        request._current_plan = plan
        request.path_info = match["rest"]
        previous = get_script_prefix()
        set_script_prefix(f"{previous}{prefix(plan)}/")
        try:
            return self.get_response(request)
        finally:
            set_script_prefix(previous)

    def process_exception(self, request, exception):
        if not isinstance(exception, OtherPlan):
            return None
        plan = ActionPlan.objects.filter(pk=exception.plan_id).first()
        if plan is None or request.method not in ("GET", "HEAD"):
            raise Http404("Not in this plan")
        base = _base(get_script_prefix())
        path = request.path_info if plan.is_current else f"/{prefix(plan)}{request.path_info}"
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(f"{base.rstrip('/')}{path}" + (f"?{query}" if query else ""))
