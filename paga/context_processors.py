from . import clock
from .models import ActionPlan


def portal(request) -> dict:
    """The current plan and the (possibly simulated) date, for the header and banners."""

    def current_plan():
        if not hasattr(request, "_current_plan"):
            request._current_plan = ActionPlan.objects.filter(is_current=True).first()
        return request._current_plan

    return {"current_plan": current_plan, "simulated_today": clock.today() if clock.is_simulated() else None}
