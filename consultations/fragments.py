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

import functools
import hashlib

from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from . import markdown
from .threads import Entry

TEMPLATE = "consultations/_contribution.html"
TIMEOUT = 24 * 3600  # an upper bound on memory, not on freshness (the key holds the content)


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
        c.text,
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


def render(entries: list[Entry], *, user) -> None:
    """Give every entry of the thread (replies included) its HTML as `entry.html`: from the cache where
    its signature is known, rendered (and stored) otherwise. One cache round trip each way."""
    everything = _flatten(entries)
    if not everything:
        return
    authenticated = bool(user and user.is_authenticated)
    keys = {id(e): f"contribution:{signature(e, authenticated=authenticated)}" for e in everything}
    stored = cache.get_many(list(keys.values()))
    fresh = {}
    for entry in everything:
        key = keys[id(entry)]
        html = stored.get(key)
        if html is None:
            html = render_to_string(TEMPLATE, {"entry": entry, "user": user, "no_actions": False})
            fresh[key] = html
        entry.html = mark_safe(html) if not isinstance(html, SafeString) else html  # noqa: S308 (our template)
    if fresh:
        cache.set_many(fresh, TIMEOUT)
