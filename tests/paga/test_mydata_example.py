"""“Mis datos” on the PAGA 2017-2019 example: every example account's page and download work on real
volumes, each lists only its own rows, and deleting the example citizen keeps the participation page
identical (the example's secretariat, whose work is on record, would be stripped instead)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from paga import personal_data
from paga.example import ACCOUNTS
from paga.models import User
from tests.paga.test_mydata_erase import tables_with

pytestmark = pytest.mark.django_db

EMAILS = [account[0] for account in ACCOUNTS]


def english(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def test_every_example_account_sees_and_downloads_only_its_own_data(example_plan):
    for email in EMAILS:
        user = User.objects.get(email=email)
        client = english(user)
        assert client.get(reverse("paga:my_data")).status_code == 200, email
        text = client.get(reverse("paga:my_data_json")).content.decode("utf-8")
        data = json.loads(text)
        assert data["paga"]["account"]["email"] == email
        for other in EMAILS:
            if other != email:
                assert other not in text, (email, other)
    secretariat = english(User.objects.get(email=EMAILS[0])).get(reverse("paga:my_data_json"))
    assert json.loads(secretariat.content)["consultations"]["responses_written"]


def test_deleting_the_example_citizen_leaves_the_participation_page_as_it_was(
    example_plan, example_accounts_file
):
    email = "ciudadana@cocrea.example"
    password = json.loads(example_accounts_file.read_text())[email]
    user = User.objects.get(email=email)
    assert user.contributions.exists()
    anonymous = Client()
    before = anonymous.get(reverse("workshops:participation")).content

    assert personal_data.erase_account(user=user, password=password) is personal_data.Erasure.DELETED

    assert anonymous.get(reverse("workshops:participation")).content == before
    assert tables_with(email) == []
