"""Personal-data rights (Ley 29733 and its regulation, D.S. 016-2024-JUS): access and portability
("Mis datos" and its JSON download), consent (see, withdraw, give again) and cancellation (delete the
account).

`paga` imports no app, so each app says what it holds about a person, the way paga/reports.py collects
report hooks. Each project app (settings.COCREA_CONTENT_APPS) may have a `personal_data` module with:

    TITLE: str                     how "Mis datos" names the app's part
    SECTIONS: dict[str, str]       a label for each key its `export` returns, in the page's order
    export(user) -> dict           everything the app holds about `user`, ready for JSON: lists of plain
                                   values (str, int, bool, dates). Never another person's data: no one
                                   else's name, email address or text (a reply of someone else to me is
                                   theirs, not mine)
    erase(user) -> None            cancellation: delete what is only the person's, anonymise what stays
                                   in the public record. Runs inside erase_account's transaction, before
                                   the account itself goes.

The account, its consents, email addresses (allauth), email opt-outs and the emails sent to the person
are paga's own and are exported and erased here.

Decisions (written on /privacidad/ too):

- Cancellation keeps the public record of the co-creation (OGP: every contribution and its reasoned
  response stay public) but detaches the person: a contribution keeps its text, versions and response,
  and its author becomes "Participante anónimo". Supports, follows and reports are deleted. Registrations
  for events still to come are cancelled (the waiting list moves up); past registrations and attendance
  keep only what the participation figures count (actor type, gender, region, organisation), never a
  name or an address.
- Consent records are deleted with the account. Ley 29733 asks the controller to be able to show that
  consent was given while it processes the data; once the account is cancelled nothing personal is left
  to process (what stays is anonymous), and a consent record with the person removed would prove nothing
  about anyone, so none is kept.
- The account row is deleted. When rows that are part of the institution's record point to it (a staff
  member's transitions, responses, reviews, moderation; PROTECT), it is deactivated and stripped instead:
  the email address becomes a unique placeholder at the reserved `.invalid` domain, the name
  "Participante anónimo", the password unusable, roles and organisation removed. Those records then say
  that an anonymous participant acted. The one exception is the audit log (paga/audit.py): it keeps the
  name a staff member acted under (never an email), because it is the institution's append-only record
  of what its staff did and the application cannot change it.
- Everything happens in one transaction, the person's sessions included: a failure leaves the account
  exactly as it was. Emails to the person still in the outbox are dropped (the worker skips a missing
  row).
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from importlib import import_module

import rules
from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import clock, registry, roles
from .models import Consent, EmailOptOut, OutboundEmail, User

# Stored as data (a contribution's given name, a stripped account's display name), so not translated.
ANONYMOUS_NAME = "Participante anónimo"
# Reserved by RFC 2606: an address at this domain can never reach anyone.
PLACEHOLDER_DOMAIN = "anonimo.invalid"
FORMAT = "cocrea-mis-datos/1"

TITLE = gettext_lazy("Your account")
SECTIONS = {
    "account": gettext_lazy("Account: email address, display name, organisation, dates and roles"),
    "consents": gettext_lazy("Consents, with when they were given and withdrawn"),
    "email_addresses": gettext_lazy("Email addresses of the account"),
    "email_opt_outs": gettext_lazy("Kinds of email you stopped"),
    "emails_sent": gettext_lazy("Emails we sent you (subject and date)"),
}
# allauth's tables that belong to the person alone (addresses, authenticators, sessions, social logins).
ALLAUTH_LABELS = frozenset({"account", "mfa", "usersessions", "socialaccount"})


def placeholder_email(kind: str, pk: int) -> str:
    """A unique address that names no one, for a row whose email column must stay filled."""
    return f"{kind}-{pk}@{PLACEHOLDER_DOMAIN}"


def verified_addresses(user) -> list[str]:
    """The addresses that are the person's own, lowercased: those they proved they receive mail at
    (allauth's verified EmailAddress rows), in one query.

    The one rule for every match by address (the "Mis datos" download, cancellation, registrations made
    by email, who may comment). Anyone can type someone else's address into their account; until its
    owner follows the link sent to it, nothing sent to or registered with that address is the account's.
    """
    from allauth.account.models import EmailAddress

    found = EmailAddress.objects.filter(user_id=user.pk, verified=True).values_list("email", flat=True)
    return sorted({address.lower() for address in found})


def addresses(user) -> list[str]:
    """`verified_addresses`, kept on the user object for the apps that match rows by address (one query
    for the whole download or cancellation)."""
    found = getattr(user, "_personal_data_addresses", None)
    if found is None:
        found = user._personal_data_addresses = verified_addresses(user)
    return found


def iexact_any(field: str, values) -> Q:
    """`field` equals one of `values`, ignoring case (a Q that matches nothing when there are none)."""
    q = Q(pk__in=[])
    for value in values:
        q |= Q(**{f"{field}__iexact": value})
    return q


# --- The registry -----------------------------------------------------------------------------------
def app_modules() -> list:
    """The `personal_data` modules of the project's apps, paga's own (this module) first."""
    return list(registry.app_modules("personal_data", paga=__name__))


def _label(module) -> str:
    return "paga" if module.__name__ == __name__ else module.__name__.split(".")[0]


def export_all(user) -> dict:
    """Everything the portal holds about `user`, by app (the apps' `export` hooks)."""
    data: dict = {
        "format": FORMAT,
        "generated_at": clock.now(),
        "policy_version": settings.COCREA_PRIVACY_POLICY_VERSION,
        "contact": settings.COCREA_CONTACT_EMAIL,
    }
    for module in app_modules():
        data[_label(module)] = module.export(user)
    return data


def export_json(user) -> bytes:
    """The download: UTF-8 JSON, accents as they are."""
    return json.dumps(export_all(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


@dataclass
class Section:
    key: str
    label: str
    count: int


@dataclass
class Part:
    label: str  # the app's label (anchors, tests)
    title: str
    sections: list[Section]

    @property
    def total(self) -> int:
        return sum(section.count for section in self.sections)


def _count(value) -> int:
    if isinstance(value, list):
        return len(value)
    return 1 if value else 0


def parts(data: dict) -> list[Part]:
    """What `export_all` found, by app and kind, as counts for the page."""
    found = []
    for module in app_modules():
        section_data = data.get(_label(module), {})
        sections = [
            Section(key, str(label), _count(section_data.get(key)))
            for key, label in module.SECTIONS.items()
            if key in section_data
        ]
        found.append(Part(_label(module), str(module.TITLE), sections))
    return found


# --- paga's own data --------------------------------------------------------------------------------
def _emails_sent(user) -> list[OutboundEmail]:
    mine = set(addresses(user))
    candidates = OutboundEmail.objects.filter(_to_any(mine)).order_by("created_at", "pk")
    return [e for e in candidates if {str(a).lower() for a in (e.to or [])} & mine]


def _to_any(mine) -> Q:
    # `to` is a JSON list: a text match narrows the rows in the database, the exact match is in Python.
    q = Q(pk__in=[])
    for address in mine:
        q |= Q(to__icontains=address)
    return q


def export(user) -> dict:
    from allauth.account.models import EmailAddress

    names = roles.group_names(user)  # (the page's permissions reuse them)
    emails = list(EmailAddress.objects.filter(user=user).order_by("pk"))
    if getattr(user, "_personal_data_addresses", None) is None:  # `addresses`, from the same rows
        user._personal_data_addresses = sorted({a.email.lower() for a in emails if a.verified})
    data = {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "organisation": str(user.entity) if user.entity_id else None,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_active": user.is_active,
            "roles": [str(roles.LABELS.get(name, name)) for name in sorted(names)],
        },
        "consents": [
            {
                "id": c.pk,
                "purpose": c.purpose,
                "purpose_label": c.get_purpose_display(),
                "policy_version": c.policy_version,
                "given_at": c.given_at,
                "withdrawn_at": c.withdrawn_at,
            }
            for c in Consent.objects.filter(user=user).order_by("given_at", "pk")
        ],
        "email_addresses": [{"email": a.email, "verified": a.verified, "primary": a.primary} for a in emails],
        "email_opt_outs": [
            {"kind": o.kind, "kind_label": o.get_kind_display(), "since": o.created}
            for o in EmailOptOut.objects.filter(user=user).order_by("kind")
        ],
        "emails_sent": [
            {"subject": e.subject, "queued_at": e.created_at, "sent_at": e.sent_at}
            for e in _emails_sent(user)
        ],
    }
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.models import Authenticator

        data["authenticators"] = [
            {"type": a.type, "created_at": a.created_at, "last_used_at": a.last_used_at}
            for a in Authenticator.objects.filter(user=user).order_by("pk")
        ]
    return data


def erase(user) -> None:
    """The account's own rows: consents, opt-outs, the emails sent to the person (an email to several
    people loses only this person's address), allauth's addresses, authenticators and sessions."""
    Consent.objects.filter(user=user).delete()
    EmailOptOut.objects.filter(user=user).delete()
    mine = set(addresses(user))
    for email in _emails_sent(user):
        others = [a for a in email.to if str(a).lower() not in mine]
        if others:
            email.to = others
            email.save(update_fields=["to"])
        else:
            email.delete()
    for relation in User._meta.related_objects:
        model = relation.related_model
        if model._meta.app_label in ALLAUTH_LABELS and relation.on_delete is models.CASCADE:
            model._base_manager.filter(**{relation.field.name: user}).delete()
    end_sessions(user.pk)


def end_sessions(user_id: int) -> int:
    """Delete every stored session of the person. The database rows go in the caller's transaction; a
    cached copy (cached_db) goes at once, which is harmless if the transaction rolls back: the cache then
    misses and the session is read again from its restored row."""
    if not apps.is_installed("django.contrib.sessions"):
        return 0
    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):  # signed cookies: nothing is stored on our side
        return 0
    ended = 0
    for session in Session.objects.iterator(chunk_size=500):
        if session.get_decoded().get("_auth_user_id") == str(user_id):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


# --- Consent -----------------------------------------------------------------------------------------
def has_active_consent(user, purpose: str = Consent.Purpose.PERSONAL_DATA) -> bool:
    return Consent.objects.filter(user=user, purpose=purpose, withdrawn_at__isnull=True).exists()


# The refusal when someone who withdrew their consent tries to take part.
CONSENT_WITHDRAWN = gettext_lazy(
    "You withdrew your consent to the personal-data policy: give it again on My data to take part."
)


@rules.predicate
def withdrew_consent(user) -> bool:
    """The person withdrew their consent to the processing of their data and has not given it again.

    Taking part (commenting, supporting, reporting, registering while signed in) is what that consent
    is for, so without it the account can only read, download its data and be deleted. Accounts that
    never recorded a consent (created in the back office) are not affected.
    """
    if user is None or not user.is_authenticated:
        return False
    return consent_withdrawn(
        Consent.objects.filter(user=user, purpose=Consent.Purpose.PERSONAL_DATA).values("withdrawn_at")
    )


def consent_withdrawn(consents) -> bool:
    """Among these consents to the personal-data policy (rows or dicts with `withdrawn_at`), some were
    given and every one is withdrawn."""
    consents = [c if isinstance(c, dict) else {"withdrawn_at": c.withdrawn_at} for c in consents]
    return bool(consents) and all(c["withdrawn_at"] is not None for c in consents)


@transaction.atomic
def withdraw_consent(*, user, consent_id: int) -> Consent:
    """Withdraw one of the person's own consents (Ley 29733: at any time, free, without giving reasons).

    The row stays, with the moment of withdrawal: it records what the person decided. Withdrawing does
    not undo what was lawfully done before. Someone else's consent, or an unknown one, is a
    Consent.DoesNotExist (404). Withdrawing twice keeps the first moment."""
    consent = Consent.objects.select_for_update().get(pk=consent_id, user=user)
    if consent.withdrawn_at is None:
        consent.withdrawn_at = clock.now()
        consent.save(update_fields=["withdrawn_at"])
    return consent


@transaction.atomic
def give_consent(*, user, purpose: str = Consent.Purpose.PERSONAL_DATA) -> Consent:
    """Record a new, express consent to the current version of the policy (a new row: each act is kept).
    Giving it while a consent to the same version is active changes nothing."""
    if purpose not in Consent.Purpose.values:
        raise ValidationError(_("Unknown purpose."), code="purpose")
    User.objects.select_for_update().filter(pk=user.pk).first()  # one click at a time per person
    version = settings.COCREA_PRIVACY_POLICY_VERSION
    active = Consent.objects.filter(
        user=user, purpose=purpose, policy_version=version, withdrawn_at__isnull=True
    ).first()
    return active or Consent.objects.create(user=user, purpose=purpose, policy_version=version)


# --- Cancellation -------------------------------------------------------------------------------------
class Erasure(enum.Enum):
    DELETED = "deleted"  # the account row is gone
    STRIPPED = "stripped"  # kept, deactivated and without personal data (institutional records point to it)


@transaction.atomic
def erase_account(*, user, password: str) -> Erasure:
    """Delete the person's account after checking their password (see the module's docstring).

    A wrong password is a ValidationError (code "password") and changes nothing.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not password or not locked.has_usable_password() or not locked.check_password(password):
        raise ValidationError(_("The password is not correct."), code="password")
    addresses(locked)  # matched before any address is erased
    modules = app_modules()
    for module in modules[1:]:
        module.erase(locked)
    modules[0].erase(locked)
    try:
        with transaction.atomic():
            locked.delete()
    except (models.ProtectedError, models.RestrictedError):
        _strip(locked)
        return Erasure.STRIPPED
    return Erasure.DELETED


def _strip(user: User) -> None:
    """Keep the row that institutional records point to, without anything that names the person."""
    user.groups.clear()
    user.user_permissions.clear()
    User.objects.filter(pk=user.pk).update(
        email=placeholder_email("cuenta", user.pk),
        display_name=ANONYMOUS_NAME,
        entity=None,
        is_active=False,
        is_staff=False,
        is_superuser=False,
        last_login=None,
        password=make_password(None),
    )
