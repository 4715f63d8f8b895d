"""Back up and restore the portal: the PostgreSQL database (pg_dump, custom format) and the media files.

    .venv/bin/python ops/backup.py backup [--into backups]          (or: make backup)
    .venv/bin/python ops/backup.py restore backups/<ts> [--force]  (or: make restore BACKUP=backups/<ts>)

A backup is a folder `backups/<UTC timestamp>/` holding `database.dump` (pg_dump --format=custom,
without owners or privileges, so it restores under any role), `media.tar` (every stored file: uploaded
documents, the plan's PDFs) and `manifest.json` (when, from which database, the SHA-256 of both files).
The database is the one of DATABASE_URL; the files are read and written through the portal's default
storage, so the same commands serve the local media folder (MEDIA_ROOT, DJANGO_MEDIA_ROOT) and an
S3-compatible bucket (COCREA_STORAGE=s3).

Restore checks the manifest's hashes, creates the database of DATABASE_URL if it is missing (the role
needs CREATEDB), refuses a database that already holds tables and a storage that already holds files
unless --force (then the dump's objects replace the database's: `pg_restore --clean`), restores in one
transaction (all or nothing), writes the files back into the storage under their own names and moves
the page cache's content generation forward, so that pages cached before the restore are never served
for the restored data.
Passwords go to pg_dump and pg_restore in PGPASSWORD, never on a command line.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = ("postgres", "postgresql", "pgsql")


class BackupError(Exception):
    """A refusal or a failure, printed as one message without a traceback."""


def log(message: str) -> None:
    print(f"backup: {message}", file=sys.stderr, flush=True)  # noqa: T201


# --- Configuration ----------------------------------------------------------------------------------
def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise BackupError(
            "DATABASE_URL is not set: backups are for PostgreSQL (the embedded SQLite database is "
            "db.sqlite3: stop the portal and copy that file, and db.sqlite3-wal if there is one). Set DATABASE_URL=postgres://user:password@host:5432/name."
        )
    if urlsplit(url).scheme not in POSTGRES:
        raise BackupError(
            f"DATABASE_URL is not a PostgreSQL URL ({urlsplit(url).scheme}://…): make backup and "
            "make restore work with PostgreSQL only (for SQLite, copy the database file)."
        )
    return url


def pg_environment(url: str) -> tuple[dict[str, str], str]:
    """libpq variables for pg_dump/pg_restore/psycopg (the password never on a command line); the name."""
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise BackupError("DATABASE_URL names no database, e.g. postgres://user:pass@host:5432/name.")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(PGHOST=parts.hostname or "127.0.0.1", PGPORT=str(parts.port or 5432), PGDATABASE=name)
    if parts.username:
        env["PGUSER"] = unquote(parts.username)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    env["PGCONNECT_TIMEOUT"] = "10"
    return env, name


def media_storage():
    """The portal's default storage, from its settings: the folder MEDIA_ROOT (DJANGO_MEDIA_ROOT or
    <checkout>/media) or the bucket of COCREA_STORAGE=s3."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paga.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from django.core.files.storage import default_storage

    return default_storage


def where(storage) -> str:
    """The storage named for the log and the manifest: its folder or its bucket."""
    if hasattr(storage, "bucket_name"):
        return f"s3://{storage.bucket_name}/{getattr(storage, 'location', '')}".rstrip("/")
    return str(storage.location)


