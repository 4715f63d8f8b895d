"""Factories shared by every app's tests. Text fields plant accents and a `<script>` on purpose."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from paga.models import ActorType, Entity, GovernmentLevel, User

PASSWORD = "pw-Prueba-2017"


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
