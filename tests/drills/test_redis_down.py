"""Drill: Redis stops while the portal runs. Public pages still answer, people still sign in and post,
and nothing written is lost: the notification email of a comment posted meanwhile waits in the outbox
and goes out once Redis (the Celery broker) is back.

Real pieces: gunicorn (2 workers) with the portal's own settings and REDIS_URL pointing at a
redis-server the drill starts, kills (SIGKILL: nothing flushed) and starts again, on the test database
(PostgreSQL); a real `celery -A paga worker` once Redis is back. Plus the cache backend alone
(paga/cache.py) against a closed port and against a Redis that hangs.
"""

from __future__ import annotations

import time

import pytest
import redis
from celery import Celery
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from commitments.models import Status
from consultations.models import Contribution, Follow
from paga import roles
from paga.cache import ResilientRedisCache
from paga.models import OutboundEmail
from tests.commitments.factories import CommitmentFactory
from tests.consultations.factories import ConsultationFactory
from tests.factories import UserFactory

from .conftest import Browser, Gunicorn, Worker, portal_env, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PASSWORD = "simulacro-sin-redis-2017"  # noqa: S105
PUBLIC = [
    "/",
    "/cronograma/",
    "/compromisos/",
    "/compromisos/?q=saneamiento",
    "/compromisos/matriz/",
    "/consultas/",
    "/talleres/",
    "/participacion/",
    "/plan/",
    "/cumplimiento/",
    "/cuenta/login/",
]
SLOW = 3.0  # seconds: no page may wait on the missing Redis longer than this (a few 0.25 s timeouts)


def person(email: str):
    """A citizen whose password the portal's own hashers read (the tests hash with MD5)."""
    user = UserFactory(email=email, groups=[roles.CITIZEN])
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "drillsalt0123456", iterations=1000)
    user.save(update_fields=["password"])
    return user


def test_redis_stopped_pages_sign_in_and_comments_work_and_the_email_waits(
    example_plan, redis_server, postgres_test_url, processes, tmp_path
):
    item = CommitmentFactory(status=Status.IN_CONSULTATION, title="Propuesta del simulacro sin Redis")
    consultation = ConsultationFactory(items=[item])
    alice, bob, carla = (
        person("alicia@simulacro.test"),
        person("bruno@simulacro.test"),
        person("carla@s.test"),
    )
    Follow.objects.create(user=bob, commitment=item)  # bob is told about new comments on the item
    comment_url = f"/consultas/{consultation.slug}/propuestas/{item.pk}/comentar/"
    mail = tmp_path / "mail"

    redis_server.start()
    env = portal_env(
        postgres_test_url, tmp_path / "media", REDIS_URL=redis_server.url, EMAIL_URL=f"filemail:///{mail}"
    )
    web = Gunicorn(env, tmp_path / "gunicorn.log")
    processes.append(web)

    # Redis up: the portal uses it (cached pages, sessions).
    signed_in_before = Browser(web.port)
    signed_in_before.sign_in(alice.email, PASSWORD)
    assert Browser(web.port).get("/").status == 200
    assert any(redis_server.client().scan_iter("cocrea:*")), "the portal did not use Redis"

    redis_server.stop()
    with pytest.raises(redis.ConnectionError):
        redis_server.client().ping()

    # Public pages, for an anonymous visitor.
    for path in PUBLIC:
        page = Browser(web.port).get(path)
        assert page.status == 200, (path, page.status, web.output())
        assert page.seconds < SLOW, (path, page.seconds)

    # A session opened before the outage still works (cached_db: the database holds it).
    assert signed_in_before.get(comment_url).status == 200

    # Signing in during the outage (allauth's rate limiter runs on the cache).
    newcomer = Browser(web.port)
    page = newcomer.sign_in(carla.email, PASSWORD)
    assert page.seconds < SLOW
    assert newcomer.get(comment_url).status == 200, "signed in, but the form sends to the login page"

    # A comment posted during the outage is stored, and its email waits in the outbox.
    text = "Comentario publicado mientras Redis estaba caído: **nada se pierde**."
    started = time.monotonic()
    page = signed_in_before.post(comment_url, {"text": text, "stance": "", "category": "", "section": ""})
    assert page.status == 302, (page.status, page.text[:2000], web.output())
    assert time.monotonic() - started < 2 * SLOW
    stored = Contribution.objects.get(text=text)
    assert stored.author == alice
    assert stored.commitment == item
    assert not stored.is_hidden
    waiting = [e for e in OutboundEmail.objects.all() if bob.email in e.to]
    assert len(waiting) == 1
    assert waiting[0].sent_at is None
    assert "Could not publish email" in web.output(full=True)  # logged, not raised into the request

    # Redis back (empty: nothing was saved). The worker sends what the outbox holds.
    redis_server.start()
    worker = Worker(env, tmp_path / "worker.log", name="drill-redis")
    processes.append(worker)
    broker = Celery("drill", broker=redis_server.url, set_as_current=False)
    broker.send_task("paga.tasks.send_pending_email", kwargs={"older_than_seconds": 0})

    def sent():
        waiting[0].refresh_from_db()
        return waiting[0].sent_at is not None

    wait_until(sent, 60, f"the waiting email sent by the worker\n{worker.output()}", interval=0.5)
    files = list(mail.iterdir())
    assert len(files) == 1
    assert bob.email in files[0].read_text()
    broker.close()

    # And the portal uses Redis again, without a restart; the sessions still hold.
    time.sleep(2.5)  # the backend looks at Redis again 2 s after its last error
    for browser in (signed_in_before, newcomer):
        assert browser.get(comment_url).status == 200
    assert Browser(web.port).get("/consultas/").status == 200
    assert any(redis_server.client().scan_iter("cocrea:*")), "the cache did not come back to Redis"
    assert "Redis cache answers again" in web.output(full=True)


# --- The cache backend alone ------------------------------------------------------------------------
def backend(location: str, **params) -> ResilientRedisCache:
    return ResilientRedisCache(
        location,
        {
            "KEY_PREFIX": "drill",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
            **params,
        },
    )


def test_a_closed_port_is_an_empty_cache_that_never_blocks():
    cache = backend("redis://127.0.0.1:1/0")
    started = time.monotonic()
    assert cache.get("k", "default") == "default"
    assert cache.add("lock", 1) is True  # allauth's limiter locks with add: it must not lock everyone out
    cache.set("k", "v")
    assert cache.get_many(["k"]) == {}
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")  # paga/ratelimit.py then counts the hit as the window's first
    assert time.monotonic() - started < 1.0


def test_a_hanging_redis_costs_one_timeout_then_stale_writes_are_cleaned(redis_server):
    redis_server.start()
    cache = backend(redis_server.url, DOWN_SECONDS=1)
    cache.set("session", "signed in")
    cache.set("other", "kept")
    assert cache.get("session") == "signed in"

    redis_server.client().execute_command("CLIENT", "PAUSE", "1500", "ALL")  # Redis stops answering
    started = time.monotonic()
    cache.delete("session")  # the signing out: lost on Redis, remembered here
    for _n in range(20):
        assert cache.get("other") is None  # a miss while down, without waiting again
    assert time.monotonic() - started < 1.0, "each call waited on the hanging Redis"

    # Redis answers again but still holds the old copy (the DEL never reached it).
    time.sleep(2)
    key = cache.make_and_validate_key("session")
    raw = redis_server.client()
    raw.set(key, cache._cache._serializer.dumps("signed in"))
    assert cache.get("other") == "kept"  # first call after the outage: stale keys deleted first
    assert cache.get("session") is None, "a write lost during the outage came back"
    assert raw.exists(key) == 0
