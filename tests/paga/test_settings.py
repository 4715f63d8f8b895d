"""paga/settings.py read from the environment: each case runs in a fresh interpreter with a controlled env."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.db import connection

BASE_DIR = django_settings.BASE_DIR

PROBE = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "conn_max_age": db.get("CONN_MAX_AGE", 0),
    "conn_health_checks": db.get("CONN_HEALTH_CHECKS", False),
    "cache": s.CACHES["default"]["BACKEND"],
    "session_engine": s.SESSION_ENGINE,
    "broker": s.CELERY_BROKER_URL,
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "debug": s.DEBUG,
}))
"""


def production_env() -> dict[str, str]:
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(45),
        "DJANGO_ALLOWED_HOSTS": "cocrea.example",
        "COCREA_SITE_URL": "https://cocrea.example",
    }


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run `python ARGS` in the project folder with only `env` set of what settings.py reads."""
    read_by_settings = ("DATABASE_URL", "REDIS_URL", "EMAIL_URL")
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "COCREA_")) and key not in read_by_settings
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "paga.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def probe(**env: str) -> dict:
    result = run(["-c", PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def assert_refused(result: subprocess.CompletedProcess, variable: str) -> None:
    assert result.returncode != 0
    assert variable in result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def test_nothing_set_runs_embedded_sqlite_and_inline_tasks():
    got = probe(DJANGO_DEBUG="1")
    assert got["engine"] == "django.db.backends.sqlite3"
    assert got["eager"] is True
    assert got["broker"] == "memory://"
    assert got["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_database_url_switches_to_postgresql_with_persistent_connections():
    got = probe(DJANGO_DEBUG="1", DATABASE_URL="postgres://u:p@db.example:5432/x")
    assert got["engine"] == "django.db.backends.postgresql"
    assert got["conn_max_age"] > 0
    assert got["conn_health_checks"] is True


def test_redis_url_switches_broker_cache_and_sessions():
    got = probe(DJANGO_DEBUG="1", REDIS_URL="redis://cache.example:6379/3")
    assert got["cache"] == "paga.cache.ResilientRedisCache"
    assert got["session_engine"] == "django.contrib.sessions.backends.cached_db"
    assert got["broker"] == "redis://cache.example:6379/3"
    assert got["eager"] is False


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "COCREA_SITE_URL"])
def test_production_refuses_to_start_without_a_required_variable(missing):
    env = production_env()
    del env[missing]
    assert_refused(run(["-c", PROBE], **env), missing)


def test_production_with_every_required_variable_starts():
    got = probe(**production_env())
    assert got["debug"] is False


@pytest.mark.parametrize("url", ["mysql//oops", "postgres://u:p@h:notaport/x", "postgres://host"])
def test_malformed_database_url_is_refused_with_a_message(url):
    assert_refused(run(["manage.py", "check"], DJANGO_DEBUG="1", DATABASE_URL=url), "DATABASE_URL")


def test_malformed_redis_url_is_refused_with_a_message():
    assert_refused(run(["manage.py", "check"], DJANGO_DEBUG="1", REDIS_URL="localhost:6379"), "REDIS_URL")


def test_deploy_check_passes_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_ci_runs_on_postgresql(postgres_required):
    """CI (COCREA_REQUIRE_SERVICES=1) must exercise PostgreSQL, not silently fall back to SQLite."""
    assert connection.vendor == "postgresql"


COOKIES = """
import json
from django.conf import settings as s
print(json.dumps({
    "names": [s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.LANGUAGE_COOKIE_NAME],
    "secure": [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE],
    "paths": [s.SESSION_COOKIE_PATH, s.CSRF_COOKIE_PATH, s.LANGUAGE_COOKIE_PATH],
    "domains": [s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_DOMAIN, s.LANGUAGE_COOKIE_DOMAIN],
}))
"""


def test_production_cookies_are_host_only_and_secure_development_ones_keep_djangos_names():
    """`__Host-` cookies are refused by browsers unless Secure, Path=/ and without Domain."""
    result = run(["-c", COOKIES], **production_env())
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got["names"] == ["__Host-sessionid", "__Host-csrftoken", "__Host-django_language"]
    assert got["secure"] == [True, True, True]
    assert got["paths"] == ["/", "/", "/"]
    assert got["domains"] == [None, None, None]

    result = run(["-c", COOKIES], DJANGO_DEBUG="1")  # plain HTTP on 127.0.0.1: no Secure, no prefix
    assert json.loads(result.stdout)["names"] == ["sessionid", "csrftoken", "django_language"]


def test_staff_idle_minutes_must_be_positive():
    assert_refused(
        run(["manage.py", "check"], DJANGO_DEBUG="1", COCREA_STAFF_IDLE_MINUTES="0"),
        "COCREA_STAFF_IDLE_MINUTES",
    )


DEMO_PROBE = "from django.conf import settings as s; print(s.COCREA_EXAMPLE_STAFF_WITHOUT_2FA)"


def test_production_refuses_example_staff_without_two_step_verification():
    result = run(["-c", PROBE], **production_env(), COCREA_EXAMPLE_STAFF_WITHOUT_2FA="1")
    assert_refused(result, "COCREA_EXAMPLE_STAFF_WITHOUT_2FA")
    assert "two-step verification" in result.stderr


@pytest.mark.parametrize(
    ("env", "demo"),
    [
        ({"DJANGO_DEBUG": "1"}, "True"),  # make run: the example's staff accounts need no phone
        ({"DJANGO_DEBUG": "1", "COCREA_EXAMPLE_STAFF_WITHOUT_2FA": "0"}, "False"),  # to try the real flow
        (production_env(), "False"),
    ],
)
def test_example_staff_without_two_step_is_on_only_by_default_in_development(env, demo):
    result = run(["-c", DEMO_PROBE], **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == demo
