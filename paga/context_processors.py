from . import clock, selectors


def portal(request) -> dict:
    """The current plan (fetched lazily, once) and the simulated date, for the header and banners."""
    return {
        "current_plan": lambda: selectors.find_current_plan(request),
        "simulated_today": clock.today() if clock.is_simulated() else None,
    }
