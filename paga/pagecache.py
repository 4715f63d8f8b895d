"""Public pages for anonymous visitors, rendered once and served from the cache, never stale.

Most visitors of a consultation arrive signed out, on a phone, and read: rendering a proposal with 500
comments for each of them is wasted work. `public_page` keeps the rendered response in the cache with
the *generations* it read: named counters in the database (table paga_pagegeneration) that writes move,
in the writer's own transaction. It is served while each of them keeps the value it had.

- Generations are moved by database triggers, not by Python code, so nothing can forget them: the ORM,
  `bulk_create`, `QuerySet.update()`, the admin and raw SQL all move them. Every table of the project's
  apps (settings.COCREA_CONTENT_APPS) has them, except models that say `content_generation = False`
  (the outbox, consent records, reports of comments: never on a public page). A write moves "*" and
  what its model declares in `content_generations`: pairs of a prefix and an SQL expression of the row
  (a comment: "thread:commitment:<its proposal>", "consultation:<id>", "forum:<its plan>"), by default
  "site" alone (everything that is not the forum). `content_columns` narrows updates to the columns pages
  show (the user's display name, not `last_login`); `content_when`, to rows pages show (a validated
  progress report, not a draft).
- The triggers are installed by migrations, once (`ContentTriggers`, an operation that holds a copy of
  the declaration; a test checks the database holds what the models declare), not by every `migrate`.
- On PostgreSQL the trigger is a deferred constraint trigger: the generations move at commit time, after
  every other lock the transaction took, so they cannot deadlock with row locks taken in services. A
  transaction's first bump moves "*" and holds its row: the others follow under that lock, each
  generation once per transaction (a transaction-local setting). SQLite writers are serialised anyway.
- What a page reads: `public_page(reads=(SITE,))` names the generations read before the view runs, and
  the view or a template tag names the others with `reads(request, name)` *before* reading their data
  (a commitment's page: its thread's). A page that names nothing reads "*": any content write expires
  it, as safe as can be. A request first gets the stored entry and, in one query, the current values of
  what it read (plus those named in `reads=`): all equal, it is served. Each process keeps a copy of
  the pages it served last (`_PAGES`), checked the same way, so that a hit costs that query alone. A
  write committed before a generation is read is visible to the page; one committed after moves the
  generation, so the next request renders again. A write in one plan moves its own forum's generation,
  never another plan's.
- The key holds the scheme, host, path and query asked for (a calendar's UIDs and links name the host)
  and the language; the entry holds the epoch (a row written when the table is made): a database
  rebuilt from scratch never matches an entry of the old one.
- Time changes pages too (the stage open today, a consultation that opens at 9:00): the key holds the
  date of the portal's clock (Lima's, or COCREA_AS_OF: paga/clock.py), and a view that shows something
  changing at a moment calls `changes_at(request, moment)`; the entry expires then, or at midnight.

Fragments (`fragment`): a part of a page that is the same for a class of visitors (the commitment list,
a commitment's text and history: the same for everyone who sees public commitments alone) is kept under
the generations it reads, like a page, and reused by signed-in visitors and with the page cache off.

Parts with holes (`assembled`): a whole page the same for a class of visitors but for a few places (the
CSRF token, the account menu, a signed-in visitor's messages, their support of a proposal and their marks
on its thread) is kept with those places left as holes, under the generations its rendering read, like a
page, and each use fills the holes for its own request with what the app that made them registered (an
app's `holes` module: paga/holes.py, consultations/holes.py). A commitment's page and the commitment list
are kept so for signed-in visitors and with the page cache off, and so is every page that shows every
visitor the same (`kept_page`: the home page, the timeline, the consultations, the workshops' list...; not
an event's page, which shows a person their own registration); each process keeps the last ones it used
(`_LOCAL`), checked the same way.

Only anonymous visitors without a session or messages cookie are served from the cache, only for GET
and HEAD, and only responses that set no cookie and used no CSRF token: nothing personal is ever shared.

Form pages for signed-out visitors (sign in, sign up, password reset: `public_page(view, form=True)`)
differ between visitors only by the CSRF token of their form. They are stored with each token replaced
by a placeholder, and served with a token of this visitor's own CSRF secret in its place (a new secret,
and its cookie, for a visitor without one), as Django's `{% csrf_token %}` would have rendered it. The
view's own headers (`never_cache`: browsers and proxies keep nothing) are served as they were.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, models
from django.db.migrations.operations.base import Operation
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from . import clock
from .cache import ON_CLEAR, Recent

MAX_AGE = 600  # seconds: an upper bound on memory use, not a freshness rule (freshness is exact)
_CHANGES_AT = "_cocrea_page_changes_at"
_READS = "_cocrea_page_reads"  # generation -> value, of the page being rendered to be stored
_KNOWN = "_cocrea_page_generations"  # values already read during this request
_DECLARED = "_cocrea_page_declared"  # the generations the view's `public_page(reads=)` names first
# The hidden input `{% csrf_token %}` renders (a masked token: 64 letters and digits), and what stands
# for its value in a stored form page. The placeholder cannot occur in HTML the templates escape.
_CSRF_INPUT = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
CSRF_PLACEHOLDER = "\x00cocrea-csrf\x00"
_CSRF_PLACEHOLDER = CSRF_PLACEHOLDER.encode()


# --- The generations --------------------------------------------------------------------------------

# One row per generation (not a model: `flush` between tests must not reset it). Named literally in SQL.
TABLE = "paga_pagegeneration"
EPOCH = "epoch"  # written once, from the clock, when the table is made: a rebuilt database never matches
EVERYTHING = "*"  # moved by every write to any content table: what a page that declares nothing reads
SITE = "site"  # the default key of a content table: everything but what a table declares instead
DEFAULT_KEYS = ((SITE, None),)


def key(prefix: str, pk) -> str:
    """The name of a per-object generation, as the triggers write it: key("thread:commitment:", 12)."""
    return f"{prefix}{pk}"


def values(names) -> dict[str, int]:
    """The current value of each generation named (0 for one never moved), in one query; {} when the
    table is missing (then nothing is cached)."""
    names = sorted(set(names) | {EPOCH})
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(names))
        cursor.execute(f"SELECT name, value FROM {TABLE} WHERE name IN ({marks})", names)  # noqa: S608
        found = dict(cursor.fetchall())
    if EPOCH not in found:
        return {}
    return {name: found.get(name, 0) for name in names}


def create_table_sql(vendor: str) -> list[str]:
    """The generations' table with its epoch (paga's migration 0007), and PostgreSQL's `cocrea_bump`."""
    statements = [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (name varchar(200) PRIMARY KEY, value bigint NOT NULL)",
        f"INSERT INTO {TABLE} (name, value) VALUES ('{EPOCH}', {time.time_ns()}) "  # noqa: S608
        "ON CONFLICT (name) DO NOTHING",
    ]
    return statements + ([POSTGRES_BUMP] if vendor == "postgresql" else [])


