"""Other actors of the OGP template: typed as “organisation: role” lines, linked to known organisations,
kept in every version, shown on the public page, and not part of what a ministry may change."""

import pytest
from django.core.exceptions import PermissionDenied

from commitments import services
from commitments.models import Status
from tests.commitments.factories import commitment_in_review, complete_commitment, ministry
from tests.commitments.test_staff_views import edit_page_data, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, secretariat):
    client.force_login(secretariat)
    return client


def test_other_actors_are_saved_linked_and_versioned(staff):
    commitment = complete_commitment(status=Status.PROPOSED)
    minam = ministry("MINAM")
    data = edit_page_data(
        staff,
        commitment,
        reason="Actores",
        other_actors="MINAM: asistencia técnica\nRed Muqui: vigilancia <b>ciudadana</b>",
    )
    assert staff.post(url("edit", commitment), data).status_code == 302

    actors = list(commitment.other_actors.order_by("pk"))
    assert [(a.entity, a.name, a.role) for a in actors] == [
        (minam, "", "asistencia técnica"),
        (None, "Red Muqui", "vigilancia <b>ciudadana</b>"),
    ]
    latest = commitment.versions.order_by("-number").first()
    assert latest.data["other_actors"][1] == {
        "organisation": "Red Muqui",
        "role": "vigilancia <b>ciudadana</b>",
    }
    public = staff.get(commitment.get_absolute_url()).content.decode()
    assert "Red Muqui: vigilancia &lt;b&gt;ciudadana&lt;/b&gt;" in public


def test_a_line_without_a_role_is_refused_and_nothing_typed_is_lost(staff):
    commitment = complete_commitment(status=Status.PROPOSED)
    data = edit_page_data(staff, commitment, reason="Actores", other_actors="Red Muqui vigilancia")
    response = staff.post(url("edit", commitment), data)
    assert response.status_code == 200
    assert response.context["form"].errors["other_actors"]
    assert "Red Muqui vigilancia" in response.content.decode()
    assert not commitment.other_actors.exists()


def test_a_ministry_reviewer_cannot_change_the_other_actors(secretariat, reviewer):
    commitment = commitment_in_review(assigned_by=secretariat)
    with pytest.raises(PermissionDenied):
        services.commitment_update(
            commitment=commitment, actor=reviewer, reason="x", revision=commitment.revision, fields={},
            other_actors=[{"name": "Otro", "role": "otro"}], perm="commitments.change_review_fields",
        )  # fmt: skip
