"""Public pages of the virtual forum: the consultations, a consultation (its proposals or its document's
paragraphs), a paragraph with its thread, and posting: comment, reply, edit, support, report.

Every page works without JavaScript; each change is a POST with its CSRF token and a GET page of its
own. Posting needs a signed-in person (anonymous visitors go to the sign-in page and come back); the
rules (window, verified email, blocks, depth, edit window, one support each) are the services', whose
refusals come back on the form with everything typed. Comments and reports are rate limited per person
and per address (HTTP 429, the form kept).
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from commitments.models import Commitment
from paga import clock, plans, ratelimit
from paga.pagecache import SITE, changes_at, hole, kept_page, key, public_page, reads
from paga.selectors import current_plan

from . import holes, services, threads
from .forms import CommentForm, EditForm, FlagForm, put_back
from .models import OF_CONSULTATION, Consultation, Contribution, Paragraph

GET_POST = require_http_methods(["GET", "HEAD", "POST"])


# --- Helpers ---------------------------------------------------------------------------------------
def login_required_here(view):
    """Anonymous visitors go to the sign-in page, then back to this page (a GET page of its own)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def contribution_url(contribution: Contribution) -> str:
    """Where a contribution shows in its thread: its item's page, the right page of comments, its anchor."""
    if contribution.commitment_id:
        url = contribution.commitment.get_absolute_url()
    elif contribution.paragraph_id:
        url = threads.paragraph_url(contribution.paragraph)
    else:
        url = contribution.consultation.get_absolute_url()
    page = threads.page_of(contribution)
    query = f"?{threads.PAGE_PARAM}={page}" if page > 1 else ""
    return f"{url}{query}#aporte-{contribution.pk}"


def thread_url(url: str) -> str:
    return f"{url}#comentarios"


def rate_limited(request, what: str) -> bool:
    """Count one attempt at `what` ("comments" or "flags") for the person and for the address."""
    rate = getattr(settings, f"COCREA_RATE_{what.upper()}")
    keys = [f"{what}:user:{request.user.pk}", f"{what}:ip:{ratelimit.client_ip(request)}"]
    return not ratelimit.hit_all(keys, rate)


def too_many(form, what: str) -> None:
    if what == "comments":
        text = _(
            "You have posted many comments in a short time. Wait a minute and send it again: "
            "your text is kept below."
        )
    else:
        text = _("You have sent many reports in a short time. Wait a minute and try again.")
    form.add_error(None, ValidationError(text, code="rate_limited"))


def refused(form, error: ValidationError | PermissionDenied) -> dict:
    """A service's refusal on the form (in the user's language); flags for what the page explains."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You may not do this."))
        return {}
    put_back(form, error)
    return {"unverified": any(e.code == "unverified" for e in error.error_list)}


def posted(request):
    """The submitted data on a POST (even an empty one, which must show its errors), else None."""
    return request.POST if request.method == "POST" else None


def visible_commitment(request, pk: int) -> Commitment:
    commitment = get_object_or_404(Commitment.objects.visible_to(request.user).select_related("plan"), pk=pk)
    plans.require(request, commitment.plan)
    return commitment


def consultation_here(request, **lookup) -> Consultation:
    """A consultation of the address's plan (paga/plans.py); 404 when there is none."""
    consultation = get_object_or_404(Consultation.objects.select_related("plan"), **lookup)
    plans.require(request, consultation.plan)
    return consultation


def readable_contribution(request, pk: int) -> Contribution:
    """A contribution whose item the visitor may see (404 otherwise)."""
    contribution = get_object_or_404(
        Contribution.objects.select_related(
            "consultation", "commitment", "paragraph__consultation", "author__entity", "parent"
        ).annotate(n_supports=threads.support_count()),
        pk=pk,
    )
    if contribution.commitment_id and not request.user.has_perm(
        "commitments.view_commitment", contribution.commitment
    ):
        raise Http404("No such contribution")
    plans.require(request, (contribution.consultation or contribution.paragraph.consultation).plan_id)
    return contribution