def generation() -> int | None:
    """The generation every content write moves (None if the table is missing)."""
    return values([EVERYTHING]).get(EVERYTHING)


def content_models() -> list[type[models.Model]]:
    """Models whose rows can appear on a public page: the project's apps, minus explicit opt-outs."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in settings.COCREA_CONTENT_APPS:
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        if getattr(model, "content_generation", True) is False:
            continue
        found.append(model)
    return found


def declared(model) -> dict:
    """What a content model declares, as `ContentTriggers` takes it (its migration holds a copy)."""
    columns = getattr(model, "content_columns", None) or ()
    return {
        "table": model._meta.db_table,
        "keys": tuple(tuple(pair) for pair in getattr(model, "content_generations", DEFAULT_KEYS)),
        "columns": tuple(model._meta.get_field(name).column for name in columns),
        "when": getattr(model, "content_when", None),
    }


def trigger_name(table: str) -> str:
    return f"cocrea_gen_{table}"[:63]


# Installed once, by paga's migration 0007: the table, its epoch, and (PostgreSQL) `cocrea_bump`.
# A transaction's first bump moves "*" first and holds its row until commit: every later bump of the
# transaction happens under that lock, so two writers can never wait on each other's generations in
# opposite orders (no deadlock), and each generation moves once per transaction.
POSTGRES_BUMP = """
CREATE OR REPLACE FUNCTION cocrea_bump(k text) RETURNS void AS $$
DECLARE
    done text := coalesce(current_setting('cocrea.generations_moved', true), '');
