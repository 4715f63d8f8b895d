"""The plan's versions: assembling, freezing (refused without sign-offs), immutability, approval with its
render jobs (the broker may be down), re-runs and the document built from the frozen snapshots."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from commitments import plan_services, plan_tasks, services
from commitments.models import Commitment, PlanItem, PlanVersion, RenderJob, Review, Status, Transition
from commitments.plan_document import blocks_from_data, blocks_to_data
from paga.celery import app as celery_app
from paga.reports import Block, Table
from tests.commitments.factories import commitment_in_review, complete_commitment, current_plan, tick

pytestmark = pytest.mark.django_db

D = datetime.date


class DatedToday(Mapping):
    """An approval's fields (`**RM`, `{**RM, …}`) with "instrument_date" the day they are read, a date or
    (`as_text`) its ISO form for a form: an instrument is never dated before the version it approves was
    frozen, nor in the future (plan_services.approve)."""

    def __init__(self, fields: dict, *, as_text: bool = False):
        self.fields, self.as_text = fields, as_text

    def __getitem__(self, key):
        if key != "instrument_date":
            return self.fields[key]
        today = timezone.localdate()
        return today.isoformat() if self.as_text else today

    def __iter__(self):
        return iter([*self.fields, "instrument_date"])

    def __len__(self) -> int:
        return len(self.fields) + 1


RM = DatedToday(
    {
        "instrument": PlanVersion.Instrument.MINISTERIAL_RESOLUTION,
        "instrument_number": "099-2017-PCM",
        "instrument_url": "https://busquedas.elperuano.pe/normaslegales/rm-099-2017-pcm",
    }
)


@pytest.fixture(autouse=True)
def _english():
    """The services' messages are matched in English (their source language)."""
    with translation.override("en"):
        yield


def signed_off(secretariat, reviewer, **kw) -> Commitment:
    """A complete commitment sent to its ministry (MINAM unless given) and signed off by `reviewer`."""
    commitment = commitment_in_review(assigned_by=secretariat, **kw)
    services.decide_review(commitment=commitment, actor=reviewer, approve=True, reason="Conforme")
    commitment.refresh_from_db()
    return commitment


def frozen_version(secretariat, commitments) -> PlanVersion:
    version = plan_services.create_draft(plan=current_plan(), actor=secretariat)
    plan_services.set_items(version=version, commitment_ids=[c.pk for c in commitments], actor=secretariat)
    return plan_services.freeze(version=version, actor=secretariat)


def fake_pdf(kind: str, document) -> bytes:
    """Deterministic bytes standing for a PDF: the same document gives the same bytes."""
    titles = "|".join(c.title for c in document.commitments)
    return f"%PDF-fake {kind} v{document.version_number} {document.instrument_number} {titles}".encode()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def renderer(monkeypatch):
    """The job mechanics with a stand-in for commitments.pdf (the real renderer: test_plan_worker.py)."""
    calls = []

    def render(kind, document):
        calls.append((kind, document.version_number))
        return fake_pdf(kind, document)

    monkeypatch.setattr(plan_tasks, "render", render)
    return calls


@pytest.fixture
def broker_down(settings):
    """Celery publishes for real, to a port where nothing listens (as with Redis down in production).
    Calling the fixture's value brings the broker back (tasks run inline again, as in the whole suite)."""
    conf = {"broker_url": celery_app.conf.broker_url, "task_always_eager": celery_app.conf.task_always_eager}
    pools = (celery_app._pool, celery_app.amqp._producer_pool)
    settings.CELERY_TASK_ALWAYS_EAGER = False  # what the dispatchers read (paga.services, plan_services)
    celery_app.conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False)
    celery_app._pool = celery_app.amqp._producer_pool = None  # new connections, to the closed port
    state = {"down": True}

    def back() -> None:
        if not state.pop("down", False):
            return
        settings.CELERY_TASK_ALWAYS_EAGER = True
        celery_app.conf.update(conf)
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool, celery_app.amqp._producer_pool = pools

    yield back
    back()


