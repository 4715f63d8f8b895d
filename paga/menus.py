"""The menus every page carries: the main menu (the public pages, in the order of the cycle), the account
menu (the person's own pages and the desks their roles open) and the footer's links. Each entry is
declared by the app it leads to, as `main_menu`, `account_menu` and `footer_menu` on its AppConfig
(paga/registry.py), paga's own here; they are put in order by their number.

They are built here, not in base.html: every page shows them, and there each entry cost a `{% url %}`,
a permission lookup and an `if` (a signed-in citizen's simple page spent more than half of its time in
the header). An address is reversed once per URL configuration and plan prefix (`/planes/<slug>/`)
and then reused; the HTML is what the template wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.template.backends.utils import csrf_input
from django.template.defaultfilters import urlencode
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info, gettext_lazy
from django.utils.translation import gettext as _

from . import registry


@dataclass(frozen=True)
class Entry:
    """A link of a menu: its place (lower first), the URL pattern's name, its label, and who sees it:
    a permission's name, a test of the person, or None (everyone; in the account menu, anyone signed
    in)."""

    order: int
    url_name: str
    label: Any  # a lazy translation
    who: str | Callable[[Any], bool] | None = None

    def shown_to(self, user) -> bool:
        if self.who is None:
            return True
        if isinstance(self.who, str):
            return user.has_perm(self.who)
        return bool(self.who(user))


MAIN = (
    Entry(10, "paga:home", gettext_lazy("Home")),
    Entry(20, "paga:timeline", gettext_lazy("Timeline")),
)
ACCOUNT = (
    Entry(20, "paga:my_data", gettext_lazy("My data")),
    Entry(
        100,
        "admin:index",
        gettext_lazy("Back office"),
        lambda user: user.has_perm("paga.view_staff_area") and user.is_staff,
    ),
    Entry(110, "paga:audit", gettext_lazy("Audit log"), "paga.view_audit_log"),
)
FOOTER = (
    Entry(10, "paga:privacy", gettext_lazy("Personal data")),
    Entry(20, "paga:timeline_ics", gettext_lazy("Timeline as a calendar (iCalendar)")),
    Entry(40, "paga:compliance", gettext_lazy("OGP compliance")),
)
OWN = {"main_menu": MAIN, "account_menu": ACCOUNT, "footer_menu": FOOTER}


@cache
def entries(menu: str) -> tuple[Entry, ...]:
    """paga's entries of `menu` and every app's, in their order (two with the same number: a mistake)."""
    found = [*OWN[menu], *registry.listed(menu)]
    orders = [entry.order for entry in found]
    if len(set(orders)) != len(orders):
        raise ValueError(f"{menu}: two entries with the same number: {sorted(orders)}")
    return tuple(sorted(found, key=lambda entry: entry.order))


_URLS: dict[tuple[str, str, str], str] = {}


def url(name: str) -> str:
    """reverse(name), once per URL configuration and script prefix (a plan's `/planes/<slug>/`)."""
    key = (str(get_urlconf() or settings.ROOT_URLCONF), get_script_prefix(), name)
    found = _URLS.get(key)
    if found is None:
        found = _URLS[key] = reverse(name)
    return found


def _link(href: str, label, current: bool = False) -> SafeString:
    marked = mark_safe(' aria-current="page"') if current else ""
    return format_html('<li><a href="{}"{}>{}</a></li>', href, marked, label)


def _lines(parts) -> SafeString:
    return mark_safe("\n".join(parts))  # noqa: S308 (each made by format_html)


def main_menu(request) -> SafeString:
    """The main menu's items, the page's own marked as the current one."""
    hrefs = [(url(entry.url_name), entry.label) for entry in entries("main_menu")]
    return _lines(_link(href, label, current=request.path == href) for href, label in hrefs)


def account_menu(request) -> SafeString:
    """Signed out: sign in (back to this page) and sign up. Signed in: the person's name, the entries
    they may see and the sign-out button. (An error page raised before authentication has no user.)"""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        sign_in = f"{url('account_login')}?next={urlencode(request.get_full_path())}"
        return _lines([_link(sign_in, _("Sign in")), _link(url("account_signup"), _("Sign up"))])
    links = [format_html('<li><span class="who">{}</span></li>', user.display_name)]
    links += [
        _link(url(entry.url_name), entry.label) for entry in entries("account_menu") if entry.shown_to(user)
    ]
    links.append(
        format_html(
            '<li><form action="{}" method="post">{}'
            '<button type="submit" class="link-button">{}</button></form></li>',
            url("account_logout"),
            csrf_input(request),
            _("Sign out"),
        )
    )
    return _lines(links)


def footer_menu(request) -> SafeString:
    return _lines(_link(url(entry.url_name), entry.label) for entry in entries("footer_menu"))


def language_links(request) -> SafeString:
    """A link to each other language, back to this page."""
    here = get_language()
    back = urlencode(request.get_full_path())
    return format_html_join(
        "\n",
        '<a href="{}?idioma={}&amp;next={}" lang="{}" hreflang="{}">{}</a>',
        (
            (url("set_language"), code, back, code, code, capfirst(get_language_info(code)["name_local"]))
            for code, _name in settings.LANGUAGES
            if code != here
        ),
    )


# What base.html asks for, by name: `{% site_menu "main" %}` (paga/templatetags/portal.py).
BUILT = {"main": main_menu, "account": account_menu, "footer": footer_menu, "languages": language_links}
