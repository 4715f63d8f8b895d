"""Public pages of commitments: the list, the priorities × values matrix, the ranking, a commitment
and the comparison of two versions of its text. Read-only: every page works without JavaScript."""

import functools
import hashlib

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.utils.html import conditional_escape, format_html
from django.views.decorators.http import require_safe

from paga import pagecache
from paga.pagecache import SITE, public_page
from paga.selectors import current_plan

from . import diff, selectors
from .filters import PAGE_PARAM, CommitmentFilter

PER_PAGE = 20


def _shared(request) -> bool:
    """Whether the visitor sees what anyone sees of the commitments (public ones only: anonymous, or
    signed in without the Secretaría's or a reviewer's rights), so that cached parts can be shared."""
    user = request.user
    shared = not (user.has_perm("commitments.view_all") or user.has_perm("commitments.review_queue"))
    if shared and settings.COCREA_FRAGMENT_CACHE:
        pagecache.current(request, SITE)  # before reading what the cached parts show: never stale
    return shared


@require_safe
@public_page(reads=(SITE,))
def commitment_list(request):
    plan = current_plan(request)
    shared = _shared(request)

    def render_content():
        visible = selectors.visible(user=request.user, plan=plan)
        filterset = CommitmentFilter(
            request.GET,
            queryset=visible.with_list_data(),
            request=request,
            plan=plan,
            visible=visible,
        )
        page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get(PAGE_PARAM))
        context = {
            "plan": plan,  # named in the lead
            "filter": filterset,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
            "active_filters": filterset.active(),
            "query": request.GET,  # for {% querystring %}: no request, no context processors, in a part
        }
        return render_to_string("commitments/_list_content.html", context)

    if not shared:  # the Secretaría and reviewers see drafts
        return render(request, "commitments/list.html", {"plan": plan, "content": render_content()})

    def render_page() -> dict[str, str]:
        """The whole page, the same for whoever asks this address (the account menu and the visitor's
        messages: holes of base.html, paga/holes.py), from the part the filters and results are."""
        name = f"list:{_version(LIST_PARTS)}:{request.build_absolute_uri()}"
        content = pagecache.fragment(request, name, render_content, reads=(SITE,))
        return {
            "page": pagecache.render_kept(
                request, "commitments/list.html", {"plan": plan, "content": content}
            )
        }

    name = f"list-page:{request.build_absolute_uri()}"
    return HttpResponse(pagecache.assembled(request, name, render_page, reads=(SITE,))["page"])


def _kept_for_everyone(request, template: str, context) -> HttpResponse:
    """Kept whole (pagecache.kept_page) for everyone who sees only public commitments; the Secretaría and
    reviewers, who see drafts, get theirs rendered."""
    if not _shared(request):
        return render(request, template, context())
    return pagecache.kept_page(request, template, context)


@require_safe
@public_page(reads=(SITE,))
def matrix(request):
    plan = current_plan(request)
    return _kept_for_everyone(
        request,
        "commitments/matrix.html",
        lambda: {"plan": plan, "matrix": selectors.matrix(user=request.user, plan=plan)},
    )


@require_safe
@public_page(reads=(SITE,))
def ranking(request):
    plan = current_plan(request)
    return _kept_for_everyone(
        request,
        "commitments/ranking.html",
        lambda: {"plan": plan, "ranking": selectors.ranking(user=request.user, plan=plan)},
    )


# The parts of a commitment's page around its comments: the same for every visitor who sees only public
# commitments (anonymous or signed in), so they are rendered once per commitment and generation.
DETAIL_PARTS = (
    "commitments/_detail_body.html",
    "commitments/_detail_history.html",
    "commitments/_text.html",
    "commitments/_milestones_table.html",
    "commitments/_who_when.html",
    "implementation/public/_commitment_reports.html",
    "workshops/outcomes/_commitment_events.html",
)
LIST_PARTS = ("commitments/_list_content.html", "commitments/_card.html", "includes/form_field.html")
LIST_PARTS += ("includes/error_summary.html",)


@functools.cache
def _version(names: tuple[str, ...]) -> str:
    """Changes with the parts' templates (and what they include): a deploy never serves old markup."""
    sources = "".join(get_template(name).template.source for name in names)
    return hashlib.sha256(sources.encode()).hexdigest()[:16]


