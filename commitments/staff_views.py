"""The Secretaría's work on commitments (stages 6 to 9 of the cycle): its desk, the OGP template, status
changes, assignment to the ministries, merges, splits and prioritisation scores.

Every page needs a signed-in member of the Secretaría (403 for other roles, the login page for
anonymous visitors); a commitment is fetched through `visible_to` (404 when it may not be seen). Each
POST calls one service (commitments/services.py) and puts its ValidationError back on the form, with
everything that was typed, then redirects with a message.
"""

from __future__ import annotations

import itertools
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from paga import plans
from paga.models import OGPValue
from paga.selectors import current_plan

from . import services
from .forms import (
    CONSOLIDABLE,
    ORIGIN_FIELDS,
    OWN_PAGE_MOVES,
    TEMPLATE_FIELDS,
    AssignForm,
    CommitmentEditForm,
    CommitmentForm,
    MergeForm,
    PartsCountForm,
    ScoreForm,
    SplitForm,
    TransitionForm,
    milestone_formset,
    part_formset,
    public_entities,
    put_back,
)
from .models import Commitment, LineageLink, Review, Status

S = Status
DESK_LIMIT = 50  # rows per section of the desk; the counts link to the full, paginated list
PER_PAGE = 50
# The template's long texts: not needed by the lists of the desk.
LONG_TEXTS = (
    "problem",
    "baseline",
    "description",
    "how_it_helps",
    "sdg_targets",
    "oecd_standards",
    "additional_info",
)
NEW_ROWS, MORE_ROWS = 4, 2  # empty milestone rows on a new commitment, and under existing milestones
MOVE_LABELS = {
    S.IN_CONSULTATION: gettext_lazy("Open to public consultation"),
    S.AGREED: gettext_lazy("Mark as agreed at the national table"),
    S.WITHDRAWN: gettext_lazy("Withdraw"),
    S.APPROVED: gettext_lazy("Sign off"),
    S.CHANGES_REQUESTED: gettext_lazy("Request changes"),
    S.INCLUDED: gettext_lazy("Include in the plan"),
}


