"""Page benchmark: throughput, latency and SQL queries of the public pages for anonymous visitors.

Prepares a PostgreSQL database (migrate, the PAGA example, synthetic volume from bench/volume.py,
collectstatic), counts each page's SQL queries in-process at two volumes, serves the portal with gunicorn
in production mode on 127.0.0.1 and loads each page with wrk. Prints one markdown table and writes it to
bench/results/pages-<UTC timestamp>.md. See bench/README.md.

    .venv/bin/python bench/run.py [--seconds 10] [--commitments 200 --milestones 1000]   (or: make bench)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import unquote, urlsplit

if __package__ in (None, ""):  # run as a script (make bench): the checkout on the path, for `bench.*`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import busy, write  # noqa: E402 - after the path is set

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ACCOUNTS_FILE = ROOT / ".example-accounts.json"  # written by load_example, shared with `make run`
DEFAULT_DATABASE_URL = "postgres://cocrea:cocrea@127.0.0.1:5432/cocrea_bench"
# The main table runs with Redis as production does (cache, sessions, broker): a database number of the
# benchmark's own, emptied at the start of each run. BENCH_REDIS_URL names another.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/8"
WRK = Path("/usr/bin/wrk")
HOST = "127.0.0.1"
TRIVIAL = "/salud/"
# In page paths, {muestra} stands for the number of a synthetic commitment (volume.sample_number) and
# {tema} for the slug of the plan's first theme; both are filled in once the volume is loaded.
# {foro} for the synthetic proposal of bench/forum.py, with its many comments.
# {avance} for the number of the commitment of the approved plan given --reports progress reports
# (bench/progress.py implemented_sample: the example's commitment 3).
SAMPLE, THEME, FORUM, IMPLEMENTED = "{muestra}", "{tema}", "{foro}", "{avance}"
PAGES = [
    TRIVIAL,
    "/",
    "/cronograma/",
    "/cronograma.ics",
    "/privacidad/",
    "/cuenta/login/",
    "/compromisos/",
    "/compromisos/?q=saneamiento",
    f"/compromisos/?tema={THEME}&estado=en_consulta",
    f"/compromisos/{SAMPLE}/",
    "/compromisos/matriz/",
    "/compromisos/ranking/",
    f"/compromisos/{FORUM}/",
    f"/compromisos/{FORUM}/?comentarios=2",
    "/consultas/",
    "/talleres/",
    "/talleres/calendario/?mes=2017-10",
    "/talleres/taller-regional-arequipa-2017/",
    "/repositorio/",
    "/participacion/",
    "/foro-multiactor/",
    "/plan/",
    "/cumplimiento/",
    "/seguimiento/",
    f"/compromisos/{IMPLEMENTED}/",
]
# The forum's proposal holds this many comments at the small volume (--comments at the full one): 51
# top-level, so that its second page of comments exists at both volumes.
SMALL_COMMENTS = 255
# Goals for anonymous visitors at 4 connections (see bench/README.md).
GOAL_RATIO = 0.25
GOAL_P95_MS = 50.0
# Commitments issue: the list and the detail page each run at most this many SQL queries, whatever the
# volume (checked on every measured page that resolves to one of these views).
# The commitment page also holds the forum's thread: ≤ 12 (forum issue: 10 + the thread's 2).
QUERY_GOAL_VIEWS = {"commitments:list": ("list", 10), "commitments:detail": ("detail", 12)}
# With the page cache (paga/pagecache.py: anonymous visitors, never stale) on, off, or both in turn.
MODES = {"on": ("on",), "off": ("off",), "both": ("on", "off")}
# The embedded default (no REDIS_URL: Django's local-memory cache, 300 entries per process) is measured
# on the pages it changes most, the forum's thread, page cache off: its figure only, no goal.
LOCAL_MEMORY = "off, local memory"
LOCAL_MEMORY_PAGES = [TRIVIAL, f"/compromisos/{FORUM}/", f"/compromisos/{FORUM}/?comentarios=2"]
# Issue 15 ("Render less"): what a signed-in citizen gets, and anyone with the page cache off, is measured
# against these ratios to /salud/ and p99 ≤ 50 ms at 4 connections (page cache off and signed-in rows).
SIGNED_IN = "signed in"
RENDER_GOALS = {
    f"/compromisos/{FORUM}/": 0.10,
    f"/compromisos/{FORUM}/?comentarios=2": 0.10,
    f"/compromisos/{SAMPLE}/": 0.15,
    "/compromisos/": 0.15,
}
RENDER_GOAL_P99_MS = 50.0
# Time limits of the in-process steps (seconds).
VOLUME_TIMEOUT = 600
COUNT_TIMEOUT = 120


class BenchError(Exception):
    """A clear, one-message refusal or failure; main() prints it without a traceback."""


@dataclass
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    errors_4xx_5xx: int  # wrk's "Non-2xx or 3xx responses": it counts statuses >= 400
    socket_errors: int


@dataclass
class QueryCount:
    first: int  # first request of this process (may fill caches)
    steady: int  # a second request, from a fresh anonymous client
    status: int
    view: str  # the URL name the path resolves to ("" if none), e.g. commitments:list


@dataclass
class Volume:
    """What the database held when the queries were counted, at the small and at the full volume."""

    small: dict[str, int] | None  # volume.plan_counts() at the small volume (None: volume disabled)
    full: dict[str, int]
    small_queries: dict[str, QueryCount] | None
    seconds: float  # loading both volumes


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


@contextlib.contextmanager
def time_limit(seconds: int, what: str):
    """Raise BenchError if the block (in-process work: loading, counting) takes more than `seconds`."""

    def expired(signum, frame):
        raise BenchError(f"{what} took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- Database ---------------------------------------------------------------------------------------


def ensure_database(url: str) -> str:
    """Create the database named in `url` if missing (connecting to `postgres` as the same role)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise BenchError(
            f"DATABASE_URL must be a PostgreSQL URL (postgres://user:pass@host:port/name), not {url!r}."
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise BenchError(f"DATABASE_URL names no database: {url!r}.")
    import psycopg
    from psycopg import sql

    host, port = parts.hostname or HOST, parts.port or 5432
    try:
        with psycopg.connect(
            host=host,
            port=port,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            dbname="postgres",
            connect_timeout=5,
            autocommit=True,
        ) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                log(f"created database {name}")
    except psycopg.Error as e:
        raise BenchError(
            f"cannot prepare database {name!r} on {host}:{port}: {str(e).strip()}\n"
            "Is PostgreSQL running (pg_ctlcluster 15 main status) and does the role have CREATEDB?"
        ) from e
    return name


def ensure_redis(url: str) -> str:
    """The benchmark's Redis database, answering and emptied (its pages, fragments and sessions from an
    earlier run would be warm). Returns the URL."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        client.ping()
        client.flushdb()
    except redis.RedisError as e:
        raise BenchError(
            f"cannot use Redis at {url}: {e}\nIs redis-server running on 127.0.0.1:6379? BENCH_REDIS_URL "
            "names another database (the benchmark empties it)."
        ) from e
    return url


def server_environment(database_url: str, redis_url: str) -> dict[str, str]:
    """Production mode: no DJANGO_DEBUG, Redis for the cache, sessions and broker, a random secret key,
    plain HTTP on 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "REDIS_URL")}
    env.update(
        REDIS_URL=redis_url,
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        COCREA_SITE_URL=f"http://{HOST}",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SETTINGS_MODULE="paga.settings",
    )
    return env


