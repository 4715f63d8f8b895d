"""Factories shared by every app's tests. Text fields plant accents and a `<script>` on purpose."""

from __future__ import annotations

import time

import factory
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from paga.models import ActorType, Entity, GovernmentLevel, User
from paga.staff_security import STAFF_GROUPS

PASSWORD = "pw-Prueba-2017"
# The secret of the staff's authenticator app (base32): `totp_code()` is what their phone shows now.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET, *, at: float | None = None) -> str:
    """The code an authenticator app with `secret` shows at `at` (now by default), by allauth's helpers."""
    counter = int(time.time() if at is None else at) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


class EntityFactory(DjangoModelFactory):
    """A national public entity. Looked up by acronym, so `acronym="MINAM"` reuses the example's row."""

    class Meta:
        model = Entity
        django_get_or_create = ("acronym",)

    name = factory.Sequence(lambda n: f"Organización «Ñandú» <script>alert({n})</script> n.º {n}")
    acronym = factory.Sequence(lambda n: f"ORG{n}")
    slug = factory.Sequence(lambda n: f"organizacion-{n}")
    actor_type = ActorType.PUBLIC_ENTITY
    level = GovernmentLevel.NATIONAL


class UserFactory(DjangoModelFactory):
    """A person with a verified email (allauth's `EmailAddress` row), so they can sign in.

    `UserFactory(groups=["revisores"])` adds the named groups; `verified_email=False` leaves the
    address unverified (allauth then refuses the login: ACCOUNT_EMAIL_VERIFICATION = "mandatory").
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persona{n}@cocrea.test")
    display_name = factory.Sequence(lambda n: f"José Ñúñez <script>alert({n})</script> {n}")
    password = factory.django.Password(PASSWORD)
    entity = None

    @factory.post_generation
    def groups(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in extracted))

    @factory.post_generation
    def verified_email(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def authenticator_app(self, create: bool, extracted, **kwargs) -> None:
        """Staff get an authenticator app set up with TOTP_SECRET, as the portal requires before any staff
        page (paga/staff_security.py); `authenticator_app=False` leaves it out, `True` gives one to anyone."""
        if not create or extracted is False:
            return
        staff = self.is_staff or self.is_superuser or self.groups.filter(name__in=STAFF_GROUPS).exists()
        if extracted or staff:
            TOTP.activate(self, TOTP_SECRET)
