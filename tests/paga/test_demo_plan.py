"""The demonstration plan (paga/demo.py and each app's demo.py), loaded by `load_example`: open today, so a
new user can comment, register and review at once, through the real pages under /planes/demostracion/;
idempotent, its dates following the portal's today; and nothing of it on the PAGA 2017-2019 pages."""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings

from commitments.models import Commitment, Review, Status, Version
from consultations import demo as consultation_demo
from consultations.models import Consultation, Contribution, Response
from consultations.services import STATUSES_TAKING_PART
from paga import clock, demo
from paga.models import ActionPlan, Region, StageStatus, User
from paga.selectors import timeline
from tests.conftest import EXAMPLE
from tests.factories import TOTP_SECRET
from workshops import demo as workshop_demo
from workshops.models import Event, Registration

pytestmark = pytest.mark.django_db

BASE = f"/planes/{demo.SLUG}"
ROSA, JULIO = demo.CITIZENS
DEMO_TITLES = (
    "Publicar en datos abiertos la infraestructura de las escuelas públicas",
    "Registro público de las denuncias ambientales",
    consultation_demo.consultation_values(datetime.date(2030, 1, 1))["title"],
    workshop_demo.TITLE,
    "Que los datos digan también si cada escuela",
)


@pytest.fixture
def demo_plan(example_plan) -> ActionPlan:
    return ActionPlan.objects.get(slug=demo.SLUG)


def person(email: str) -> User:
    return User.objects.get(email=email)


def reviewer_signed_in(client, acronym: str) -> User:
    """The example reviewer account, with the authenticator app every staff page asks for first (as
    someone trying the account sets up)."""
    reviewer = person(demo.REVIEWERS[acronym])
    TOTP.activate(reviewer, TOTP_SECRET)
    client.force_login(reviewer)
    return reviewer