def manage(env: dict[str, str], *args: str, quiet: bool = False, timeout: int = 600) -> None:
    """Run manage.py, showing its output only on failure; `quiet` never shows stdout (passwords)."""
    log(f"manage.py {' '.join(args)}")
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL if quiet else subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"manage.py {args[0]} took more than {timeout} s") from e
    if result.returncode != 0:
        output = result.stderr if quiet else (result.stdout or "") + result.stderr
        raise BenchError(f"manage.py {args[0]} failed (exit {result.returncode}):\n{tail(output)}")


def load_example(env: dict[str, str]) -> None:
    """load_example rewrites .example-accounts.json (the passwords of `make run`'s accounts): keep it."""
    saved = ACCOUNTS_FILE.read_bytes() if ACCOUNTS_FILE.exists() else None
    times = ACCOUNTS_FILE.stat() if saved is not None else None
    try:
        manage(env, "load_example", quiet=True)
    finally:
        if saved is None:
            ACCOUNTS_FILE.unlink(missing_ok=True)
        else:
            if not ACCOUNTS_FILE.exists() or ACCOUNTS_FILE.read_bytes() != saved:
                ACCOUNTS_FILE.write_bytes(saved)
                ACCOUNTS_FILE.chmod(0o600)
            os.utime(ACCOUNTS_FILE, ns=(times.st_atime_ns, times.st_mtime_ns))


# --- SQL queries, in-process ------------------------------------------------------------------------