def consultation_context(consultation: Consultation, request=None) -> dict:
    if request is not None:  # a cached page must not outlive the opening or closing
        changes_at(request, threads.next_change(consultation))
    return {
        "consultation": consultation,
        "state": threads.state(consultation),
        "window": threads.window(consultation),
    }


# --- Pages -----------------------------------------------------------------------------------------
# The list and a consultation's page are kept whole (pagecache.kept_page) for everyone who sees only public
# proposals, with each count a hole (consultations/holes.py): a comment, which changes a count, no longer
# renders them again (during a busy consultation that was 20 and 30 ms after every comment).
@require_safe
@public_page(reads=(SITE,))
def consultation_list(request):
    """The current plan's consultations, each with its window, state in words and contribution count."""
    plan = current_plan(request)

    def context() -> dict:
        items = Consultation.items.through.objects.filter(consultation=OuterRef("pk")).values("pk")
        paragraphs = Paragraph.objects.filter(consultation=OuterRef("pk")).values("pk")
        consultations = list(
            Consultation.objects.filter(plan=plan)
            .annotate(n_items=threads.SubqueryCount(items), n_paragraphs=threads.SubqueryCount(paragraphs))
            .order_by("opens_at", "pk")
        )
        every = tuple(c.pk for c in consultations)
        for consultation in consultations:
            changes_at(request, threads.next_change(consultation))
            consultation.n_contributions = hole(request, holes.CONTRIBUTIONS, (every, consultation.pk))
        return {"plan": plan, "rows": [(c, threads.state(c), threads.window(c)) for c in consultations]}

    return kept_page(request, "consultations/list.html", context)


@require_safe
@public_page(reads=(SITE,))
def consultation_detail(request, slug: str):
    """A consultation: description, rules, window and state; its proposals with their comment counts,
    or its document's numbered paragraphs with theirs."""
    consultation = consultation_here(request, slug=slug)
    user = request.user
    if consultation.kind != Consultation.Kind.ITEMS:
        reads(request, key(OF_CONSULTATION, consultation.pk))  # the comment counts
        context = consultation_context(consultation, request)
        context["paragraphs"] = list(
            consultation.paragraphs.annotate(n_comments=Count("contributions")).order_by("order", "pk")
        )
        return render(request, "consultations/detail.html", context)
    if user.has_perm("commitments.view_all") or user.has_perm("commitments.review_queue"):
        # The Secretaría and reviewers may see drafts among the proposals: their page is theirs.
        reads(request, key(OF_CONSULTATION, consultation.pk))
        context = {**consultation_context(consultation, request), "items": _items(consultation, user)}
        for item in context["items"]:
            item.comments = holes.comments_line(item.n_comments)
        return render(request, "consultations/detail.html", context)

    def context() -> dict:
        found = {**consultation_context(consultation, request), "items": _items(consultation, None)}
        for item in found["items"]:
            item.comments = hole(request, holes.ITEM_COMMENTS, (consultation.pk, item.pk))
        return found

    return kept_page(request, "consultations/detail.html", context)


def _items(consultation: Consultation, user) -> list[Commitment]:
    """The proposals of a consultation `user` may see (None: the public), in order; with `n_comments`
    for a user (the public's counts are holes)."""
    items = Commitment.objects.visible_to(user or AnonymousUser()).filter(consultations=consultation)
    if user is not None:
        # Counted per proposal from the consultation's own rows (an index on both), not by joining every
        # comment each proposal has in any consultation.
        on_item = Contribution.objects.filter(consultation=consultation, commitment=OuterRef("pk"))
        items = items.annotate(n_comments=threads.SubqueryCount(on_item.values("pk")))
    return list(items.order_by("number", "title", "pk"))


def _paragraph(request, slug: str, key: str) -> Paragraph:
    paragraph = get_object_or_404(
        Paragraph.objects.select_related("consultation__plan"), consultation__slug=slug, key=key
    )
    plans.require(request, paragraph.consultation.plan_id)
    return paragraph


