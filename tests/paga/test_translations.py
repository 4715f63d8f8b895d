"""Spanish first: the Spanish catalog is complete and the committed .mo files match their .po."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.fixture
def msgfmt():
    require("gettext", bool(shutil.which("msgfmt")), "msgfmt (Debian's gettext) is not installed")
    return shutil.which("msgfmt")


def test_spanish_catalog_has_no_untranslated_or_fuzzy_entries(msgfmt):
    po = LOCALE / "es/LC_MESSAGES/django.po"
    out = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", po], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "untranslated" not in out.stderr, out.stderr
    assert "fuzzy" not in out.stderr, out.stderr


@pytest.mark.parametrize("lang", ["es", "en"])
def test_compiled_messages_are_up_to_date(msgfmt, tmp_path, lang):
    po = LOCALE / lang / "LC_MESSAGES/django.po"
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check", "-o", fresh, po], check=True)
    assert fresh.read_bytes() == (LOCALE / lang / "LC_MESSAGES/django.mo").read_bytes(), "run `make messages`"


def test_spanish_spells_cocreacion_one_way():
    """The portal's Spanish writes "cocreación" (the prefix joined, as the RAE writes prefixes), never
    "co-creación": the catalogue's translations and the Spanish-only PDF templates. The seed's own texts
    (paga/example.py) stay verbatim."""
    msgstrs, current = [], None
    for line in (LOCALE / "es/LC_MESSAGES/django.po").read_text().splitlines():
        if line.startswith("msgstr"):
            current = [line.partition(" ")[2].strip('"')]
            msgstrs.append(current)
        elif line.startswith('"') and current is not None:
            current.append(line.strip('"'))
        else:
            current = None
    translations = ["".join(parts) for parts in msgstrs]
    templates = [p.read_text() for p in (LOCALE.parent / "templates/commitments/pdf").glob("*.html")]
    assert sum("cocreación" in t.lower() for t in translations) > 3
    assert [t for t in translations if "co-creación" in t.lower()] == []
    assert [t for t in templates if "co-creación" in t.lower()] == []
