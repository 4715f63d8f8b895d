"""`pip install .` (the Dockerfile's) packages every app of the project, not only those of the first plan."""

import fnmatch
import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def test_every_project_app_is_packaged():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    include = setuptools["packages"]["find"]["include"]
    own = [config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT]
    assert {"paga", "commitments", "implementation"} <= set(own)
    missing = [name for name in own if not any(fnmatch.fnmatch(name, pattern) for pattern in include)]
    assert not missing, f"pyproject.toml [tool.setuptools.packages.find] leaves out: {missing}"
