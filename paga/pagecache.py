"""Public pages for anonymous visitors, rendered once and served from the cache, never stale.

Most visitors of a consultation arrive signed out, on a phone, and read: rendering a proposal with 500
comments for each of them is wasted work. `public_page` keeps the rendered response in the cache under a
key that holds the *content generation*: a counter in one database row that every write to a public
table moves, in the writer's own transaction.

- The counter is moved by database triggers, not by Python code, so nothing can forget it: the ORM,
  `bulk_create`, `QuerySet.update()`, the admin and raw SQL all move it. Triggers are installed after
  every `migrate` (`install`, connected to `post_migrate`) on every table of the project's apps
  (settings.COCREA_CONTENT_APPS), except models that say `content_generation = False` (the outbox,
  consent records: never on a public page). A model may narrow updates to the columns pages show with
  `content_columns` (the user's display name, not `last_login`).
- On PostgreSQL the trigger is a deferred constraint trigger: the counter row is updated at commit time,
  after every other lock the transaction took, so it cannot deadlock with row locks taken in services;
  a transaction bumps it once (a transaction-local setting). SQLite writers are serialised anyway.
- A request reads the counter *before* anything else (one query). A write committed before that read is
  visible to the page; a write committed after it moves the counter, so the next request misses the
  cache and renders again. A page cached under an old counter is only ever served to requests that read
  that old counter, which started before the write committed.
- The key holds the scheme, host, path and query asked for (a calendar's UIDs and links name the host),
  the language and the content generation.
- Time changes pages too (the stage open today, a consultation that opens at 9:00): the key holds the
  date of the portal's clock (Lima's, or COCREA_AS_OF: paga/clock.py), and a view that shows something
  changing at a moment calls `changes_at(request, moment)`; the entry expires then, or at midnight.

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
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, models
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from . import clock

# The counter's table (not a model: `flush` between tests must not reset it). Named literally in the SQL.
TABLE = "paga_contentgeneration"
MAX_AGE = 600  # seconds: an upper bound on memory use, not a freshness rule (freshness is exact)
_CHANGES_AT = "_cocrea_page_changes_at"
# The hidden input `{% csrf_token %}` renders (a masked token: 64 letters and digits), and what stands
# for its value in a stored form page. The placeholder cannot occur in HTML the templates escape.
_CSRF_INPUT = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
_CSRF_PLACEHOLDER = b"\x00cocrea-csrf\x00"


# --- The counter ------------------------------------------------------------------------------------


def _ensure_row(cursor) -> None:
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS paga_contentgeneration (id integer PRIMARY KEY, value bigint NOT NULL)"
    )
    # A fresh row starts from the clock, so a database rebuilt from scratch never reuses old keys.
    cursor.execute(
        "INSERT INTO paga_contentgeneration (id, value) VALUES (1, %s) ON CONFLICT (id) DO NOTHING",
        [time.time_ns()],
    )


def generation() -> int | None:
    """The current content generation (None if its row is missing: the page is then not cached)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM paga_contentgeneration WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


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


def _trigger_name(table: str) -> str:
    return f"cocrea_gen_{table}"[:63]


def _update_clause(model) -> str:
    columns = getattr(model, "content_columns", None)
    if not columns:
        return "UPDATE"
    names = [model._meta.get_field(name).column for name in columns]
    return "UPDATE OF " + ", ".join(connection.ops.quote_name(n) for n in names)


POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION cocrea_bump_generation() RETURNS trigger AS $$
BEGIN
    IF current_setting('cocrea.generation_bumped', true) IS DISTINCT FROM 'on' THEN
        UPDATE paga_contentgeneration SET value = value + 1 WHERE id = 1;
        PERFORM set_config('cocrea.generation_bumped', 'on', true);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def install_after_migrate(sender, using: str = "default", **kwargs) -> None:
    install(using)


def install(using: str = "default") -> int:
    """Create the counter and (re)create one trigger per content table. Returns the number of tables."""
    from django.db import connections

    conn = connections[using]
    tables = []
    with conn.cursor() as cursor:
        _ensure_row(cursor)
        existing = set(conn.introspection.table_names(cursor))
        if conn.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
        for model in content_models():
            table = model._meta.db_table
            if table not in existing:
                continue
            tables.append(table)
            name, quoted = _trigger_name(table), conn.ops.quote_name(table)
            if conn.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {quoted}")
                cursor.execute(
                    f"CREATE CONSTRAINT TRIGGER {name} AFTER INSERT OR DELETE OR {_update_clause(model)} "
                    f"ON {quoted} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                    "EXECUTE FUNCTION cocrea_bump_generation()"
                )
            elif conn.vendor == "sqlite":
                bump = "BEGIN UPDATE paga_contentgeneration SET value = value + 1 WHERE id = 1; END"
                for event, clause in (("i", "INSERT"), ("u", _update_clause(model)), ("d", "DELETE")):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")
                    cursor.execute(f"CREATE TRIGGER {name}_{event} AFTER {clause} ON {quoted} {bump}")
            else:  # pragma: no cover - the portal runs on PostgreSQL or SQLite only
                raise NotImplementedError(conn.vendor)
    return len(tables)


def installed_tables(using: str = "default") -> set[str]:
    """Tables that carry a generation trigger (for the test that every content table has one)."""
    from django.db import connections

    conn = connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE 'cocrea_gen_%%'"
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE 'cocrea_gen_%'"
            )
        return {row[0] for row in cursor.fetchall()}


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


def _key(request, counter: int) -> str:
    """Scheme and host are part of it: a page's absolute links and a calendar's UIDs name them."""
    path = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"page:{counter}:{translation.get_language()}:{clock.today().isoformat()}:{path}"


def _timeout(request) -> int:
    """Until the page changes, at most MAX_AGE, and never past midnight: a simulated day (COCREA_AS_OF)
    starts again at each real midnight (paga/clock.py), under the same key."""
    now = clock.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    moment = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))
    if (changes := getattr(request, _CHANGES_AT, None)) is not None:
        moment = min(moment, changes)
    return max(0, min(MAX_AGE, int((moment - now).total_seconds())))


def public_page(view=None, *, form: bool = False):
    """Serve `view` from the cache to anonymous visitors (see the module's docstring). `form=True`: a
    page whose only per-visitor content is the CSRF token of its form."""
    if view is None:
        return functools.partial(public_page, form=form)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        counter = generation()
        if counter is None:
            return view(request, *args, **kwargs)
        key = _key(request, counter)
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            if form:  # this visitor's token (get_token has the middleware set the cookie if needed)
                content = content.replace(_CSRF_PLACEHOLDER, get_token(request).encode())
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if _cacheable_response(request, response, form=form) and (timeout := _timeout(request)) > 0:
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            content = _form_content(response.content) if form else response.content
            if content is not None:
                cache.set(key, (content, list(response.items())), timeout)
        return response

    wrapper.public_page = True
    return wrapper