# --- Assembling ------------------------------------------------------------------------------------
def test_draft_numbers_the_commitments_in_the_order_given(secretariat, reviewer):
    first, second = signed_off(secretariat, reviewer), signed_off(secretariat, reviewer)
    version = plan_services.create_draft(plan=current_plan(), actor=secretariat)
    plan_services.set_items(version=version, commitment_ids=[second.pk, first.pk], actor=secretariat)

    assert [(i.number, i.commitment_id) for i in version.items.order_by("number")] == [
        (1, second.pk),
        (2, first.pk),
    ]
    assert version.number == 1
    assert version.state == PlanVersion.State.DRAFT


def test_only_one_draft_at_a_time(secretariat):
    plan_services.create_draft(plan=current_plan(), actor=secretariat)
    with pytest.raises(ValidationError, match="already a draft"):
        plan_services.create_draft(plan=current_plan(), actor=secretariat)


def test_a_proposal_cannot_be_put_in_the_plan(secretariat):
    proposal = complete_commitment(status=Status.IN_CONSULTATION)
    version = plan_services.create_draft(plan=current_plan(), actor=secretariat)
    with pytest.raises(ValidationError, match="Only commitments"):
        plan_services.set_items(version=version, commitment_ids=[proposal.pk], actor=secretariat)
    assert not version.items.exists()


@pytest.mark.parametrize("role", ["citizen", "reviewer"])
def test_only_the_secretariat_and_administrators_manage_the_plan(role, request, secretariat, administrator):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        plan_services.create_draft(plan=current_plan(), actor=user)
    version = plan_services.create_draft(plan=current_plan(), actor=administrator)
    for service in (plan_services.freeze,):
        with pytest.raises(PermissionDenied):
            service(version=version, actor=user)
    assert user.has_perm("commitments.manage_plan") is False
    assert secretariat.has_perm("commitments.manage_plan") is True


# --- Freezing --------------------------------------------------------------------------------------
def test_freeze_is_refused_while_a_commitment_lacks_its_sign_off_and_names_it(secretariat, reviewer):
    ready = signed_off(secretariat, reviewer)
    waiting = commitment_in_review(assigned_by=secretariat, title="Mesa «Áncash» en revisión")
    version = plan_services.create_draft(plan=current_plan(), actor=secretariat)
    plan_services.set_items(version=version, commitment_ids=[ready.pk, waiting.pk], actor=secretariat)

    with pytest.raises(ValidationError) as refused:
        plan_services.freeze(version=version, actor=secretariat)

    message = " ".join(refused.value.messages)
    assert "Mesa «Áncash» en revisión" in message
    assert ready.title not in message
    version.refresh_from_db()
    assert version.state == PlanVersion.State.DRAFT
    assert version.items.filter(data__isnull=False).count() == 0
    assert [c.pk for c in plan_services.missing_sign_offs(version)] == [waiting.pk]


def test_freeze_copies_text_milestones_and_sign_off_and_records_who(secretariat, reviewer):
    commitment = signed_off(secretariat, reviewer)
    version = frozen_version(secretariat, [commitment])

    assert version.state == PlanVersion.State.FROZEN
    assert version.frozen_by == secretariat
    assert version.frozen_at is not None
    item = version.items.get()
    assert item.data == services.snapshot(commitment)
    assert item.data["milestones"][0]["description"] == commitment.milestones.get().description
    assert item.commitment_version == commitment.versions.order_by("-number").first().number
    assert item.signoff_entity == str(reviewer.entity)
    assert item.signoff_by == str(reviewer)
    assert item.signoff_date == timezone.localdate()


