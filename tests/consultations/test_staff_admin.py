"""The back office for consultations follows consultations/rules.py: the Secretaría configures
consultations, their paragraphs and response templates; only administrators delete; citizens get nothing."""

from __future__ import annotations

import pytest

from consultations.models import ResponseTemplate
from tests.consultations.factories import document_consultation

pytestmark = pytest.mark.django_db

BASE = "/administracion/consultations"


def test_the_secretariat_configures_consultations_and_templates(client, secretariat):
    consultation = document_consultation()
    template = ResponseTemplate.objects.create(title="Fuera", disposition="fuera_de_alcance", text="Fuera.")
    client.force_login(secretariat)
    assert client.get(f"{BASE}/consultation/").status_code == 200
    page = client.get(f"{BASE}/consultation/{consultation.pk}/change/")
    assert page.status_code == 200
    assert "paragraphs-TOTAL_FORMS" in page.content.decode()  # the paragraphs, inline
    assert client.get(f"{BASE}/responsetemplate/{template.pk}/change/").status_code == 200
    assert "consultations" in client.get("/administracion/").content.decode()
    assert client.get(f"{BASE}/responsetemplate/{template.pk}/delete/").status_code == 403
    assert secretariat.has_perm("consultations.change_consultation")
    assert not secretariat.has_perm("consultations.delete_consultation")


def test_administrators_may_also_delete(client, administrator):
    template = ResponseTemplate.objects.create(title="Fuera", disposition="fuera_de_alcance", text="Fuera.")
    client.force_login(administrator)
    assert client.get(f"{BASE}/responsetemplate/{template.pk}/delete/").status_code == 200


@pytest.mark.parametrize("role", ["citizen", "reviewer"])
def test_other_roles_get_nothing(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(f"{BASE}/consultation/").status_code == 302  # to the admin's sign-in
    assert not user.has_perm("consultations.view_consultation")
    assert not user.has_perm("consultations.add_responsetemplate")
