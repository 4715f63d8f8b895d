"""Public pages of commitments: the list, the priorities × values matrix, the ranking, a commitment
and the comparison of two versions of its text. Read-only: every page works without JavaScript."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from paga.pagecache import SITE, public_page
from paga.selectors import current_plan

from . import diff, selectors
from .filters import PAGE_PARAM, CommitmentFilter

PER_PAGE = 20


@require_safe
@public_page(reads=(SITE,))
def commitment_list(request):
    plan = current_plan(request)
    visible = selectors.visible(user=request.user, plan=plan)
    filterset = CommitmentFilter(
        request.GET,
        queryset=visible.with_list_data(),
        request=request,
        plan=plan,
        visible=visible,
    )
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get(PAGE_PARAM))
    return render(
        request,
        "commitments/list.html",
        {
            "plan": plan,
            "filter": filterset,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
            "active_filters": filterset.active(),
        },
    )


@require_safe
@public_page(reads=(SITE,))
def matrix(request):
    plan = current_plan(request)
    return render(
        request,
        "commitments/matrix.html",
        {"plan": plan, "matrix": selectors.matrix(user=request.user, plan=plan)},
    )


@require_safe
@public_page(reads=(SITE,))
def ranking(request):
    plan = current_plan(request)
    return render(
        request,
        "commitments/ranking.html",
        {"plan": plan, "ranking": selectors.ranking(user=request.user, plan=plan)},
    )


@require_safe
@public_page(reads=(SITE,))  # a commitment's thread reads its own (consultations' forum tag)
def detail(request, key: str):
    plan = current_plan(request)
    found = selectors.commitment_detail(user=request.user, plan=plan, key=key)
    return render(
        request,
        "commitments/detail.html",
        {"plan": plan, "detail": found, "commitment": found.commitment, "key": key},
    )


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