def setup_django(env: dict[str, str]) -> None:
    """Django in this process, with the server's settings and database (for the volume and the counts);
    without Redis while the volume loads (its tasks run inline); count_queries takes the servers' cache."""
    os.environ.pop("DJANGO_DEBUG", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS")})
    os.environ["COCREA_SITE_URL"] = env["COCREA_SITE_URL"]
    os.environ.update({k: env[k] for k in ("DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SETTINGS_MODULE")})
    os.environ["COCREA_PAGE_CACHE"] = "0"  # count what rendering a page costs, not a cache hit
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def count_queries(pages: list[str], redis_url: str, session_key: str | None = None) -> dict[str, QueryCount]:
    """Each page's SQL queries through Django's test Client, against the same database and settings
    (as a signed-in visitor with `session_key`, anonymous otherwise), with the servers' cache and
    sessions (Redis, as paga/settings.py sets them up with REDIS_URL): Django's local-memory cache keeps
    300 entries, fewer than a 500-comment thread's, and would count queries production does not run."""
    from django.conf import settings
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import Resolver404, resolve

    from paga import settings as portal

    servers = override_settings(
        CACHES={"default": portal.redis_cache(redis_url)},
        SESSION_ENGINE=portal.REDIS_SESSION_ENGINE,
    )
    client = Client(SERVER_NAME=HOST, raise_request_exception=False)
    counts = {}
    servers.enable()
    try:
        for page in pages:
            seen = []
            for _ in range(2):
                client.cookies = SimpleCookie()  # anonymous each time: wrk sends no cookies either
                if session_key:
                    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(page)
                seen.append((len(captured), response.status_code))
            try:
                view = resolve(urlsplit(page).path).view_name
            except Resolver404:
                view = ""
            counts[page] = QueryCount(first=seen[0][0], steady=seen[1][0], status=seen[1][1], view=view)
    finally:
        servers.disable()
        connections.close_all()
    return counts


# --- Volume -----------------------------------------------------------------------------------------


def small_volume(commitments: int, milestones: int) -> tuple[int, int]:
    """The first of the two volumes: a tenth of the commitments (at least one), milestones in proportion."""
    n = max(1, commitments // 10)
    return n, milestones * n // commitments


def load_volume(commitments: int, milestones: int) -> None:
    from bench import crowd, volume

    if volume.synthetic(volume.ActionPlan.objects.get(is_current=True)).count() != commitments:
        crowd.clear_comments()  # they are on synthetic commitments, which may be deleted; rebuilt after
    with time_limit(VOLUME_TIMEOUT, f"loading {commitments} commitments"):
        result = volume.load_volume(commitments=commitments, milestones=milestones)
    log(
        f"volume: {result.commitments} synthetic commitments, {result.milestones} milestones "
        f"({result.added} added, {result.removed} removed, {result.seconds:.1f} s)"
    )


def load_crowd(people: int, comments: int, events: int) -> list[int]:
    """People, comments over the synthetic commitments (all comments less the forum's), events."""
    from bench import crowd, volume

    with time_limit(VOLUME_TIMEOUT, f"loading {people} people, {comments} comments, {events} events"):
        pks = crowd.load_people(people)
        forum_rows = volume.plan_counts()["comments"] - crowd_comments()
        crowd.load_comments(max(0, comments - forum_rows), pks)
        crowd.load_events(events)
    return pks


def crowd_comments() -> int:
    from bench import crowd
    from consultations.models import Contribution

    return Contribution.objects.filter(consultation__slug=crowd.CONSULTATION).count()


def load_forum(comments: int) -> str:
    from bench import forum

    with time_limit(VOLUME_TIMEOUT, f"loading {comments} comments"):
        slug = forum.load_forum(comments=comments)
    log(f"forum: a proposal with {comments} comments (/compromisos/{slug}/)")
    return slug


def load_progress(reports: int) -> None:
    from bench import progress

    with time_limit(VOLUME_TIMEOUT, f"loading {reports} progress reports"):
        held = progress.load_progress(reports=reports)
    log(f"progress: commitment {progress.implemented_sample().number} holds {held} validated reports")


def resolve_pages(pages: list[str], forum_slug: str) -> list[str]:
    """Fill in {muestra}, {tema}, {foro} and {avance} from what the database holds."""
    from bench import progress, volume

    pages = [p.replace(FORUM, forum_slug) for p in pages]
    if any(IMPLEMENTED in p for p in pages):
        implemented = progress.implemented_sample()
        if implemented is None:
            raise BenchError(f"no commitment of an approved plan to fill in {IMPLEMENTED}")
        pages = [p.replace(IMPLEMENTED, str(implemented.number)) for p in pages]
    if not any(SAMPLE in p or THEME in p for p in pages):
        return pages
    number = volume.sample_number()
    if number is None and any(SAMPLE in p for p in pages):
        raise BenchError(f"no public numbered commitment in the plan to fill in {SAMPLE}")
    theme = volume.sample_theme()
    return [p.replace(SAMPLE, str(number)).replace(THEME, theme) for p in pages]


def vacuum() -> None:
    """VACUUM (ANALYZE) the project's tables once the volume is loaded: in production autovacuum keeps
    dead rows and the planner's statistics in check; where it is off (the machines here run PostgreSQL
    with autovacuum off) each run would measure the rows earlier runs deleted (a commitment's thread
    read 290,000 dead rows of comments for 20,000 live ones: 18 ms a query instead of 5)."""
    from django.apps import apps
    from django.conf import settings
    from django.db import connection

    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in settings.COCREA_CONTENT_APPS
            and model._meta.managed
            and not model._meta.proxy
        }
    )
    with connection.cursor() as cursor:  # autocommit: VACUUM runs outside a transaction
        cursor.execute("VACUUM (ANALYZE) " + ", ".join(map(connection.ops.quote_name, tables)))
    log(f"VACUUM (ANALYZE) of {len(tables)} tables")


