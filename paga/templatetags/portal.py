"""Template helpers for every page of the portal.

- `html_datetime`: the `datetime` attribute of a <time>, a valid HTML date or global date and time
  string (Django's `date:"c"` writes microseconds, which HTML does not allow).
- `{% content_lang %}` and `|in_content_lang`: what people wrote (commitments, comments, stages, events,
  names of things) is stored in Spanish only. When the interface is in another language, that text says
  it is Spanish, so a screen reader reads it with Spanish pronunciation and a translator knows the
  language (WCAG 3.1.2, language of parts). `{% content_lang %}` goes inside the opening tag of the
  element that holds the text (`<h1{% content_lang %}>`); `|in_content_lang` wraps a value that sits in
  a sentence of the interface in a <span>. In Spanish both add nothing.
- `{% plain_url "paga:home" %}`: an address at the portal's plain addresses (the current plan), even on
  a page of another plan (`/planes/<slug>/…`), where `{% url %}` stays in that plan (paga/plans.py).
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone, translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from paga import holes, menus
from paga.pagecache import hole

register = template.Library()

CONTENT_LANGUAGE = "es"  # the language everything stored is written in


def other_language() -> bool:
    """The interface is in another language than the stored content."""
    return (translation.get_language() or CONTENT_LANGUAGE).split("-")[0] != CONTENT_LANGUAGE


@register.filter
def html_datetime(value: datetime.date | datetime.datetime | None) -> str:
    """ "2017-09-21" for a date; "2017-09-21T10:00:00-05:00" for a moment, in Lima time, to the second."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


@register.simple_tag
def content_lang() -> SafeString:
    """` lang="es"` when the interface is in another language, for the element holding stored text."""
    return mark_safe(f' lang="{CONTENT_LANGUAGE}"') if other_language() else mark_safe("")  # noqa: S308


@register.filter(needs_autoescape=True)
def in_content_lang(value, autoescape: bool = True) -> SafeString | str:
    """The value in a `<span lang="es">` when the interface is in another language (nothing if empty)."""
    if value is None or value == "" or not other_language():
        return value  # nothing to mark (a `default` after it still applies), or Spanish anyway
    text = conditional_escape(value) if autoescape else value
    return format_html('<span lang="{}">{}</span>', CONTENT_LANGUAGE, text)


@register.simple_tag
def plain_url(viewname: str, *args, **kwargs) -> str:
    """`{% url %}` at the plain addresses (the current plan's), from any plan's page."""
    from paga.plans import reverse_in

    return reverse_in(None, viewname, args=args or None, kwargs=kwargs or None)


# --- The menus every page carries (paga/menus.py: built in Python, each app's entries its own) ---------
@register.simple_tag(takes_context=True)
def site_menu(context, name: str) -> SafeString:
    """`{% site_menu "main" %}`: the main menu's items; "account", "footer", "languages" (menus.BUILT)."""
    request = context["request"]
    if name == "account":  # the visitor's own: a hole in a page kept for everyone (paga/holes.py)
        return hole(request, holes.ACCOUNT_MENU)
    return menus.BUILT[name](request)


@register.simple_tag(takes_context=True)
def visitor_notices(context) -> SafeString:
    """The example staff's notice and the visitor's messages: a hole in a page kept for everyone."""
    return hole(context["request"], holes.NOTICES)