BEGIN
    IF k IS NULL OR position('|' || k || '|' in done) > 0 THEN
        RETURN;
    END IF;
    IF done = '' THEN
        INSERT INTO paga_pagegeneration (name, value) VALUES ('*', 1)
            ON CONFLICT (name) DO UPDATE SET value = paga_pagegeneration.value + 1;
        done := '|*|';
    END IF;
    IF k <> '*' THEN
        INSERT INTO paga_pagegeneration (name, value) VALUES (k, 1)
            ON CONFLICT (name) DO UPDATE SET value = paga_pagegeneration.value + 1;
        done := done || k || '|';
    END IF;
    PERFORM set_config('cocrea.generations_moved', done, true);
END
$$ LANGUAGE plpgsql
"""


def _expression(prefix: str, expression: str | None, row: str) -> str:
    literal = "'" + prefix.replace("'", "''") + "'"
    if expression is None:
        return literal
    return f"{literal} || CAST(({expression.format(row=row)}) AS TEXT)"


def _condition(when: str | None, row: str) -> str:
    return "TRUE" if when is None else f"({when.format(row=row)})"


def trigger_sql(vendor: str, table: str, keys=DEFAULT_KEYS, columns=(), when=None) -> list[str]:
    """The statements that (re)create `table`'s triggers: after each write, the generations `keys` name
    (pairs of a prefix and an SQL expression of the row, `{row}.column`, or None for the prefix alone),
    and "*", move; NULL expressions move nothing. `columns`: an UPDATE of other columns moves nothing.
    `when`: a condition on the row (old or new) for anything to move."""
    name, quoted = trigger_name(table), f'"{table}"'
    update = "UPDATE" + (" OF " + ", ".join(f'"{c}"' for c in columns) if columns else "")
    if vendor == "postgresql":

        def bumps(row: str) -> str:
            lines = ["PERFORM cocrea_bump('*');"]
            lines += [f"PERFORM cocrea_bump({_expression(p, e, row)});" for p, e in keys]
            return "\n        ".join(lines)

        function = (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$\nBEGIN\n"
            f"    IF TG_OP <> 'DELETE' AND {_condition(when, 'NEW')} THEN\n"
            f"        {bumps('NEW')}\n    END IF;\n"
            f"    IF TG_OP <> 'INSERT' AND {_condition(when, 'OLD')} THEN\n"
            f"        {bumps('OLD')}\n    END IF;\n"
            "    RETURN NULL;\nEND\n$$ LANGUAGE plpgsql"
        )
        return [
            function,
            f"DROP TRIGGER IF EXISTS {name} ON {quoted}",
            f"CREATE CONSTRAINT TRIGGER {name} AFTER INSERT OR DELETE OR {update} ON {quoted} "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
    if vendor == "sqlite":

        def bumps(rows: tuple[str, ...]) -> str:
            found = [_expression(EVERYTHING, None, "NEW")]
            found += [_expression(p, e, row) for row in rows for p, e in keys]
            return " ".join(
                f"INSERT INTO {TABLE} (name, value) SELECT k, 1 FROM (SELECT {e} AS k) WHERE k IS NOT NULL "  # noqa: S608
                "ON CONFLICT (name) DO UPDATE SET value = value + 1;"
                for e in found
            )

        statements = []
        for event, clause, rows in (
            ("i", "INSERT", ("NEW",)),
            ("u", update, ("NEW", "OLD")),
            ("d", "DELETE", ("OLD",)),
        ):
            condition = "" if when is None else " WHEN " + " OR ".join(_condition(when, row) for row in rows)
            statements += [
                f"DROP TRIGGER IF EXISTS {name}_{event}",
                f"CREATE TRIGGER {name}_{event} AFTER {clause} ON {quoted}{condition} "
                f"BEGIN {bumps(rows)} END",
            ]
        return statements
    raise NotImplementedError(vendor)  # pragma: no cover - the portal runs on PostgreSQL or SQLite only


def drop_sql(vendor: str, table: str) -> list[str]:
    name = trigger_name(table)
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS {name} ON "{table}"', f"DROP FUNCTION IF EXISTS {name}()"]
    return [f"DROP TRIGGER IF EXISTS {name}_{event}" for event in "iud"]


class ContentTriggers(Operation):
    """A migration operation: install `table`'s generation triggers (trigger_sql), once. Each app's
    migration names its content tables with what their models declare (content_generations,
    content_columns, content_when); tests/paga/test_pagecache_generations.py checks that the database
    holds exactly what the models declare. On SQLite a migration that rebuilds a table (most AlterField,
    AddConstraint) drops its triggers: run ContentTriggers for that table again after it."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str, keys=DEFAULT_KEYS, columns=(), when=None):
        self.table, self.keys, self.columns, self.when = table, tuple(map(tuple, keys)), tuple(columns), when

    def deconstruct(self):
        kwargs = {"table": self.table}
        if self.keys != DEFAULT_KEYS:
            kwargs["keys"] = self.keys
        if self.columns:
            kwargs["columns"] = self.columns
        if self.when:
            kwargs["when"] = self.when
        return (f"{__name__}.{self.__class__.__name__}", [], kwargs)

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        for sql in trigger_sql(vendor, self.table, self.keys, self.columns, self.when):
            schema_editor.execute(sql, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for sql in drop_sql(schema_editor.connection.vendor, self.table):
            schema_editor.execute(sql, params=None)

    def describe(self):
        return f"Page-cache generation triggers on {self.table}"


def installed_triggers(using: str = "default") -> dict[str, str]:
    """Each generation trigger's table and definition as the database holds it (PostgreSQL: the
    function's source; SQLite: the three triggers' statements), for the tests."""
    from django.db import connections

    conn = connections[using]
    found: dict[str, str] = {}
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, p.prosrc FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_proc p ON p.oid = t.tgfoid WHERE t.tgname LIKE 'cocrea\\_gen\\_%%'"
            )
        else:
            cursor.execute(
                "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'cocrea\\_gen\\_%' ESCAPE '\\' ORDER BY name"
            )
        for table, sql in cursor.fetchall():
            found[table] = found.get(table, "") + sql
    return found


