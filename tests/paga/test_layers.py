"""The apps stand in a line: paga <- commitments <- consultations <- workshops <- implementation.

import-linter holds the imports to it (pyproject.toml's contracts; `make lint` and CI run them too); a
string is no import, so paga's code is also read here for any name of an app: what an app brings to paga's
pages it declares itself (paga/registry.py). settings.py is the composition root and names them all.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import get_resolver

from paga import audit, audit_views, compliance_views, registry, staff_security

ROOT = Path(settings.BASE_DIR)
APPS = ("commitments", "consultations", "workshops", "implementation")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# The composition root: INSTALLED_APPS, COCREA_CONTENT_APPS and the beat schedule's task names.
ROOT_MODULES = {Path("paga/settings.py")}
NAMES_AN_APP = re.compile(rf"^/?({'|'.join(APPS)})([.:/]|$)")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_imports_keep_to_the_line():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 kept, 0 broken" in run.stdout


def _project(tmp_path: Path, imports: dict[str, str]) -> Path:
    """A tree with the apps' packages, each importing what `imports` says, under the project's contracts."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    lines = ["[tool.importlinter]", f"root_packages = {config['root_packages']!r}".replace("'", '"')]
    for contract in config["contracts"]:
        lines.append("[[tool.importlinter.contracts]]")
        lines += [f"{key} = {value!r}".replace("'", '"') for key, value in contract.items()]
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n")
    for package in config["root_packages"]:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(imports.get(package, ""))
    return tmp_path


@pytest.mark.parametrize(
    ("importer", "imported"),
    [("paga", "implementation"), ("commitments", "consultations"), ("workshops", "implementation")],
)
def test_an_import_against_the_line_breaks_the_contracts(tmp_path, importer, imported):
    lawful = _project(tmp_path, {"implementation": "import workshops\nimport paga\n"})
    assert lint_imports(lawful).returncode == 0
    (tmp_path / importer / "__init__.py").write_text(f"import {imported}\n")
    run = lint_imports(tmp_path)
    assert run.returncode == 1
    assert f"{importer} -> {imported}" in run.stdout


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def names_of_apps(source: str) -> list[tuple[int, str]]:
    """The strings of `source`'s code (not its docstrings nor comments) that name an app: its label,
    a module or model label under it ("commitments.urls"), a URL name of its namespace
    ("consultations:detail")."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and NAMES_AN_APP.match(node.value)
    ]


def test_the_check_sees_an_app_named_in_code_and_not_in_prose():
    source = "\n".join(
        [
            '"""Like consultations/openings.py."""',
            "# commitments.urls",
            'X = ["consultations:detail", "workshops"]',
        ]
    )
    assert names_of_apps(source) == [(3, "consultations:detail"), (3, "workshops")]


def test_paga_names_none_of_the_apps_outside_its_settings():
    found = {}
    for path in sorted((ROOT / "paga").rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts or relative in ROOT_MODULES:
            continue
        if names := names_of_apps(path.read_text()):
            found[str(relative)] = names
    assert found == {}, "declare it in the app (paga/registry.py) instead"


def test_what_the_apps_declare_exists():
    """The apps declare by name: each model, URL name and staff address must be one the portal has."""
    for label in audit_views.object_types():
        apps.get_model(label)
    assert audit.unlabelled() <= {model._meta.label_lower for model in apps.get_models()}
    resolver = get_resolver()
    for name in compliance_views.evidence():
        namespace, _, url_name = name.partition(":")
        assert url_name in resolver.namespace_dict[namespace][1].reverse_dict, name
    paths = {str(pattern) for pattern in _routes(resolver.url_patterns)}
    for prefix in staff_security.staff_prefixes():
        assert any(path.startswith(prefix.lstrip("/")) for path in paths), prefix


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def test_each_app_brings_its_own_and_paga_its_own():
    own_and_apps = {
        "login.staff",
        "commitment.create",
        "contribution.hide",
        "event.create",
        "progress.submit",
    }
    assert own_and_apps <= set(audit.actions())
    assert "/revision/" in staff_security.staff_prefixes()
    assert registry.url_modules() == tuple(f"{app}.urls" for app in APPS)


def test_an_entry_declared_twice_is_refused(monkeypatch):
    config = apps.get_app_config("consultations")
    monkeypatch.setattr(config, "evidence", {"paga:timeline": "again"}, raising=False)
    with pytest.raises(ValueError, match="declared twice"):
        registry.merged("evidence", compliance_views.OWN_EVIDENCE)
