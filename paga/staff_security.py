"""Staff accounts: two-step verification before any staff page, and sign-out after inactivity.

Secretaría staff, ministry reviewers and administrators (the paga.roles groups, `is_staff` and
superusers) see unpublished drafts and personal data and approve the plan: a stolen password alone
must not open those pages (issue 7). One middleware decides it for every staff page, keyed on the staff
areas' URL prefixes (and the admin's namespace); the views keep their own permission checks. Until a
staff member has set up an authenticator app (django-allauth's TOTP, with recovery codes), a staff page
sends them to its setup page; public pages, signing out and the account pages stay open to them, and
show what they show a citizen: until then the staff roles grant nothing (`two_step_ready`, asked by
paga/rules.py's role predicates and by User.has_perm for superusers), so no draft is reachable at its
public address with a password alone. Once it is set up, allauth asks its code at every sign-in.
Citizens may turn it on; nobody forces them.

Development demo only: with COCREA_EXAMPLE_STAFF_WITHOUT_2FA (on by default under DJANGO_DEBUG=1, refused
by the settings in production, and ignored here unless DEBUG is on) the example's staff accounts, named by
their addresses in paga/example.py's ACCOUNTS, act as staff without an authenticator app, and every page
tells them so (`example_staff_without_two_step`). Every other staff account still needs the app.

What the checks need is kept in the session, so a staff page costs no extra query:
- STAFF: the signed-in person holds a staff role (written at sign-in, refreshed on every staff page);
- MFA_CHECKED: when their authenticator app was last seen (at sign-in or on a staff page; looked up
  again after COCREA_STAFF_MFA_RECHECK_SECONDS, so one removed from another session is noticed);
- LAST_ACTIVITY: a staff member's last request (written at most once every
  COCREA_STAFF_ACTIVITY_SECONDS, so a page costs a session write at most once a minute).
"""

from __future__ import annotations

import time
from functools import cache

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import get_user
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import registry, roles

STAFF_GROUPS = frozenset({roles.SECRETARIAT, roles.REVIEWER, roles.ADMINISTRATOR})
# The staff areas: the Secretaría's desks and the back office; the apps add theirs on their AppConfig
# (`staff_prefixes`, paga/registry.py: the ministries' technical review).
OWN_STAFF_PREFIXES = ("/gestion/", "/administracion/")
STAFF_NAMESPACES = frozenset({"admin"})

STAFF = "cocrea_staff"
MFA_CHECKED = "cocrea_staff_mfa_checked"
LAST_ACTIVITY = "cocrea_last_activity"
RESUME = "cocrea_staff_resume"  # the staff page asked for before setting up the authenticator app


def now() -> int:
    """Seconds since the epoch (tests move the clock instead of waiting)."""
    return int(time.time())


group_names = roles.group_names  # (the staff check asks it here)