def installed_tables(using: str = "default") -> set[str]:
    """Tables that carry a generation trigger."""
    return set(installed_triggers(using))


def expected_definition(vendor: str, spec: dict) -> str:
    """What installed_triggers() holds for a table installed from `spec` (declared())."""
    statements = trigger_sql(vendor, spec["table"], spec["keys"], spec["columns"], spec["when"])
    if vendor == "postgresql":
        body = statements[0]
        return body[body.index("$$") + 2 : body.rindex("$$")]
    return "".join(sorted(s for s in statements if s.startswith("CREATE")))  # by name, as read


# --- The cache --------------------------------------------------------------------------------------


def changes_at(request, moment: datetime.datetime | None) -> None:
    """Say that the page being rendered changes at `moment` (a consultation opens or closes then)."""
    if moment is None or moment <= clock.now():
        return
    current = getattr(request, _CHANGES_AT, None)
    if current is None or moment < current:
        setattr(request, _CHANGES_AT, moment)


def _cacheable_request(request) -> bool:
    if not settings.COCREA_PAGE_CACHE or request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _cacheable_response(request, response, *, form: bool = False) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and (form or not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        and (form or not response.has_header("Cache-Control"))
    )


def _form_content(content: bytes) -> bytes | None:
    """The page with its CSRF tokens replaced by the placeholder; None when it holds no token (then it
    is not the form page it was declared to be: not stored)."""
    stored, n = _CSRF_INPUT.subn(rb"\1" + _CSRF_PLACEHOLDER + rb"\2", content)
    return stored if n and _CSRF_PLACEHOLDER not in content else None


def _key(request) -> str:
    """Scheme and host are part of it: a page's absolute links and a calendar's UIDs name them."""
    path = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"page:{translation.get_language()}:{clock.today().isoformat()}:{path}"


def reads(request, *names: str) -> None:
    """Say that the page being rendered reads what the generations `names` cover. Call it *before*
    reading that data: the generation's value is read now (one query for the names not read yet), and
    the page is served from the cache only while every generation it read keeps that value."""
    recorded = getattr(request, _READS, None)
    if recorded is None:  # not a page being stored (signed in, cache off): nothing to do
        return
    known = getattr(request, _KNOWN)
    if missing := [name for name in names if name not in known]:
        known.update(values(missing))
    for name in names:
        recorded[name] = known.get(name, 0)


def _timeout(request) -> int:
    """Until the page changes, at most MAX_AGE, and never past midnight: a simulated day (COCREA_AS_OF)
    starts again at each real midnight (paga/clock.py), under the same key."""
    return _timeout_until(getattr(request, _CHANGES_AT, None))