@require_safe
@public_page(reads=(SITE,))  # and its thread's (the forum tag)
def paragraph_detail(request, slug: str, key: str):
    """One paragraph of a consulted document, its thread and the comment form."""
    paragraph = _paragraph(request, slug, key)
    return render(
        request,
        "consultations/paragraph.html",
        {**consultation_context(paragraph.consultation, request), "paragraph": paragraph},
    )


@require_safe
def contribution_redirect(request, pk: int):
    """A stable link to a contribution: its place in its thread (page and anchor)."""
    return HttpResponseRedirect(contribution_url(readable_contribution(request, pk)))


# --- Posting ---------------------------------------------------------------------------------------
def _post(request, *, form, post, template: str, context: dict):
    """The shape of every posting view: validate, rate-limit, call the service, redirect with a message
    or render the form again (with what was typed, the service's message, HTTP 429 when rate limited)."""
    status = 200
    if request.method == "POST" and form.is_valid():
        if rate_limited(request, "comments"):
            too_many(form, "comments")
            status = 429
        else:
            try:
                contribution = post(form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                context.update(refused(form, error))
            else:
                return contribution
    return render(request, template, {**context, "form": form}, status=status)


def _reason(refusal: ValidationError | None) -> str:
    """A service's refusal as the sentence a page shows in place of its form ("" when there is none)."""
    return " ".join(refusal.messages) if refusal else ""


def _done(request, contribution: Contribution, message: str):
    messages.success(request, message)
    return HttpResponseRedirect(contribution_url(contribution))


@login_required_here
@GET_POST
def comment_on_item(request, slug: str, pk: int):
    """Comment on a proposal or commitment of a consultation (optionally on one section of it)."""
    consultation = consultation_here(request, slug=slug, kind=Consultation.Kind.ITEMS)
    commitment = visible_commitment(request, pk)
    if not services.is_item(consultation, commitment):
        raise Http404("Not in this consultation")
    form = CommentForm(posted(request), sections=True)

    def post(data):
        return services.post_comment(
            consultation=consultation,
            author=request.user,
            commitment=commitment,
            section=data["section"],
            text=data["text"],
            stance=data["stance"],
            category=data["category"],
        )

    context = {
        **consultation_context(consultation),
        "item": commitment,
        "item_closed": _reason(services.item_refusal(commitment)),
        "item_url": commitment.get_absolute_url(),
        "action": request.path,
    }
    result = _post(request, form=form, post=post, template="consultations/comment.html", context=context)
    if isinstance(result, Contribution):
        return _done(request, result, _("Your comment was published."))
    return result


@login_required_here
@GET_POST
def comment_on_paragraph(request, slug: str, key: str):
    """Comment on a paragraph of a consulted document."""
    paragraph = _paragraph(request, slug, key)
    consultation = paragraph.consultation
    form = CommentForm(posted(request))

    def post(data):
        return services.post_comment(
            consultation=consultation,
            author=request.user,
            paragraph=paragraph,
            text=data["text"],
            stance=data["stance"],
            category=data["category"],
        )

    context = {
        **consultation_context(consultation),
        "paragraph": paragraph,
        "item_url": threads.paragraph_url(paragraph),
        "action": request.path,
    }
    result = _post(request, form=form, post=post, template="consultations/comment.html", context=context)
    if isinstance(result, Contribution):
        return _done(request, result, _("Your comment was published."))
    return result


@login_required_here
@GET_POST
def comment_on_document(request, slug: str):
    """Comment on a consulted document as a whole."""
    consultation = consultation_here(request, slug=slug, kind=Consultation.Kind.DOCUMENT)
    form = CommentForm(posted(request))

    def post(data):
        return services.post_comment(
            consultation=consultation,
            author=request.user,
            text=data["text"],
            stance=data["stance"],
            category=data["category"],
        )

    context = {
        **consultation_context(consultation),
        "item_url": consultation.get_absolute_url(),
        "action": request.path,
    }
    result = _post(request, form=form, post=post, template="consultations/comment.html", context=context)
    if isinstance(result, Contribution):
        return _done(request, result, _("Your comment was published."))
    return result


@login_required_here
@GET_POST
def reply(request, pk: int):
    """Reply to a contribution (two levels deep at most)."""
    parent = readable_contribution(request, pk)
    form = CommentForm(posted(request))

    def post(data):
        return services.post_comment(
            consultation=parent.consultation,
            author=request.user,
            parent=parent,
            text=data["text"],
            stance=data["stance"],
            category=data["category"],
        )

    context = {
        **consultation_context(parent.consultation),
        "item_closed": _reason(services.item_refusal(parent.commitment)),
        "parent": threads.Entry(contribution=parent, user=request.user, now=clock.now()),
        "item_url": contribution_url(parent),
        "action": request.path,
    }
    result = _post(request, form=form, post=post, template="consultations/reply.html", context=context)
    if isinstance(result, Contribution):
        return _done(request, result, _("Your reply was published."))
    return result


@login_required_here
@GET_POST
def edit(request, pk: int):
    """The author corrects their comment during the 15 minutes after posting it (versions are kept)."""
    contribution = readable_contribution(request, pk)
    if contribution.author_id != request.user.pk:
        raise PermissionDenied
    form = EditForm(posted(request), initial={"text": contribution.text})

    def post(data):
        return services.edit_comment(contribution=contribution, author=request.user, text=data["text"])

    context = {
        **consultation_context(contribution.consultation),
        "contribution": contribution,
        "item_url": contribution_url(contribution),
        "action": request.path,
    }
    result = _post(request, form=form, post=post, template="consultations/edit.html", context=context)
    if isinstance(result, Contribution):
        return _done(request, result, _("Your comment was corrected."))
    return result


@login_required_here
@GET_POST
def support_contribution(request, pk: int):
    """Support a contribution (once per person)."""
    contribution = readable_contribution(request, pk)
    back = contribution_url(contribution)
    error = None
    if request.method == "POST":
        try:
            services.support(user=request.user, contribution=contribution)
        except (ValidationError, PermissionDenied) as refusal:
            error = " ".join(getattr(refusal, "messages", [str(refusal)]))
        else:
            messages.success(request, _("You support this contribution."))
            return HttpResponseRedirect(back)
    return render(
        request,
        "consultations/support.html",
        {
            **consultation_context(contribution.consultation),
            "entry": threads.Entry(contribution=contribution, user=request.user, now=clock.now()),
            "back": back,
            "error": error,
            "refusal": _reason(services.contribution_support_refusal(contribution)),
            "action": request.path,
        },
    )


@login_required_here
@GET_POST
def support_commitment(request, pk: int):
    """Support a proposal or commitment (once per person)."""
    commitment = visible_commitment(request, pk)
    back = thread_url(commitment.get_absolute_url())
    error = None
    if request.method == "POST":
        try:
            services.support(user=request.user, commitment=commitment)
        except (ValidationError, PermissionDenied) as refusal:
            error = " ".join(getattr(refusal, "messages", [str(refusal)]))
        else:
            messages.success(request, _("You support this proposal."))
            return HttpResponseRedirect(back)
    return render(
        request,
        "consultations/support.html",
        {
            "item": commitment,
            "back": back,
            "error": error,
            "refusal": _reason(services.item_support_refusal(commitment)),
            "action": request.path,
        },
    )


@login_required_here
@GET_POST
def flag(request, pk: int):
    """Report a contribution, with a reason; enough reports hide it pending the Secretaría's review."""
    contribution = readable_contribution(request, pk)
    form = FlagForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        if rate_limited(request, "flags"):
            too_many(form, "flags")
            status = 429
        else:
            try:
                services.flag(
                    contribution=contribution, user=request.user, reason=form.cleaned_data["reason"]
                )
            except (ValidationError, PermissionDenied) as error:
                refused(form, error)
            else:
                messages.success(request, _("Thank you: the Secretaría will review your report."))
                return HttpResponseRedirect(contribution_url(contribution))
    return render(
        request,
        "consultations/flag.html",
        {
            **consultation_context(contribution.consultation),
            "entry": threads.Entry(contribution=contribution, user=request.user, now=clock.now()),
            "form": form,
            "back": contribution_url(contribution),
            "action": request.path,
        },
        status=status,
    )