def staff_required(perm: str):
    """Signed in (else the login page) and holding `perm` (else 403): the role check of every page here.
    Object permissions are checked again on the commitment, or by the service."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _commitment(request, pk: int) -> Commitment:
    commitment = get_object_or_404(
        Commitment.objects.visible_to(request.user).select_related("plan", "lead_entity", "theme"), pk=pk
    )
    plans.require(request, commitment.plan)
    return commitment


def _public_url(commitment: Commitment) -> str | None:
    """The public page of the commitment (with its history), when the public pages are installed."""
    try:
        return commitment.get_absolute_url()
    except NoReverseMatch:
        return None


def _back(commitment: Commitment, anchor: str = ""):
    return redirect(reverse("commitments:edit", args=[commitment.pk]) + anchor)


# --- The desk --------------------------------------------------------------------------------------
@staff_required("commitments.view_all")
@require_safe
def staff_home(request):
    """What waits for the Secretaría: counts by status, proposals in consultation, agreed commitments
    not yet sent to review, open reviews per entity and requested changes. Queries do not grow with data."""
    plan = current_plan(request)
    visible = Commitment.objects.visible_to(request.user).filter(plan=plan)
    counts = dict(visible.order_by().values_list("status").annotate(n=Count("pk")))
    rows = (
        visible.select_related("theme", "lead_entity", "origin_region")
        .defer(*LONG_TEXTS)
        .order_by("number", "pk")
    )
    changes_asked = Review.objects.filter(decision=Review.Decision.CHANGES).select_related("entity")
    open_reviews = (
        Review.objects.filter(decision="", commitment__in=visible)
        .select_related("entity", "commitment")
        .defer(*(f"commitment__{f}" for f in LONG_TEXTS))
        .order_by("entity__name", "opened", "pk")
    )
    chosen = request.GET.get("estado", "")
    listing = None
    if chosen in S.values:
        listing = Paginator(rows.filter(status=chosen), PER_PAGE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "commitments/staff/home.html",
        {
            "plan": plan,
            "by_status": [(S(value), counts.get(value, 0)) for value in S.values],
            "total": sum(counts.values()),
            "in_consultation": rows.filter(status=S.IN_CONSULTATION)[:DESK_LIMIT],
            "n_in_consultation": counts.get(S.IN_CONSULTATION, 0),
            "agreed": rows.filter(status=S.AGREED)[:DESK_LIMIT],
            "n_agreed": counts.get(S.AGREED, 0),
            "changes": rows.filter(status=S.CHANGES_REQUESTED).prefetch_related(
                Prefetch("reviews", queryset=changes_asked.order_by("-decided", "-pk"), to_attr="asked")
            )[:DESK_LIMIT],
            "n_changes": counts.get(S.CHANGES_REQUESTED, 0),
            "reviews_by_entity": [
                (entity, list(reviews))
                for entity, reviews in itertools.groupby(open_reviews, key=lambda r: r.entity)
            ],
            "chosen": S(chosen) if listing is not None else None,
            "listing": listing,
            "limit": DESK_LIMIT,
        },
    )


# --- The OGP template ------------------------------------------------------------------------------
@staff_required("commitments.add_commitment")
@require_http_methods(["GET", "HEAD", "POST"])
def create(request):
    """A new proposal with the full OGP template. A draft may be incomplete: the next page says what
    is missing before it can move forward."""
    plan = current_plan(request)
    data = request.POST if request.method == "POST" else None
    entities = public_entities()
    form = CommitmentForm(data, plan=plan, entities=entities, ogp_values=list(OGPValue.objects.all()))
    formset = milestone_formset(data=data, entities=entities, extra=NEW_ROWS)
    if data is not None and (form.is_valid() & formset.is_valid()):  # both, so every error shows at once
        try:
            commitment = services.commitment_create(
                plan=plan,
                actor=request.user,
                values=form.values(),
                milestones=formset.rows(),
                other_actors=form.cleaned_data["other_actors"],
                **form.template_fields(),
            )
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request,
                _("The proposal “%(title)s” was saved as a draft (version 1).") % {"title": commitment.title},
            )
            return _back(commitment)
    return render(request, "commitments/staff/create.html", {"plan": plan, "form": form, "formset": formset})


def _workspace(request, commitment: Commitment, **bound) -> dict:
    """The edit page of a commitment: its state, what it lacks, the moves allowed and the template form."""
    user = request.user
    may_edit = user.has_perm("commitments.change_commitment", commitment)
    assign_perm = (
        "commitments.resubmit" if commitment.status == S.CHANGES_REQUESTED else "commitments.assign_review"
    )
    context = {
        "commitment": commitment,
        "public_url": _public_url(commitment),
        "missing": services.missing_items(commitment),
        "moves": [
            (to, MOVE_LABELS.get(to) or S(to).label)
            for (start, to), perm in services.TRANSITIONS.items()
            if start == commitment.status and to not in OWN_PAGE_MOVES and user.has_perm(perm, commitment)
        ],
        "move_form": bound.get("move_form") or TransitionForm(prefix="estado"),
        "may_edit": may_edit,
        "may_assign": commitment.status in (S.AGREED, S.CHANGES_REQUESTED)
        and user.has_perm(assign_perm, commitment),
        "may_split": commitment.status in CONSOLIDABLE
        and user.has_perm("commitments.consolidate", commitment),
        "may_score": user.has_perm("commitments.score", commitment),
        "came_from": LineageLink.objects.filter(target=commitment).select_related("source"),
        "went_into": LineageLink.objects.filter(source=commitment).select_related("target"),
        "last_version": commitment.versions.select_related("author").order_by("-number").first(),
        "stale": bound.get("stale"),
    }
    if may_edit:
        if "form" in bound:
            context["form"], context["formset"] = bound["form"], bound["formset"]
        else:
            relevances = list(commitment.relevances.select_related("value"))
            milestones = list(commitment.milestones.all())
            entities = public_entities(commitment.lead_entity_id, *(m.responsible_id for m in milestones))
            context["form"] = CommitmentEditForm(
                initial=CommitmentForm.initial_for(commitment, relevances)
                | {"revision": commitment.revision},
                plan=commitment.plan,
                entities=entities,
                ogp_values=list(OGPValue.objects.all()),
            )
            context["formset"] = milestone_formset(milestones=milestones, entities=entities, extra=MORE_ROWS)
    return context


def _newer(form: CommitmentForm, saved: Commitment) -> list[tuple[str, str]]:
    """(label, saved text) for each field where the newer saved version differs from what was typed."""
    differences = []
    for name in TEMPLATE_FIELDS + ORIGIN_FIELDS:
        typed = form.cleaned_data.get(name)
        field = Commitment._meta.get_field(name)
        if field.is_relation:
            same = (typed.pk if typed else None) == getattr(saved, field.attname)
            shown = str(getattr(saved, name) or "—") if not same else ""
        else:
            now = getattr(saved, name)
            same = (typed or None) == (now or None)
            display = getattr(saved, f"get_{name}_display", None)
            shown = "—" if now in (None, "") else str(display() if display else now)
        if not same:
            differences.append((form[name].label, shown))
    return differences


@staff_required("commitments.view_all")
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request, pk: int):
    """The commitment's workspace: the template pre-filled, saved with a reason as a new version. An edit
    started from an older revision is refused (StaleEdit) and everything typed comes back."""
    commitment = _commitment(request, pk)
    if request.method != "POST":
        return render(request, "commitments/staff/edit.html", _workspace(request, commitment))
    if not request.user.has_perm("commitments.change_commitment", commitment):
        raise PermissionDenied
    milestones = list(commitment.milestones.all())
    entities = public_entities(commitment.lead_entity_id, *(m.responsible_id for m in milestones))
    ogp_values = list(OGPValue.objects.all())
    kwargs = {"plan": commitment.plan, "entities": entities, "ogp_values": ogp_values}
    form = CommitmentEditForm(request.POST, **kwargs)
    formset = milestone_formset(data=request.POST, entities=entities, extra=MORE_ROWS)
    stale = None
    if form.is_valid() & formset.is_valid():
        try:
            services.commitment_update(
                commitment=commitment,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                revision=form.cleaned_data["revision"],
                fields=form.template_fields(),
                values=form.values(),
                milestones=formset.rows(),
                other_actors=form.cleaned_data["other_actors"],
            )
        except services.StaleEdit as error:
            # Keep what was typed, and show what the newer version says. Saving again is a choice.
            commitment = _commitment(request, pk)
            data = request.POST.copy()
            data["revision"] = str(commitment.revision)
            form = CommitmentEditForm(data, **kwargs)
            form.is_valid()
            form.add_error(None, error)
            stale = {"differences": _newer(form, commitment)}
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(request, _("Your changes were saved as a new version of the commitment."))
            return _back(commitment)
    context = _workspace(request, commitment, form=form, formset=formset, stale=stale)
    return render(request, "commitments/staff/edit.html", context)


# --- Status, review ------------------------------------------------------------------------------
@staff_required("commitments.view_all")
@require_POST
def transition(request, pk: int):
    """One of the buttons of the edit page: a change of status with its reason (services decide)."""
    commitment = _commitment(request, pk)
    form = TransitionForm(request.POST, prefix="estado")
    if form.is_valid():
        to = form.cleaned_data["to"]
        try:
            services.commitment_transition(
                commitment=commitment, to=to, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” is now: %(status)s.") % {"title": commitment.title, "status": S(to).label},
            )
            return _back(commitment)
    context = _workspace(request, commitment, move_form=form)
    return render(request, "commitments/staff/edit.html", context)


@staff_required("commitments.assign_review")
@require_http_methods(["GET", "HEAD", "POST"])
def assign(request, pk: int):
    """Send an agreed commitment to its lead entity for technical review (or back to it after changes
    were requested). Refused, with the list of what is missing, while the template is incomplete."""
    commitment = _commitment(request, pk)
    resubmitting = commitment.status == S.CHANGES_REQUESTED
    form = AssignForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        service = services.resubmit if resubmitting else services.assign_review
        try:
            service(commitment=commitment, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” was sent to %(entity)s for technical review.")
                % {"title": commitment.title, "entity": commitment.lead_entity},
            )
            return _back(commitment)
    return render(
        request,
        "commitments/staff/assign.html",
        {
            "commitment": commitment,
            "form": form,
            "missing": services.missing_items(commitment),
            "resubmitting": resubmitting,
            "may_send": commitment.status in (S.AGREED, S.CHANGES_REQUESTED),
        },
    )


# --- Consolidation ---------------------------------------------------------------------------------
@staff_required("commitments.consolidate")
@require_http_methods(["GET", "HEAD", "POST"])
def merge(request):
    """Several proposals into one commitment, new or existing, for a stated reason (lineage kept)."""
    plan = current_plan(request)
    candidates = (
        Commitment.objects.visible_to(request.user)
        .filter(plan=plan, status__in=CONSOLIDABLE)
        .select_related("theme")
        .order_by("theme__order", "number", "pk")
    )
    form = MergeForm(request.POST if request.method == "POST" else None, candidates=candidates)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a new commitment exists only if the merge into it happens
                if data["into"] == MergeForm.NEW:
                    target = services.commitment_create(
                        plan=plan, actor=request.user, reason=data["reason"], title=data["title"].strip()
                    )
                else:
                    target = data["target"]
                services.merge(
                    sources=list(data["sources"]), target=target, actor=request.user, reason=data["reason"]
                )
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s proposal was merged into “%(title)s”. Complete its template below.",
                    "%(n)s proposals were merged into “%(title)s”. Complete its template below.",
                    len(data["sources"]),
                )
                % {"n": len(data["sources"]), "title": target.title},
            )
            return _back(target)
    return render(request, "commitments/staff/merge.html", {"plan": plan, "form": form})


@staff_required("commitments.consolidate")
@require_http_methods(["GET", "HEAD", "POST"])
def split(request, pk: int):
    """One proposal into several new ones, each starting from a copy of its text."""
    commitment = _commitment(request, pk)
    if request.method == "POST":
        form = SplitForm(request.POST)
        formset = part_formset(data=request.POST, parts=0)
        if form.is_valid() & formset.is_valid():
            parts = [
                services.Part(title=f.cleaned_data["title"].strip(), reason=f.cleaned_data.get("reason", ""))
                for f in formset.forms
                if f.cleaned_data.get("title")
            ]
            try:
                made = services.split(
                    source=commitment, parts=parts, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                put_back(form, error)
            else:
                messages.success(
                    request,
                    _("The proposal was split into %(n)s new proposals: %(titles)s.")
                    % {"n": len(made), "titles": "; ".join(c.title for c in made)},
                )
                return _back(commitment)
        count_form = PartsCountForm(initial={"partes": formset.total_form_count()})
    else:
        count_form = PartsCountForm(request.GET if "partes" in request.GET else None)
        parts = count_form.cleaned_data["partes"] if count_form.is_bound and count_form.is_valid() else 2
        form, formset = SplitForm(), part_formset(parts=parts)
    return render(
        request,
        "commitments/staff/split.html",
        {
            "commitment": commitment,
            "form": form,
            "formset": formset,
            "count_form": count_form,
            "may_split": commitment.status in CONSOLIDABLE,
        },
    )


# --- Prioritisation --------------------------------------------------------------------------------
@staff_required("commitments.score")
@require_http_methods(["GET", "HEAD", "POST"])
def score(request, pk: int):
    """Score a proposal 0 to 3 on each prioritisation criterion, with a short note (public ranking)."""
    commitment = _commitment(request, pk)
    if not request.user.has_perm("commitments.score", commitment):
        raise PermissionDenied
    scores = list(commitment.scores.select_related("scorer"))
    if request.method == "POST":
        form = ScoreForm(request.POST)
    else:
        form = ScoreForm(initial=ScoreForm.initial_for(scores))
    if form.is_bound and form.is_valid():
        try:
            with transaction.atomic():  # all the criteria or none
                for criterion, value, note in form.scores():
                    services.score(
                        commitment=commitment, actor=request.user, criterion=criterion, value=value, note=note
                    )
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request, _("The scores of “%(title)s” were saved.") % {"title": commitment.title}
            )
            return _back(commitment)
    return render(
        request,
        "commitments/staff/score.html",
        {
            "commitment": commitment,
            "form": form,
            "scores": scores,
            "total": sum(s.value for s in scores),
        },
    )