def _timeout_until(changes: datetime.datetime | None) -> int:
    now = clock.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    moment = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))
    if changes is not None:
        moment = min(moment, changes)
    return max(0, min(MAX_AGE, int((moment - now).total_seconds())))


def current(request, *names: str) -> dict[str, int]:
    """The values of the generations `names` as this request sees them (with the epoch): those already
    read by the page, the others in one query, remembered for the rest of the request; recorded as read
    by a page being stored, as `reads()` does. {} when the generations' table is missing."""
    reads(request, *names)
    known = getattr(request, _KNOWN, None)
    if known is None:
        known = {}
        setattr(request, _KNOWN, known)
    if missing := [name for name in (*names, EPOCH) if name not in known]:
        # With those this address read last time (`assembled`), in the same query: read earlier than
        # needed is still read before the data (at worst a write in between renders the part anew).
        hinted = [name for name in _HINTS.get(request.path, ()) if name not in known and name not in missing]
        known.update(values(missing + hinted))
    if EPOCH not in known:
        return {}
    return {name: known[name] for name in (*names, EPOCH)}


class _Hints(OrderedDict):
    """The generations each address's kept part read last (the most recent `limit` addresses), asked
    for with the first generations a request reads: a commitment's page reads its thread's in the same
    query as the site's."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit, self.lock = limit, threading.Lock()

    def remember(self, path: str, names) -> None:
        names = tuple(sorted(names))
        with self.lock:
            if self.get(path) != names:
                self[path] = names
                while len(self) > self.limit:
                    self.popitem(last=False)


_HINTS = _Hints(limit=4096)


def fragment(request, name: str, render, *, reads: tuple[str, ...]) -> SafeString:
    """A part of a page that is the same for every visitor it is asked for (the caller decides who
    shares it: e.g. every visitor who sees only public commitments), kept in the cache under the values
    of the generations `reads` names, read *before* `render()` reads its data: like a page, it is never
    served stale, and pages rendered for signed-in visitors or with the page cache off reuse it.

    `name` says what it is and of which object, with anything else it depends on (a template version);
    the key adds the language, the portal's date and the epoch. `render()` must read nothing but what
    `reads` covers: a fragment whose rendering names another generation (`reads(request, ...)`) is not
    stored. A moment at which it changes (`changes_at`) is kept with it and given to the page on each
    use, and ends its life in the cache. settings.COCREA_FRAGMENT_CACHE = False renders each time."""
    html = shared_value(request, f"html:{name}", lambda: str(render()), reads=reads)
    return mark_safe(html)  # noqa: S308 rendered by the templates, escaped there


def shared_value(request, name: str, compute, *, reads: tuple[str, ...]):
    """`fragment` for any value that pickles (what `compute()` returns), on the same terms."""
    if not settings.COCREA_FRAGMENT_CACHE:
        return compute()
    seen = current(request, *reads)
    if not seen:
        return compute()
    stamp = ",".join(f"{k}={v}" for k, v in sorted(seen.items()))
    digest = hashlib.sha256(f"{name}|{stamp}".encode()).hexdigest()
    key = f"fragment:{translation.get_language()}:{clock.today().isoformat()}:{digest}"
    if (stored := cache.get(key)) is not None:
        value, moment = stored
        changes_at(request, moment)
        return value
    page_changes = getattr(request, _CHANGES_AT, None)
    setattr(request, _CHANGES_AT, None)
    page_reads = getattr(request, _READS, None)
    read_before = set(page_reads or ())
    holes = getattr(request, _HOLES, (None, []))[1]
    holes_before = len(holes)
    try:
        value = compute()
        moment = getattr(request, _CHANGES_AT, None)
    finally:
        setattr(request, _CHANGES_AT, page_changes)
    changes_at(request, moment)
    if page_reads is not None and set(page_reads) - read_before - set(reads):
        return value  # it read more than its key holds: not stored
    if len(holes) != holes_before:
        return value  # it holds holes of the part being rendered (`assembled`): only that part keeps them
    if (timeout := _timeout_until(moment)) > 0:
        cache.set(key, (value, moment), timeout)
    return value


def shared_values(request, name: str, generations: dict, compute) -> dict:
    """`shared_value` for many objects at once, each kept under its own generation: `generations` maps
    each object's key to the generation its value depends on; `compute(keys)` returns the values of
    those not kept, every one of them (one call for all). One query for the generations (with those
    this request read already), one cache round trip each way: a write moves one object's generation and
    only its value is computed again. The page reads each generation, kept or not."""
    seen = current(request, *generations.values()) if settings.COCREA_FRAGMENT_CACHE else {}
    if not seen:
        reads(request, *generations.values())
        return compute(list(generations))
    stamp = f"{translation.get_language()}:{clock.today().isoformat()}:{seen[EPOCH]}"
    keys = {each: f"values:{name}:{each}:{seen[g]}:{stamp}" for each, g in generations.items()}
    stored = cache.get_many(list(keys.values()))
    found = {each: stored[k] for each, k in keys.items() if k in stored}
    if missing := [each for each in generations if each not in found]:
        computed = compute(missing)
        found.update(computed)
        cache.set_many({keys[each]: computed[each] for each in missing}, MAX_AGE)
    return found


# --- Parts with holes --------------------------------------------------------------------------------
# A part of a page can be the same for a class of visitors but for a few places: the CSRF token of its
# forms, a signed-in visitor's support of a proposal, their own comments and marks on a thread.
# `assembled` keeps such a part in the cache with those places left as holes, and fills them on each use
# for this request, with what the app that made the hole registered (`holes.fill`): paga names none of
# them, and the rendering of everything around them is done once per generation.

HOLES: dict[str, Callable] = {}  # kind -> fill(request, data) -> HTML, registered by the apps
_HOLES = "_cocrea_page_holes"  # (nonce, [(kind, data)]) while a part with holes is being rendered
# A kept part's forms carry CSRF_PLACEHOLDER as their token (`{% csrf_token %}` with it in the context,
# as the form pages above); each use puts this visitor's in its place. Only the whole hidden field is
# replaced: text a page shows is escaped, its quotes could never make one.
_CSRF_FIELD = f'name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}"'


def fills(kind: str):
    """Register `function(request, data)` as what fills the holes of `kind` (an app's `ready()` or
    module import): it returns this request's HTML for the place, escaped."""

    def register(function):
        HOLES[kind] = function
        return function

    return register


