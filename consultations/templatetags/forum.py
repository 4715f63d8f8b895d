"""The forum on other apps' pages: `{% load forum %}{% forum_thread commitment %}` on a commitment's page
(its comments and those on the proposals it came from), `{% forum_thread paragraph %}` on a paragraph's,
`{% forum_thread consultation %}` for a document as a whole. Server-rendered, with the comment form when
a consultation including the item is open, or a sentence saying when it opens or closed.

Queries: the thread's generations (the page of the thread is kept in the cache under them:
consultations/fragments.py `thread_page`; one more query when it is not there yet), the visitor's own
marks on it when signed in (with their support and follow of the commitment, in the same query). The
consultations of a commitment (with its support count) come from the cache, under the site's and the
thread's generations. On a commitment's page the proposals it came from are taken from the page's
`detail` (already fetched).
"""

from __future__ import annotations

import itertools

from django import template
from django.template.loader import render_to_string
from django.urls import reverse

from commitments.models import Commitment
from commitments.services import ancestors
from paga import clock
from paga.pagecache import (
    SITE,
    changes_at,
    current,
    hole,
    holes_open,
    key,
    reads,
    shared_value,
)

from .. import fragments, holes, markdown, selectors, services, threads
from ..forms import CommentForm, section_label
from ..models import (
    OF_CONSULTATION,
    THREAD_OF_COMMITMENT,
    THREAD_OF_PARAGRAPH,
    Consultation,
    Contribution,
    Paragraph,
)

register = template.Library()
ITEM_MARKS = "consultations/_item_marks.html"
THREAD = "consultations/_thread.html"


def _ancestors(context, commitment: Commitment, user) -> list[Commitment]:
    detail = context.get("detail")
    if detail is not None and getattr(getattr(detail, "commitment", None), "pk", None) == commitment.pk:
        return [origin.proposal for origin in detail.came_from]
    return [a for a in ancestors(commitment) if user.has_perm("commitments.view_commitment", a)]


def _consultations_of(request, commitment: Commitment) -> list[Consultation]:
    """threads.consultations_of, the same for everyone, kept under the generations of what it reads (the
    consultations: the site's; the commitment's supports: its thread's). A signed-in visitor's own
    support and follow are laid over it from the thread's page (fragments.thread_page `item`)."""
    return shared_value(
        request,
        f"consultations-of:{commitment.pk}",
        lambda: threads.consultations_of(commitment),
        reads=(SITE, key(THREAD_OF_COMMITMENT, commitment.pk)),
    )


@register.simple_tag(takes_context=True)
def forum_thread(context, target):
    request = context["request"]
    if isinstance(target, Commitment) and holes_open(request):
        # In a page kept for everyone (commitments' page: pagecache.assembled) the whole section is a hole,
        # kept apart under the threads' generations (holes.forum): a comment renders this section again,
        # not the page around it.
        data = {"item": target, "origins": _ancestors(context, target, request.user)}
        return hole(request, holes.FORUM, data)
    origins = _ancestors(context, target, request.user) if isinstance(target, Commitment) else None
    return render_to_string(
        THREAD, section(request, target, origins=origins, csrf_token=context.get("csrf_token"))
    )


