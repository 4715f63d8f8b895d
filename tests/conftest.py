"""Fixtures shared by the whole suite: real services, one user per role, the PAGA 2017-2019 example.

Tests that need PostgreSQL or Redis are skipped when the service is missing, so `make test` passes
on a bare machine; CI sets COCREA_REQUIRE_SERVICES=1, which turns each such skip into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis
from django.db import connection
from pytest_django.plugin import validate_django_db

from paga import roles
from paga.example import MINISTRIES, SECRETARIAT_ENTITY
from paga.models import ActionPlan, Entity, User
from tests.commitments.factories import PlanFactory
from tests.example_snapshot import ExampleLoader
from tests.factories import EntityFactory, UserFactory

MINISTRY_NAMES = {acronym: name for name, acronym in MINISTRIES}


def _rank(item: pytest.Item) -> int:
    """0: uses the database in a transaction rolled back after it; 1: transactional with
    serialized_rollback; 2: another transactional test; 3: no database."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    uses_db = transactional = serialized = False
    if marker is not None:
        transaction, reset_sequences, _databases, serialized_rollback, _apps = validate_django_db(marker)
        uses_db, transactional, serialized = True, transaction or reset_sequences, serialized_rollback
    transactional = transactional or "transactional_db" in fixtures or "live_server" in fixtures
    serialized = serialized or "django_db_serialized_rollback" in fixtures
    if transactional:
        return 1 if serialized else 2
    return 0 if uses_db or "db" in fixtures else 3


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The order Django's runner uses, made last (pytest's grouping by parametrized fixtures, such as
    pytest-playwright's browser, ran after pytest-django's sort and left transactional tests in the
    middle of the others): first the tests rolled back after them, then the transactional ones with
    serialized_rollback, then the other transactional ones, then those without a database; file order
    within each kind (a stable sort).
    - A transactional test ends with `flush`, whose post_migrate recreates content types, permissions
      and the role groups under new ids; a serialized_rollback test after it would fail to load its
      snapshot (UNIQUE constraint failed: django_content_type).
    - A serialized_rollback test ends with an empty database without post_migrate (no role groups): a
      rolled-back test after it would find no group. With pytest-xdist each process runs a subsequence
      of this order, so the rule holds in each of them."""
    items.sort(key=_rank)


def services_required(service: str) -> bool:
    """COCREA_REQUIRE_SERVICES=1 requires every service; a list ("redis,postgresql") only those."""
    value = os.environ.get("COCREA_REQUIRE_SERVICES", "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    return value in ("1", "true", "yes", "all") or service in {s.strip() for s in value.split(",")}


def require(service: str, available: bool, why: str) -> None:
    """Skip the test when `service` is not available, or fail it when CI requires the service."""
    if available:
        return
    if services_required(service):
        pytest.fail(f"{why} (COCREA_REQUIRE_SERVICES={os.environ['COCREA_REQUIRE_SERVICES']})")
    pytest.skip(why)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """REDIS_URL of a Redis that answers PING within a second."""
    url = os.environ.get("REDIS_URL", "")
    require("redis", bool(url), "REDIS_URL is not set: this test needs a real Redis")
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        answered = bool(client.ping())
        client.close()
    except (redis.RedisError, OSError):
        answered = False
    require("redis", answered, f"Redis at {url} does not answer PING within 1 s")
    return url


@pytest.fixture
def postgres_required() -> None:
    """For tests of PostgreSQL-only behaviour (ICU collation, Spanish full-text search)."""
    require(
        "postgresql",
        connection.vendor == "postgresql",
        f"needs PostgreSQL (set DATABASE_URL); the tests run on {connection.vendor}",
    )


def _ministry(acronym: str) -> Entity:
    return EntityFactory(acronym=acronym, name=MINISTRY_NAMES[acronym], slug=acronym.lower())


# The role fixtures mirror the example accounts (paga/example.py): staff roles are citizens too.
@pytest.fixture
def citizen(db) -> User:
    return UserFactory(groups=[roles.CITIZEN])


@pytest.fixture
def other_citizen(db) -> User:
    return UserFactory(groups=[roles.CITIZEN])


@pytest.fixture
def secretariat(db) -> User:
    pcm = EntityFactory(acronym=SECRETARIAT_ENTITY[1], name=SECRETARIAT_ENTITY[0], slug="pcm-sgp")
    return UserFactory(groups=[roles.SECRETARIAT, roles.CITIZEN], entity=pcm, is_staff=True)


@pytest.fixture
def reviewer(db) -> User:
    """A ministry reviewer of MINAM."""
    return UserFactory(groups=[roles.REVIEWER, roles.CITIZEN], entity=_ministry("MINAM"))


@pytest.fixture
def other_reviewer(db) -> User:
    """A ministry reviewer of another ministry (MTC)."""
    return UserFactory(groups=[roles.REVIEWER, roles.CITIZEN], entity=_ministry("MTC"))


@pytest.fixture
def administrator(db) -> User:
    return UserFactory(groups=[roles.ADMINISTRATOR, roles.CITIZEN], is_staff=True, is_superuser=True)


@pytest.fixture
def example_accounts_file(tmp_path, monkeypatch) -> Path:
    """Where `load_example` keeps the example passwords: a temporary file, never the work tree's."""
    path = tmp_path / "example-accounts.json"
    monkeypatch.setattr("paga.example.accounts_file", lambda: path)
    return path


# Without the apps' finishing steps (`load_example --no-finish`): the example as it stood during the
# technical review, commitment 3 in MINAM's review and 9 agreed, no plan version. Most tests take those
# two through the review, the plan's assembly and approval themselves; tests/commitments/
# test_example_plan.py runs the whole command, which ends with the plan approved and rendered.
EXAMPLE = ExampleLoader("--no-finish")


@pytest.fixture
def example_plan(db, example_accounts_file) -> ActionPlan:
    """The PAGA 2017-2019 example, loaded by the same command as `make run` but before its approval
    (`--no-finish`; run once per test process and database state, then copied: tests/example_snapshot.py)."""
    EXAMPLE.load(example_accounts_file)
    return ActionPlan.objects.get(is_current=True)


@pytest.fixture
def other_plan(db) -> ActionPlan:
    """A plan that is not the current one, PAGA 2015-2016 (the example's, when the example is loaded):
    for tests of several plans in one portal, at /planes/paga-2015-2016/."""
    return PlanFactory(
        slug="paga-2015-2016",
        short_name="PAGA 2015-2016",
        name="Segundo Plan 2015-2016",
        is_current=False,
        start_year=2015,
        end_year=2016,
    )


@pytest.fixture
def fragments(settings):
    """The cached parts of pages on (paga/pagecache.py `fragment`, `shared_value`; off in tests, as
    tests/settings.py says), in an empty cache."""
    from django.core.cache import cache

    from paga.cache import ON_CLEAR

    settings.COCREA_FRAGMENT_CACHE = True
    cache.clear()
    for forget in ON_CLEAR:  # what the processes keep beside the cache (no hook on the tests' cache)
        forget()
    yield
    cache.clear()
    for forget in ON_CLEAR:
        forget()
