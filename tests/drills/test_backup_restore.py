"""Drill: `make backup`, then `make restore` into a fresh PostgreSQL database and media folder, renders
the same plan PDF (same SHA-256) as the original; restore refuses a database that holds data.

The source is the test database with the example plan approved and its PDFs rendered (inline, as without
a broker); the restored database is created by `make restore` and dropped at the end.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from commitments.models import RenderJob
from tests.commitments.factories import approve_today, freeze_example_plan

from .conftest import ROOT

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

RENDER_AGAIN = """
import hashlib, pathlib
from django.conf import settings
from commitments import plan_tasks
from commitments.models import RenderJob
job = RenderJob.objects.get(kind="plan", version__instrument_number="000-2017-PCM-RESPALDO")
stored = hashlib.sha256((pathlib.Path(settings.MEDIA_ROOT) / job.file).read_bytes()).hexdigest()
again = hashlib.sha256(plan_tasks.render_version(job.kind, job.version)).hexdigest()
print("SHA256", job.sha256, stored, again)
"""


def make(target: str, env: dict[str, str], *variables: str) -> subprocess.CompletedProcess:
    """The Makefile's target, without reinstalling .venv even if pyproject.toml is newer."""
    return subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", target, *variables],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def environment(database_url: str, media: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(DATABASE_URL=database_url, DJANGO_MEDIA_ROOT=str(media), DJANGO_DEBUG="1")
    return env


def drop_database(name: str) -> None:
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_restored_database_renders_the_same_plan_pdf(
    example_plan, secretariat, reviewer, other_reviewer, postgres_test_url, settings, tmp_path
):
    require_tools = shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("make")
    assert require_tools, "pg_dump, pg_restore and make are needed (postgresql-client, make)"
    settings.MEDIA_ROOT = media = tmp_path / "media"
    version = freeze_example_plan(example_plan, secretariat, reviewer, other_reviewer, why="respaldo")
    # Without a broker the documents render inline, into MEDIA_ROOT.
    approve_today(version, secretariat, "000-2017-PCM-RESPALDO")
    job = version.jobs.get(kind=RenderJob.Kind.PLAN)
    assert job.state == RenderJob.State.DONE, job.error
    assert (media / job.file).is_file()

    backup = make("backup", environment(postgres_test_url, media))
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    target = f"{connection.settings_dict['NAME']}_restored"
    drop_database(target)
    try:
        assert folder.parent == ROOT / "backups"
        assert sorted(p.name for p in folder.iterdir()) == ["database.dump", "manifest.json", "media.tar"]
        restored_url = postgres_test_url.rsplit("/", 1)[0] + f"/{target}"
        restored_media = tmp_path / "restored-media"
        env = environment(restored_url, restored_media)

        restore = make("restore", env, f"BACKUP={folder}")
        assert restore.returncode == 0, restore.stderr
        assert (restored_media / job.file).is_file()

        again = make("restore", env, f"BACKUP={folder}")  # the database now holds data
        assert again.returncode != 0
        assert "refusing to restore over existing data" in again.stderr
        assert "FORCE=1" in again.stderr

        rendered = subprocess.run(
            [str(ROOT / ".venv/bin/python"), "manage.py", "shell", "-c", RENDER_AGAIN],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert rendered.returncode == 0, rendered.stderr
        line = next(x for x in rendered.stdout.splitlines() if x.startswith("SHA256 "))
        recorded, stored, again_sha = line.split()[1:]
        assert recorded == stored == again_sha == job.sha256
        assert hashlib.sha256((restored_media / job.file).read_bytes()).hexdigest() == job.sha256

        forced = make("restore", env, f"BACKUP={folder}", "FORCE=1")
        assert forced.returncode == 0, forced.stderr
    finally:
        drop_database(target)
        shutil.rmtree(folder, ignore_errors=True)


def test_backup_refuses_sqlite_with_a_clear_message(tmp_path):
    env = environment(f"sqlite:///{tmp_path}/db.sqlite3", tmp_path / "media")
    result = make("backup", env)
    assert result.returncode != 0
    assert "PostgreSQL only" in result.stderr
    assert "Traceback" not in result.stderr
