"""Rendered contributions, kept in the cache under a key made of everything they show.

A proposal with 500 comments shows 250 of them on a page; rendering each through the template costs
about a millisecond, a third of a second in all, for every signed-in visitor (anonymous visitors get
the whole page from paga/pagecache.py). A contribution's HTML depends only on what it shows: its own
fields, its author's public name, its published response, its support count, the visitor's relation
to it (author, supporter, reporter, staff who may read it hidden) and the language. `signature`
hashes exactly those into the cache key, so a changed contribution gets a new key and can never be
served stale, and people in the same relation to a comment share its rendering.

What differs per visitor and is not in the key stays out of the fragment: the CSRF token (the support
buttons submit one form placed once in the thread, through the `form` attribute).
"""

from __future__ import annotations

import datetime
import functools
import hashlib

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from paga import clock, pagecache
from paga.cache import Recent

from . import markdown, threads
from .models import Contribution, Flag, Support
from .threads import Entry

TEMPLATE = "consultations/_contribution.html"
TIMEOUT = 24 * 3600  # an upper bound on memory, not on freshness (the key holds the content)
# The renderings this process used last (16 MB of HTML), asked for before Redis: a key names everything
# its HTML shows, so a copy is never stale; rebuilding a page of a thread after a comment then reads
# one fragment from Redis, not 250.
_RECENT = Recent(limit=16 * 1024 * 1024)


@functools.cache
def template_version() -> str:
    """A digest of the template's source: a deployed change of the markup renders everything anew."""
    source = get_template(TEMPLATE).template.source
    return hashlib.blake2b(source.encode(), digest_size=8).hexdigest()