def hole(request, kind: str, data=None) -> SafeString:
    """Where a part kept by `assembled` is being rendered, a marker for a place each use fills with
    `HOLES[kind](request, data)` (`data` is kept with the part: anything that pickles); anywhere else,
    that HTML at once. The marker holds a random nonce of this rendering: nothing the part shows (a
    comment's text) can forge one."""
    recording = getattr(request, _HOLES, None)
    if recording is None:
        _apps_holes()
        return mark_safe(HOLES[kind](request, data))  # noqa: S308 (the fillers escape)
    nonce, found = recording
    found.append((kind, data))
    return mark_safe(f"\x00{nonce}:{len(found) - 1}\x00")  # noqa: S308 (no markup)


def holes_open(request) -> bool:
    """Whether a part with holes is being rendered for this request: what differs per visitor must be
    left as a hole (`hole`), not rendered."""
    return getattr(request, _HOLES, None) is not None


@functools.cache
def _apps_holes() -> None:
    """Import each app's `holes` module, where its fillers register (paga/registry.py app_modules)."""
    from . import registry

    for _module in registry.app_modules("holes", paga="paga.holes"):
        pass


def _with_token(request, html: str) -> SafeString:
    """The part with this visitor's CSRF token in its forms (a part without a form sets no cookie)."""
    if _CSRF_FIELD in html:  # get_token has the middleware set the cookie when it has to
        html = html.replace(_CSRF_FIELD, f'name="csrfmiddlewaretoken" value="{get_token(request)}"')
    return mark_safe(html)  # noqa: S308 rendered by the templates and the fillers, escaped there


def render_kept(request, template: str, context: dict) -> str:
    """A whole page rendered for a part kept for everyone (`assembled`): with the context processors (the
    plan, the language, the date) but nothing of the visitor: `{% csrf_token %}` renders the placeholder,
    `user` and `perms` are not there, and base.html leaves the account menu and the messages as holes
    (paga/holes.py)."""
    context = {**context, "csrf_token": CSRF_PLACEHOLDER, "user": None, "perms": None}
    return render_to_string(template, context, request=request)


