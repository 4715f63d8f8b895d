"""The email outbox through a real Celery worker (in this process, a thread) and a real Redis broker.

The worker runs on its own Celery app configured like paga's (Django's CELERY_* settings) but for the
real broker and a queue of its own, so paga's app stays eager for the other tests and a developer's
`make worker` on the same Redis never takes these tasks. The worker thread opens its own database
connection to the test database: hence `transaction=True`.
"""

from __future__ import annotations

import datetime
import threading
import uuid
from collections.abc import Iterator

import pytest
import redis
from celery import Celery, _state, signals
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connections, transaction
from django.utils import timezone

from paga import services, tasks
from paga.models import OutboundEmail

WAIT = 15  # seconds: the longest a test waits for the worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


class TaskLog:
    """What the worker has finished, recorded from its thread; lets the test wait without polling the DB."""

    def __init__(self) -> None:
        self.done: list[tuple[str, tuple, object]] = []
        self._changed = threading.Condition()

    def record(self, sender=None, args=None, retval=None, **kwargs) -> None:
        with self._changed:
            self.done.append((sender.name, tuple(args or ()), retval))
            self._changed.notify_all()
        connections.close_all()  # the worker thread's connection: nothing may hold the test DB open

    def wait_for(self, name: str, args: tuple, count: int = 1) -> list[object]:
        """Block until `name(*args)` has run `count` times (at most WAIT seconds); return its results."""

        def results() -> list[object]:
            return [retval for task, a, retval in self.done if task == name and a == args]

        with self._changed:
            if not self._changed.wait_for(lambda: len(results()) >= count, timeout=WAIT):
                pytest.fail(f"the worker did not run {name}{args} {count}× within {WAIT} s: {self.done}")
            return results()


@pytest.fixture
def worker(redis_url, settings) -> Iterator[TaskLog]:
    """A real worker consuming a queue of its own on REDIS_URL; tasks are no longer run inline."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queue = f"cocrea-test-{uuid.uuid4().hex[:12]}"
    app = Celery("paga-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=redis_url,
        result_backend=redis_url,  # the worker's start-up ping waits for its result
        result_expires=300,
        task_always_eager=False,
        task_default_queue=queue,
        worker_enable_remote_control=False,
        worker_hijack_root_logger=False,
    )
    app.loader.import_module("celery.contrib.testing.tasks")  # celery.ping, for the start-up check
    log = TaskLog()
    signals.task_postrun.connect(log.record, weak=False)
    previous_current, previous_default = _state.get_current_app(), _state.default_app
    try:
        with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=WAIT):
            yield log
    finally:
        signals.task_postrun.disconnect(log.record)
        previous_current.set_current()  # start_worker made the test app current and default
        _state.default_app = previous_default
        app.close()
        client = redis.Redis.from_url(redis_url)
        if leftovers := list(client.scan_iter(match=f"*{queue}*")):  # the queue, kombu's bindings
            client.delete(*leftovers)
        client.close()


def test_queued_email_is_sent_by_the_worker_once_and_its_body_erased(worker):
    with transaction.atomic():
        email = services.queue_email(
            EmailMessage(
                "Confirma tu cuenta en Co-crea",
                "Enlace único: https://cocrea.example/c/ñ",
                to=["rosa@cocrea.test"],
            )
        )
        assert not mail.outbox  # nothing leaves before the decision is committed

    assert worker.wait_for("paga.tasks.send_email", (email.pk,)) == [True]
    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.attempts == 1
    assert email.body == ""
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Confirma tu cuenta en Co-crea"
    assert mail.outbox[0].to == ["rosa@cocrea.test"]
    assert "Enlace único" in mail.outbox[0].body


def test_send_email_delivered_twice_sends_once(worker):
    email = OutboundEmail.objects.create(
        to=["julio@cocrea.test"], subject="Aviso", body="Texto", from_email="no-responder@cocrea.test"
    )
    first, second = tasks.send_email.delay(email.pk), tasks.send_email.delay(email.pk)

    assert [first.get(timeout=WAIT), second.get(timeout=WAIT)] == [True, False]
    assert worker.wait_for("paga.tasks.send_email", (email.pk,), count=2) == [True, False]
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


def test_sweep_republishes_email_that_was_never_dispatched(worker):
    stranded = OutboundEmail.objects.create(
        to=["ciudadana@cocrea.test"],
        subject="Respuesta a tu aporte",
        body="Texto",
        from_email="no-responder@cocrea.test",
        created_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    recent = OutboundEmail.objects.create(
        to=["ciudadano@cocrea.test"],
        subject="Recién creado",
        body="Texto",
        from_email="no-responder@cocrea.test",
    )

    assert tasks.send_pending_email.delay().get(timeout=WAIT) == 1
    assert worker.wait_for("paga.tasks.send_email", (stranded.pk,)) == [True]
    stranded.refresh_from_db()
    recent.refresh_from_db()
    assert stranded.sent_at is not None
    assert recent.sent_at is None  # younger than the sweep's grace period: its own dispatch is on the way
    assert [m.subject for m in mail.outbox] == ["Respuesta a tu aporte"]
