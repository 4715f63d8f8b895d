"""Registration pages (issue 5, item 2): the form, and the confirm and cancel links of the emails.

Thin views over workshops/registrations.py. The confirm and cancel links show the registration and a
button on GET; only the POST acts, so a link scanner opening an email's links changes nothing. The key in
the link is the authority (whoever holds the email); an unknown key answers 404. These pages are personal
and never cached. Registering is rate limited per address (HTTP 429, the form kept).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from paga import plans, ratelimit

from . import registrations
from .models import Event, Registration
from .registration_forms import RegistrationForm, put_back

GET_POST = require_http_methods(["GET", "HEAD", "POST"])
RATE = "10/m"  # registrations per address (and per person when signed in) and minute


def _rate(request) -> str:
    return getattr(settings, "COCREA_RATE_REGISTRATIONS", RATE)


def rate_limited(request) -> bool:
    keys = [f"registrations:ip:{ratelimit.client_ip(request)}"]
    if request.user.is_authenticated:
        keys.append(f"registrations:user:{request.user.pk}")
    return not ratelimit.hit_all(keys, _rate(request))


def _event(request, slug: str) -> Event:
    event = get_object_or_404(Event.objects.select_related("region", "plan"), slug=slug)
    plans.require(request, event.plan)
    return event


def _registration(request, key) -> Registration:
    registration = get_object_or_404(Registration.objects.select_related("event__region"), key=key)
    plans.require(request, registration.event.plan_id)
    return registration


def _about(event: Event) -> dict:
    """What every registration page says about the event: its title, when (Lima) and where."""
    return {
        "event": event,
        "when": registrations.event_when_text(event),
        "where": registrations.event_where_text(event),
    }


def _state(event: Event) -> ValidationError | None:
    """Why `event` takes no registration now, or None when it does."""
    try:
        registrations.check_open(event)
    except ValidationError as error:
        return error
    return None


@never_cache
@GET_POST
def register(request, slug: str):
    """The registration form of an event; on success, a page saying confirmed, waiting (and the
    position) or "check your email"."""
    event = _event(request, slug)
    user = request.user
    form = RegistrationForm(request.POST if request.method == "POST" else None, user=user)
    status = 200
    if request.method == "POST" and form.is_valid():
        if rate_limited(request):
            form.add_error(
                None,
                ValidationError(
                    _("Many registrations were sent from here in a short time. Wait a minute and send it "
                      "again: what you typed is kept below."),
                    code="rate_limited",
                ),
            )  # fmt: skip
            status = 429
        else:
            data = form.cleaned_data
            try:
                registration = registrations.register(
                    event=event,
                    user=user if user.is_authenticated else None,
                    email=data["email"],
                    name=data["name"],
                    actor_type=data["actor_type"],
                    organisation=data["organisation"],
                    gender=data["gender"],
                    region=data["region"],
                )
            except ValidationError as error:
                put_back(form, error)
            else:
                return render(
                    request,
                    "workshops/registration/done.html",
                    {
                        **_about(event),
                        "registration": registration,
                        "position": registrations.waiting_position(registration),
                    },
                )
    own = registrations.own_registration(event=event, user=user)
    return render(
        request,
        "workshops/registration/register.html",
        {
            **_about(event),
            "form": form,
            "closed": _state(event),
            "own": own,
            "places": registrations.places(event) if event.takes_registrations else None,
        },
        status=status,
    )


@never_cache
@GET_POST
def confirm(request, key):
    """The confirmation link of an email registration: the registration and a button; the POST
    confirms (a place or the waiting list), then shows the result."""
    registration = _registration(request, key)
    error = None
    if request.method == "POST":
        try:
            registration = registrations.confirm(key=registration.key)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            if registration.state == Registration.State.CONFIRMED:
                messages.success(request, _("Your registration is confirmed: your place is kept."))
            elif registration.state == Registration.State.WAITING:
                messages.success(request, _("Your registration is confirmed: you are on the waiting list."))
            return HttpResponseRedirect(request.path)
    return render(
        request,
        "workshops/registration/confirm.html",
        {
            **_about(registration.event),
            "registration": registration,
            "position": registrations.waiting_position(registration),
            "error": error,
        },
    )


@never_cache
@GET_POST
def cancel(request, key):
    """The cancel link of every registration email: the registration and a button; the POST cancels it
    (a confirmed place goes to the first on the waiting list)."""
    registration = _registration(request, key)
    if request.method == "POST":
        was_active = registration.state != Registration.State.CANCELLED
        try:
            registrations.cancel(registration=registration)  # actor None: the link is the authority
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(request.path)
        if was_active:
            messages.success(request, _("Your registration was cancelled."))
        return HttpResponseRedirect(request.path)
    return render(
        request,
        "workshops/registration/cancel.html",
        {
            **_about(registration.event),
            "registration": registration,
            "position": registrations.waiting_position(registration),
        },
    )