def test_a_frozen_version_does_not_change_when_its_commitment_is_edited_afterwards(secretariat, reviewer):
    commitment = signed_off(secretariat, reviewer, title="Texto aprobado «original»")
    version = frozen_version(secretariat, [commitment])
    before = plan_services.document(version)

    # However it happens (the services no longer let a signed-off text change), the commitment changes:
    Commitment.objects.filter(pk=commitment.pk).update(title="Texto cambiado después", problem="Otro")
    commitment.milestones.all().delete()
    commitment.refresh_from_db()
    services.write_version(commitment=commitment, author=secretariat, reason="Cambio posterior")

    after = plan_services.document(PlanVersion.objects.get(pk=version.pk))
    assert after.commitments == before.commitments
    assert after.commitments[0].title == "Texto aprobado «original»"
    assert len(after.commitments[0].data["milestones"]) == 1
    assert after.commitments[0].version_number < commitment.versions.order_by("-number").first().number


def test_the_database_refuses_to_change_a_frozen_version(secretariat, reviewer):
    version = frozen_version(secretariat, [signed_off(secretariat, reviewer)])
    with pytest.raises(DatabaseError), transaction.atomic():
        PlanItem.objects.filter(version=version).update(data={"title": "falsificado"})
    with pytest.raises(DatabaseError), transaction.atomic():
        PlanVersion.objects.filter(pk=version.pk).update(state=PlanVersion.State.DRAFT)
    with pytest.raises(ValidationError, match="frozen"):
        plan_services.set_items(version=version, commitment_ids=[], actor=secretariat)
    assert version.items.get().data["title"] != "falsificado"


def test_a_new_version_starts_from_the_items_of_the_last_one(secretariat, reviewer):
    first, second = signed_off(secretariat, reviewer), signed_off(secretariat, reviewer)
    approved = frozen_version(secretariat, [first, second])
    plan_services.approve(version=approved, actor=secretariat, **RM)

    draft = plan_services.create_draft(plan=current_plan(), actor=secretariat)

    assert draft.number == 2
    assert [(i.number, i.commitment_id) for i in draft.items.order_by("number")] == [
        (1, first.pk),
        (2, second.pk),
    ]
    assert approved.items.count() == 2  # the approved version keeps its own items


# --- Approval ----------------------------------------------------------------------------------------
def test_approve_records_the_instrument_includes_the_commitments_and_writes_two_jobs(
    secretariat, reviewer, django_capture_on_commit_callbacks, monkeypatch
):
    commitment = signed_off(secretariat, reviewer)
    version = frozen_version(secretariat, [commitment])
    sent = []
    monkeypatch.setattr(plan_tasks.render_job, "delay", sent.append)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        plan_services.approve(version=version, actor=secretariat, **RM)

    version.refresh_from_db()
    assert version.state == PlanVersion.State.APPROVED
    assert (version.instrument_number, version.approved_by) == ("099-2017-PCM", secretariat)
    jobs = list(version.jobs.order_by("kind"))
    assert [(j.kind, j.state) for j in jobs] == [("informe", "pendiente"), ("plan", "pendiente")]
    assert len(callbacks) == 2
    assert sorted(sent) == sorted(j.pk for j in jobs)  # sent after commit, one message per job
    commitment.refresh_from_db()
    assert commitment.status == Status.INCLUDED
    included = Transition.objects.get(commitment=commitment, to_status=Status.INCLUDED)
    assert included.actor == secretariat
    assert "099-2017-PCM" in included.reason


