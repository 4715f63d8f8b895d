"""The ministries' technical review (stage 8 of the cycle): the queue and the review page of a commitment.

A ministry reviewer sees the commitments its entity leads once they were sent to review; the
Secretaría sees every review across entities. Each POST calls one service (commitments/services.py)
and puts its ValidationError back on the form, keeping what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from paga import plans
from paga.selectors import find_current_plan

from . import services
from .forms import milestone_formset, public_entities, put_back
from .models import Commitment, Review, Status
from .review_forms import DecisionForm, NoteForm, ResubmitForm, ReviewFieldsForm

PER_PAGE = 50
# Statuses that mean "sent to the ministry at least once".
SENT_TO_REVIEW = (Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED, Status.INCLUDED)
SHOW = {
    "pending": gettext_lazy("Waiting for a decision"),
    "reviewed": gettext_lazy("Decided"),
    "all": gettext_lazy("All"),
}


def _may_use_review(user) -> bool:
    return user.has_perm("commitments.view_all") or user.has_perm("commitments.review_queue")


# --- The queue -------------------------------------------------------------------------------------
@login_required
@require_safe
def review_queue(request):
    """Reviewers: their entity's commitments sent to review (default: those waiting for a decision).
    Secretaría: every review of every entity, open and decided (default: all). Of the address's plan only
    (paga/plans.py): the demonstration plan's reviews are at /planes/demostracion/revision/; with no plan
    yet, an empty queue."""
    user = request.user
    if user.has_perm("commitments.view_all"):
        return _secretariat_queue(request)
    if not user.has_perm("commitments.review_queue"):
        raise PermissionDenied
    return _ministry_queue(request)


def _chosen(request, default: str) -> str:
    show = request.GET.get("show", default)
    return show if show in SHOW else default


def _ministry_queue(request):
    user = request.user
    show = _chosen(request, "pending")
    sent = Q(status__in=SENT_TO_REVIEW) | Q(
        Exists(Review.objects.filter(commitment=OuterRef("pk"), entity_id=user.entity_id))
    )
    queue = Commitment.objects.visible_to(user).filter(
        sent, lead_entity_id=user.entity_id, plan=find_current_plan(request)
    )
    counts = queue.aggregate(all=Count("pk"), pending=Count("pk", filter=Q(status=Status.IN_REVIEW)))
    counts["reviewed"] = counts["all"] - counts["pending"]
    if show == "pending":
        queue = queue.filter(status=Status.IN_REVIEW)
    elif show == "reviewed":
        queue = queue.exclude(status=Status.IN_REVIEW)
    latest_first = Review.objects.select_related("decided_by").order_by("-opened", "-pk")
    queue = queue.prefetch_related(Prefetch("reviews", queryset=latest_first, to_attr="review_list"))
    page = Paginator(queue.order_by("number", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    rows = [(c, c.review_list[0] if c.review_list else None) for c in page.object_list]
    return render(
        request,
        "commitments/review/queue.html",
        {"show": show, "filters": _filters(show, counts), "page": page, "rows": rows, "secretariat": False},
    )


def _secretariat_queue(request):
    show = _chosen(request, "all")
    reviews = Review.objects.filter(
        commitment__in=Commitment.objects.visible_to(request.user).filter(plan=find_current_plan(request))
    )
    counts = reviews.aggregate(all=Count("pk"), pending=Count("pk", filter=Q(decision="")))
    counts["reviewed"] = counts["all"] - counts["pending"]
    if show == "pending":
        reviews = reviews.filter(decision="")
    elif show == "reviewed":
        reviews = reviews.exclude(decision="")
    reviews = reviews.select_related("commitment", "entity", "decided_by").order_by(
        F("decided").desc(nulls_first=True), "-opened", "-pk"
    )
    page = Paginator(reviews, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "commitments/review/queue.html",
        {"show": show, "filters": _filters(show, counts), "page": page, "secretariat": True},
    )


def _filters(show: str, counts: dict) -> list[dict]:
    return [
        {"key": key, "label": label, "count": counts[key], "current": key == show}
        for key, label in SHOW.items()
    ]


# --- The review page -------------------------------------------------------------------------------
def _reviewable(request, pk: int) -> Commitment:
    """The commitment, if the user may work on its review: 403 for roles without review work, 404 for a
    commitment they may not see or whose internal notes are not theirs (another ministry's)."""
    user = request.user
    if not _may_use_review(user):
        raise PermissionDenied
    commitment = get_object_or_404(
        Commitment.objects.visible_to(user).select_related("lead_entity", "theme", "priority", "plan"), pk=pk
    )
    if not user.has_perm("commitments.view_notes", commitment):
        raise Http404
    plans.require(request, commitment.plan)
    return commitment


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review(request, pk: int):
    commitment = _reviewable(request, pk)
    bound: dict = {}
    if request.method == "POST":
        handler = ACTIONS.get(request.POST.get("action", ""))
        if handler is None:
            return HttpResponseBadRequest()
        outcome = handler(request, commitment)
        if not isinstance(outcome, dict):
            return outcome
        bound = outcome
        commitment = _reviewable(request, pk)  # as it stands now, next to what was typed
    return render(request, "commitments/review/review.html", _page(request, commitment, bound))


def _page(request, commitment: Commitment, bound: dict) -> dict:
    user = request.user
    reviews = list(commitment.reviews.select_related("entity", "assigned_by", "decided_by"))
    milestones = list(commitment.milestones.select_related("responsible"))
    open_review = next((r for r in reviews if not r.decision), None)
    can_decide = open_review is not None and user.has_perm("commitments.review", commitment)
    can_edit = user.has_perm("commitments.change_review_fields", commitment)
    can_resubmit = commitment.status == Status.CHANGES_REQUESTED and user.has_perm(
        "commitments.resubmit", commitment
    )
    context = {
        "commitment": commitment,
        "relevances": commitment.relevances.select_related("value"),
        "milestones": milestones,
        "reviews": reviews,
        "open_review": open_review,
        "last_decision": next((r for r in reviews if r.decision), None),
        "decisions": [r for r in reviews if r.decision],
        "signed_off": commitment.status in (Status.APPROVED, Status.INCLUDED),
        "can_decide": can_decide,
        "missing": services.missing_items(commitment) if can_decide else [],
        "can_edit": can_edit,
        "can_resubmit": can_resubmit,
        "can_note": user.has_perm("commitments.add_note", commitment),
        "notes": commitment.notes.select_related("author", "entity"),
        "decision_form": bound.get("decision_form") or DecisionForm(prefix="decision"),
        "note_form": bound.get("note_form") or NoteForm(prefix="note"),
        "resubmit_form": bound.get("resubmit_form") or ResubmitForm(prefix="resubmit"),
    }
    if can_edit:
        context["edit_form"] = bound.get("edit_form") or ReviewFieldsForm(
            prefix="edit", initial=ReviewFieldsForm.initial_for(commitment)
        )
        context["milestone_formset"] = bound.get("milestone_formset") or milestone_formset(
            milestones=milestones,
            entities=public_entities(*(m.responsible_id for m in milestones)),
            extra=1,
            prefix="milestones",
        )
    return context


def _back(commitment: Commitment, anchor: str = ""):
    return redirect(reverse("commitments:review", args=[commitment.pk]) + anchor)


def _decide(request, commitment: Commitment):
    form = DecisionForm(request.POST, prefix="decision")
    if not form.is_valid():
        return {"decision_form": form}
    try:
        services.decide_review(
            commitment=commitment,
            actor=request.user,
            approve=form.approve,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        if getattr(error, "code", None) == "decided":  # decided meanwhile: there is no form to show
            messages.error(request, " ".join(error.messages))
            return _back(commitment)
        put_back(form, error)
        return {"decision_form": form}
    if form.approve:
        messages.success(request, _("You signed off this commitment. The decision is final."))
    else:
        messages.success(request, _("Your request for changes was recorded with its reason."))
    return _back(commitment)


def _note(request, commitment: Commitment):
    form = NoteForm(request.POST, prefix="note")
    if not form.is_valid():
        return {"note_form": form}
    try:
        services.add_note(commitment=commitment, actor=request.user, text=form.cleaned_data["text"])
    except ValidationError as error:
        put_back(form, error)
        return {"note_form": form}
    messages.success(request, _("Your note was added. Only the Secretaría and the reviewing entity see it."))
    return _back(commitment, "#notas")


def _edit(request, commitment: Commitment):
    if not request.user.has_perm("commitments.change_review_fields", commitment):
        raise PermissionDenied
    form = ReviewFieldsForm(request.POST, prefix="edit")
    entities = public_entities(*commitment.milestones.values_list("responsible_id", flat=True))
    formset = milestone_formset(data=request.POST, entities=entities, extra=1, prefix="milestones")
    if not (form.is_valid() & formset.is_valid()):  # both validated, so every error shows at once
        return {"edit_form": form, "milestone_formset": formset}
    try:
        services.commitment_update(
            commitment=commitment,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            revision=form.cleaned_data["revision"],
            fields=form.changed_fields(),
            milestones=formset.rows(),
            perm="commitments.change_review_fields",
        )
    except services.StaleEdit as error:
        # Keep what was typed; the page shows the newer version above it. Saving again is a choice.
        data = request.POST.copy()
        data["edit-revision"] = str(error.commitment.revision)
        form = ReviewFieldsForm(data, prefix="edit")
        form.is_valid()
        form.add_error(None, error)
        return {"edit_form": form, "milestone_formset": formset}
    except ValidationError as error:
        put_back(form, error)
        return {"edit_form": form, "milestone_formset": formset}
    messages.success(request, _("Your changes were saved as a new version of the commitment."))
    return _back(commitment)


def _resubmit(request, commitment: Commitment):
    form = ResubmitForm(request.POST, prefix="resubmit")
    if not form.is_valid():
        return {"resubmit_form": form}
    try:
        services.resubmit(commitment=commitment, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        put_back(form, error)
        return {"resubmit_form": form}
    messages.success(request, _("The commitment is back in technical review, with a new review."))
    return _back(commitment)


ACTIONS = {"decide": _decide, "note": _note, "edit": _edit, "resubmit": _resubmit}
