"""The plan's pages: the Secretaría assembles, freezes and approves under /gestion/plan/ (others: login or
403), the approve request renders nothing, /plan/ publishes the approved version with its downloads and
hashes, and every page's queries stay flat as the plan grows."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from commitments import plan_services, plan_tasks
from commitments.models import PlanVersion, RenderJob, Status
from paga.reports import Block, Table
from tests.commitments.factories import commitment_in_review, current_plan
from tests.commitments.test_plan_services import RM, DatedToday, fake_pdf, frozen_version, signed_off

pytestmark = pytest.mark.django_db

APPROVAL = DatedToday(
    {
        "instrument": "resolucion_ministerial",
        "instrument_number": "099-2017-PCM",
        "instrument_url": "https://busquedas.elperuano.pe/normaslegales/rm-099-2017-pcm",
    },
    as_text=True,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def renders(monkeypatch):
    calls = []

    def render(kind, document):
        calls.append(kind)
        return fake_pdf(kind, document)

    monkeypatch.setattr(plan_tasks, "render", render)
    return calls


def approved_version(secretariat, commitments) -> PlanVersion:
    version = frozen_version(secretariat, commitments)
    plan_services.approve(version=version, actor=secretariat, **RM)
    for job in version.jobs.all():
        plan_tasks.execute(job.pk)
    return version


# --- Who may do what --------------------------------------------------------------------------------
def staff_urls(number: int) -> list[str]:
    return [
        reverse("commitments:plan_staff"),
        reverse("commitments:plan_staff_version", args=[number]),
        reverse("commitments:plan_preview", args=[number]),
        reverse("commitments:plan_freeze", args=[number]),
        reverse("commitments:plan_approve", args=[number]),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, secretariat):
    version = plan_services.create_draft(plan=current_plan(), actor=secretariat)
    for url in [*staff_urls(version.number), reverse("commitments:plan_create_draft")]:
        response = client.post(url) if url.endswith("nueva/") else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


@pytest.mark.parametrize("role", ["citizen", "reviewer"])
def test_citizens_and_reviewers_are_refused(client, request, role, secretariat, reviewer):
    version = approved_version(secretariat, [signed_off(secretariat, reviewer)])
    client.force_login(request.getfixturevalue(role))
    for url in staff_urls(version.number):
        assert client.get(url).status_code == 403, url
        assert client.post(url).status_code == 403, url
    job = version.jobs.first()
    assert client.post(reverse("commitments:plan_rerun", args=[job.pk])).status_code == 403
    assert client.post(reverse("commitments:plan_create_draft")).status_code == 403
    assert PlanVersion.objects.count() == 1


# --- The Secretaría's journey ---------------------------------------------------------------------------
def test_the_secretariat_assembles_freezes_and_approves_the_plan(
    client, secretariat, reviewer, renders, media
):
    first = signed_off(secretariat, reviewer, title="Primero «Áncash»")
    second = signed_off(secretariat, reviewer, title="Segundo compromiso")
    client.force_login(secretariat)

    response = client.post(reverse("commitments:plan_create_draft"))
    version = PlanVersion.objects.get()
    assert response["Location"] == reverse("commitments:plan_staff_version", args=[1])

    page = reverse("commitments:plan_staff_version", args=[1])
    response = client.post(page, {f"lugar_{first.pk}": "2", f"lugar_{second.pk}": "1"})
    assert response.status_code == 302
    assert list(version.items.order_by("number").values_list("commitment_id", flat=True)) == [
        second.pk,
        first.pk,
    ]

    preview = client.get(reverse("commitments:plan_preview", args=[1]))
    assert preview.status_code == 200
    text = preview.content.decode()
    assert text.index("Segundo compromiso") < text.index("Primero «Áncash»")

    freeze = reverse("commitments:plan_freeze", args=[1])
    assert client.post(freeze, {}).status_code == 200  # the confirmation box is required
    assert client.post(freeze, {"confirm": "on"}).status_code == 302
    version.refresh_from_db()
    assert version.state == PlanVersion.State.FROZEN

    response = client.post(reverse("commitments:plan_approve", args=[1]), APPROVAL)
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == PlanVersion.State.APPROVED
    assert set(version.jobs.values_list("state", flat=True)) == {RenderJob.State.PENDING}  # not yet run here

    for job in version.jobs.all():  # the worker
        plan_tasks.execute(job.pk)
    staff = client.get(page).content.decode()
    plan_job = version.jobs.get(kind="plan")
    assert plan_job.sha256 in staff

    public = client.get(reverse("commitments:plan")).content.decode()
    assert "099-2017-PCM" in public
    assert plan_job.sha256 in public
    assert public.index("Segundo compromiso") < public.index("Primero «Áncash»")

    download = client.get(reverse("commitments:plan_download", args=[1, "plan"]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="paga-2017-2019-v1-plan.pdf"'
    assert download["X-Content-SHA256"] == plan_job.sha256
    assert b"".join(download.streaming_content) == (media / plan_job.file).read_bytes()


def test_the_approve_request_renders_nothing_and_returns_at_once(
    client, secretariat, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    version = frozen_version(secretariat, [signed_off(secretariat, reviewer) for _ in range(3)])
    sent = []
    monkeypatch.setattr(plan_tasks, "render", lambda *a: pytest.fail("rendered in the request"))
    monkeypatch.setattr(plan_tasks.render_job, "delay", sent.append)  # the broker takes the message
    client.force_login(secretariat)

    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("commitments:plan_approve", args=[version.number]), APPROVAL)
    elapsed = time.perf_counter() - started

    assert response.status_code == 302
    assert sorted(sent) == sorted(version.jobs.values_list("pk", flat=True))
    assert elapsed < 1.0  # ≤ 100 ms is measured in bench/; here: nothing slow happens in the request


def test_freezing_is_refused_with_the_commitments_that_lack_a_sign_off(client, secretariat, reviewer):
    ready = signed_off(secretariat, reviewer)
    waiting = commitment_in_review(assigned_by=secretariat, title="En revisión «MINAM»")
    version = plan_services.create_draft(plan=current_plan(), actor=secretariat)
    plan_services.set_items(version=version, commitment_ids=[ready.pk, waiting.pk], actor=secretariat)
    client.force_login(secretariat)

    page = client.get(reverse("commitments:plan_freeze", args=[version.number])).content.decode()
    assert "En revisión «MINAM»" in page
    assert 'name="confirm"' not in page
    response = client.post(reverse("commitments:plan_freeze", args=[version.number]), {"confirm": "on"})
    assert response.status_code == 200
    assert "En revisión «MINAM»" in response.context["form"].non_field_errors()[0]
    version.refresh_from_db()
    assert version.is_draft


def test_a_failed_job_shows_its_error_and_can_be_rerun(
    client, secretariat, reviewer, renders, django_capture_on_commit_callbacks
):
    version = approved_version(secretariat, [signed_off(secretariat, reviewer)])
    job = version.jobs.get(kind="informe")
    RenderJob.objects.filter(pk=job.pk).update(state=RenderJob.State.FAILED, error="OSError: disco «lleno»")
    client.force_login(secretariat)

    page = client.get(reverse("commitments:plan_staff_version", args=[version.number])).content.decode()
    assert "Falló" in page  # the job's state in words (Spanish, the default language)
    assert "OSError: disco «lleno»" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("commitments:plan_rerun", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == RenderJob.State.DONE  # tasks run inline in the test suite


def test_the_approval_form_keeps_what_was_typed_on_an_error(client, secretariat, reviewer):
    version = frozen_version(secretariat, [signed_off(secretariat, reviewer)])
    client.force_login(secretariat)
    typed = {**APPROVAL, "instrument_date": (timezone.localdate() + timezone.timedelta(days=3)).isoformat()}
    response = client.post(reverse("commitments:plan_approve", args=[version.number]), typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="099-2017-PCM"' in page
    assert 'href="#id_instrument_date"' in page
    version.refresh_from_db()
    assert version.state == PlanVersion.State.FROZEN


def test_the_approval_form_refuses_a_date_before_the_freeze_in_its_summary(client, secretariat, reviewer):
    version = frozen_version(secretariat, [signed_off(secretariat, reviewer)])
    frozen_on = timezone.localdate(version.frozen_at)
    client.force_login(secretariat)
    url = reverse("commitments:plan_approve", args=[version.number])
    day = date_format(frozen_on, "DATE_FORMAT")  # Spanish, the default language
    assert f"No antes del {day}, día en que se congeló la versión" in client.get(url).content.decode()

    typed = {**APPROVAL, "instrument_date": (frozen_on - timezone.timedelta(days=1)).isoformat()}
    response = client.post(url, typed)

    assert response.status_code == 200
    page = response.content.decode()
    summary = page[page.index('class="error-summary"') :]
    assert 'href="#id_instrument_date"' in summary
    message = f"El instrumento no puede tener fecha anterior al congelamiento de la versión ({day})"
    assert message in summary
    assert 'value="099-2017-PCM"' in page  # nothing typed is lost
    assert f'value="{typed["instrument_date"]}"' in page
    version.refresh_from_db()
    assert (version.state, version.snapshot) == (PlanVersion.State.FROZEN, None)


# --- Public pages -------------------------------------------------------------------------------------
def test_before_any_approval_the_plan_page_says_so(client, secretariat, reviewer):
    frozen_version(secretariat, [signed_off(secretariat, reviewer)])  # frozen, not approved
    response = client.get(reverse("commitments:plan"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.templates[0].name == "commitments/plan/not_approved.html"
    assert client.get(reverse("commitments:plan_version", args=[1])).status_code == 404
    assert client.get(reverse("commitments:plan_download", args=[1, "plan"])).status_code == 404


def test_earlier_versions_stay_readable(client, secretariat, reviewer, renders):
    first = signed_off(secretariat, reviewer, title="Solo en la versión 1")
    second = signed_off(secretariat, reviewer, title="Añadido en la versión 2")
    approved_version(secretariat, [first])
    draft = plan_services.create_draft(plan=current_plan(), actor=secretariat)
    plan_services.set_items(version=draft, commitment_ids=[first.pk, second.pk], actor=secretariat)
    plan_services.freeze(version=draft, actor=secretariat)
    plan_services.approve(version=draft, actor=secretariat, **{**RM, "instrument_number": "150-2018-PCM"})

    latest = client.get(reverse("commitments:plan")).content.decode()
    old = client.get(reverse("commitments:plan_version", args=[1])).content.decode()
    assert "Añadido en la versión 2" in latest
    assert "150-2018-PCM" in latest
    assert "Añadido en la versión 2" not in old
    assert "099-2017-PCM" in old
    assert reverse("commitments:plan_version", args=[1]) in latest
    assert client.get(reverse("commitments:plan_download", args=[1, "otro"])).status_code == 404


def test_the_plan_page_shows_the_process_summary_blocks(client, secretariat, reviewer, renders, monkeypatch):
    commitment = signed_off(secretariat, reviewer)
    block = Block(
        key="aportes-por-canal",
        title="Aportes por canal «foro»",
        paragraphs=["Se recibieron aportes <b>por tres canales</b>."],
        tables=[
            Table(caption="Aportes por canal", headers=["Canal", "Aportes"], rows=[["Foro virtual", 12]])
        ],
    )
    monkeypatch.setattr(
        plan_services.reports, "collect", lambda hook, plan: [block] if hook == "process_summary" else []
    )
    approved_version(secretariat, [commitment])  # the blocks as they were at approval
    monkeypatch.undo()
    page = client.get(reverse("commitments:plan")).content.decode()
    assert "Aportes por canal «foro»" in page
    assert "&lt;b&gt;por tres canales&lt;/b&gt;" in page  # escaped
    assert "<caption>Aportes por canal</caption>" in page


# --- Queries stay flat --------------------------------------------------------------------------------
@pytest.fixture
def no_reports(monkeypatch):
    """The pages' own queries (each app's reports are counted in its own tests/*/test_reports.py)."""
    monkeypatch.setattr(plan_services.reports, "collect", lambda hook, plan: [])


def grow(secretariat, reviewer, total: int) -> list:
    signed = [signed_off(secretariat, reviewer) for _ in range(total)]
    for commitment in signed[::2]:
        milestone = commitment.milestones.get()
        milestone.pk, milestone.order, milestone.description = None, 9, "Otro hito «verificable»"
        milestone.save()
    return signed


def test_public_plan_queries_do_not_grow(client, secretariat, reviewer, renders, django_assert_num_queries):
    for total, number in ((3, 1), (12, 2)):
        approved_version(secretariat, grow(secretariat, reviewer, total))
        # plan; approved version (its texts and process summary as approved: no report hook runs);
        # items; versions; jobs
        with django_assert_num_queries(5):
            response = client.get(reverse("commitments:plan"))
        assert response.context["version"].number == number
        assert len(response.context["commitments"]) == total
        with django_assert_num_queries(5):
            client.get(reverse("commitments:plan_version", args=[number]))


@pytest.mark.usefixtures("no_reports")
def test_staff_pages_queries_do_not_grow(client, secretariat, reviewer, renders, django_assert_num_queries):
    client.force_login(secretariat)
    for total in (3, 12):
        PlanVersion.objects.filter(state=PlanVersion.State.DRAFT).delete()
        signed = grow(secretariat, reviewer, total)
        commitment_in_review(assigned_by=secretariat)  # a candidate without sign-off
        approved_version(secretariat, signed)
        draft = plan_services.create_draft(plan=current_plan(), actor=secretariat)
        number = draft.number
        with django_assert_num_queries(5):
            client.get(reverse("commitments:plan_staff"))
        with django_assert_num_queries(8):
            client.get(reverse("commitments:plan_staff_version", args=[number]))
        with django_assert_num_queries(11):
            client.get(reverse("commitments:plan_preview", args=[number]))
        with django_assert_num_queries(6):
            client.get(reverse("commitments:plan_staff_version", args=[number - 1]))
        assert Status.APPROVED not in set(draft.items.values_list("commitment__status", flat=True))
