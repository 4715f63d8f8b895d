"""Every page of the portal is valid HTML by the Nu HTML Checker (vnu, the W3C's validator): 0 errors.

The pages are those of the every-page browser test (tests/browser/test_every_page.py: every route of the
URL patterns, each as the role that visits it, with the URL sweep's concrete values), fetched here with
Django's test client instead of a browser, in Spanish and in English, and checked in one run of the
checker. Each role signs in through the real form, staff with the code of their authenticator app
(whose page is checked on the way), and confirms the password again before the pages allauth shows only
after that, as the browser test does.

The checker is vnu.jar from npm's `vnu-jar` (.ci/run installs it into .venv/vnu; VNU_JAR names another)
run by Java: without them the test is skipped, and CI (COCREA_REQUIRE_SERVICES=1) fails it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.test import Client

from tests.browser.test_every_page import AS_OF as EVERY_PAGE_AS_OF
from tests.browser.test_every_page import (
    LANDS,
    PAGES,
    ROLES,
    _itself,
    _prepare_accounts,
    page_targets,
    walk,
)
from tests.conftest import require

VNU_JAR = Path(
    os.environ.get("VNU_JAR")
    or Path(__file__).resolve().parents[2] / ".venv/vnu/node_modules/vnu-jar/build/dist/vnu.jar"
)
AUTHENTICATE = "cuenta/2fa/authenticate/"
LANGUAGES = ("es", "en")


def nu_checker() -> list[str]:
    """The command that runs the checker, or the test skips (fails in CI) saying what is missing."""
    java = shutil.which("java")
    require("vnu", java is not None, "Java not found: the Nu HTML Checker needs it (default-jre-headless)")
    require("vnu", VNU_JAR.is_file(), f"vnu.jar not found at {VNU_JAR}: see VNU_JAR in .ci/run")
    return [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only"]


def validate(files: dict[Path, str]) -> dict[str, list[str]]:
    """Run the checker once over every file: {page: ["line N: message", ...]} for the pages in error."""
    run = subprocess.run(  # noqa: S603 -- our own command line, no shell
        [*nu_checker(), *map(str, files)], capture_output=True, text=True, timeout=600, check=False
    )
    report = json.loads(run.stderr or run.stdout)  # vnu writes its JSON report to stderr
    errors: dict[str, list[str]] = {}
    for message in report["messages"]:
        name = files.get(Path(unquote(urlsplit(message.get("url", "")).path)), message.get("url", "?"))
        errors.setdefault(name, []).append(f"line {message.get('lastLine', '?')}: {message['message']}")
    assert run.returncode in (0, 1), run.stderr[-2000:]
    return errors


class Fetcher:
    """One test client per role and language, signed in as a person of that role would be."""

    def __init__(self, role: str, language: str, folder: Path, files: dict[Path, str], problems: list[str]):
        self.role, self.language, self.folder = role, language, folder
        self.files, self.problems = files, problems
        self.client = Client()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    def keep(self, path: str, response) -> None:
        """The page's HTML as a file for the checker, named by its role, language and path."""
        label = f"{path} as {self.role} ({self.language})"
        if not response.get("Content-Type", "").startswith("text/html"):
            self.problems.append(f"{label}: {response.get('Content-Type')} is no HTML page")
            return
        file = self.folder / f"{len(self.files):03d}.html"
        file.write_bytes(response.content)
        self.files[file] = label

    def visit(self, name: str, path: str, expected: int = 200) -> None:
        response = self.client.get(path, follow=True)
        landed = response.request["PATH_INFO"]
        if response.status_code != expected or landed != LANDS.get(name, _itself)(path):
            self.problems.append(f"{path} as {self.role}: {response.status_code} at {landed}")
            return
        self.keep(path, response)

    def sign_in(self, email: str) -> None:
        """The sign-in form; staff then type their app's code, on a page checked like the others."""
        from tests.browser.conftest import fresh_totp_code
        from tests.factories import PASSWORD

        response = self.client.post("/cuenta/login/", {"login": email, "password": PASSWORD})
        assert response.status_code == 302, f"{email} did not sign in: {response.status_code}"
        if response["Location"] == "/" + AUTHENTICATE:
            if PAGES[AUTHENTICATE].role == self.role:
                self.visit(AUTHENTICATE, "/" + AUTHENTICATE)
            response = self.client.post("/" + AUTHENTICATE, {"code": fresh_totp_code(email)})
        assert response["Location"] == "/", f"{email} did not sign in: {response['Location']}"

    def reauthenticate(self) -> None:
        from tests.factories import PASSWORD

        response = self.client.post("/cuenta/reauthenticate/", {"password": PASSWORD})
        assert response.status_code == 302, f"not reauthenticated: {response.status_code}"


def fetch_every_page(targets: dict[str, dict[str, str]], folder: Path) -> tuple[dict[Path, str], list[str]]:
    """Every page of the enumeration (and the error pages) in each language, written into `folder`."""
    files: dict[Path, str] = {}
    problems: list[str] = []
    for language in LANGUAGES:
        for role in ROLES:
            cache.clear()  # sign-in limits and used codes live in the cache
            walk(Fetcher(role, language, folder, files, problems), role, targets)
    return files, problems


def test_every_page_is_valid_html_for_the_nu_checker(example_plan, settings, tmp_path, capsys):
    command = nu_checker()  # skip before the minute of fetching when the checker is missing
    assert command
    settings.COCREA_AS_OF = EVERY_PAGE_AS_OF
    targets = page_targets(example_plan)
    _prepare_accounts()
    files, problems = fetch_every_page(targets, tmp_path)
    assert problems == [], "\n".join(problems)
    errors = validate(files)
    with capsys.disabled():
        print(  # noqa: T201 -- the figures go into the issue's note
            f"\nNu HTML Checker: {len(files)} pages ({len(files) // len(LANGUAGES)} × {len(LANGUAGES)} "
            f"languages), {sum(map(len, errors.values()))} errors on {len(errors)} pages"
        )
    assert errors == {}, "\n".join(f"{page}:\n  " + "\n  ".join(lines) for page, lines in errors.items())
    assert len(files) >= 2 * 100