def is_staff_member(user) -> bool:
    """Holds a staff role: a Secretaría, reviewer or administrator group, `is_staff` or superuser."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or group_names(user) & STAFF_GROUPS)


def has_authenticator_app(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


@cache
def example_staff_emails() -> frozenset[str]:
    """The addresses of the example's staff accounts (paga/example.py's ACCOUNTS), which `load_example`
    creates for demonstrations: the only accounts the development exemption may apply to."""
    from .example import ACCOUNTS

    return frozenset(email.lower() for email, _name, role, _entity in ACCOUNTS if role in STAFF_GROUPS)


def example_staff_demo() -> bool:
    """COCREA_EXAMPLE_STAFF_WITHOUT_2FA is on, and DEBUG too (the settings refuse the first without the
    second; checking both here keeps production safe whatever a settings module overrides)."""
    return bool(settings.DEBUG and settings.COCREA_EXAMPLE_STAFF_WITHOUT_2FA)


def example_staff_without_two_step(user) -> bool:
    """Development demo (`example_staff_demo`): `user` is one of the example's staff accounts and acts as
    staff without an authenticator app. It lets `make run` be tried without a phone; no query."""
    return bool(
        example_staff_demo()
        and user.is_authenticated
        and (user.email or "").lower() in example_staff_emails()
    )


def two_step_ready(user) -> bool:
    """The person may act with their staff roles: their web session has seen their authenticator app.

    The request's user is marked by StaffMFAMiddleware (`note_two_step`): seen recently (from the
    session, no query), or to be looked up, once per request and only for people who hold a staff role
    (the role predicates check the group first, so a citizen's page costs nothing more). A user object
    that came through no web session (management commands, the example loader, Celery tasks run for a
    staff page that passed this check) is not marked: it was not signed in with a password alone.
    The example's staff accounts in a development demo are ready without an app
    (`example_staff_without_two_step`)."""
    ready = getattr(user, "_cocrea_two_step", True)
    if ready is None:
        ready = user._cocrea_two_step = bool(user.is_authenticated) and (
            example_staff_without_two_step(user) or has_authenticator_app(user)
        )
    return ready


def _mfa_recently_checked(session) -> bool:
    checked = session.get(MFA_CHECKED)
    return checked is not None and 0 <= now() - checked < settings.COCREA_STAFF_MFA_RECHECK_SECONDS


def note_two_step(user, session):
    """Mark `user` as signed in through a web session: whether its authenticator app was seen recently
    (True) or must be looked up when a staff role is asked (None)."""
    if user.is_authenticated:
        user._cocrea_two_step = True if _mfa_recently_checked(session) else None
    return user


def _user_noting_two_step(request):
    """request.user (the same object AuthenticationMiddleware gives), marked by `note_two_step`."""
    return note_two_step(get_user(request), request.session)


@cache
def staff_prefixes() -> tuple[str, ...]:
    return registry.joined("staff_prefixes", OWN_STAFF_PREFIXES)


def is_staff_page(request) -> bool:
    match = request.resolver_match
    return request.path_info.startswith(staff_prefixes()) or bool(
        match and STAFF_NAMESPACES.intersection(match.namespaces)
    )


def remember_staff_at_sign_in(sender, request, user, **kwargs) -> None:
    """At sign-in (after allauth asked the code, if any): note the role, the app and the time."""
    session = getattr(request, "session", None)
    if session is None:
        return
    staff = is_staff_member(user)
    session[STAFF] = staff
    if staff:
        session[LAST_ACTIVITY] = now()
        if example_staff_without_two_step(user):
            user._cocrea_two_step = True
            return
        user._cocrea_two_step = has_authenticator_app(user)
        if user._cocrea_two_step:
            session[MFA_CHECKED] = now()


def _forget_two_step(user) -> None:
    user._cocrea_two_step = None  # looked up again on the next question


def forget_removed_app(sender, request, user, authenticator, **kwargs) -> None:
    if authenticator.type != Authenticator.Type.TOTP:
        return
    _forget_two_step(user)
    if getattr(request, "session", None) is not None:
        request.session.pop(MFA_CHECKED, None)


def note_added_app(sender, request, user, authenticator, **kwargs) -> None:
    if authenticator.type != Authenticator.Type.TOTP:
        return
    _forget_two_step(user)
    if getattr(request, "session", None) is not None:
        request.session[MFA_CHECKED] = now()


def connect_signals() -> None:
    """Called once from paga's AppConfig.ready()."""
    user_logged_in.connect(remember_staff_at_sign_in, dispatch_uid="cocrea_staff_security_sign_in")
    authenticator_removed.connect(forget_removed_app, dispatch_uid="cocrea_staff_security_removed")
    authenticator_added.connect(note_added_app, dispatch_uid="cocrea_staff_security_added")


class StaffIdleTimeoutMiddleware:
    """Signs a staff member out after COCREA_STAFF_IDLE_MINUTES without a request, and says so on the
    sign-in page. A shared office computer left open must not stay a way into the staff pages; citizens
    keep the normal session age."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.session.get(STAFF):
            response = self.sign_out_if_idle(request)
            if response is not None:
                return response
        return self.get_response(request)

    def sign_out_if_idle(self, request):
        moment = now()
        last = request.session.get(LAST_ACTIVITY)
        minutes = settings.COCREA_STAFF_IDLE_MINUTES
        if last is not None and moment - last > minutes * 60:
            target = request.get_full_path() if request.method in ("GET", "HEAD") else reverse("paga:home")
            logout(request)
            messages.info(
                request,
                ngettext(
                    "You were signed out after %(minutes)d minute without activity. Sign in again.",
                    "You were signed out after %(minutes)d minutes without activity. Sign in again.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            return redirect_to_login(target)
        if last is None or moment - last >= settings.COCREA_STAFF_ACTIVITY_SECONDS:
            request.session[LAST_ACTIVITY] = moment
        return None


class StaffMFAMiddleware:
    """Staff pages only for staff who have set up an authenticator app; the one place it is decided.

    Also sends the Django admin's own sign-in form to allauth's, which asks for the code: the admin's
    form would not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hasattr(request, "user") and hasattr(request, "session"):
            request.user = SimpleLazyObject(lambda: _user_noting_two_step(request))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.view_name == "admin:login":
            return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
        if not is_staff_page(request):
            return None
        user = request.user
        if not user.is_authenticated:
            return None  # the page sends them to sign in
        session = request.session
        staff = is_staff_member(user)
        if session.get(STAFF) != staff:
            session[STAFF] = staff
            if staff:
                session.setdefault(LAST_ACTIVITY, now())
        if not staff:
            return None  # the page answers 403
        if example_staff_without_two_step(user):
            return None  # development demo: every page says two-step verification is skipped
        if _mfa_recently_checked(session):
            if RESUME in session:
                del session[RESUME]
            return None
        if has_authenticator_app(user):
            session[MFA_CHECKED] = now()
            user._cocrea_two_step = True
            session.pop(RESUME, None)
            return None
        session.pop(MFA_CHECKED, None)
        user._cocrea_two_step = False
        if request.method in ("GET", "HEAD"):
            session[RESUME] = request.get_full_path()
        messages.warning(
            request,
            _(
                "Staff pages need two-step verification. Set up an authenticator app on your phone to "
                "continue; public pages stay open meanwhile."
            ),
        )
        return redirect("mfa_activate_totp")
