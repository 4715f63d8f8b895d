"""What fills the holes paga's base.html leaves in a page kept for everyone (paga/pagecache.py
`assembled`): the account menu (the visitor's name, the desks their roles open, the sign-out form with
their CSRF token; signed out, the sign-in link back to the page) and the notices for this visitor alone
(their messages, the example staff's notice). Outside such a page, the tags fill them at once."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.template.loader import render_to_string

from . import menus
from .context_processors import example_staff_without_two_step
from .pagecache import fills

ACCOUNT_MENU, NOTICES = "account-menu", "visitor-notices"


@fills(ACCOUNT_MENU)
def account_menu(request, data) -> str:
    return menus.account_menu(request)


@fills(NOTICES)
def notices(request, data) -> str:
    context = {
        "messages": get_messages(request),
        "example_staff_without_two_step": example_staff_without_two_step(request),
    }
    return render_to_string("includes/visitor_notices.html", context)
