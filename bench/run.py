"""Page benchmark: throughput, latency and SQL queries of the public pages for anonymous visitors.

Prepares a PostgreSQL database (migrate, the PAGA example, collectstatic), serves the portal with gunicorn
in production mode on 127.0.0.1, loads each page with wrk and counts each page's SQL queries in-process.
Prints one markdown table and writes it to bench/results/pages-<UTC timestamp>.md. See bench/README.md.

    .venv/bin/python bench/run.py [--seconds 10] [--warmup 2] [--page /cronograma/]   (or: make bench)
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ACCOUNTS_FILE = ROOT / ".example-accounts.json"  # written by load_example, shared with `make run`
DEFAULT_DATABASE_URL = "postgres://cocrea:cocrea@127.0.0.1:5432/cocrea_bench"
WRK = Path("/usr/bin/wrk")
HOST = "127.0.0.1"
TRIVIAL = "/salud/"
PAGES = [TRIVIAL, "/", "/cronograma/", "/cronograma.ics", "/privacidad/", "/cuenta/login/"]
# Goals for anonymous visitors at 4 connections (see bench/README.md).
GOAL_RATIO = 0.25
GOAL_P95_MS = 50.0


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


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


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


def server_environment(database_url: str) -> dict[str, str]:
    """Production mode: no DJANGO_DEBUG, no Redis, a random secret key, plain HTTP on 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "REDIS_URL")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
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


def count_queries(env: dict[str, str], pages: list[str]) -> dict[str, QueryCount]:
    """Each page's SQL queries through Django's test Client, against the same database and settings."""
    os.environ.pop("DJANGO_DEBUG", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS")})
    os.environ.update({k: env[k] for k in ("DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SETTINGS_MODULE")})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME=HOST, raise_request_exception=False)
    counts = {}
    try:
        for page in pages:
            seen = []
            for _ in range(2):
                client.cookies = SimpleCookie()  # anonymous each time: wrk sends no cookies either
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(page)
                seen.append((len(captured), response.status_code))
            counts[page] = QueryCount(first=seen[0][0], steady=seen[1][0], status=seen[1][1])
    finally:
        connections.close_all()
    return counts


# --- gunicorn ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def http_get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """One GET to 127.0.0.1, redirects not followed, no proxy."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
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


def wrk(url: str, seconds: int, connections: int, latency: bool = True) -> str:
    cmd = [str(WRK), "-t1", f"-c{connections}", f"-d{seconds}s", *(["--latency"] if latency else []), url]
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


def report(
    started: datetime.datetime,
    args: argparse.Namespace,
    database: str,
    results: dict[str, WrkResult],
    queries: dict[str, QueryCount],
    statuses: dict[str, int],
) -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [
        f"Co-crea page benchmark, {started:%Y-%m-%d %H:%M} UTC: {cpus} CPUs, "
        f"gunicorn {args.workers} workers, wrk 1 thread {args.connections} connections "
        f"{args.seconds} s per page (after {args.warmup} s warm-up), "
        f"PostgreSQL database {database}, commit {git_revision()}.",
        "",
        f"| page | req/s | p50 ms | p90 ms | p99 ms | ratio to {TRIVIAL} | SQL queries | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = results[TRIVIAL].requests_per_s
    notes, misses = [], []
    for page, r in results.items():
        q = queries[page]
        sql = f"{q.steady}" + (f" (first {q.first})" if q.first != q.steady else "")
        bad = r.errors_4xx_5xx
        if not 200 <= statuses[page] < 300:  # wrk counts only >= 400; a 3xx page would read 0
            bad = f"{bad} (GET answered {statuses[page]})"
        ratio = r.requests_per_s / base if base else 0.0
        lines.append(
            f"| `{page}` | {r.requests_per_s:,.0f} | {r.p50_ms:.2f} | {r.p90_ms:.2f} | {r.p99_ms:.2f} "
            f"| {ratio:.0%} | {sql} | {bad} |"
        )
        if r.socket_errors:
            notes.append(f"`{page}`: {r.socket_errors} socket errors (connect/read/write/timeout) in wrk.")
        if q.status != statuses[page]:
            notes.append(f"`{page}`: the test Client got {q.status}, gunicorn {statuses[page]}.")
        if page == TRIVIAL:
            continue
        if ratio < GOAL_RATIO:
            misses.append(f"`{page}` at {ratio:.0%} of {TRIVIAL} (goal ≥ {GOAL_RATIO:.0%})")
        verdict = latency_verdict(r)
        if verdict:
            misses.append(f"`{page}` {verdict}")
    lines += [
        "",
        "p50/p90/p99: wrk's latency distribution (it prints no p95). non-2xx: responses wrk counted with "
        "status ≥ 400; each page was first checked to answer 2xx to one GET (wrk does not count 3xx). "
        "SQL queries: one anonymous request through Django's test Client, after a first one.",
    ]
    goals = f"every public page ≥ {GOAL_RATIO:.0%} of {TRIVIAL} req/s and p95 ≤ {GOAL_P95_MS:.0f} ms"
    lines.append("")
    lines.append(f"Goals ({goals}): " + ("all met." if not misses else "not met: " + "; ".join(misses) + "."))
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
        help=f"measure only this page (repeatable); {TRIVIAL} is always measured as the reference",
    )
    args = parser.parse_args(argv)
    for name, low, high in (
        ("seconds", 1, 300),
        ("warmup", 0, 30),
        ("connections", 1, 64),
        ("workers", 1, 16),
    ):
        if not low <= getattr(args, name) <= high:
            parser.error(f"--{name} must be between {low} and {high}")
    for page in args.page or []:
        if not page.startswith("/"):
            parser.error(f"--page takes a path starting with '/', not {page!r}")
    args.pages = [TRIVIAL] + [p for p in (args.page or PAGES) if p != TRIVIAL]
    return args


def run(args: argparse.Namespace) -> str:
    if not os.access(WRK, os.X_OK):
        raise BenchError(f"{WRK} is missing: install the Debian package `wrk` (apt-get install wrk).")
    started = datetime.datetime.now(datetime.UTC)
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    database = ensure_database(database_url)
    env = server_environment(database_url)
    manage(env, "migrate", "--no-input")
    load_example(env)
    manage(env, "collectstatic", "--no-input")

    log("counting SQL queries per page")
    queries = count_queries(env, args.pages)

    server = Gunicorn(env, args.workers)
    try:
        server.wait_ready()
        log(f"gunicorn ({args.workers} workers) on {HOST}:{server.port}")
        statuses, results = {}, {}
        for page in args.pages:
            statuses[page], _ = http_get(server.port, page)
            url = f"http://{HOST}:{server.port}{page}"
            if args.warmup:
                wrk(url, args.warmup, args.connections, latency=False)
            log(f"{page}: {args.seconds} s")
            results[page] = parse_wrk(wrk(url, args.seconds, args.connections))
            if server.process.poll() is not None:
                raise BenchError(f"gunicorn exited during {page}:\n{server.log_tail()}")
    finally:
        server.stop()
        log("gunicorn stopped")
    text = report(started, args, database, results, queries, statuses)
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
