"""The embedded default (SQLite, no DATABASE_URL) takes people posting at the same moment.

Found by outside testers: two people posting at once got a 500, "database is locked" (a transaction that
read first could not take the write lock, and SQLite fails it at once rather than wait). The test suite's
SQLite database is in memory, where this cannot happen, so the posts run in a process of their own on a
database file (tests/paga/sqlite_posts.py), with the settings the portal runs with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

from tests.paga.test_settings import run

PEOPLE, POSTS = 8, 3


OPTIONS = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({"engine": db["ENGINE"], **db.get("OPTIONS", {})}))
"""


def test_the_embedded_sqlite_database_waits_for_the_write_lock_and_uses_wal():
    for env in ({}, {"DATABASE_URL": "sqlite:////tmp/cocrea-elsewhere.sqlite3"}):
        result = run(["-c", OPTIONS], DJANGO_DEBUG="1", **env)
        assert result.returncode == 0, result.stderr
        got = json.loads(result.stdout)
        assert got["engine"] == "django.db.backends.sqlite3"
        assert got["transaction_mode"] == "IMMEDIATE"
        assert got["timeout"] >= 5
        assert "PRAGMA journal_mode=WAL" in got["init_command"]


def test_people_posting_at_the_same_moment_on_sqlite_all_get_their_comment_saved(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="tests.settings", DATABASE_URL=f"sqlite:///{database}")
    result = subprocess.run(
        [sys.executable, "-m", "tests.paga.sqlite_posts", str(PEOPLE), str(POSTS)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    got = json.loads(result.stdout.strip().splitlines()[-1])
    statuses = [status for person in got["results"] for status in person]
    assert statuses == [302] * (PEOPLE * POSTS), statuses  # each lands on the comment it posted
    assert got["saved"] == PEOPLE * POSTS
    assert got["journal_mode"] == "wal"  # pages are read while someone writes