def demo_counts() -> dict[str, int]:
    """Rows of every model (audit entries aside: moving a date is recorded), to compare two loads."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.label not in {"paga.AuditEntry"} and not model._meta.proxy
    }


def test_load_example_makes_a_demonstration_plan_beside_the_current_example(demo_plan, example_plan):
    today = clock.today()
    assert demo_plan.is_demonstration
    assert not demo_plan.is_current
    assert example_plan.slug == "paga-2017-2019"
    assert not example_plan.is_demonstration
    assert "demostración" in demo_plan.name
    assert (demo_plan.start_year, demo_plan.end_year) == (today.year + 1, today.year + 2)
    assert demo_plan.secretariat == example_plan.secretariat
    assert demo_plan.secretariat_entity == example_plan.secretariat_entity
    assert "datos de este plan son inventados para probar el portal" in demo_plan.general_objective
    statuses = {row.status for row in timeline(plan=demo_plan, today=today).rows}
    assert {StageStatus.PAST, StageStatus.CURRENT, StageStatus.UPCOMING} <= statuses


def test_the_demonstration_consultation_is_open_now_on_proposals_that_take_comments(demo_plan):
    consultation = Consultation.objects.get(plan=demo_plan)
    assert consultation.is_open()
    assert consultation.opens_at.date() < clock.today()
    assert 18 <= (consultation.closes_at.date() - clock.today()).days <= 24
    items = list(consultation.items.all())
    assert len(items) >= 3
    assert all(item.status in STATUSES_TAKING_PART and item.plan == demo_plan for item in items)
    contributions = consultation.contributions.all()
    assert contributions.filter(author__email__in=demo.CITIZENS).count() >= 2
    response = Response.objects.get(contribution__consultation=consultation)
    assert response.published_at is not None
    assert response.reason


def test_anonymous_visitors_see_the_demonstration_consultation_open(client, demo_plan):
    page = client.get(f"{BASE}/consultas/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "status-open" in html
    assert consultation_demo.SLUG in html
    detail = client.get(f"{BASE}/consultas/{consultation_demo.SLUG}/")
    assert detail.status_code == 200
    assert "status-open" in detail.content.decode()


def test_the_citizen_example_account_comments_on_a_demonstration_proposal(client, demo_plan):
    proposal = Commitment.objects.get(plan=demo_plan, slug="demo-consulta-calendario-escolar")
    client.force_login(person(ROSA))
    url = f"{BASE}/consultas/{consultation_demo.SLUG}/propuestas/{proposal.pk}/comentar/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "text": "Un comentario de prueba en la demostración.",
            "stance": "a_favor",
            "category": "sugerencia",
        },
    )
    assert response.status_code == 302
    saved = Contribution.objects.get(text="Un comentario de prueba en la demostración.")
    assert (saved.commitment, saved.author.email, saved.consultation.plan) == (proposal, ROSA, demo_plan)


def test_the_citizen_example_account_registers_for_the_demonstration_workshop(client, demo_plan):
    event = Event.objects.get(plan=demo_plan)
    assert event.registration_open()
    assert 12 <= (event.starts_at.date() - clock.today()).days <= 16
    client.force_login(person(JULIO))
    url = f"{BASE}/talleres/{event.slug}/inscripcion/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Julio",
            "email": JULIO,
            "actor_type": "ciudadania",
            "organisation": "",
            "gender": "masculino",
            "region": str(Region.objects.get(code="08").pk),
            "consent": "on",
        },
    )
    assert response.status_code == 200
    registration = Registration.objects.get(event=event, user=person(JULIO))
    assert registration.state == Registration.State.CONFIRMED


@pytest.mark.parametrize("acronym", sorted(demo.REVIEWERS))
def test_each_example_reviewer_has_a_demonstration_review_task(client, demo_plan, acronym):
    reviewer = reviewer_signed_in(client, acronym)
    task = Commitment.objects.get(plan=demo_plan, status=Status.IN_REVIEW, lead_entity=reviewer.entity)
    assert Review.objects.get(commitment=task, decision="").entity == reviewer.entity
    queue = client.get(f"{BASE}/revision/")
    assert queue.status_code == 200
    assert task.title in queue.content.decode()
    assert client.get(f"{BASE}/revision/{task.pk}/").status_code == 200


def test_the_plain_review_queue_shows_the_current_plan_only(client, demo_plan):
    reviewer_signed_in(client, "MTC")
    response = client.get("/revision/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Avance de las obras viales nacionales en línea" not in html


def test_loading_again_creates_nothing_twice(demo_plan, example_accounts_file):
    before = demo_counts()
    call_command("load_example", *EXAMPLE.args, stdout=io.StringIO())
    assert demo_counts() == before


def test_loading_on_another_day_moves_the_dates_and_creates_nothing(example_accounts_file):
    with override_settings(COCREA_AS_OF="2030-03-10"):
        call_command("load_example", *EXAMPLE.args, stdout=io.StringIO())
        plan = ActionPlan.objects.get(slug=demo.SLUG)
        consultation = Consultation.objects.get(plan=plan)
        first = (consultation.opens_at, Event.objects.get(plan=plan).starts_at)
        comment_days = sorted(c.created for c in consultation.contributions.all())
        before = demo_counts()
    with override_settings(COCREA_AS_OF="2030-03-20"):
        call_command("load_example", *EXAMPLE.args, stdout=io.StringIO())
        assert demo_counts() == before
        consultation.refresh_from_db()
        assert consultation.is_open()
        ten_days = datetime.timedelta(days=10)
        assert (consultation.opens_at, Event.objects.get(plan=plan).starts_at) == tuple(
            d + ten_days for d in first
        )
        assert sorted(c.created for c in consultation.contributions.all()) == [
            d + ten_days for d in comment_days
        ]
        assert Event.objects.get(plan=plan).registration_open()


def test_a_new_year_moves_the_plan_period_and_the_milestones_by_an_edit(example_accounts_file):
    with override_settings(COCREA_AS_OF="2030-12-20"):
        call_command("load_example", *EXAMPLE.args, stdout=io.StringIO())
    versions = Version.objects.filter(commitment__plan__slug=demo.SLUG).count()
    with override_settings(COCREA_AS_OF="2031-01-05"):
        call_command("load_example", *EXAMPLE.args, stdout=io.StringIO())
    plan = ActionPlan.objects.get(slug=demo.SLUG)
    assert (plan.start_year, plan.end_year) == (2032, 2033)
    for commitment in Commitment.objects.filter(plan=plan, status=Status.IN_REVIEW):
        assert [(m.start_date, m.due_date) for m in commitment.milestones.all()] == [
            (datetime.date(2032, 1, 1), datetime.date(2032, 6, 30)),
            (datetime.date(2032, 7, 1), datetime.date(2033, 12, 31)),
        ]
        assert commitment.versions.last().author == person(demo.REVIEWERS[commitment.lead_entity.acronym])
    assert Version.objects.filter(commitment__plan__slug=demo.SLUG).count() == versions + 2


PLAIN_PAGES = (
    "/",
    "/cronograma/",
    "/compromisos/",
    "/consultas/",
    "/talleres/",
    "/datos/",
    "/datos/aportes.csv",
    "/datos/aportes.json",
)


@pytest.mark.parametrize("path", PLAIN_PAGES)
def test_nothing_of_the_demonstration_on_the_current_plans_pages(client, demo_plan, path):
    response = client.get(path)
    assert response.status_code == 200
    body = b"".join(response) if response.streaming else response.content
    text = body.decode("utf-8-sig")
    if path.endswith(".json"):
        text = json.dumps(json.loads(text), ensure_ascii=False)
    for title in DEMO_TITLES:
        assert title not in text, (path, title)
    # A link into the demonstration plan may be offered (the home page's "what you can do today").
    assert "demostracion" not in re.sub(rf"/planes/{demo.SLUG}/[^\"]*", "", text)


def test_the_demonstration_pages_answer(client, demo_plan):
    event = Event.objects.get(plan=demo_plan)
    pages = ("/", "/cronograma/", "/compromisos/", "/consultas/", "/talleres/", f"/talleres/{event.slug}/",
             "/foro-multiactor/", "/datos/")  # fmt: skip
    for path in pages:
        assert client.get(f"{BASE}{path}").status_code == 200, path