def signature(entry: Entry, *, authenticated: bool) -> str:
    """Everything the template shows of `entry` to this visitor, as one digest (read from the entry,
    where threads.Entry computed it once)."""
    c = entry.contribution
    response = entry.response
    version = entry.version
    on = entry.on
    parts = (
        template_version(),
        markdown.VERSION,
        translation.get_language(),
        authenticated,
        c.pk,
        str(entry.text_html),  # what it shows of the text: as stored by the current renderer, or rendered
        c.edited,
        c.state,
        c.hidden_reason,
        c.channel,
        c.created,
        c.received_on,
        c.section,
        c.stance,
        c.category,
        entry.author_name,
        entry.entity_name,
        entry.n_supports,
        entry.i_support,
        entry.i_flagged,
        (on.pk, on.title, entry.on_url) if on else None,
        entry.readable,
        entry.may_reply,
        entry.may_support,
        entry.may_edit,
        entry.is_own,
        (response.pk, response.disposition, response.reason, response.duplicate_of_id) if response else None,
        (version.pk, version.number, str(version.commitment), entry.version_url) if version else None,
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _flatten(entries: list[Entry]) -> list[Entry]:
    found = []
    for entry in entries:
        found.append(entry)
        found += _flatten(entry.replies)
    return found


def render(entries: list[Entry], *, user, authenticated: bool | None = None) -> None:
    """Give every entry of the thread (replies included) its HTML as `entry.html`: from the cache where
    its signature is known (this process's copy, else Redis), rendered (and stored) otherwise. At most one
    cache round trip each way.
    `authenticated`: render as a signed-in visitor would see entries made for `user` (thread_page's
    signed-in rendering of what is the same for everyone is made with entries of nobody in particular)."""
    everything = _flatten(entries)
    if not everything:
        return
    if authenticated is None:
        authenticated = bool(user and user.is_authenticated)
    else:
        user = {"is_authenticated": authenticated}  # all the template reads of the visitor
    keys = {id(e): f"contribution:{signature(e, authenticated=authenticated)}" for e in everything}
    stored = {key: html for key in keys.values() if (html := _RECENT.get(key)) is not None}
    if missing := [key for key in keys.values() if key not in stored]:
        stored.update(cache.get_many(missing))
    fresh = {}
    for entry in everything:
        key = keys[id(entry)]
        html = stored.get(key)
        if html is None:
            html = render_to_string(TEMPLATE, {"entry": entry, "user": user, "no_actions": False})
            fresh[key] = html
        _RECENT.keep(key, html)
        entry.html = mark_safe(html) if not isinstance(html, SafeString) else html  # noqa: S308 (our template)
    if fresh:
        cache.set_many(fresh, TIMEOUT)


# --- A page of a thread, as everyone sees it, then as this visitor sees it ----------------------------
# A page of a thread shows 250 contributions; what it shows is the same for every visitor but for the
# visitor's own marks: their comments (edit link, no support or report button, the text of one hidden),
# the comments they support or reported, and, for staff, the text of hidden ones. `thread_page` keeps
# the page as nobody in particular sees it (signed out, or signed in: the support button differs; one
# key each, each built when first asked for) in the cache, under a key made of the generations that
# cover it (paga/pagecache.py: the thread's, and "site" for the names of authors, organisations,
# proposals and versions, and the consultations' windows), and renders again, for this visitor, only
# the contributions they have a mark on.
# Queries: the generations (one); for a signed-in visitor, what they support or reported on that page
# (one) and, when they have any mark there, those rows (one); on a miss, the page of the thread (one).
# A stored page is plain tuples (it is read on every request: no objects to rebuild):
#   (nodes, total, page, until), a node: (pk, author_id, hidden, html, replies)
# `until`: a consultation of its rows opens or closes then (reply and support buttons): stale after.


def _until(entries: list[Entry], now) -> datetime.datetime | None:
    moments = {threads.next_change(e.contribution.consultation, now) for e in _flatten(entries)}
    moments.discard(None)
    return min(moments, default=None)


def _nodes(entries: list[Entry], html: dict[int, str]) -> tuple:
    return tuple(
        (e.pk, e.contribution.author_id, e.contribution.is_hidden, str(html[e.pk]), _nodes(e.replies, html))
        for e in entries
    )


def _build(build, *, now, authenticated: bool) -> tuple:
    """The page as nobody in particular sees it, signed out or signed in."""
    thread = build(AnonymousUser())
    render(thread.entries, user=None, authenticated=authenticated)
    html = {e.pk: e.html for e in _flatten(thread.entries)}
    return _nodes(thread.entries, html), thread.total, thread.page, _until(thread.entries, now)


def _walk(nodes: tuple):
    for node in nodes:
        yield node
        yield from _walk(node[4])


SUPPORT, REPORT = "support", "report"


def _marked(walked: list, *, user, own, others, now, item=None) -> tuple[dict[int, str], tuple[bool, bool]]:
    """The HTML of the contributions of the page this visitor has a mark on, rendered for them: their
    own and, when they may read another's hidden text (staff), the hidden ones (both known from the
    stored page), and those they support or reported (one light query, which also asks whether they
    support and follow `item`, the proposal the thread is about: threads.item_mark_rows); then their rows
    (one more query, only when there is any). With the item's two marks."""
    parts = threads.item_mark_rows(item, user) if item is not None else []
    pks = [node[0] for node in walked]
    if pks:
        # Between the page's first and last pk (not a list of 250 parameters to compile), kept if on it.
        for model, kind in ((Support, SUPPORT), (Flag, REPORT)):
            meta = model._meta
            column, person = meta.get_field("contribution").column, meta.get_field("user").column
            where = f"{person} = %s AND {column} BETWEEN %s AND %s"
            sql = f"SELECT {column}, %s FROM {meta.db_table} WHERE {where}"  # noqa: S608 (the model's names)
            parts.append((sql, [kind, user.pk, min(pks), max(pks)]))
    found = threads.mark_rows(parts)
    kinds = {kind for _pk, kind in found}
    on_item = (threads.ITEM_SUPPORT in kinds, threads.ITEM_FOLLOW in kinds)
    if not walked:
        return {}, on_item
    staff = False
    if any(hidden for _pk, _author, hidden in walked):  # asked only when the page has any
        anothers_hidden = Contribution(state=Contribution.State.HIDDEN, author_id=None)
        staff = user.has_perm("consultations.view_contribution", anothers_hidden)  # rules.py
    me = user.pk  # (once: the request's user is a lazy object, each attribute a call)
    marked = {pk for pk, author_id, hidden in walked if author_id == me or (hidden and staff)}
    on_page = set(pks)
    mine = [(pk, kind) for pk, kind in found if kind in (SUPPORT, REPORT) and pk in on_page]
    marked.update(pk for pk, _ in mine)
    if not marked:
        return {}, on_item
    # Their rows, without a subquery for the visitor (their supports and reports are known now).
    rows = threads.contribution_rows(scope=threads.Scope.equal(id=sorted(marked)))
    supports = {pk for pk, kind in mine if kind == SUPPORT}
    reports = {pk for pk, kind in mine if kind == REPORT}
    make = threads.Entries(user=user, now=now, own=own, others=others)
    entries = []
    for row in rows:
        row.i_support, row.i_flagged = row.pk in supports, row.pk in reports
        entries.append(make(row))
    render(entries, user=user)
    return {e.pk: e.html for e in entries}, on_item


def _visible(nodes: tuple) -> list[tuple[int, int | None, bool]]:
    """Each contribution of the page, replies included: (pk, author's pk, hidden), as `_marked` reads them."""
    return [(node[0], node[1], node[2]) for node in _walk(nodes)]


def joined(nodes: tuple) -> tuple[str, tuple]:
    """The page's HTML as `_html(nodes, {})` makes it, with where each contribution's own HTML lies in it:
    (pk, author's pk, hidden, start, end), in order. A visitor's marks then replace a few slices
    (`spliced`) instead of joining the whole page again."""
    pieces, spans, size = [], [], 0

    def add(text: str) -> None:
        nonlocal size
        pieces.append(text)
        size += len(text)

    def walk(nodes: tuple) -> None:
        for pk, author_id, hidden, html, replies in nodes:
            add("<li>")
            spans.append((pk, author_id, hidden, size, size + len(html)))
            add(html)
            if replies:
                add('\n<ol class="replies">')
                walk(replies)
                add("</ol>")
            add("</li>")

    walk(nodes)
    return "".join(pieces), tuple(spans)


def spliced(html: str, spans: tuple, marked: dict[int, str]) -> str:
    """`html` (from `joined`) with the contributions in `marked` replaced by their HTML there."""
    if not marked:
        return html
    pieces, at = [], 0
    for pk, _author, _hidden, start, end in spans:
        if pk in marked:
            pieces += [html[at:start], marked[pk]]
            at = end
    pieces.append(html[at:])
    return "".join(pieces)


def _html(nodes: tuple, marked: dict[int, str]) -> str:
    return "".join(
        "<li>"
        + marked.get(pk, html)
        + (f'\n<ol class="replies">{_html(replies, marked)}</ol>' if replies else "")
        + "</li>"
        for pk, _author, _hidden, html, replies in nodes
    )


def thread_page(
    *,
    build,
    names,
    ident,
    user,
    page: int,
    own=None,
    others=(),
    read_only: bool = True,
    generations=None,
    item=None,
    marks: bool = True,
) -> threads.Thread:
    """A page of a thread for `user`, with its HTML as `thread.html` (the items of its list). `build(user)`
    makes the page from the database (threads.commitment_thread...); `names`, the generations of what the
    thread's rows are (paga/pagecache.py, read first); `ident`, what else the page depends on (the items
    whose comments it shows, with their state and title: a proposal that stops taking part loses its
    reply buttons). `read_only`: the request writes nothing (GET, HEAD). `generations()`, when given,
    returns the values of the site's generation and `names`' (the caller's request may have read some).
    `item`: the proposal the thread is about, whose support and follow by a signed-in visitor come with
    their marks on the page (`thread.item_marks`). `marks=False`: the page as a signed-in visitor with no
    mark on it sees it (the forum tag leaves the visitor's marks as holes: consultations/holes.py).

    Only a read-only request outside a transaction (autocommit, as a GET is served) reads or stores a page:
    inside one, this transaction's own writes are not in the generations yet (PostgreSQL moves them at
    commit) and a page of a transaction rolled back must never be stored. Then the page is built as it
    always was (one query, everything rendered for this visitor, the fragments still from their cache)."""
    now = clock.now()
    authenticated = bool(user and user.is_authenticated)
    if not read_only or connection.in_atomic_block:
        thread = build(user)
        render(thread.entries, user=user)
        html = {e.pk: e.html for e in _flatten(thread.entries)}
        thread.html = mark_safe(_html(_nodes(thread.entries, html), {}))  # noqa: S308 (our fragments)
        if item is not None and authenticated:
            thread.item_marks = threads.item_marks(item, user)
        return thread
    # The site's and `names`' values: `generations()` when given (pagecache.current: those this request
    # read already are not asked for again), else in one query.
    generations = generations() if generations else pagecache.values([pagecache.SITE, *names])
    parts = (template_version(), markdown.VERSION, translation.get_language(), ident, page, generations)
    key = "threadpage:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    key = f"{key}:{int(authenticated)}"  # each kept as it is first asked for (a write: each built once)
    stored = cache.get(key) if generations else None
    if stored is None or (stored[3] is not None and now >= stored[3]):
        stored = _build(build, now=now, authenticated=authenticated)
        if generations:  # the generations' table is there: the key names what the page is made of
            cache.set(key, stored, TIMEOUT)
    nodes, total, shown, _until = stored
    marked, on_item = {}, (False, False)
    if authenticated and marks:
        marked, on_item = _marked(_visible(nodes), user=user, own=own, others=others, now=now, item=item)
    html = mark_safe(_html(nodes, marked))  # noqa: S308 (our fragments, rendered from our template)
    return threads.Thread(entries=list(nodes), total=total, page=shown, html=html, item_marks=on_item)
