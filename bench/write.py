"""The benchmark's write test: N comment POSTs from C concurrent clients, each a signed-in citizen.

Setup (in-process, Django set up on the benchmark's database): a consultation open now
(`escritura-de-prueba`, illustrative) on 50 public commitments that still take comments, and one database
session per writer (the synthetic people of bench/crowd.py, verified emails): the benchmark signs them
in without hashing a password per person. Each writer posts at most 5 comments, under the forum's limit
of 10 a minute per person; the server runs behind one "trusted proxy" (COCREA_TRUSTED_PROXY_COUNT=1) and
each writer sends its own X-Forwarded-For address, as visitors behind a reverse proxy do, so the
per-address limit applies per person too. Notifications go to followers as in production (emails to a
dummy backend).

Then: exactly N new rows, no status ≥ 500, no connection error. The consultation and its comments are
removed afterwards (and before each run), so the measured pages never see it.
"""

from __future__ import annotations

import datetime
import http.client
import re
import secrets
import statistics
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

SLUG = "escritura-de-prueba"
PER_WRITER = 5
ITEMS = 50


@dataclass
class WriteResult:
    posts: int
    clients: int
    writers: int
    seconds: float
    rows: int  # new comments in the database
    statuses: dict[int, int] = field(default_factory=dict)
    connection_errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    wrong_landings: list[str] = field(default_factory=list)  # a 302 elsewhere than the new comment

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500) + self.connection_errors

    @property
    def ok(self) -> bool:
        return (
            self.rows == self.posts
            and self.server_errors == 0
            and set(self.statuses) == {302}
            and not self.wrong_landings
        )

    def percentile(self, p: float) -> float:
        values = sorted(self.latencies_ms)
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else 0.0


def remove() -> None:
    """Delete the write test's consultation and its comments (before the pages are counted)."""
    from consultations.models import Consultation, Contribution

    consultation = Consultation.objects.filter(slug=SLUG).first()
    if consultation is None:
        return
    rows = Contribution.objects.filter(consultation=consultation)
    for depth in (2, 1, 0):
        rows.filter(depth=depth).delete()
    consultation.delete()


def prepare(writer_pks: list[int]) -> tuple[list[tuple[int, str, str]], list[int]]:
    """Open the consultation and sign the writers in. Returns ([(writer pk, session key, forwarded
    address)], the items' pks)."""
    from django.utils import timezone

    from commitments.models import Commitment
    from consultations.models import Consultation
    from consultations.services import STATUSES_TAKING_PART
    from paga.models import ActionPlan

    from . import volume

    remove()
    plan = ActionPlan.objects.get(is_current=True)
    # Public proposals that still take comments (a merged or approved one refuses them, a draft is not
    # public: consultations.services, Commitment.PUBLIC_STATUSES).
    open_to_comments = STATUSES_TAKING_PART & set(Commitment.PUBLIC_STATUSES)
    items = list(volume.synthetic(plan).filter(status__in=open_to_comments).order_by("slug")[:ITEMS])
    items = items or list(Commitment.objects.filter(plan=plan, status__in=open_to_comments)[:ITEMS])
    now = timezone.now()
    consultation = Consultation.objects.create(
        plan=plan,
        slug=SLUG,
        title="(escritura de prueba) Consulta abierta para medir la publicación de comentarios",
        kind=Consultation.Kind.ITEMS,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(hours=2),
        is_illustrative=True,
    )
    consultation.items.set(items)
    writers = [
        (pk, session_key, f"10.{n // 250}.{n % 250}.7")
        for n, (pk, session_key) in enumerate(sign_in(writer_pks))
    ]
    return writers, [c.pk for c in items]


