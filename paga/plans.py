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

from django.http import Http404, HttpResponsePermanentRedirect
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