def prepare_and_count(args: argparse.Namespace, env: dict[str, str]) -> tuple[list[str], Volume, dict]:
    """Load the small volume, count, load the full volume, count. Returns the resolved pages."""
    setup_django(env)
    from bench import volume

    write.remove()  # an interrupted write test's open consultation would change the pages
    started = time.monotonic()
    small_counts = small_queries = None
    if args.commitments:
        load_volume(*small_volume(args.commitments, args.milestones))
        slug = load_forum(min(SMALL_COMMENTS, args.comments))
        load_crowd(args.people // 10, args.all_comments // 10, args.events // 10)
        load_progress(max(1, args.reports // 10) if args.reports else 0)
        pages = resolve_pages(args.pages, slug)  # the sample is one of the small volume's commitments
        small_counts = volume.plan_counts()
        log(f"counting SQL queries per page at {small_counts['commitments']} commitments")
        with time_limit(COUNT_TIMEOUT, "counting SQL queries"):
            small_queries = count_queries(pages, env["REDIS_URL"])
        load_volume(args.commitments, args.milestones)
        load_forum(args.comments)
    else:
        load_volume(0, 0)  # removes any synthetic volume of an earlier run
        pages = resolve_pages(args.pages, load_forum(args.comments))
    args.writer_pks = load_crowd(args.people, args.all_comments, args.events)
    load_progress(args.reports)
    vacuum()
    seconds = time.monotonic() - started
    full_counts = volume.plan_counts()
    log(f"counting SQL queries per page at {full_counts['commitments']} commitments")
    with time_limit(COUNT_TIMEOUT, "counting SQL queries"):
        queries = count_queries(pages, env["REDIS_URL"])
    info = Volume(
        small=small_counts,
        full=full_counts,
        small_queries=small_queries,
        seconds=seconds,
    )
    return pages, info, queries


# --- gunicorn ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def http_get(port: int, path: str, timeout: float = 60.0, headers: dict | None = None) -> tuple[int, bytes]:
    """One GET to 127.0.0.1, redirects not followed, no proxy. The timeout is generous: on a busy machine
    gunicorn may still be answering the previous page's wrk backlog."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Gunicorn:
    def __init__(self, env: dict[str, str], workers: int):
        executable = Path(sys.executable).with_name("gunicorn")
        if not executable.exists():
            raise BenchError(
                f"{executable} is missing: run with the project's .venv/bin/python (make bench)."
            )
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        # Its own session: a Ctrl-C reaches this script, which then stops gunicorn and its workers.
        self.process = subprocess.Popen(
            [str(executable), "paga.wsgi", "-w", str(workers), "-b", f"{HOST}:{self.port}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_tail(self) -> str:
        return tail(Path(self.log.name).read_text(errors="replace"))

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                status, body = http_get(self.port, TRIVIAL, timeout=1.0)
                if status == 200 and body.strip() == b"ok":
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(
                    f"gunicorn did not answer {TRIVIAL} within {timeout:.0f} s:\n{self.log_tail()}"
                )
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group of the master we started
                self.process.wait(timeout=5)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


# --- wrk --------------------------------------------------------------------------------------------

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
PERCENTILE = re.compile(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
REQUESTS_PER_S = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
REQUESTS = re.compile(r"^\s*(\d+) requests in ", re.M)
NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def wrk(
    url: str,
    seconds: int,
    connections: int,
    latency: bool = True,
    headers: dict | None = None,
    script: Path | None = None,
) -> str:
    cmd = [str(WRK), "-t1", f"-c{connections}", f"-d{seconds}s", *(["--latency"] if latency else [])]
    cmd += [a for name, value in (headers or {}).items() for a in ("-H", f"{name}: {value}")]
    cmd += [*(["-s", str(script)] if script else []), url]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"wrk did not finish within {seconds + 30} s on {url}") from e
    if result.returncode != 0:
        raise BenchError(
            f"wrk failed on {url} (exit {result.returncode}):\n{tail(result.stdout + result.stderr)}"
        )
    return result.stdout


def parse_wrk(output: str) -> WrkResult:
    percentiles = {int(p): float(v) * UNIT_MS[unit] for p, v, unit in PERCENTILE.findall(output)}
    rate, requests = REQUESTS_PER_S.search(output), REQUESTS.search(output)
    if rate is None or requests is None or set(percentiles) != {50, 75, 90, 99}:
        raise BenchError(f"could not read wrk's output:\n{output}")
    non_2xx, sockets = NON_2XX.search(output), SOCKET_ERRORS.search(output)
    return WrkResult(
        requests_per_s=float(rate.group(1)),
        p50_ms=percentiles[50],
        p75_ms=percentiles[75],
        p90_ms=percentiles[90],
        p99_ms=percentiles[99],
        requests=int(requests.group(1)),
        errors_4xx_5xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


# --- Report -----------------------------------------------------------------------------------------


def git_revision() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head or 'unknown'}{' + uncommitted changes' if dirty else ''}"


def latency_verdict(r: WrkResult) -> str | None:
    """The goal is on p95, which wrk does not print: decide from p90 and p99 when they allow it."""
    if r.p99_ms <= GOAL_P95_MS:
        return None
    if r.p90_ms > GOAL_P95_MS:
        return f"p95 > {GOAL_P95_MS:.0f} ms (p90 is {r.p90_ms:.1f} ms)"
    return f"p95 undetermined: p90 {r.p90_ms:.1f} ms ≤ {GOAL_P95_MS:.0f} ms < p99 {r.p99_ms:.1f} ms"


def describe(counts: dict[str, int]) -> str:
    return (
        f"{counts['commitments']:,} commitments ({counts['synthetic']:,} synthetic, {counts['public']:,} "
        f"public), {counts['milestones']:,} milestones, {counts['versions']:,} versions, "
        f"{counts['transitions']:,} transitions, {counts['comments']:,} comments in consultations, "
        f"{counts['people']:,} people, {counts['events']:,} events"
    )


def sql_cell(q: QueryCount) -> str:
    return f"{q.steady}" + (f" (first {q.first})" if q.first != q.steady else "")


def query_checks(volume: Volume, queries: dict[str, QueryCount]) -> list[str]:
    """The issues' goals (commitments list ≤ 10, a commitment's page with its thread ≤ 12) and the
    volume independence."""
    lines = []
    at = f"{volume.full['commitments']:,} commitments and {volume.full['milestones']:,} milestones"
    if volume.small_queries is not None:
        at += f", and at {volume.small['commitments']:,} and {volume.small['milestones']:,}"
    goal = f"SQL queries of the commitments list ≤ 10 and of a commitment's page ≤ 12 (at {at})"
    checked = {p: q for p, q in queries.items() if q.view in QUERY_GOAL_VIEWS}
    if not checked:
        lines.append(f"{goal}: not checked, no list or detail page measured.")
    else:
        parts, fail = [], False
        for page, q in checked.items():
            seen = [q.steady]
            if volume.small_queries is not None:
                seen.append(volume.small_queries[page].steady)
            label, most = QUERY_GOAL_VIEWS[q.view]
            fail |= max(seen) > most or not 200 <= q.status < 300
            shown = " / ".join(str(n) for n in reversed(seen))
            parts.append(f"{label} `{page}` {shown}")
        lines.append(f"{goal}: **{'FAIL' if fail else 'PASS'}**: " + "; ".join(parts) + ".")
    independent = "SQL queries independent of the volume (every page, same count at both volumes"
    if volume.small_queries is None:
        lines.append(f"{independent}): not checked, volume disabled (--commitments 0).")
    else:
        small, full = volume.small, volume.full
        independent += (
            f": {small['commitments']:,} → {full['commitments']:,} commitments, "
            f"{small['milestones']:,} → {full['milestones']:,} milestones)"
        )
        differ = [
            f"`{page}` {volume.small_queries[page].steady} → {q.steady}"
            for page, q in queries.items()
            if volume.small_queries[page].steady != q.steady or volume.small_queries[page].status != q.status
        ]
        verdict = "**PASS**: every page the same." if not differ else "**FAIL**: " + "; ".join(differ) + "."
        lines.append(f"{independent}: {verdict}")
    return lines


def report(
    started: datetime.datetime,
    args: argparse.Namespace,
    database: str,
    results: dict[str, dict[str, WrkResult]],
    queries: dict[str, QueryCount],
    statuses: dict[str, int],
    volume: Volume,
    signed_queries: dict[str, QueryCount] | None = None,
) -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    small = volume.small_queries
    sql_columns = f"SQL queries at {volume.full['commitments']:,} commitments"
    if small is not None:
        sql_columns = f"SQL queries at {volume.small['commitments']:,} commitments | " + sql_columns
    lines = [
        f"Co-crea page benchmark, {started:%Y-%m-%d %H:%M} UTC: {cpus} CPUs, "
        f"gunicorn {args.workers} workers, wrk 1 thread {args.connections} connections "
        f"{args.seconds} s per page (after {args.warmup} s warm-up), "
        f"PostgreSQL database {database}, cache: Redis at {args.redis_url} (production's configuration: "
        f"cache, cached_db sessions, broker) except the rows '{LOCAL_MEMORY}' (Django's local-memory "
        f"cache, the embedded default without REDIS_URL), commit {git_revision()}.",
        "",
        f"Data: {describe(volume.full)}"
        + (f"; queries also counted at {describe(volume.small)}" if volume.small else "")
        + f" (volume loaded in {volume.seconds:.1f} s).",
        "",
        f"| page cache | page | req/s | p50 ms | p90 ms | p99 ms | ratio to {TRIVIAL} | {sql_columns} "
        "| non-2xx |",
        "|---|---|---:|---:|---:|---:|---:|" + ("---:|" if small is not None else "") + "---:|---:|",
    ]
    notes, misses = [], []
    goal_mode = "on" if "on" in results else "off"
    for mode, by_page in results.items():
        base = by_page[TRIVIAL].requests_per_s
        for page, r in by_page.items():
            if mode == SIGNED_IN:  # counted once, at the full volume, with the citizen's session
                q = (signed_queries or {})[page]
                sql = ("– | " if small is not None else "") + sql_cell(q)
            else:
                q = queries[page]
                sql = (f"{sql_cell(small[page])} | " if small is not None else "") + sql_cell(q)
            status = statuses.get((mode, page), statuses.get(page, 0))
            bad = r.errors_4xx_5xx
            if not 200 <= status < 300:  # wrk counts only >= 400; a 3xx page would read 0
                bad = f"{bad} (GET answered {status})"
            ratio = r.requests_per_s / base if base else 0.0
            lines.append(
                f"| {mode} | `{page}` | {r.requests_per_s:,.0f} | {r.p50_ms:.2f} | {r.p90_ms:.2f} "
                f"| {r.p99_ms:.2f} | {ratio:.0%} | {sql} | {bad} |"
            )
            if not r.requests:
                notes.append(f"`{page}` ({mode}): no request completed within {args.seconds} s.")
            if r.socket_errors:
                notes.append(f"`{page}` ({mode}): {r.socket_errors} socket errors in wrk.")
            if q.status != status:
                notes.append(f"`{page}` ({mode}): the test Client got {q.status}, gunicorn {status}.")
            if page == TRIVIAL or mode != goal_mode:  # the local-memory rows are figures, no goal
                continue
            if ratio < GOAL_RATIO:
                misses.append(f"`{page}` at {ratio:.0%} of {TRIVIAL} (goal ≥ {GOAL_RATIO:.0%})")
            verdict = latency_verdict(r)
            if verdict:
                misses.append(f"`{page}` {verdict}")
    lines += [
        "",
        "page cache: on is the production default (paga/pagecache.py: rendered pages for anonymous "
        "visitors, keyed by the content generation, never stale); off renders every request. "
        "p50/p90/p99: wrk's latency distribution (it prints no p95). non-2xx: responses wrk counted with "
        "status ≥ 400; each page was first checked to answer 2xx to one GET (wrk does not count 3xx). "
        "SQL queries: what rendering costs (page cache off), one anonymous request through Django's test "
        "Client, after a first one (the first request of the process, at the first volume, when it "
        "differs); counted before the volume grows and after, wrk runs at the full volume. With the "
        "page cache on, a cached page runs 1 query (the content generation).",
    ]
    goals = (
        f"every public page ≥ {GOAL_RATIO:.0%} of {TRIVIAL} req/s and p95 ≤ {GOAL_P95_MS:.0f} ms, "
        f"page cache {goal_mode}"
    )
    lines.append("")
    lines.append(f"Goals ({goals}): " + ("all met." if not misses else "not met: " + "; ".join(misses) + "."))
    render_lines = render_goal_lines(results, dict(zip(args.resolved, args.pages, strict=True)))
    if render_lines:
        lines += ["", *render_lines]
    lines.append("")
    lines += [f"- {line}" for line in query_checks(volume, queries)]
    lines += [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


# --- Main -------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page, 1-300 (default 10)")
    parser.add_argument(
        "--warmup", type=int, default=2, help="warm-up per page before measuring, 0-30 (default 2)"
    )
    parser.add_argument("--connections", type=int, default=4, help="wrk connections, 1-64 (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, 1-16 (default 2)")
    parser.add_argument(
        "--page",
        action="append",
        metavar="PATH",
        help=f"measure only this page (repeatable); {TRIVIAL} is always measured as the reference; "
        f"{SAMPLE} and {THEME} are filled in (a synthetic commitment's number, the first theme's slug)",
    )
    parser.add_argument(
        "--commitments",
        type=int,
        default=200,
        help="synthetic commitments added to the example, 0-30000; 0 disables the volume (default 200)",
    )
    parser.add_argument(
        "--milestones",
        type=int,
        default=1000,
        help="their milestones, spread evenly, 0-1000000 (default 1000)",
    )
    parser.add_argument(
        "--comments",
        type=int,
        default=500,
        help=f"comments on the forum's synthetic proposal, 0-100000 (default 500; {SMALL_COMMENTS} at the "
        "small volume)",
    )
    parser.add_argument(
        "--all-comments",
        type=int,
        default=20_000,
        help="comments in the plan's consultations in all (the forum's proposal's included), spread over "
        "the synthetic commitments, 0-200000 (default 20000)",
    )
    parser.add_argument("--people", type=int, default=5000, help="synthetic people, 0-100000 (default 5000)")
    parser.add_argument("--events", type=int, default=30, help="synthetic events, 0-99 (default 30)")
    parser.add_argument(
        "--reports",
        type=int,
        default=20,
        help=f"validated progress reports of the approved commitment {IMPLEMENTED}, the example's "
        "included, 0-1000 (default 20; a tenth at the small volume)",
    )
    parser.add_argument(
        "--posts", type=int, default=1000, help="comment POSTs of the write test, 0-20000; 0 skips it (1000)"
    )
    parser.add_argument(
        "--clients", type=int, default=50, help="concurrent clients of the write test, 1-200 (default 50)"
    )
    parser.add_argument(
        "--page-cache",
        choices=sorted(MODES),
        default="both",
        help="serve with the page cache on, off, or both in turn (default both; goals apply to 'on', "
        "the production default)",
    )
    parser.add_argument(
        "--no-signed-in",
        dest="signed_in",
        action="store_false",
        help="skip the rows of a signed-in citizen (the thread, a commitment, the list; issue 15)",
    )
    parser.add_argument(
        "--no-busy",
        dest="busy",
        action="store_false",
        help="skip the busy consultation (readers at 8 connections while comments arrive; issue 15)",
    )
    parser.add_argument(
        "--no-local-memory",
        dest="local_memory",
        action="store_false",
        help="skip the rows of the embedded default's local-memory cache",
    )
    args = parser.parse_args(argv)
    args.redis_url = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    for name, low, high in (
        ("seconds", 1, 300),
        ("warmup", 0, 30),
        ("connections", 1, 64),
        ("workers", 1, 16),
        ("commitments", 0, 30_000),
        ("milestones", 0, 1_000_000),
        ("comments", 0, 100_000),
        ("all_comments", 0, 200_000),
        ("people", 0, 100_000),
        ("events", 0, 99),
        ("reports", 0, 1000),
        ("posts", 0, 20_000),
        ("clients", 1, 200),
    ):
        if not low <= getattr(args, name) <= high:
            parser.error(f"--{name} must be between {low} and {high}")
    for page in args.page or []:
        if not page.startswith("/"):
            parser.error(f"--page takes a path starting with '/', not {page!r}")
    writers = -(-args.posts // write.PER_WRITER)  # each writer posts at most PER_WRITER comments
    if args.posts and args.people < writers:
        parser.error(f"--posts {args.posts} needs --people ≥ {writers} ({write.PER_WRITER} comments each)")
    args.pages = [TRIVIAL] + [p for p in (args.page or PAGES) if p != TRIVIAL]
    return args


def measure(
    args: argparse.Namespace,
    env: dict[str, str],
    pages: list[str],
    statuses: dict,
    session_key: str | None = None,
) -> dict[str, WrkResult]:
    """Serve with gunicorn and load each page with wrk (after a warm-up that also fills the cache); as a
    signed-in visitor with `session_key` (its statuses under (SIGNED_IN, page)), anonymous otherwise."""
    server = Gunicorn(env, args.workers)
    results = {}
    headers = {"Cookie": f"{write.cookie_names()[0]}={session_key}"} if session_key else None
    try:
        server.wait_ready()
        cache = "on" if env["COCREA_PAGE_CACHE"] == "1" else "off"
        who = "a signed-in citizen" if session_key else "anonymous"
        log(f"gunicorn ({args.workers} workers, page cache {cache}, {who}) on {HOST}:{server.port}")
        for page in pages:
            status, _ = http_get(server.port, page, headers=headers)
            statuses[(SIGNED_IN, page) if session_key else page] = status
            if not 200 <= status < 300:  # redirects are not followed: 2xx is the page itself
                raise BenchError(
                    f"GET {page} answered {status}, not the page (wrk would count a redirect or "
                    "a sign-in page as a success)"
                )
            url = f"http://{HOST}:{server.port}{page}"
            if args.warmup:
                wrk(url, args.warmup, args.connections, latency=False, headers=headers)
            log(f"{page}: {args.seconds} s")
            results[page] = parse_wrk(wrk(url, args.seconds, args.connections, headers=headers))
            if server.process.poll() is not None:
                raise BenchError(f"gunicorn exited during {page}:\n{server.log_tail()}")
    finally:
        server.stop()
        log("gunicorn stopped")
    return results


def write_test(args: argparse.Namespace, env: dict[str, str]):
    """Comment POSTs from concurrent signed-in citizens through gunicorn (bench/write.py)."""
    writers, items = write.prepare(args.writer_pks[: -(-args.posts // write.PER_WRITER)])
    before = write.count_rows()
    write_env = {
        **env,
        "COCREA_PAGE_CACHE": "1",
        "COCREA_TRUSTED_PROXY_COUNT": "1",
        "EMAIL_URL": "dummymail://",
    }
    server = Gunicorn(write_env, args.workers)
    try:
        server.wait_ready()
        log(f"write test: {args.posts} comment POSTs from {args.clients} clients ({len(writers)} people)")
        result = write.run(server.port, posts=args.posts, clients=args.clients, writers=writers, items=items)
        if server.process.poll() is not None:
            raise BenchError(f"gunicorn exited during the write test:\n{server.log_tail()}")
    finally:
        server.stop()
    result.rows = write.count_rows() - before
    write.remove()
    from django.db import connections

    connections.close_all()
    return result


@dataclass
class Busy:
    """The busy consultation (bench/busy.py): the readers' mix without and with the writer."""

    pages: list[str]
    quiet: WrkResult
    busy: WrkResult
    writer: busy.Writer
    rows: int  # comments the writer added

    @property
    def share(self) -> float:
        return self.busy.requests_per_s / self.quiet.requests_per_s if self.quiet.requests_per_s else 0.0

    @property
    def ok(self) -> bool:
        return (
            self.share >= busy.GOAL_SHARE
            and self.busy.p99_ms <= busy.GOAL_P99_MS
            and self.rows == self.writer.posts
            and set(self.writer.statuses) == {302}
            and not self.quiet.errors_4xx_5xx + self.busy.errors_4xx_5xx
        )


def busy_consultation(args: argparse.Namespace, env: dict[str, str]) -> Busy:
    """Anonymous readers at 8 connections over ten public pages, first alone, then while signed-in
    citizens post a comment a second over HTTP (page cache on, as in production)."""
    from bench import forum

    posts = args.warmup + args.seconds + 5  # at one a second, with room
    # People the write test does not use (it takes the first ones), nor the signed-in rows (the last).
    writers, items = write.prepare(args.writer_pks[-1 - -(-posts // write.PER_WRITER) : -1])
    busy_env = {
        **env,
        "COCREA_PAGE_CACHE": "1",
        "COCREA_TRUSTED_PROXY_COUNT": "1",
        "EMAIL_URL": "dummymail://",
    }
    pages = busy.reader_pages(forum.SLUG, items)
    script = busy.lua_script(pages)
    server = Gunicorn(busy_env, args.workers)
    writer = None
    try:
        server.wait_ready()
        log(f"busy consultation: {len(pages)} pages, {busy.CONNECTIONS} connections, page cache on")
        for page in pages:
            status, _ = http_get(server.port, page)
            if not 200 <= status < 300:
                raise BenchError(f"busy consultation: GET {page} answered {status}, not the page")
        url = f"http://{HOST}:{server.port}/"
        if args.warmup:
            wrk(url, args.warmup, busy.CONNECTIONS, latency=False, script=script)
        log(f"busy consultation, no writer: {args.seconds} s")
        quiet = parse_wrk(wrk(url, args.seconds, busy.CONNECTIONS, script=script))
        writer = busy.Writer(server.port, writers, items)
        before = write.count_rows()
        writer.start()
        try:
            if args.warmup:
                wrk(url, args.warmup, busy.CONNECTIONS, latency=False, script=script)
            log(f"busy consultation, a comment a second: {args.seconds} s")
            loaded = parse_wrk(wrk(url, args.seconds, busy.CONNECTIONS, script=script))
        finally:
            writer.stop()
        if server.process.poll() is not None:
            raise BenchError(f"gunicorn exited during the busy consultation:\n{server.log_tail()}")
    finally:
        server.stop()
        script.unlink(missing_ok=True)
    rows = write.count_rows() - before
    write.remove()
    from django.db import connections

    connections.close_all()
    return Busy(pages=pages, quiet=quiet, busy=loaded, writer=writer, rows=rows)


def busy_lines(b: Busy, revision: str) -> list[str]:
    def row(label: str, r: WrkResult, share: str) -> str:
        return (
            f"| busy consultation | {label} | {r.requests_per_s:,.0f} | {r.p50_ms:.2f} | {r.p90_ms:.2f} "
            f"| {r.p99_ms:.2f} | {share} | {r.errors_4xx_5xx} |"
        )

    verdict = "**PASS**" if b.ok else "**FAIL**"
    return [
        "",
        f"Busy consultation (issue 15): anonymous readers, wrk {busy.CONNECTIONS} connections rotating over "
        f"{len(b.pages)} pages ({', '.join(f'`{p}`' for p in b.pages)}), page cache on, first with no "
        f"writer, then while signed-in citizens post a comment a second over HTTP on the first "
        f"{busy.COMMENTED} proposals of the list (commit {revision}: the page cache's invalidation as it "
        "is at that commit).",
        "",
        "| scenario | readers | req/s | p50 ms | p90 ms | p99 ms | share of the mix without writer "
        "| non-2xx |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        row("no writer", b.quiet, "100%"),
        row(f"a comment a second ({b.writer.summary()})", b.busy, f"{b.share:.0%}"),
        "",
        f"- Busy consultation: {verdict}: read throughput with the writer {b.share:.0%} of the mix without "
        f"it (goal ≥ {busy.GOAL_SHARE:.0%}), p99 {b.busy.p99_ms:.1f} ms (goal ≤ {busy.GOAL_P99_MS:.0f} ms), "
        f"{b.rows} new comments for {b.writer.posts} POSTs, each answered 302.",
    ]


def render_goal_lines(results: dict, pages_asked: dict[str, str]) -> list[str]:
    """Issue 15's goals on the rendered pages (page cache off, and signed-in citizens)."""
    lines = []
    for mode in ("off", SIGNED_IN):
        by_page = results.get(mode)
        if not by_page:
            continue
        base = by_page[TRIVIAL].requests_per_s
        misses, met = [], []
        for page, r in by_page.items():
            goal = RENDER_GOALS.get(pages_asked.get(page, page))
            if goal is None:
                continue
            ratio = r.requests_per_s / base if base else 0.0
            gap = []
            if ratio < goal:
                gap.append(f"{ratio:.0%} of {TRIVIAL} (goal ≥ {goal:.0%})")
            if r.p99_ms > RENDER_GOAL_P99_MS:
                gap.append(f"p99 {r.p99_ms:.0f} ms (goal ≤ {RENDER_GOAL_P99_MS:.0f})")
            (misses if gap else met).append(f"`{page}` " + (", ".join(gap) if gap else f"{ratio:.0%}"))
        if not misses and not met:
            continue
        who = "page cache off" if mode == "off" else "signed-in citizen"
        verdict = "**PASS**" if not misses else "**FAIL**: " + "; ".join(misses)
        lines.append(
            f"Render goals, {who} (issue 15: the 500-comment thread ≥ 10 % of {TRIVIAL}, a commitment's "
            f"page and the list ≥ 15 %, p99 ≤ 50 ms): {verdict}"
            + (f" (met: {'; '.join(met)})" if met else "")
            + "."
        )
    return lines


def run(args: argparse.Namespace) -> str:
    if not os.access(WRK, os.X_OK):
        raise BenchError(f"{WRK} is missing: install the Debian package `wrk` (apt-get install wrk).")
    started = datetime.datetime.now(datetime.UTC)
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    database = ensure_database(database_url)
    env = server_environment(database_url, ensure_redis(args.redis_url))
    manage(env, "migrate", "--no-input")
    load_example(env)
    manage(env, "collectstatic", "--no-input")
    pages, volume, queries = prepare_and_count(args, env)
    args.resolved = pages

    statuses: dict[str, int] = {}
    results: dict[str, dict[str, WrkResult]] = {}
    for mode in MODES[args.page_cache]:
        mode_env = {**env, "COCREA_PAGE_CACHE": "1" if mode == "on" else "0"}
        results[mode] = measure(args, mode_env, pages, statuses)
    signed_queries: dict[str, QueryCount] = {}
    if args.signed_in and not args.writer_pks:
        log("no synthetic people (--people 0): no signed-in rows")
    elif args.signed_in:
        # A signed-in citizen (one of the synthetic people): never served from the page cache, whatever
        # its setting; the production default (on) is kept.
        asked = dict(zip(pages, args.pages, strict=True))
        signed_pages = [TRIVIAL] + [p for p in pages if asked[p] in RENDER_GOALS]
        ((_pk, session_key),) = write.sign_in(args.writer_pks[-1:])
        with time_limit(COUNT_TIMEOUT, "counting SQL queries"):
            signed_queries = count_queries(signed_pages, env["REDIS_URL"], session_key)
        signed_env = {**env, "COCREA_PAGE_CACHE": "1"}
        results[SIGNED_IN] = measure(args, signed_env, signed_pages, statuses, session_key)
    if args.local_memory:
        local_env = {k: v for k, v in env.items() if k != "REDIS_URL"}
        local_env["COCREA_PAGE_CACHE"] = "0"
        local_pages = [p for p, asked in zip(pages, args.pages, strict=True) if asked in LOCAL_MEMORY_PAGES]
        results[LOCAL_MEMORY] = measure(args, local_env, local_pages, statuses)
    busy_writers = -(-(args.warmup + args.seconds + 5) // write.PER_WRITER)
    if args.busy and len(args.writer_pks) < busy_writers + 1:
        log(f"busy consultation skipped: it needs --people ≥ {busy_writers + 1}")
    busy_run = busy_consultation(args, env) if args.busy and len(args.writer_pks) > busy_writers else None
    written = write_test(args, env) if args.posts else None
    text = report(started, args, database, results, queries, statuses, volume, signed_queries)
    if written is not None:
        text += f"- {write.summary(written)}\n"
    if busy_run is not None:
        text += "\n".join(busy_lines(busy_run, git_revision())) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"pages-{started:%Y%m%dT%H%M%SZ}.md"
    path.write_text(text)
    log(f"written to {path.relative_to(ROOT)}")
    return text


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def terminated(signum, frame):
        raise SystemExit(128 + signum)  # unwinds through the `finally` that stops gunicorn

    signal.signal(signal.SIGTERM, terminated)
    signal.signal(signal.SIGHUP, terminated)
    try:
        print(run(args), end="")
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