def sign_in(user_pks: list[int]) -> list[tuple[int, str]]:
    """A database session for each of these people, as signing in makes it (without hashing a
    password): [(pk, session key)], in pk order. Its key, sent as the session cookie, is a signed-in
    visitor."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from paga.models import User

    backend = next(b for b in settings.AUTHENTICATION_BACKENDS if "EmailAuthenticationBackend" in b)
    signed_in = []
    for user in User.objects.filter(pk__in=user_pks).order_by("pk"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        signed_in.append((user.pk, session.session_key))
    return signed_in


def cookie_names() -> tuple[str, str]:
    """The session and CSRF cookies' names (production prefixes them with __Host-)."""
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME


def post_comment(conn: http.client.HTTPConnection, item: int, text: str, session_key: str, address: str):
    """POST a comment on proposal `item` of the bench's consultation as the session's signed-in citizen,
    from `address`, over `conn`; return the status and the Location. Raises what the connection raises."""
    session_cookie, csrf_cookie = cookie_names()
    token = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret, cookie and form alike
    path = f"/consultas/{SLUG}/propuestas/{item}/comentar/"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"{session_cookie}={session_key}; {csrf_cookie}={token}",
        "X-Forwarded-For": address,
        "Referer": f"http://{conn.host}:{conn.port}{path}",
    }
    conn.request("POST", path, body=urlencode({"csrfmiddlewaretoken": token, "text": text}), headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status, response.getheader("Location") or ""


def run(
    port: int, *, posts: int, clients: int, writers, items: list[int], host: str = "127.0.0.1"
) -> WriteResult:
    """POST `posts` comments from `clients` threads; writer i posts on item i % len(items)."""
    jobs = []
    for n in range(posts):
        pk, session_key, address = writers[n % len(writers)]
        item = items[(n % len(writers)) % len(items)]
        jobs.append((n, session_key, address, item))
    # Where a published comment lands: its item's page (a page of its thread) at the comment's anchor; a
    # 302 to the sign-in page or back to the form is not a success.
    from commitments.models import Commitment

    pages = {c.pk: c.get_absolute_url() for c in Commitment.objects.filter(pk__in=set(items))}
    landing = {
        pk: re.compile(rf"^{re.escape(url)}(\?comentarios=\d+)?#aporte-\d+$") for pk, url in pages.items()
    }
    lock = threading.Lock()
    result = WriteResult(posts=posts, clients=clients, writers=len(writers), seconds=0.0, rows=0)

    def client(mine: list[tuple[int, str, str, int]]) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        for n, session_key, address, item in mine:
            started = time.monotonic()
            try:
                status, location = post_comment(
                    conn, item, f"Comentario de prueba n.º {n + 1}: **plazos** claros.", session_key, address
                )
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
                status = None
            elapsed = (time.monotonic() - started) * 1000
            with lock:
                if status is None:
                    result.connection_errors += 1
                else:
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    result.latencies_ms.append(elapsed)
                    if status == 302 and not landing[item].match(location):
                        result.wrong_landings.append(location)
        conn.close()

    threads = [threading.Thread(target=client, args=(jobs[i::clients],)) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.monotonic() - started
    return result


def count_rows() -> int:
    from consultations.models import Contribution

    return Contribution.objects.filter(consultation__slug=SLUG).count()


def summary(r: WriteResult) -> str:
    statuses = ", ".join(f"{n}× {s}" for s, n in sorted(r.statuses.items())) or "none"
    median = statistics.median(r.latencies_ms) if r.latencies_ms else 0.0
    return (
        f"Write test: {r.posts:,} comment POSTs from {r.clients} concurrent clients ({r.writers} signed-in "
        f"citizens, {PER_WRITER} each at most) in {r.seconds:.1f} s ({r.posts / r.seconds:,.0f} POST/s), "
        f"p50 {median:.0f} ms, p95 {r.percentile(95):.0f} ms; answers: {statuses}; connection errors "
        f"{r.connection_errors}; redirects elsewhere than the new comment {len(r.wrong_landings)}"
        f"{f' (first: {r.wrong_landings[0]})' if r.wrong_landings else ''}; new rows {r.rows:,}: "
        f"**{'PASS' if r.ok else 'FAIL'}** (goal: exactly {r.posts:,} rows, each POST redirected to its "
        "comment, 0 server errors)."
    )
