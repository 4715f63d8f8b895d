"""COCREA_AS_OF moves every clock of the portal (paga/clock.py, issue 13): on a simulated day the home page,
the consultations and the workshops agree on what is open, the services accept or refuse a person's act
by that day, and what they record is dated on it."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from commitments.models import Status
from consultations.example import FORUM
from consultations.models import Consultation, Contribution
from paga import clock, ratelimit
from paga.models import ActorType
from tests.commitments.factories import CommitmentFactory
from tests.consultations.factories import ConsultationFactory
from tests.workshops.factories import EventFactory, lima, region
from workshops.models import Gender, Registration

pytestmark = pytest.mark.django_db

DURING_THE_FORUM = "2017-09-25"  # the forum is open from 22 September to 6 October 2017 (Lima)
AFTER_THE_FORUM = "2017-10-12"  # the national tables


@pytest.fixture(autouse=True)
def fresh_rate_limits(monkeypatch):
    """Rate-limit counters live in the cache (Redis when REDIS_URL is set): keys of this test's own."""
    monkeypatch.setattr(ratelimit, "PREFIX", f"ratelimit-test-{uuid.uuid4().hex}")


@pytest.fixture
def spanish(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def list_entry(html: str, title: str) -> str:
    """The <li> of /consultas/ that holds `title`."""
    return next(item for item in html.split("<li>") if escape(title) in item)


def comment_url(consultation: Consultation, item) -> str:
    return reverse("consultations:comment", kwargs={"slug": consultation.slug, "pk": item.pk})


def comment(text: str) -> dict:
    return {"text": text, "stance": "", "category": "", "section": ""}


# --- The rule --------------------------------------------------------------------------------------
def test_now_is_the_real_moment_unless_a_day_is_simulated(settings):
    before = timezone.now()
    assert before <= clock.now() <= timezone.now()
    assert clock.today() == timezone.localdate()
    assert not clock.is_simulated()

    settings.COCREA_AS_OF = DURING_THE_FORUM
    real = timezone.localtime()
    simulated = timezone.localtime(clock.now())
    assert simulated.date() == clock.today() == datetime.date(2017, 9, 25)
    assert simulated.utcoffset() == datetime.timedelta(hours=-5)  # Lima, whatever the date
    # The same time of day (one second of slack: two readings of the real clock).
    seconds = datetime.timedelta(hours=simulated.hour, minutes=simulated.minute, seconds=simulated.second)
    real_seconds = datetime.timedelta(hours=real.hour, minutes=real.minute, seconds=real.second)
    assert (
        datetime.timedelta(0)
        <= (seconds - real_seconds) % datetime.timedelta(days=1)
        <= datetime.timedelta(seconds=1)
    )
    assert clock.is_simulated()


# --- Consultations ---------------------------------------------------------------------------------
@pytest.fixture
def forum(example_plan) -> Consultation:
    return Consultation.objects.get(slug=FORUM["slug"])


def open_item(forum: Consultation):
    """A proposal of the forum that still takes comments (two were merged into others)."""
    return forum.items.filter(status=Status.IN_CONSULTATION).order_by("pk").first()


def test_during_the_forum_every_page_says_it_is_open_and_a_comment_is_accepted_and_dated_that_day(
    spanish, citizen, forum, settings
):
    settings.COCREA_AS_OF = DURING_THE_FORUM
    item = open_item(forum)

    home = spanish.get(reverse("paga:home")).content.decode()
    assert "Consulta pública: foro virtual" in section(home, "now-heading")
    listed = list_entry(spanish.get(reverse("consultations:list")).content.decode(), forum.title)
    assert "Abierta" in listed
    assert "Cerrada" not in listed
    detail = spanish.get(forum.get_absolute_url()).content.decode()
    assert '<span class="status status-open">Abierta</span>' in detail

    spanish.force_login(citizen)
    assert 'name="text"' in spanish.get(item.get_absolute_url()).content.decode()  # the form is offered
    response = spanish.post(comment_url(forum, item), comment("Un aporte del 25 de septiembre"))
    assert response.status_code == 302
    posted = Contribution.objects.get(text="Un aporte del 25 de septiembre")
    assert (posted.author, posted.consultation, posted.commitment) == (citizen, forum, item)
    assert timezone.localdate(posted.created) == datetime.date(2017, 9, 25)


def test_after_the_forum_every_page_says_it_is_closed_and_a_comment_is_refused_with_the_dates(
    spanish, citizen, forum, settings
):
    settings.COCREA_AS_OF = AFTER_THE_FORUM
    item = open_item(forum)

    home = spanish.get(reverse("paga:home")).content.decode()
    assert "Consulta pública: foro virtual" not in section(home, "now-heading")
    listed = list_entry(spanish.get(reverse("consultations:list")).content.decode(), forum.title)
    assert "Cerrada" in listed
    detail = spanish.get(forum.get_absolute_url()).content.decode()
    assert '<span class="status status-closed">Cerrada</span>' in detail

    spanish.force_login(citizen)
    before = Contribution.objects.count()
    response = spanish.post(comment_url(forum, item), comment("Un aporte tardío"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert "6 de octubre de 2017" in html  # the reason: the window, in words
    assert Contribution.objects.count() == before


def test_a_consultation_open_today_is_closed_on_a_simulated_day_after_it(spanish, citizen, settings):
    """The other way round: the real clock says open, the simulated one says closed, and the pages and
    the service follow the simulated one."""
    item = CommitmentFactory(status=Status.IN_CONSULTATION)
    consultation = ConsultationFactory(items=[item])  # open now, for some days
    assert consultation.is_open(timezone.now())
    settings.COCREA_AS_OF = (
        timezone.localdate(consultation.closes_at) + datetime.timedelta(days=2)
    ).isoformat()

    listed = list_entry(spanish.get(reverse("consultations:list")).content.decode(), consultation.title)
    assert "Cerrada" in listed
    detail = spanish.get(consultation.get_absolute_url()).content.decode()
    assert '<span class="status status-closed">Cerrada</span>' in detail
    spanish.force_login(citizen)
    assert 'name="text"' not in spanish.get(item.get_absolute_url()).content.decode()
    response = spanish.post(comment_url(consultation, item), comment("Fuera de plazo"))
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert not Contribution.objects.exists()


# --- Workshop registrations ------------------------------------------------------------------------
@pytest.fixture
def workshop_of_2017(example_plan):
    """A workshop on 28 September 2017 taking registrations from the 20th until the end of the 26th."""
    return EventFactory(
        plan=example_plan,
        starts_at=lima(2017, 9, 28, 10),
        ends_at=lima(2017, 9, 28, 17),
        registration_opens_at=lima(2017, 9, 20),
        registration_closes_at=lima(2017, 9, 27),
    )


def registration(**kw) -> dict:
    return {
        "name": "Rosa Quispe",
        "email": "rosa@ejemplo.pe",
        "actor_type": ActorType.CIVIL_SOCIETY,
        "organisation": "",
        "gender": Gender.FEMALE,
        "region": str(region("San Martín").pk),
        "consent": "on",
        **kw,
    }


def test_while_registration_is_open_on_the_simulated_day_a_registration_is_taken_and_dated_that_day(
    spanish, workshop_of_2017, settings
):
    settings.COCREA_AS_OF = DURING_THE_FORUM
    page = spanish.get(workshop_of_2017.get_absolute_url()).content.decode()
    assert "Inscripción abierta hasta" in page
    url = reverse("workshops:register", kwargs={"slug": workshop_of_2017.slug})
    assert 'name="name"' in spanish.get(url).content.decode()

    response = spanish.post(url, registration())
    assert response.status_code == 200
    taken = Registration.objects.get(event=workshop_of_2017)
    assert taken.state == Registration.State.PENDING
    assert timezone.localdate(taken.created) == datetime.date(2017, 9, 25)


def test_after_registration_closed_on_the_simulated_day_a_registration_is_refused_with_the_date(
    spanish, workshop_of_2017, settings
):
    settings.COCREA_AS_OF = "2017-09-27"  # the 28th is the workshop; registration closed at midnight
    page = spanish.get(workshop_of_2017.get_absolute_url()).content.decode()
    assert "La inscripción cerró el" in page
    url = reverse("workshops:register", kwargs={"slug": workshop_of_2017.slug})
    html = spanish.post(url, registration()).content.decode()
    assert "La inscripción cerró el" in html
    assert not Registration.objects.exists()


def test_a_registration_open_today_is_refused_on_a_simulated_day_after_it(spanish, settings):
    event = EventFactory()  # registration open now, until the day before the workshop
    assert event.registration_open(timezone.now())
    day_after = timezone.localdate(event.registration_closes_at) + datetime.timedelta(days=1)
    settings.COCREA_AS_OF = day_after.isoformat()
    assert "La inscripción cerró el" in spanish.get(event.get_absolute_url()).content.decode()
    url = reverse("workshops:register", kwargs={"slug": event.slug})
    assert "La inscripción cerró el" in spanish.post(url, registration()).content.decode()
    assert not Registration.objects.exists()
