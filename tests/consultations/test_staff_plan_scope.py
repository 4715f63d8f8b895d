"""The Secretaría's desk and moderation queue show the plan of the address only (issue 14: staff work on
one plan at a time; nothing of another plan leaks into a plan's lists)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consultations.models import Contribution, Flag
from tests.commitments.factories import current_plan
from tests.consultations.factories import ConsultationFactory
from tests.consultations.test_staff_views import contribution_on
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_consultations(other_plan):
    here = ConsultationFactory(
        plan=current_plan(), slug="consulta-de-este-plan", title="Consulta de este plan"
    )
    there = ConsultationFactory(
        plan=other_plan, slug="consulta-del-otro-plan", title="Consulta del otro plan"
    )
    for consultation in (here, there):
        contribution = contribution_on(
            consultation, state=Contribution.State.PENDING, text=f"Aporte en {consultation.title}"
        )
        Flag.objects.create(contribution=contribution, user=UserFactory(), reason="spam")
    return here, there


@pytest.fixture
def staff(client, secretariat):
    client.force_login(secretariat)
    return client


def test_the_desk_lists_the_consultations_of_the_address_plan_only(staff, two_consultations):
    here, there = two_consultations
    plain = staff.get(reverse("consultations:staff_desk"))
    assert [c.pk for c in plain.context["consultations"]] == [here.pk]
    other = staff.get("/planes/paga-2015-2016" + reverse("consultations:staff_desk"))
    assert [c.pk for c in other.context["consultations"]] == [there.pk]
    assert "Consulta de este plan" not in other.content.decode()


def test_the_moderation_queue_shows_the_address_plans_contributions_only(staff, two_consultations):
    here, there = two_consultations
    url = reverse("consultations:staff_moderation")
    plain = staff.get(url)
    assert [row.contribution.consultation_id for row in plain.context["rows"]] == [here.pk]
    assert "Aporte en Consulta del otro plan" not in plain.content.decode()
    assert "consulta-del-otro-plan" not in plain.content.decode()  # nor in the filter's choices
    other = staff.get("/planes/paga-2015-2016" + url)
    assert [row.contribution.consultation_id for row in other.context["rows"]] == [there.pk]
    # Asking for the other plan's consultation by its slug shows nothing of it either (not a choice here).
    rows = staff.get(url, {"consulta": there.slug}).context["rows"]
    assert there.pk not in [row.contribution.consultation_id for row in rows]


# --- Mis aportes: a person's contributions in the address's plan ---------------------------------------
def test_my_contributions_shows_the_address_plans_contributions_only(client, citizen, two_consultations):
    here, there = two_consultations
    for consultation in (here, there):
        contribution_on(consultation, author=citizen, text=f"Mi aporte en {consultation.title}")
    client.force_login(citizen)
    url = reverse("consultations:my_contributions")

    plain = client.get(url).content.decode()
    assert "Mi aporte en Consulta de este plan" in plain
    assert "Mi aporte en Consulta del otro plan" not in plain
    other = client.get("/planes/paga-2015-2016" + url).content.decode()
    assert "Mi aporte en Consulta del otro plan" in other
    assert "Mi aporte en Consulta de este plan" not in other


def test_the_moderation_log_shows_the_address_plans_actions_and_the_blocks(
    staff, two_consultations, secretariat
):
    from consultations import services
    from consultations.models import ModerationAction

    here, there = two_consultations
    for consultation in (here, there):
        services.hide(
            contribution=consultation.contributions.get(),
            actor=secretariat,
            reason=f"Motivo en {consultation.title}",
        )
    services.block(user=UserFactory(), actor=secretariat, reason="Spam en cualquier plan")
    url = reverse("consultations:staff_moderation_log")

    plain = staff.get(url)
    actions = [
        (a.action, a.contribution and a.contribution.consultation_id)
        for a in plain.context["page"].object_list
    ]
    assert actions == [(ModerationAction.Action.BLOCK, None), (ModerationAction.Action.HIDE, here.pk)]
    assert "Motivo en Consulta del otro plan" not in plain.content.decode()
    other = staff.get("/planes/paga-2015-2016" + url)
    assert "Motivo en Consulta del otro plan" in other.content.decode()
    assert "Motivo en Consulta de este plan" not in other.content.decode()
    assert "Spam en cualquier plan" in other.content.decode()  # a block is the person's, in every plan
