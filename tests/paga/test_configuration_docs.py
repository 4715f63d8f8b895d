""".env.example lists every variable the code reads, and `make help` every target of the Makefile: a new
setting or target that the documentation does not name fails here."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = ["paga", "commitments", "consultations", "workshops", "ops", "manage.py"]
# env.str("NAME", …), env.int(…), env("NAME"), os.environ["NAME"], os.environ.get("NAME"), os.getenv("NAME")
READ = re.compile(
    r"""(?:\benv(?:\.\w+)?\(|os\.environ(?:\.get\(|\.setdefault\(|\[)|os\.getenv\()\s*["']([A-Z][A-Z0-9_]+)["']"""
)
# Read by the code but not configuration: set by the entry points, or built by ops/backup.py from
# DATABASE_URL for pg_dump (its own `env` dict, not the process environment).
NOT_CONFIGURATION = {"DJANGO_SETTINGS_MODULE", "PGUSER", "PGPASSWORD"}
# In .env.example for docker compose only (docker-compose.yml reads them, the code does not).
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "COCREA_PORT"}


def read_by_code() -> set[str]:
    names = set()
    for place in CODE:
        path = ROOT / place
        for file in [path] if path.is_file() else path.rglob("*.py"):
            if "migrations" not in file.parts:
                names |= set(READ.findall(file.read_text()))
    return names - NOT_CONFIGURATION


def in_env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.M))


def test_the_scan_finds_the_variables_settings_reads():
    found = read_by_code()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "COCREA_SITE_URL", "COCREA_PAGE_CACHE"} <= found


def test_env_example_lists_every_variable_the_code_reads():
    missing = read_by_code() - in_env_example()
    assert not missing, f".env.example does not list {sorted(missing)}"


def test_env_example_lists_nothing_the_code_does_not_read():
    compose = (ROOT / "docker-compose.yml").read_text()
    stale = in_env_example() - read_by_code() - COMPOSE_ONLY
    assert not stale, f".env.example lists {sorted(stale)}, which nothing reads"
    assert all(name in compose for name in COMPOSE_ONLY - {"COCREA_PORT"})


def test_make_help_lists_every_target():
    makefile = (ROOT / "Makefile").read_text()
    targets = {
        name for name in re.findall(r"^([a-z][a-z0-9-]*):(?!=)", makefile, re.M) if not name.startswith(".")
    }
    shown = subprocess.run(
        ["make", "--no-print-directory", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    listed = set(re.findall(r"^make ([a-z][a-z0-9-]*)", shown, re.M))
    assert targets, "no target found in the Makefile"
    assert targets == listed, (
        f"missing from `make help`: {sorted(targets - listed)}; extra: {sorted(listed - targets)}"
    )