def _parts(plan, commitment, content: str) -> dict[str, str]:
    """What detail.html shows: the title, the description and the content (HTML)."""
    return {
        "title": format_html("{} · {}", commitment, plan.short_name),
        "description": conditional_escape(commitment.title),
        "content": content,
    }


@require_safe
@public_page(reads=(SITE,))  # a commitment's thread reads its own (consultations' forum tag)
def detail(request, key: str):
    plan = current_plan(request)
    user = request.user
    if not _shared(request):  # the Secretaría's and reviewers' pages show drafts and links to them
        commitment = selectors.commitment_page(user=user, plan=plan, key=key)
        detail = selectors.commitment_detail_of(user=user, commitment=commitment)
        context = {"detail": detail, "commitment": commitment, "key": key}
        body, history = (render_to_string(template, context) for template in DETAIL_PARTS[:2])
        context.update(plan=plan, body=body, history=history)
        content = render_to_string("commitments/_detail_content.html", context, request=request)
        parts = _parts(plan, commitment, content)
        return render(request, "commitments/detail.html", {"plan": plan, "parts": parts})

    def compute() -> dict[str, str]:
        """The whole page as everyone who shares it sees it (the visitor's marks on the thread, their
        support and follow, the CSRF token, the account menu, their messages: holes), from the cached
        parts it is made of."""

        def fetch():  # the same row for everyone who sees only public commitments
            try:
                return selectors.commitment_page(user=user, plan=plan, key=key)
            except Http404:
                return None

        commitment = pagecache.shared_value(request, f"commitment:{plan.pk}:{key}", fetch, reads=(SITE,))
        if commitment is None:
            raise Http404("No such commitment")
        computed = {}

        def found():
            if "detail" not in computed:
                computed["detail"] = selectors.commitment_detail_of(user=user, commitment=commitment)
            return computed["detail"]

        def part(template: str) -> str:
            def render_part():
                return render_to_string(template, {"detail": found(), "commitment": commitment, "key": key})

            name = f"{template}:{_version(DETAIL_PARTS)}:{commitment.pk}:{key}"
            return pagecache.fragment(request, name, render_part, reads=(SITE,))

        body, history = (part(template) for template in DETAIL_PARTS[:2])
        # The thread shows the comments on the proposals it came from too (consultations' forum tag).
        detail = computed.get("detail")
        if detail is None:

            def origins():
                return selectors.commitment_origins(user=user, commitment=commitment).came_from

            came_from = pagecache.shared_value(request, f"origins:{commitment.pk}", origins, reads=(SITE,))
            detail = selectors.CommitmentDetail(commitment=commitment, came_from=came_from)
        context = {
            "request": request,  # its address and language; nothing of the visitor (no context processors)
            "csrf_token": pagecache.CSRF_PLACEHOLDER,  # the visitor's, put in on each use
            "plan": plan,
            "commitment": commitment,
            "detail": detail,
            "body": body,
            "history": history,
        }
        parts = _parts(plan, commitment, render_to_string("commitments/_detail_content.html", context))
        # The whole page, header and footer too (the account menu, the messages: holes of base.html).
        return {
            "page": pagecache.render_kept(request, "commitments/detail.html", {"plan": plan, "parts": parts})
        }

    # One kept page per address, for signed-out and for signed-in visitors (the forms differ).
    name = f"commitment-page:{plan.pk}:{key}:{int(user.is_authenticated)}:{request.build_absolute_uri()}"
    return HttpResponse(pagecache.assembled(request, name, compute, reads=(SITE,))["page"])


@require_safe
@public_page(reads=(SITE,))
def version_diff(request, key: str):
    plan = current_plan(request)
    commitment, versions = selectors.commitment_versions(user=request.user, plan=plan, key=key)
    form = diff.VersionPairForm(request.GET, versions=versions)
    changes, old, new = None, None, None
    if len(versions) >= 2 and form.is_valid():
        by_number = {v.number: v for v in versions}
        old, new = by_number[form.cleaned_data["de"]], by_number[form.cleaned_data["a"]]
        changes = diff.compare(old.data, new.data)
    return render(
        request,
        "commitments/diff.html",
        {
            "plan": plan,
            "commitment": commitment,
            "key": key,
            "versions": versions,
            "form": form,
            "old": old,
            "new": new,
            "changes": changes,
        },
    )