def section(request, target, *, origins: list[Commitment] | None = None, csrf_token=None) -> dict:
    """The context of the forum's section (THREAD) on `target`'s page: `origins`, the proposals a
    commitment came from (whose comments it shows too); `csrf_token`, the page's."""
    user = request.user
    page = threads.page_number(request.GET.get(threads.PAGE_PARAM))
    now = clock.now()
    read_only = request.method in ("GET", "HEAD")  # only then a page of the thread is kept or read
    item = paragraph = None
    leave_holes = False
    if isinstance(target, Commitment):
        item = target
        # The page cache (paga/pagecache.py): this page shows these threads, read before them (one query
        # for those this request has not read yet), and their consultations under the same values.
        names = [key(THREAD_OF_COMMITMENT, c.pk) for c in [target, *origins]]
        reads(request, *names)
        consultations = _consultations_of(request, target)
        consultation = threads.relevant(consultations, now)
        # In a part kept for everyone (commitments' page: pagecache.assembled), the visitor's marks on the
        # thread and their support and follow of the proposal are holes, filled on each use (below).
        leave_holes = holes_open(request) and user.is_authenticated
        thread = fragments.thread_page(
            generations=lambda: current(request, SITE, *names),
            build=lambda u: threads.commitment_thread(
                commitment=target, ancestors=origins, user=u, page=page
            ),
            names=names,
            ident=(
                "commitment",
                *((c.pk, c.status, c.title, c.get_absolute_url()) for c in [target, *origins]),
            ),
            user=user,
            page=page,
            read_only=read_only,
            own=target,
            others=origins,
            item=target,
            marks=not leave_holes,
        )
        if user.is_authenticated and not leave_holes:  # their support and follow, read with their marks
            for each in consultations:
                each.i_support_item, each.i_follow_item = thread.item_marks
        action = (
            reverse("consultations:comment", kwargs={"slug": consultation.slug, "pk": target.pk})
            if consultation
            else ""
        )
    elif isinstance(target, Paragraph):
        paragraph = target
        consultation = target.consultation
        names = [key(THREAD_OF_PARAGRAPH, target.pk)]
        reads(request, *names)
        thread = fragments.thread_page(
            build=lambda u: threads.paragraph_thread(paragraph=target, user=u, page=page),
            names=names,
            ident=("paragraph", target.pk),
            user=user,
            page=page,
            read_only=read_only,
        )
        action = reverse(
            "consultations:comment_paragraph", kwargs={"slug": consultation.slug, "key": target.key}
        )
    elif isinstance(target, Consultation):
        consultation = target
        names = [key(OF_CONSULTATION, target.pk)]
        reads(request, *names)
        thread = fragments.thread_page(
            build=lambda u: threads.document_thread(consultation=target, user=u, page=page),
            names=names,
            ident=("document", target.pk),
            user=user,
            page=page,
            read_only=read_only,
        )
        action = reverse("consultations:comment_document", kwargs={"slug": consultation.slug})
    else:
        raise template.TemplateSyntaxError("forum_thread takes a commitment, a paragraph or a consultation")
    state = threads.state(consultation, now) if consultation else None
    item_closed = services.item_refusal(item)  # merged, split, in review…: no form, no support, and why
    if consultation is not None:  # a cached page must not outlive the opening or closing
        changes_at(request, threads.next_change(consultation, now))
    item_closed = item_closed.messages[0] if item_closed else ""
    item_marks = ""
    shown = {"is_authenticated": True} if leave_holes else user  # all the templates read of the visitor
    if item is not None:
        marks = {
            "request": request,
            "user": shown,
            "item": item,
            "consultation": consultation,
            "state": state,
            "item_closed": item_closed,
            "csrf_token": csrf_token,
            "following": consultation.i_follow_item if consultation else None,
        }
        if leave_holes:  # each combination of support and follow, rendered once; the visitor's, on each use
            variants = {}
            for supports, follows in itertools.product((False, True), repeat=2):
                if consultation is not None:
                    consultation.i_support_item = supports
                marks["following"] = follows
                variants[supports, follows] = render_to_string(ITEM_MARKS, marks)
            if consultation is not None:
                consultation.i_support_item = False
            html, spans = fragments.joined(tuple(thread.entries))
            data = {"html": html, "spans": spans, "item": target, "others": origins, "marks": variants}
            # The same object for both: kept once, and both filled from one query of the visitor's marks.
            item_marks = hole(request, holes.ITEM_MARKS, data)
            thread.html = hole(request, holes.THREAD, data)
        else:
            item_marks = render_to_string(ITEM_MARKS, marks)
    return {
        "request": request,
        "csrf_token": csrf_token,
        "user": shown,
        "thread": thread,
        "item": item,
        "item_marks": item_marks,
        "paragraph": paragraph,
        "consultation": consultation,
        "state": state,
        "window": threads.window(consultation) if consultation else None,
        "action": action,
        "form": CommentForm(sections=item is not None)
        if state and state.code == "open" and not item_closed
        else None,
        "item_closed": item_closed,
        "show": consultation is not None or thread.total > 0,
        "whole_document": isinstance(target, Consultation),
    }


@register.filter
def forum_markdown(text: str):
    """A contribution's text, as the small safe Markdown subset (consultations/markdown.py)."""
    return markdown.render(text)


@register.filter
def author_name(contribution: Contribution) -> str:
    return selectors.author_name(contribution)


@register.filter
def section_name(code: str) -> str:
    return section_label(code)


@register.filter
def version_url(version) -> str:
    return selectors.version_url(version)