def test_approve_needs_the_instrument_its_number_and_a_date_not_in_the_future(secretariat, reviewer):
    version = frozen_version(secretariat, [signed_off(secretariat, reviewer)])
    with pytest.raises(ValidationError) as refused:
        plan_services.approve(
            version=version,
            actor=secretariat,
            instrument="ley",
            instrument_number=" ",
            instrument_date=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert set(refused.value.error_dict) == {"instrument", "instrument_number", "instrument_date"}
    assert not RenderJob.objects.exists()


def test_approve_refuses_an_instrument_dated_before_the_version_was_frozen(secretariat, reviewer):
    version = frozen_version(secretariat, [signed_off(secretariat, reviewer)])
    frozen_on = timezone.localdate(version.frozen_at)
    day_before = frozen_on - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        plan_services.approve(version=version, actor=secretariat, **{**RM, "instrument_date": day_before})
    assert refused.value.message_dict == {
        "instrument_date": [
            f"The instrument cannot be dated before the version was frozen ({date_format(frozen_on)}): it "
            "approves the text frozen that day."
        ]
    }
    version.refresh_from_db()
    assert (version.state, version.snapshot, version.annex) == (PlanVersion.State.FROZEN, None, None)
    assert not RenderJob.objects.exists()

    plan_services.approve(version=version, actor=secretariat, **{**RM, "instrument_date": frozen_on})
    version.refresh_from_db()
    assert version.state == PlanVersion.State.APPROVED


def test_an_approved_version_keeps_its_approval_and_snapshot_whatever_writes_to_it(secretariat, reviewer):
    version = frozen_version(secretariat, [signed_off(secretariat, reviewer)])
    plan_services.approve(version=version, actor=secretariat, **RM)
    version.refresh_from_db()
    snapshot, annex = version.snapshot, version.annex
    assert snapshot["plan"]["name"] == current_plan().name
    assert set(snapshot["process_summary"]) == {"es", "en"}

    rows = PlanVersion.objects.filter(pk=version.pk)
    for change in (
        {"snapshot": {**snapshot, "plan": {**snapshot["plan"], "name": "Otro plan"}}},
        {"annex": [*annex, {"key": "annex-falso", "title": "Añadido después"}]},
        {"instrument_number": "100-2017-PCM"},
        {"instrument_date": D(2030, 1, 1)},
        {"approved_at": timezone.now()},
        {"state": PlanVersion.State.FROZEN, "snapshot": None, "annex": None},
    ):
        with pytest.raises(DatabaseError), transaction.atomic():  # triggers (raw SQL, the admin, a bug)
            rows.update(**change)
    version.refresh_from_db()
    assert (version.snapshot, version.annex, version.instrument_number) == (snapshot, annex, "099-2017-PCM")

    frozen = frozen_version(secretariat, [signed_off(secretariat, reviewer)])
    with pytest.raises(IntegrityError), transaction.atomic():  # only the approval writes a snapshot
        PlanVersion.objects.filter(pk=frozen.pk).update(snapshot=snapshot, annex=annex)
    with pytest.raises(IntegrityError), transaction.atomic():  # and an approval always does
        PlanVersion.objects.filter(pk=frozen.pk).update(
            state=PlanVersion.State.APPROVED, approved_at=timezone.now(), approved_by=secretariat, **RM
        )


def test_a_draft_cannot_be_approved(secretariat):
    version = plan_services.create_draft(plan=current_plan(), actor=secretariat)
    with pytest.raises(ValidationError, match="Only a frozen version"):
        plan_services.approve(version=version, actor=secretariat, **RM)


def test_approval_succeeds_with_the_broker_down_and_the_sweep_sends_the_jobs_when_it_is_back(
    secretariat, reviewer, renderer, django_capture_on_commit_callbacks, broker_down, media
):
    version = frozen_version(secretariat, [signed_off(secretariat, reviewer)])

    with django_capture_on_commit_callbacks(execute=True):
        plan_services.approve(version=version, actor=secretariat, **RM)

    version.refresh_from_db()
    assert version.state == PlanVersion.State.APPROVED
    assert set(version.jobs.values_list("state", flat=True)) == {RenderJob.State.PENDING}
    assert plan_tasks.sweep_render_jobs(older_than_seconds=0) == 0  # still down: nothing is lost
    assert set(version.jobs.values_list("state", flat=True)) == {RenderJob.State.PENDING}

    broker_down()  # back
    RenderJob.objects.update(queued=timezone.now() - datetime.timedelta(minutes=2))
    assert plan_tasks.sweep_render_jobs() == 2
    assert set(version.jobs.values_list("state", flat=True)) == {RenderJob.State.DONE}
    assert sorted(renderer) == [("informe", 1), ("plan", 1)]


def test_the_sweep_sends_pending_jobs_older_than_a_minute(
    secretariat, reviewer, renderer, media, monkeypatch
):
    version = frozen_version(secretariat, [signed_off(secretariat, reviewer)])
    sent = []
    with monkeypatch.context() as patched:
        patched.setattr(plan_tasks.render_job, "delay", sent.append)
        plan_services.approve(version=version, actor=secretariat, **RM)  # not committed: nothing sent
        assert plan_tasks.sweep_render_jobs() == 0  # too recent: its own dispatch may be on the way
        assert sent == []

    RenderJob.objects.update(queued=timezone.now() - datetime.timedelta(minutes=2))
    assert plan_tasks.sweep_render_jobs() == 2  # tasks run inline here

    jobs = list(version.jobs.order_by("kind"))
    assert [j.state for j in jobs] == [RenderJob.State.DONE, RenderJob.State.DONE]
    for job in jobs:
        content = (media / job.file).read_bytes()
        assert job.sha256 == hashlib.sha256(content).hexdigest()
        assert job.size == len(content)
    assert sorted(renderer) == [("informe", 1), ("plan", 1)]


def test_a_failed_job_is_rerun_by_the_secretariat(
    secretariat, reviewer, renderer, citizen, monkeypatch, django_capture_on_commit_callbacks
):
    version = frozen_version(secretariat, [signed_off(secretariat, reviewer)])
    plan_services.approve(version=version, actor=secretariat, **RM)
    job = version.jobs.get(kind=RenderJob.Kind.PLAN)
    RenderJob.objects.filter(pk=job.pk).update(state=RenderJob.State.FAILED, error="OSError: disco lleno")

    with pytest.raises(PermissionDenied):
        plan_services.rerun_job(job=job, actor=citizen)
    sent = []
    with monkeypatch.context() as patched, django_capture_on_commit_callbacks(execute=True):
        patched.setattr(plan_tasks.render_job, "delay", sent.append)
        rerun = plan_services.rerun_job(job=job, actor=secretariat)
    assert rerun.state == RenderJob.State.PENDING
    assert sent == [job.pk]
    assert plan_tasks.render_job.delay(job.pk).get() == "done"
    job.refresh_from_db()
    assert (job.state, job.error) == (RenderJob.State.DONE, "")


def test_only_a_failed_job_can_be_rerun(secretariat, reviewer, renderer):
    version = frozen_version(secretariat, [signed_off(secretariat, reviewer)])
    plan_services.approve(version=version, actor=secretariat, **RM)
    job = version.jobs.get(kind=RenderJob.Kind.PLAN)
    with pytest.raises(ValidationError, match="Only a failed document"):
        plan_services.rerun_job(job=job, actor=secretariat)


# --- The document --------------------------------------------------------------------------------------
def test_document_of_an_approved_version_comes_from_its_snapshots(secretariat, reviewer):
    first, second = signed_off(secretariat, reviewer), signed_off(secretariat, reviewer)
    version = frozen_version(secretariat, [second, first])
    plan_services.approve(version=version, actor=secretariat, **RM)

    document = plan_services.document(PlanVersion.objects.get(pk=version.pk))

    assert [(c.number, c.title) for c in document.commitments] == [(1, second.title), (2, first.title)]
    assert document.instrument == "Resolución Ministerial"
    assert document.instrument_number == "099-2017-PCM"
    assert document.instrument_date == timezone.localdate(version.frozen_at)
    assert document.commitments[0].sign_off.entity == str(reviewer.entity)
    assert document.plan_name == current_plan().name
    assert document.frozen_at == version.frozen_at


def test_the_preview_snapshot_is_the_same_as_the_frozen_one(secretariat, reviewer):
    commitment = signed_off(secretariat, reviewer, milestones=3)
    tick(commitment, participacion="Abre la mesa «regional»", tecnologia="Datos abiertos")
    commitment.other_actors.create(name="Defensoría del Pueblo", role="Vigilancia")
    commitment.other_actors.create(entity=reviewer.entity, role="Apoyo técnico")
    version = plan_services.create_draft(plan=current_plan(), actor=secretariat)
    plan_services.set_items(version=version, commitment_ids=[commitment.pk], actor=secretariat)

    preview = plan_services.document(version).commitments[0].data

    assert preview == services.snapshot(Commitment.objects.get(pk=commitment.pk))
    assert len(preview["milestones"]) == 3
    assert len(preview["relevances"]) == 3


def test_blocks_stored_as_json_come_back_with_the_types_of_their_cells():
    moment = datetime.datetime(2017, 10, 6, 23, 59, tzinfo=datetime.UTC)
    blocks = [
        Block(
            key="aportes",
            title="Aportes «por canal»",
            paragraphs=["Uno", "Dos"],
            tables=[
                Table(
                    caption="Tabla",
                    headers=["Canal", "Aportes", "%", "Día", "Momento", "Sí/no", "Nada", "Lazy"],
                    rows=[
                        [
                            "Foro",
                            12,
                            Decimal("42.50"),
                            D(2017, 9, 22),
                            moment,
                            True,
                            None,
                            gettext_lazy("Yes"),
                        ]
                    ],
                )
            ],
            order=30,
        )
    ]
    stored = json.loads(json.dumps(blocks_to_data(blocks)))  # as the database gives it back

    [block] = blocks_from_data(stored)
    assert block.tables[0].rows[0] == [
        "Foro",
        12,
        Decimal("42.50"),
        D(2017, 9, 22),
        moment,
        True,
        None,
        "Yes",
    ]
    assert [type(cell) for cell in block.tables[0].rows[0]][2:5] == [Decimal, D, datetime.datetime]
    assert (block.key, block.title, block.paragraphs, block.order) == (
        "aportes",
        "Aportes «por canal»",
        ["Uno", "Dos"],
        30,
    )
    with pytest.raises(TypeError, match="cannot be stored"):
        blocks_to_data([Block(key="x", title="x", tables=[Table(caption="", headers=[], rows=[[object()]])])])


def test_the_review_and_plan_services_record_the_moment_they_are_given(
    example_plan, secretariat, reviewer, other_reviewer
):
    """`at=`: a sign-off, a version's assembly, freezing and approval dated when they happened (the
    example's approval, commitments/example.py), not now; the instrument cannot be dated after `at`."""
    at = datetime.datetime(2017, 12, 29, 12, 0, tzinfo=ZoneInfo("America/Lima"))
    three, nine = (Commitment.objects.get(plan=example_plan, number=n) for n in (3, 9))
    services.decide_review(commitment=three, actor=reviewer, approve=True, reason="Conforme", at=at)
    opened = services.assign_review(commitment=nine, actor=secretariat, reason="Reunión técnica", at=at)
    services.decide_review(commitment=nine, actor=other_reviewer, approve=True, reason="Conforme", at=at)
    version = plan_services.create_draft(plan=example_plan, actor=secretariat, at=at)
    plan_services.set_items(version=version, commitment_ids=[three.pk, nine.pk], actor=secretariat)
    plan_services.freeze(version=version, actor=secretariat, at=at)
    approval = {
        "version": version,
        "actor": secretariat,
        "instrument": PlanVersion.Instrument.MINISTERIAL_RESOLUTION,
        "instrument_number": "000-2017-PCM-PRUEBA",
        "at": at,
    }
    with pytest.raises(ValidationError) as refused:
        plan_services.approve(**approval, instrument_date=D(2017, 12, 30))  # after `at`: in its future
    assert "instrument_date" in refused.value.message_dict

    plan_services.approve(**approval, instrument_date=D(2017, 12, 29))

    version.refresh_from_db()
    assert version.created == version.frozen_at == version.approved_at == at
    assert opened.opened == at
    assert {r.decided for r in Review.objects.filter(commitment__in=[three, nine])} == {at}
    assert {i.signoff_date for i in version.items.all()} == {D(2017, 12, 29)}
    moves = Transition.objects.filter(commitment__in=[three, nine], created=at)
    assert sorted(moves.values_list("to_status", flat=True)) == sorted(
        [Status.IN_REVIEW, Status.APPROVED, Status.APPROVED, Status.INCLUDED, Status.INCLUDED]
    )
