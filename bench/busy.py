"""The busy consultation (issue 15): anonymous readers over ten public pages while comments arrive.

Readers: wrk at 8 connections, one Lua script rotating over ten public pages (the home page, the
timeline, the commitments list, the consultations, the open consultation, three of its proposals, the
forum's 500-comment proposal and the plan), page cache as in production (on). Writer: signed-in citizens
post one comment a second over HTTP, each POST with the person's session and CSRF cookies (as
bench/write.py), on the three proposals the readers read, so each comment changes pages being read.
The same mix is first read with no writer; the goal compares the two (issue 15: read throughput with
the writer ≥ 60 % of the mix without it, p99 ≤ 50 ms).

The writer's consultation is bench/write.py's (`escritura-de-prueba`, open now), removed afterwards.
"""

from __future__ import annotations

import http.client
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import write

CONNECTIONS = 8
GOAL_SHARE = 0.60  # read throughput with the writer over without it
GOAL_P99_MS = 50.0
COMMENTED = 3  # proposals of the open consultation the readers read and the writer comments on
INTERVAL = 1.0  # seconds between comments

LUA = """-- bench/busy.py: each request the next of these paths, in turn
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def reader_pages(forum_slug: str, items: list[int]) -> list[str]:
    """The ten pages of the mix: site-wide pages, the open consultation, the proposals commented on."""
    from commitments.models import Commitment

    by_pk = {c.pk: c.get_absolute_url() for c in Commitment.objects.filter(pk__in=items[:COMMENTED])}
    return [
        "/",
        "/cronograma/",
        "/compromisos/",
        "/consultas/",
        f"/consultas/{write.SLUG}/",
        *(by_pk[pk] for pk in items[:COMMENTED]),
        f"/compromisos/{forum_slug}/",
        "/plan/",
    ]


def lua_script(paths: list[str]) -> Path:
    """A wrk script rotating over `paths` (a temporary file: the caller deletes it)."""
    quoted = ", ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    with tempfile.NamedTemporaryFile("w", prefix="bench-busy-", suffix=".lua", delete=False) as f:
        f.write(LUA % quoted)
    return Path(f.name)


@dataclass
class Writer:
    """Posts one comment every INTERVAL seconds until stopped; each writer at most write.PER_WRITER."""

    port: int
    writers: list[tuple[int, str, str]]
    items: list[int]
    host: str = "127.0.0.1"
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def posts(self) -> int:
        return sum(self.statuses.values()) + self.errors

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=70)

    def _run(self) -> None:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        started = time.monotonic()
        n = 0
        while not self._stop.is_set() and n < len(self.writers) * write.PER_WRITER:
            _pk, session_key, address = self.writers[n % len(self.writers)]
            item = self.items[n % min(COMMENTED, len(self.items))]
            t0 = time.monotonic()
            try:
                status, _location = write.post_comment(
                    conn, item, f"Comentario n.º {n + 1}: **plazos**.", session_key, address
                )
                self.statuses[status] = self.statuses.get(status, 0) + 1
                self.latencies_ms.append((time.monotonic() - t0) * 1000)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.errors += 1
            n += 1
            self._stop.wait(max(0.0, started + n * INTERVAL - time.monotonic()))
        conn.close()

    def summary(self) -> str:
        statuses = ", ".join(f"{n}× {s}" for s, n in sorted(self.statuses.items())) or "none"
        return f"{self.posts} comment POSTs ({statuses}; connection errors {self.errors})"