def stored_names(storage, folder: str = "") -> list[str]:
    """Every file's name in `storage`, sorted (none when the media folder does not exist yet)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names += stored_names(storage, f"{folder}/{sub}" if folder else sub)
    return sorted(names)


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is missing: install the PostgreSQL client (Debian: postgresql-client).")
    return found


def run(cmd: list[str], env: dict[str, str], what: str, timeout: int = 3600) -> None:
    try:
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)  # noqa: S603
    except subprocess.TimeoutExpired as e:
        raise BackupError(f"{what} took more than {timeout} s") from e
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}):\n{result.stderr.strip()[-3000:]}")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def connect(env: dict[str, str], dbname: str | None = None):
    import psycopg

    return psycopg.connect(
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env.get("PGUSER", ""),
        password=env.get("PGPASSWORD", ""),
        dbname=dbname or env["PGDATABASE"],
        connect_timeout=10,
        autocommit=True,
    )


# --- The files, through the storage ------------------------------------------------------------------
def archive_files(storage, archive: Path) -> int:
    """Write every file of `storage` into the tar `archive` under its name; return how many."""
    files = 0
    with tarfile.open(archive, "w") as tar:
        for stored in stored_names(storage):
            if stored.rsplit("/", 1)[-1].startswith(".render-"):  # half-written renders (older code)
                continue
            with storage.open(stored, "rb") as handle:
                info = tarfile.TarInfo(stored)
                info.size, info.mode = storage.size(stored), 0o644
                tar.addfile(info, handle)
            files += 1
    return files


def restore_files(storage, archive: Path) -> int:
    """Write every file of the tar `archive` into `storage` under its own name (one already there is
    replaced); return how many. Only regular files under relative names are taken: an absolute name, a
    ".." or a link refuses the whole archive before anything is written (Python 3.11.2, Debian's, has no
    extraction filters, so the check is ours)."""
    from django.core.files import File

    files = 0
    with tarfile.open(archive) as tar:
        members = [member for member in tar.getmembers() if not member.isdir()]
        for member in members:
            parts = PurePosixPath(member.name).parts
            if not member.isfile() or not parts or PurePosixPath(member.name).is_absolute() or ".." in parts:
                raise BackupError(
                    f"{archive} holds {member.name!r}, which is not a plain file under the media folder."
                )
        for member in members:
            stored = PurePosixPath(member.name).as_posix()
            if storage.exists(stored):  # --force: the backup's file replaces it
                storage.delete(stored)
            saved = storage.save(stored, File(tar.extractfile(member), name=stored))
            if saved != stored:
                raise BackupError(f"{stored} was stored as {saved}: another process is writing files.")
            files += 1
    return files


# --- Backup ----------------------------------------------------------------------------------------
def backup(into: Path) -> Path:
    url = database_url()
    env, name = pg_environment(url)
    pg_dump = tool("pg_dump")
    storage = media_storage()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = into / stamp
    if folder.exists():
        raise BackupError(f"{folder} already exists: wait a second and run it again.")
    partial = into / f".{stamp}.partial"
    partial.mkdir(parents=True)
    try:
        log(f"pg_dump of {name} on {env['PGHOST']}:{env['PGPORT']}")
        dump = partial / "database.dump"
        run(
            [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"],
            env,
            "pg_dump",
        )
        archive = partial / "media.tar"
        files = archive_files(storage, archive)
        log(f"media: {files} files from {where(storage)}")
        manifest = {
            "created": stamp,
            "database": name,
            "host": env["PGHOST"],
            "media_root": where(storage),
            "media_files": files,
            "files": {p.name: {"sha256": sha256(p), "size": p.stat().st_size} for p in (dump, archive)},
        }
        (partial / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        partial.rename(folder)  # a folder named <ts> is always a complete backup
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder


# --- Restore ---------------------------------------------------------------------------------------
def check_backup(folder: Path) -> dict:
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise BackupError(f"{folder} is not a backup (no manifest.json): pass BACKUP=backups/<timestamp>.")
    manifest = json.loads(manifest_path.read_text())
    for file_name, expected in manifest["files"].items():
        path = folder / file_name
        if not path.is_file() or sha256(path) != expected["sha256"]:
            raise BackupError(f"{path} is missing or damaged (its SHA-256 differs from the manifest).")
    return manifest


def ensure_database(env: dict[str, str], name: str) -> bool:
    """Create the database if missing; True if it was created."""
    from psycopg import sql

    with connect(env, "postgres") as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def table_count(env: dict[str, str]) -> int:
    with connect(env) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]


def restore(folder: Path, force: bool) -> None:
    url = database_url()
    env, name = pg_environment(url)
    pg_restore = tool("pg_restore")
    manifest = check_backup(folder)
    storage = media_storage()
    try:
        created = ensure_database(env, name)
    except Exception as e:
        raise BackupError(f"cannot reach or create database {name!r}: {str(e).strip()}") from e
    tables = table_count(env)
    present = bool(stored_names(storage))
    if (tables or present) and not force:
        what = [f"database {name} holds {tables} tables"] if tables else []
        what += [f"{where(storage)} holds files"] if present else []
        raise BackupError(
            f"refusing to restore over existing data: {' and '.join(what)}. Restore into an empty "
            "database (a new DATABASE_URL), or pass FORCE=1 to replace it."
        )
    log(f"{'created database ' + name if created else 'database ' + name}: restoring {folder}")
    cmd = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if tables:
        cmd += ["--clean", "--if-exists"]
    run([*cmd, f"--dbname={name}", str(folder / "database.dump")], env, "pg_restore")
    with connect(env) as conn:  # pages cached before the restore must not be served for its data
        # A new epoch (paga/pagecache.py): no page or fragment cached before matches any generation now.
        conn.execute(
            "UPDATE paga_pagegeneration SET value = GREATEST(value + 1, %s) WHERE name = 'epoch'",
            [time.time_ns()],
        )
    files = restore_files(storage, folder / "media.tar")
    log(
        f"media: {files} files into {where(storage)} "
        f"(backup of {manifest['created']} taken from {manifest['database']})"
    )
    log("done. If the code is newer than the backup, run `manage.py migrate` next.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("backup", help="dump the database and the media files into backups/<timestamp>/")
    make.add_argument("--into", type=Path, default=ROOT / "backups", help="parent folder (default backups/)")
    back = sub.add_parser("restore", help="restore a backup into DATABASE_URL and the storage")
    back.add_argument("folder", type=Path, help="the backup's folder, e.g. backups/20261201T120000Z")
    back.add_argument("--force", action="store_true", help="replace a database or stored files")
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            folder = backup(args.into)
            print(folder)  # noqa: T201
        else:
            restore(args.folder, args.force)
    except BackupError as e:
        print(f"backup: {e}", file=sys.stderr)  # noqa: T201
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
