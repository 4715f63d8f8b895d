"""What the failure drills share: a Redis of their own that they stop and start, the portal in real
processes (gunicorn, a Celery worker) on the test database, and a small HTTP client with cookies.

The drills run the real pieces in subprocesses, so the test database must be one other processes can
open: PostgreSQL (DATABASE_URL). They are skipped without it (a failure with COCREA_REQUIRE_SERVICES).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import redis
from django.db import connection

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
START_TIMEOUT = 60  # seconds for gunicorn or a worker to come up on a busy machine


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def stop_group(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Stop a process started with start_new_session=True and everything it started."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


# --- Redis of the drill -----------------------------------------------------------------------------
class RedisServer:
    """A redis-server on a port of its own (nothing saved to disk), started and stopped by the drill."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", HOST]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis(host=HOST, port=self.port, socket_connect_timeout=0.5)

        def answers():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        wait_until(answers, 15, f"redis-server on port {self.port}")
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process, signal.SIGKILL)  # as if the machine lost it: nothing flushed
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(host=HOST, port=self.port, socket_connect_timeout=1, socket_timeout=2)


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    require("redis", bool(shutil.which("redis-server")), "redis-server is not installed")
    server = RedisServer(tmp_path)
    try:
        yield server
    finally:
        server.stop()


# --- The portal in real processes -------------------------------------------------------------------
@pytest.fixture
def postgres_test_url(postgres_required) -> str:
    """DATABASE_URL of the test database, for processes started by the test."""
    s = connection.settings_dict
    user, password = quote(s["USER"] or "", safe=""), quote(s["PASSWORD"] or "", safe="")
    return f"postgres://{user}:{password}@{s['HOST'] or HOST}:{s['PORT'] or 5432}/{s['NAME']}"


def portal_env(database_url: str, media_root: Path, **extra: str) -> dict[str, str]:
    """The portal's real settings (paga.settings) on the test database; DJANGO_DEBUG=1 so it needs no
    collected static files (caching, sessions and Celery do not depend on it)."""
    drop = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "EMAIL_URL", "COCREA_REQUIRE_SERVICES")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        DJANGO_SETTINGS_MODULE="paga.settings",
        DJANGO_DEBUG="1",
        DATABASE_URL=database_url,
        DJANGO_MEDIA_ROOT=str(media_root),
        DJANGO_CONN_MAX_AGE="0",  # nothing holds the test database open once a request is over
        PYTHONDONTWRITEBYTECODE="1",
        **extra,
    )
    return env


class Process:
    """A subprocess in its own session, its output in a log file (shown when something fails)."""

    def __init__(self, cmd: list[str], env: dict[str, str], log: Path):
        self.log = log
        self.handle = log.open("ab")
        self.process = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=self.handle, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def output(self, full: bool = False) -> str:
        text = self.log.read_text(errors="replace")
        return text if full else text[-4000:]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        stop_group(self.process, sig)
        self.handle.close()


class Gunicorn(Process):
    def __init__(self, env: dict[str, str], log: Path, workers: int = 2):
        self.port = free_port()
        super().__init__(
            [str(BIN / "gunicorn"), "paga.wsgi", "-w", str(workers), "-b", f"{HOST}:{self.port}"]
            + ["--timeout", "60", "--graceful-timeout", "5"],
            env,
            log,
        )

        def ready():
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{self.output()}")
            try:
                return Browser(self.port).get("/salud/").status == 200
            except OSError:
                return False

        wait_until(ready, START_TIMEOUT, "gunicorn answering /salud/", interval=0.25)


class Worker(Process):
    """`celery -A paga worker` as `make worker` runs it (prefork), one process in its pool."""

    def __init__(self, env: dict[str, str], log: Path, name: str):
        super().__init__(
            [str(BIN / "celery"), "-A", "paga", "worker", "-l", "info", "--pool", "prefork", "-c", "1"]
            + ["-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            {**env, "C_FORCE_ROOT": "1"},
            log,
        )
        wait_until(
            lambda: "ready." in self.output() or self.process.poll() is not None,
            START_TIMEOUT,
            f"worker {name} ready",
            interval=0.25,
        )
        if self.process.poll() is not None:
            pytest.fail(f"worker {name} exited:\n{self.output()}")

    def pool_children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    """Every process a drill starts is stopped at the end, whatever happened."""
    started: list[Process] = []
    try:
        yield started
    finally:
        for process in reversed(started):
            process.stop(signal.SIGKILL)


# --- HTTP with cookies ------------------------------------------------------------------------------
class Page:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes, seconds: float):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def csrf_token(self) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.text)
        assert found, f"no CSRF token in the page ({self.status})"
        return found.group(1)


class Browser:
    """One visitor: keeps its cookies, sends the CSRF token's Referer, follows no redirect."""

    def __init__(self, port: int, language: str = "en"):
        self.port = port
        self.cookies = SimpleCookie()
        self.cookies["django_language"] = language

    def request(self, method: str, path: str, form: dict | None = None, timeout: float = 30) -> Page:
        headers = {"Host": f"{HOST}:{self.port}", "Referer": f"http://{HOST}:{self.port}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        for name in [k for k, m in self.cookies.items() if m["max-age"] == "0"]:
            del self.cookies[name]
        return Page(response.status, response.headers, content, time.monotonic() - started)

    def get(self, path: str) -> Page:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Page:
        token = self.get(path).csrf_token()
        return self.request("POST", path, {**data, "csrfmiddlewaretoken": token})

    def sign_in(self, email: str, password: str) -> Page:
        page = self.post("/cuenta/login/", {"login": email, "password": password})
        assert page.status == 302, f"sign-in answered {page.status}:\n{page.text[:3000]}"
        return page
