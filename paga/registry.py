"""What each app contributes to paga's shared pages, declared by the app itself: paga names none of them.

The apps stand in a line, each importing only those before it: paga <- commitments <- consultations <-
workshops <- implementation (pyproject.toml's import-linter contracts; tests/paga/test_layers.py). Yet some
of paga's pages speak of every app: the audit log (its actions and kinds of object), the compliance page
(where its evidence links lead), the staff areas (two-step verification), the URL patterns. Each project
app (settings.COCREA_CONTENT_APPS) declares its part as attributes of its AppConfig (`<app>/apps.py`):

    audit_actions = {"code": _("Label")}       the actions `paga.audit.record` accepts, with their labels
    audit_objects = ("app.model", …)           kinds of object the audit log's filter offers
    audit_unlabelled = ("app.model", …)        objects the log labels by their id only: their text is what
                                               someone wrote, or a person's name
    evidence = {"app:url_name": _("…")}        what an evidence link of the compliance page leads to
    staff_prefixes = ("/revision/", …)         addresses of staff pages outside paga's /gestion/
    main_menu = (menus.Entry(…), …)            its links in the header's menus and the footer
    account_menu, footer_menu                  (paga/menus.py: their order, who sees each)

and its URL patterns in a `urls` module, which paga/urls.py includes in INSTALLED_APPS order. paga's own
entries stay in paga's modules (paga/audit.py, paga/compliance_views.py…), merged with the apps' here.
Modules with functions are found by their name the same way (`app_modules`): reports, openings, personal
data, the example.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from functools import cache
from types import ModuleType

from django.apps import AppConfig, apps
from django.conf import settings

PAGA = "paga"


def content_apps() -> list[AppConfig]:
    """The project's apps (paga first), in INSTALLED_APPS order."""
    return [config for config in apps.get_app_configs() if config.label in settings.COCREA_CONTENT_APPS]


def app_modules(name: str, *, paga: str | None = None) -> Iterator[ModuleType]:
    """Each app's `<app>.<name>` module where it has one, in INSTALLED_APPS order; paga's own is the
    module `paga` names (None: paga has none)."""
    for config in content_apps():
        if config.name == PAGA:
            if paga is None:
                continue
            module = paga
        else:
            module = f"{config.name}.{name}"
        if importlib.util.find_spec(module) is not None:
            yield importlib.import_module(module)


def _declared(attribute: str) -> list:
    return [getattr(config, attribute) for config in content_apps() if hasattr(config, attribute)]


def merged(attribute: str, own: dict) -> dict:
    """`own` (paga's entries) and every app's `attribute` dict; a key declared twice is a mistake."""
    found = dict(own)
    for entries in _declared(attribute):
        if twice := found.keys() & entries.keys():
            raise ValueError(f"{attribute}: {sorted(twice)} declared twice")
        found.update(entries)
    return found


def joined(attribute: str, own: tuple[str, ...]) -> tuple[str, ...]:
    """`own` (paga's entries) then every app's `attribute`, each once, in INSTALLED_APPS order."""
    return tuple(dict.fromkeys([*own, *(item for entries in _declared(attribute) for item in entries)]))


def listed(attribute: str) -> list:
    """Every app's `attribute` entries, one list (paga's own are its module's to add)."""
    return [item for entries in _declared(attribute) for item in entries]


@cache
def url_modules() -> tuple[str, ...]:
    """The apps' URL modules (`<app>.urls`), for paga/urls.py to include in INSTALLED_APPS order."""
    return tuple(module.__name__ for module in app_modules("urls"))
