"""What fills the forum's holes in a part of a page kept for everyone (paga/pagecache.py `assembled`).

On a commitment's page, the part under its comments is rendered once for every signed-in visitor who sees
only public commitments, with two holes (consultations/templatetags/forum.py): the visitor's support and
follow of the proposal, and the page of the thread with their own comments and marks. Both are filled from
one query of the visitor's marks (fragments._marked), run by whichever hole comes first and kept on the
request for the other: the support and follow as one of the four renderings kept with the part, the
thread as the stored page of it with the contributions the visitor has a mark on rendered for them.
"""

from __future__ import annotations

from paga import clock
from paga.pagecache import fills

from . import fragments

ITEM_MARKS, THREAD = "forum-item-marks", "forum-thread"
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
