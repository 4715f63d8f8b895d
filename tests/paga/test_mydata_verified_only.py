"""Only verified addresses are a person's own (issue 12): anyone can type someone else's address into
their account (allauth keeps it unverified until its owner follows the link). Until then the download
of "Mis datos" holds nothing sent to or registered with that address, deleting the account cancels
none of its registrations, and nothing registered with it counts as the account's."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from django.urls import reverse

from paga import personal_data
from paga.models import OutboundEmail
from tests.commitments.factories import CommitmentFactory
from tests.factories import PASSWORD, UserFactory
from tests.workshops.factories import EventFactory
from workshops import registrations
from workshops.models import Registration

pytestmark = pytest.mark.django_db

INTRUDER = "intrusa@example.pe"
OWNER = "ernesto.condor@example.pe"
OWNER_NAME = "Ernesto Cóndor Ayala"


def owner_registered_by_email() -> Registration:
    """The address's owner registered signed out and confirmed through the emailed link."""
    pending = registrations.register(
        event=EventFactory(),
        email=OWNER,
        name=OWNER_NAME,
        actor_type="sociedad_civil",
        organisation="Asociación Ñandú",
    )
    return registrations.confirm(key=pending.key)


def intruder_with(address: str, *, verified: bool):
    user = UserFactory(email=INTRUDER, display_name="Intrusa")
    EmailAddress.objects.create(user=user, email=address, verified=verified, primary=False)
    return user


def download(user) -> dict:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    response = client.get(reverse("paga:my_data_json"))
    assert response.status_code == 200
    return json.loads(response.content)


def test_an_unverified_address_brings_nothing_of_its_owner_into_the_download():
    registration = owner_registered_by_email()
    CommitmentFactory(contact_email=OWNER.upper(), contact_name=OWNER_NAME)
    assert OutboundEmail.objects.filter(to__icontains=OWNER).count() == 2  # confirm link, then confirmed
    intruder = intruder_with(OWNER.upper(), verified=False)

    data = download(intruder)

    text = json.dumps(data, ensure_ascii=False)
    assert OWNER_NAME not in text
    assert data["workshops"]["registrations"] == []
    assert data["paga"]["emails_sent"] == []
    assert data["commitments"]["contact_of"] == []
    # The account's own record of what was typed stays (it is the account's data), marked unverified.
    assert {"email": OWNER.upper(), "verified": False, "primary": False} in data["paga"]["email_addresses"]
    assert personal_data.verified_addresses(intruder) == [INTRUDER]
    assert registration.email == OWNER


def test_once_verified_the_address_is_the_persons_own():
    registration = owner_registered_by_email()
    owner = intruder_with(OWNER, verified=True)  # the same account, now with the owner's proof

    data = download(owner)

    assert [r["name"] for r in data["workshops"]["registrations"]] == [registration.name]
    assert len(data["paga"]["emails_sent"]) == 2


def test_deleting_the_account_cancels_no_registration_of_an_unverified_address():
    registration = owner_registered_by_email()
    sent = OutboundEmail.objects.filter(to__icontains=OWNER).count()
    intruder = intruder_with(OWNER, verified=False)

    personal_data.erase_account(user=intruder, password=PASSWORD)

    registration.refresh_from_db()
    assert registration.state == Registration.State.CONFIRMED
    assert (registration.name, registration.email) == (OWNER_NAME, OWNER)
    assert registration.cancelled_at is None
    assert OutboundEmail.objects.filter(to__icontains=OWNER).count() == sent  # the owner's emails kept


def test_signed_in_registration_needs_the_accounts_address_verified():
    """A signed-in registration is placed at once only with a verified account address; otherwise the
    address's owner confirms it through the emailed link."""
    user = UserFactory(email=OWNER, verified_email=False)
    EmailAddress.objects.create(user=user, email=INTRUDER, verified=True, primary=False)
    assert not registrations.has_verified_email(user)

    registration = registrations.register(
        event=EventFactory(), user=user, email="", name="Intrusa", actor_type="sociedad_civil"
    )

    assert registration.state == Registration.State.PENDING
