from . import clock, selectors, staff_security


def portal(request) -> dict:
    """The current plan (fetched lazily, once), the simulated date, and whether the signed-in person is
    an example staff account acting without two-step verification (a development demo), for the header
    and banners."""
    return {
        "current_plan": lambda: selectors.find_current_plan(request),
        "simulated_today": clock.today() if clock.is_simulated() else None,
        "example_staff_without_two_step": lambda: example_staff_without_two_step(request),
    }


def example_staff_without_two_step(request) -> bool:
    user = getattr(request, "user", None)
    return (
        user is not None
        and staff_security.example_staff_without_two_step(user)
        and staff_security.is_staff_member(user)
    )