def kept_page(request, template: str, context: Callable[[], dict]):
    """The response of a page that shows every visitor the same (the view has decided so: nothing in
    `context()` depends on who asks), kept whole for all of them (`assembled`, under the address asked and
    the generations the view's `public_page(reads=)` declares, "*" without it): signed in or not, page
    cache on or off, the page is rendered once per generation; the account menu, the messages and the
    CSRF token are its holes.
    `context()` runs only when the page is rendered, so what it reads and the moments it names
    (`changes_at`) are recorded for the kept page."""

    def compute() -> dict[str, str]:
        return {"page": render_kept(request, template, context())}

    name = f"kept-page:{template}:{request.build_absolute_uri()}"
    reads = getattr(request, _DECLARED, (EVERYTHING,))
    return HttpResponse(assembled(request, name, compute, reads=reads)["page"])


def _fill(request, segments: tuple) -> SafeString:
    _apps_holes()
    html = "".join(part if isinstance(part, str) else HOLES[part[0]](request, part[1]) for part in segments)
    return _with_token(request, html)


def _part_size(stored: tuple) -> int:
    return sum(len(p) for segments in stored[2].values() for p in segments if isinstance(p, str))


# The parts this process used last (`assembled`), up to 32 MB of HTML: checked like the shared cache's (the
# generations they read, their moment), they save the round trip to Redis and the unpickling of a page's
# worth of HTML on each use. Never stale for the same reason as the shared copy.
_LOCAL = Recent(limit=32 * 1024 * 1024, size=_part_size)
ON_CLEAR.append(_HINTS.clear)


