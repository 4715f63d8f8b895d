"""The signed-in person of each request comes with the names of their groups in one query
(paga/backends.py `get_user`): the roles every page asks about are not fetched again, and are never
those of an earlier request."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from paga import roles
from paga.backends import EmailAuthenticationBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_person_comes_with_their_groups_in_one_query(secretariat, citizen):
    backend = EmailAuthenticationBackend()
    with CaptureQueriesContext(connection) as captured:
        user = backend.get_user(secretariat.pk)
    assert len(captured) == 1
    assert user == secretariat
    assert user._group_names_cache == {roles.SECRETARIAT, roles.CITIZEN}
    with CaptureQueriesContext(connection) as captured:
        assert user.has_perm("commitments.view_all")
        assert not user.has_perm("paga.view_audit_log")
    assert not [q["sql"] for q in captured if '"auth_group"' in q["sql"]]

    assert backend.get_user(citizen.pk)._group_names_cache == {roles.CITIZEN}
    assert backend.get_user(UserFactory(groups=[]).pk)._group_names_cache == set()
    assert backend.get_user(UserFactory(is_active=False).pk) is None
    assert backend.get_user(10**9) is None


def test_a_role_taken_away_is_gone_on_the_next_request(example_plan, secretariat):
    client = Client()
    client.force_login(secretariat)
    desk = reverse("commitments:staff_home")
    assert client.get(desk).status_code == 200
    secretariat.groups.remove(Group.objects.get(name=roles.SECRETARIAT))
    assert client.get(desk).status_code in (302, 403)
    assert "Escritorio de la Secretaría" not in client.get("/").content.decode()
