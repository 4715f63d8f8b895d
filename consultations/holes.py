"""What fills the forum's holes in a part of a page kept for everyone (paga/pagecache.py `assembled`).

On a commitment's page the forum's section is a hole of the page (consultations/templatetags/forum.py),
filled by a part kept apart under the generations of its threads (`forum`): a comment renders that
section again, not the page around it. That part is rendered once for every visitor who sees only public
commitments (signed out, or signed in), a signed-in visitor's with two holes of its own: their support and
follow of the proposal, and the page of the thread with their own comments and marks. Both are filled from
one query of the visitor's marks (fragments._marked), run by whichever hole comes first and kept on the
request for the other: the support and follow as one of the four renderings kept with the part, the
thread as the stored page of it with the contributions the visitor has a mark on rendered for them.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef
from django.template.loader import render_to_string
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.translation import ngettext

from paga import clock
from paga.pagecache import CSRF_PLACEHOLDER, SITE, assembled, fills, key, reads, shared_value, shared_values

from . import fragments
from .models import OF_CONSULTATION, THREAD_OF_COMMITMENT, Consultation, Contribution
from .threads import SubqueryCount

ITEM_MARKS, THREAD, FORUM = "forum-item-marks", "forum-thread", "forum"
CONTRIBUTIONS, ITEM_COMMENTS = "consultation-contributions", "item-comments"  # counts (views.py)
_MARKS = "_cocrea_forum_marks"  # id(data) -> (data, (their contributions' HTML, their item marks))


def _visitor_marks(request, data: dict) -> tuple[dict[int, str], tuple[bool, bool]]:
    found = request.__dict__.setdefault(_MARKS, {})
    if id(data) not in found:  # the data is kept with the result: its id is not reused meanwhile
        user = request.user
        result = {}, (False, False)
        if user.is_authenticated:
            item = data["item"]
            walked = [span[:3] for span in data["spans"]]
            result = fragments._marked(
                walked, user=user, own=item, others=data["others"], now=clock.now(), item=item
            )
        found[id(data)] = (data, result)
    return found[id(data)][1]


@fills(ITEM_MARKS)
def item_marks(request, data: dict) -> str:
    _marked, on_item = _visitor_marks(request, data)
    return data["marks"][on_item]


@fills(THREAD)
def thread(request, data: dict) -> str:
    marked, _on_item = _visitor_marks(request, data)
    return fragments.spliced(data["html"], data["spans"], marked)


@fills(FORUM)
def forum(request, data: dict) -> str:
    """The forum's section of a commitment's page, kept under its threads' generations (and the site's:
    the proposals' titles and states, the consultations' windows), per address and for signed-in and
    signed-out visitors apart (the forms differ)."""
    from .templatetags.forum import THREAD as TEMPLATE
    from .templatetags.forum import section

    item, origins = data["item"], data["origins"]
    names = [key(THREAD_OF_COMMITMENT, c.pk) for c in [item, *origins]]
    name = f"forum:{item.pk}:{int(request.user.is_authenticated)}:{request.build_absolute_uri()}"

    def compute() -> dict[str, str]:
        context = section(request, item, origins=origins, csrf_token=CSRF_PLACEHOLDER)
        return {"section": render_to_string(TEMPLATE, context)}

    return assembled(request, name, compute, reads=(SITE, *names))["section"]


# --- Counts on the consultations' list and on a consultation's page ----------------------------------
# Read once per request for all the holes of a page, kept under the generation a comment moves: each
# consultation's own (the list counts again only the consultation commented on).
_COUNTS = "_cocrea_forum_counts"


def _per_request(request, name: str, compute):
    found = request.__dict__.setdefault(_COUNTS, {})
    if name not in found:
        found[name] = compute()
    return found[name]


def _counted(rows) -> dict[int, int]:
    return dict(rows.annotate(n=Count("pk")).order_by())


@fills(CONTRIBUTIONS)
def contributions(request, data: tuple) -> str:
    """The number of contributions of a consultation of the list: (the consultations listed, this one).
    Each consultation's count is kept under its own generation: a comment counts one consultation again."""
    every, pk = data

    def count(pks: list[int]) -> dict[int, int]:
        per = Contribution.objects.filter(consultation=OuterRef("pk")).values("pk")
        rows = Consultation.objects.filter(pk__in=pks).annotate(n=SubqueryCount(per)).values_list("pk", "n")
        return dict(rows)

    def counts() -> dict[int, int]:
        generations = {each: key(OF_CONSULTATION, each) for each in every}
        return shared_values(request, "contributions-of", generations, count)

    return conditional_escape(localize(_per_request(request, f"contributions:{every}", counts)[pk]))


def comments_line(n: int) -> str:
    """ "3 comments", as a consultation's page says it of a proposal."""
    line = ngettext("%(counter)s comment", "%(counter)s comments", n) % {"counter": localize(n)}
    return conditional_escape(line)


@fills(ITEM_COMMENTS)
def item_comments(request, data: tuple) -> str:
    """The number of comments on a proposal in a consultation: (the consultation, the proposal)."""
    consultation, item = data

    def kept() -> dict[int, int]:
        reads(request, key(OF_CONSULTATION, consultation))  # the page shows them (its cached copy too)
        rows = Contribution.objects.filter(consultation_id=consultation, commitment__isnull=False)
        rows = rows.values_list("commitment")
        covered = (key(OF_CONSULTATION, consultation),)
        return shared_value(request, f"item-comments:{consultation}", lambda: _counted(rows), reads=covered)

    return comments_line(_per_request(request, f"items:{consultation}", kept).get(item, 0))