@functools.cache
def code_version() -> str:
    """A digest of the project's templates (the engines' directories) and of its apps' Python sources: a
    deploy that changes any of them never reuses a part kept before it (`assembled`: what its holes hold
    is made by the code)."""
    digest = hashlib.blake2b(digest_size=8)
    roots = [(Path(d), "*") for e in engines.all() for d in getattr(getattr(e, "engine", None), "dirs", ())]
    roots += [
        (Path(config.path), "*.py")
        for config in apps.get_app_configs()
        if config.label in settings.COCREA_CONTENT_APPS
    ]
    for root, pattern in roots:
        for path in sorted(root.rglob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _usable(request, stored) -> bool:
    """A kept part whose generations keep the values it read (with the epoch: a rebuilt database never
    matches), before the moment it changes."""
    if stored is None:
        return False
    read, moment, _parts = stored
    return current(request, *read) == read and (moment is None or clock.now() < moment)


_KEPT_READS = "_cocrea_kept_reads"  # the generations read by this request's kept parts


def _remember(request, read) -> None:
    """The generations this address's kept parts read (a part filling another's hole reads its own):
    asked for in the next request's first generations query (`current`)."""
    names = request.__dict__.setdefault(_KEPT_READS, set())
    names.update(read)
    _HINTS.remember(request.path, names)


def assembled(request, name: str, compute, *, reads: tuple[str, ...]) -> dict[str, SafeString]:
    """Parts of a page, as `compute()` returns them (a dict of names to HTML, rendered without this
    visitor: what differs per visitor is a `hole`), kept in the cache like a page: under `name` (with
    the language and the portal's date), with the values of the generations read while rendering them
    (`reads` first, then each one the rendering names with `reads()`, `current()`, a `fragment`), and
    used while each keeps its value (one query for those this request has not read yet), until the
    moment they change (`changes_at`) or a deploy changes the code (`code_version`). Each use fills the
    holes for this request. Never stale, as a page.
    settings.COCREA_FRAGMENT_CACHE = False: rendered each time, holes filled at once."""
    if holes_open(request):  # inside another kept part: that one fills them
        return compute()
    seen = current(request, *reads) if settings.COCREA_FRAGMENT_CACHE else {}
    if not seen:  # not kept (or the generations' table is missing): holes filled at once, and the token
        return {part: _with_token(request, str(html)) for part, html in compute().items()}
    digest = hashlib.sha256(f"{code_version()}|{name}".encode()).hexdigest()
    key = f"assembled:{translation.get_language()}:{clock.today().isoformat()}:{digest}"
    stored = _LOCAL.get(key)  # this process's copy first, then the shared one (another may be newer)
    if not _usable(request, stored):
        stored = cache.get(key)
    if _usable(request, stored):
        read, moment, parts = stored
        changes_at(request, moment)
        _LOCAL.keep(key, stored)
        _remember(request, read)
        return {part: _fill(request, segments) for part, segments in parts.items()}
    outer_reads, outer_changes = getattr(request, _READS, None), getattr(request, _CHANGES_AT, None)
    recorded = dict(seen)
    nonce = secrets.token_hex(8)
    found: list[tuple[str, object]] = []
    setattr(request, _READS, recorded)
    setattr(request, _CHANGES_AT, None)
    setattr(request, _HOLES, (nonce, found))
    try:
        rendered = compute()
        moment = getattr(request, _CHANGES_AT, None)
    finally:
        setattr(request, _READS, outer_reads)
        setattr(request, _CHANGES_AT, outer_changes)
        delattr(request, _HOLES)
    if outer_reads is not None:  # a page being stored read what its part read
        outer_reads.update(recorded)
    changes_at(request, moment)
    marker = re.compile(f"\x00{nonce}:(\\d+)\x00")
    parts = {}
    for part, html in rendered.items():
        pieces = marker.split(str(html))  # text, hole number, text, ...
        parts[part] = tuple(p if i % 2 == 0 else found[int(p)] for i, p in enumerate(pieces))
    if (timeout := _timeout_until(moment)) > 0:
        cache.set(key, (recorded, moment, parts), timeout)
        _LOCAL.keep(key, (recorded, moment, parts))
        _remember(request, recorded)
    return {part: _fill(request, segments) for part, segments in parts.items()}


# The pages this process served last, up to 16 MB: a hit then costs the generations' query alone, not also
# the round trip to Redis for the page (345 KB for a page of the 500-comment thread). Checked like the
# shared copy (the generations it read, with the epoch) and dropped when the shared copy expires (its
# entry holds that moment: a page that changes at 9:00 is not served from here at 9:00).
_PAGES = Recent(limit=16 * 1024 * 1024, size=lambda kept: len(kept[1]))


def _still(read: dict[str, int], known: dict[str, int]) -> bool:
    """Every generation a stored page read keeps the value it had."""
    return all(known.get(name) == value for name, value in read.items())


def _shared_page(key: str):
    """The shared copy; one stored before its entry held its expiry (a deploy ago) is not one."""
    stored = cache.get(key)
    return stored if isinstance(stored, tuple) and len(stored) == 4 else None


def _local_page(key: str):
    kept = _PAGES.get(key)
    return kept if kept is not None and time.time() < kept[3] else None


def public_page(view=None, *, form: bool = False, reads: tuple[str, ...] | None = None):
    """Serve `view` from the cache to anonymous visitors (see the module's docstring). `form=True`: a
    page whose only per-visitor content is the CSRF token of its form. `reads`: the generations the page
    reads before any other it names while rendering (`reads()`); None: "*", every content write."""
    if view is None:
        return functools.partial(public_page, form=form, reads=reads)
    first = (EVERYTHING,) if reads is None else tuple(reads)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        setattr(request, _DECLARED, first)  # for the parts the view keeps (`kept_page`), whoever asks
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        mine = _local_page(key)  # this process's copy first (no round trip to Redis), else the shared one
        stored = mine or _shared_page(key)
        # One query: what the stored page read, and what this page reads first (read before the view
        # reads anything, so a write committed after this moment is seen by the next request).
        known = values([*first, *(stored[0] if stored else ())])
        if not known:  # the generations' table is missing: render, store nothing
            return view(request, *args, **kwargs)
        if mine is not None and not _still(mine[0], known):  # another process may have stored it since
            shared = _shared_page(key)
            stored = shared if shared is not None and shared[0].keys() <= known.keys() else None
        if stored is not None and _still(stored[0], known):
            _read, content, headers, _expires = stored
            if stored is not mine:
                _PAGES.keep(key, stored)
            if form:  # this visitor's token (get_token has the middleware set the cookie if needed)
                content = content.replace(_CSRF_PLACEHOLDER, get_token(request).encode())
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        setattr(request, _KNOWN, known)
        setattr(request, _READS, {name: known[name] for name in (EPOCH, *first)})
        response = view(request, *args, **kwargs)
        if _cacheable_response(request, response, form=form) and (timeout := _timeout(request)) > 0:
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # template responses read their data now: reads() still records
            read = getattr(request, _READS)
            content = _form_content(response.content) if form else response.content
            if content is not None:
                stored = (read, content, list(response.items()), time.time() + timeout)
                cache.set(key, stored, timeout)
                _PAGES.keep(key, stored)
        return response

    wrapper.public_page = True
    return wrapper
