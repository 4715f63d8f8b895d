"""The small Markdown subset people may use in contributions, rendered safe.

Two layers: markdown-it with raw HTML off and only paragraphs, emphasis, strong, links, lists, block
quotes and code enabled (no images, no headings, no tables); then nh3 (ammonia) with an allow-list of
tags and attributes, links limited to http, https and mailto and given rel="nofollow ugc noopener".
Raw HTML typed by a person is shown as text, never interpreted; a `javascript:` link in any spelling
(case, entities, percent-encoding) never survives: relative URLs are dropped too.
"""

from __future__ import annotations

from importlib.metadata import version as package_version

import markdown_it
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

# Rules of the "commonmark" preset left on: block (paragraph, list, blockquote, code, fence) and inline
# (emphasis, links, autolinks, code spans, escapes, line breaks). Everything else is off.
_DISABLED = [
    "heading",
    "lheading",
    "hr",
    "html_block",
    "html_inline",
    "image",
    "reference",
    "table",
    "strikethrough",
]


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(_DISABLED, ignoreInvalid=True)
    return md


_MD = _parser()

# The renderer that made a stored `Contribution.text_html`: this module's rules (raise RULES when the
# subset, the allow-lists or the options above change) and the two libraries' versions, so that an
# upgrade of either renders every stored text anew (`manage.py render_contributions`; until then a row
# of another version is rendered when read, never shown as stored).
RULES = 1
VERSION = f"{RULES}:markdown-it-py {markdown_it.__version__}:nh3 {package_version('nh3')}"


def render(text: str) -> SafeString:
    """`text` (as the person typed it) as safe HTML of the allowed subset."""
    html = _MD.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        url_relative="deny",  # "%6Aavascript:" and friends are relative URLs: dropped
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 with an allow-list just above


def stored_fields(text: str) -> dict[str, str]:
    """The columns a contribution stores beside its `text` (services write them with the text)."""
    return {"text_html": str(render(text)), "text_html_version": VERSION}


def html_of(contribution) -> SafeString:
    """A contribution's text as safe HTML: as stored when the current renderer made it, else rendered
    now (a row written before it, or straight to the table)."""
    if contribution.text_html_version == VERSION:
        return mark_safe(contribution.text_html)  # noqa: S308 - rendered and sanitised by render() above
    return render(contribution.text)
