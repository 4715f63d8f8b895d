"""The Secretaría's side of the virtual forum, under /gestion/consultas/ (namespace "consultations"):
its desk, the moderation queue and log, blocked people, contributions received by other channels,
and the reasoned response to every contribution (one by one or in bulk, published at once).

Every page needs a signed-in member of the Secretaría or an administrator (the login page for anonymous
visitors, 403 for other roles): consultations.moderate, .record_other_channel or .respond (rules.py).
Each POST calls one service (services.py, responses.py) and puts its ValidationError back on the form,
with everything that was typed, then redirects with a message. Lists run a fixed number of queries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from commitments.forms import put_back
from commitments.staff_views import staff_required
from paga import plans
from paga import selectors as paga_selectors

from . import markdown, responses, services
from .models import (
    Block,
    Consultation,
    Contribution,
    Flag,
    ModerationAction,
    Response,
    ResponseTemplate,
)
from .staff_forms import (
    BlockForm,
    BulkRespondForm,
    HideForm,
    LogFilterForm,
    ModerationFilterForm,
    OtherChannelForm,
    RespondForm,
    ResponsesFilterForm,
    ResponseTemplateForm,
    RestoreForm,
    TemplateChoiceForm,
    attachment_type,
    item_filter,
)

State = Contribution.State
PER_PAGE = 50
PAGE = "pagina"
MODERATE = "consultations.moderate"
RESPOND = "consultations.respond"
RECORD = "consultations.record_other_channel"
# Long texts of a consultation, not needed by the lists.
LONG_TEXTS = ("consultation__description", "consultation__rules")


def _page(request, queryset):
    paginator = Paginator(queryset, PER_PAGE)
    page = paginator.get_page(request.GET.get(PAGE))
    return page, list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def _consultation(request, slug: str) -> Consultation:
    consultation = get_object_or_404(Consultation.objects.select_related("plan"), slug=slug)
    plans.require(request, consultation.plan)
    return consultation


def _contribution(request, pk: int) -> Contribution:
    contribution = get_object_or_404(
        Contribution.objects.select_related(
            "consultation", "author", "commitment", "paragraph__consultation"
        ),
        pk=pk,
    )
    plans.require(request, (contribution.consultation or contribution.paragraph.consultation).plan_id)
    return contribution


# --- The desk --------------------------------------------------------------------------------------
@staff_required(MODERATE)
@require_safe
def desk(request):
    """Each consultation with what waits for the Secretaría: contributions, those without a response,
    responses written but not published, and what waits for moderation. Two queries, whatever the data.
    The address's plan only (staff work on one plan at a time)."""
    on = "contributions"
    plan = paga_selectors.find_current_plan(request)  # None without a plan: nothing listed
    consultations = list(
        Consultation.objects.filter(plan=plan)
        .defer("description", "rules")
        .annotate(
            n_contributions=Count(on),
            n_unanswered=Count(on, filter=Q(contributions__response__isnull=True)),
            n_unpublished=Count(
                on,
                filter=Q(
                    contributions__response__isnull=False, contributions__response__published_at__isnull=True
                ),
            ),
            n_pending=Count(on, filter=Q(contributions__state=State.PENDING)),
        )
        .order_by("-opens_at", "pk")
    )
    reported = dict(
        Flag.objects.filter(reviewed=False, contribution__consultation__plan=plan)
        .values_list("contribution__consultation_id")
        .annotate(n=Count("contribution_id", distinct=True))
        .order_by()
    )
    for consultation in consultations:
        consultation.n_reported = reported.get(consultation.pk, 0)
    return render(request, "consultations/staff/desk.html", {"consultations": consultations})


# --- Moderation ------------------------------------------------------------------------------------
def _open_flags():
    return Exists(Flag.objects.filter(contribution=OuterRef("pk"), reviewed=False))


def _moderation_rows():
    """Contributions with what moderation needs: the consultation, author (blocked or not), flags."""
    return (
        Contribution.objects.select_related("consultation", "author", "commitment", "paragraph")
        .defer(*LONG_TEXTS)
        .annotate(
            author_blocked=Exists(Block.objects.filter(user=OuterRef("author_id"), lifted__isnull=True))
        )
        .prefetch_related(Prefetch("flags", queryset=Flag.objects.order_by("created", "pk")))
    )


@dataclass
class ModerationRow:
    contribution: Contribution
    open_reasons: list[tuple[str, int]]  # (reason in words, how many) among the open reports
    n_open: int
    n_reviewed: int
    html: str  # the text, rendered safe (markdown.render sanitises it)


def _row(contribution: Contribution) -> ModerationRow:
    flags = list(contribution.flags.all())
    open_flags = [f for f in flags if not f.reviewed]
    reasons = Counter(str(f.get_reason_display()) for f in open_flags)
    return ModerationRow(
        contribution=contribution,
        open_reasons=sorted(reasons.items()),
        n_open=len(open_flags),
        n_reviewed=len(flags) - len(open_flags),
        html=markdown.render(contribution.text),
    )


@staff_required(MODERATE)
@require_safe
def moderation_queue(request):
    """Reported contributions and those hidden pending review, with filters; each with its text, author,
    reports and the moderation actions, one small form each. The address's plan only."""
    plan = paga_selectors.find_current_plan(request)  # None without a plan: nothing listed
    consultations = list(
        Consultation.objects.filter(plan=plan).only("pk", "slug", "title").order_by("-opens_at", "pk")
    )
    form = ModerationFilterForm(request.GET or None, consultations=consultations)
    chosen = form.values()
    rows = _moderation_rows().filter(consultation__plan=plan)
    state = chosen.get("estado", "")
    if state == form.PENDING:
        rows = rows.filter(state=State.PENDING)
    elif state == form.FLAGGED:
        rows = rows.filter(_open_flags(), state=State.VISIBLE)
    elif state == form.HIDDEN:
        rows = rows.filter(state=State.HIDDEN)
    else:
        rows = rows.filter(Q(state=State.PENDING) | _open_flags())
    if slug := chosen.get("consulta"):
        rows = rows.filter(consultation__slug=slug)
    if reason := chosen.get("motivo"):
        rows = rows.filter(Exists(Flag.objects.filter(contribution=OuterRef("pk"), reason=reason)))
    if channel := chosen.get("canal"):
        rows = rows.filter(channel=channel)
    if words := chosen.get("q", "").strip():
        rows = rows.filter(
            Q(text__icontains=words)
            | Q(author__display_name__icontains=words)
            | Q(given_name__icontains=words)
        )
    page, page_range = _page(request, rows.order_by("created", "pk"))
    return render(
        request,
        "consultations/staff/moderation.html",
        {
            "form": form,
            "filtered": bool(chosen),
            "page": page,
            "page_range": page_range,
            "rows": [_row(c) for c in page.object_list],
        },
    )


def _next_url(request) -> str:
    """Back to the queue as it was filtered (a local address only), else to the queue. Also on a GET: the
    `next` of the address becomes the page's "back" link, so `?next=javascript:…` must never get there."""
    target = request.POST.get("next", "") if request.method == "POST" else request.GET.get("next", "")
    queue = reverse("consultations:staff_moderation")
    if target.startswith(queue) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return queue


def _moderation_page(request, contribution: Contribution, *, status: int = 200, **bound):
    """One contribution with its reports, history and every moderation action (bound forms on errors)."""
    row = _row(_moderation_rows().get(pk=contribution.pk))
    history = ModerationAction.objects.filter(
        Q(contribution=contribution) | Q(person_id=contribution.author_id, person__isnull=False)
    ).select_related("actor", "person")
    return render(
        request,
        "consultations/staff/contribution.html",
        {
            "row": row,
            "contribution": row.contribution,
            "history": history,
            "hide_form": bound.get("hide_form") or HideForm(),
            "restore_form": bound.get("restore_form") or RestoreForm(),
            "block_form": bound.get("block_form") or BlockForm(),
            "dismiss_errors": bound.get("dismiss_errors", []),
            "next": _next_url(request),
            "bound": next((f for f in bound.values() if hasattr(f, "errors")), None),
        },
        status=status,
    )


@staff_required(MODERATE)
@require_safe
def moderate_contribution(request, pk: int):
    return _moderation_page(request, _contribution(request, pk))


def _moderate(request, pk: int, *, form_class, key: str, service, success: str):
    """A moderation action from the queue or the contribution's page: the service decides; an error
    comes back on the contribution's page with what was typed."""
    contribution = _contribution(request, pk)
    form = form_class(request.POST) if form_class else None
    if form is None or form.is_valid():
        try:
            service(contribution, form.cleaned_data if form else {})
        except ValidationError as error:
            if form is None:
                return _moderation_page(request, contribution, dismiss_errors=error.messages)
            put_back(form, error)
        else:
            messages.success(request, success)
            return redirect(_next_url(request))
    return _moderation_page(request, contribution, **{key: form})


@staff_required(MODERATE)
@require_POST
def hide(request, pk: int):
    """Hide with a reason: the text is kept, the public reads the reason, the author is emailed."""
    return _moderate(
        request,
        pk,
        form_class=HideForm,
        key="hide_form",
        service=lambda c, data: services.hide(contribution=c, actor=request.user, reason=data["reason"]),
        success=_("The contribution was hidden; its author will receive an email with the reason."),
    )


@staff_required(MODERATE)
@require_POST
def restore(request, pk: int):
    return _moderate(
        request,
        pk,
        form_class=RestoreForm,
        key="restore_form",
        service=lambda c, data: services.restore(contribution=c, actor=request.user, reason=data["reason"]),
        success=_("The contribution is visible again; its author will receive an email."),
    )


@staff_required(MODERATE)
@require_POST
def dismiss(request, pk: int):
    return _moderate(
        request,
        pk,
        form_class=None,
        key="",
        service=lambda c, data: services.dismiss_flags(contribution=c, actor=request.user),
        success=_("The reports were dismissed; the contribution stays visible."),
    )


@staff_required(MODERATE)
@require_POST
def block_author(request, pk: int):
    """Block the author of a contribution: their new posts are refused, with the reason."""
    contribution = _contribution(request, pk)
    if contribution.author_id is None:
        raise Http404("A contribution from another channel has no account to block.")
    return _moderate(
        request,
        pk,
        form_class=BlockForm,
        key="block_form",
        service=lambda c, data: services.block(user=c.author, actor=request.user, reason=data["reason"]),
        success=_("The author was blocked: their new contributions will be refused with the reason."),
    )


@staff_required(MODERATE)
@require_safe
def blocks(request):
    """People whose posts are refused, with the reason, who blocked them and when; lifted blocks below."""
    rows = Block.objects.select_related("user", "actor").order_by("-created", "-pk")
    active = list(rows.filter(lifted__isnull=True))
    page, page_range = _page(request, rows.filter(lifted__isnull=False))
    return render(
        request,
        "consultations/staff/blocks.html",
        {"active": active, "page": page, "page_range": page_range},
    )


@staff_required(MODERATE)
@require_POST
def unblock(request, pk: int):
    row = get_object_or_404(Block.objects.select_related("user"), pk=pk)
    try:
        services.unblock(user=row.user, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s may post contributions again.") % {"name": row.user.display_name or row.user}
        )
    return redirect("consultations:staff_blocks")


@staff_required(MODERATE)
@require_safe
def moderation_log(request):
    """Every moderation action: who did what to which contribution or person, when and why. The address's
    plan's contributions, and the blocks of people (a block holds in every plan)."""
    form = LogFilterForm(request.GET or None)
    plan = paga_selectors.find_current_plan(request)  # None without a plan: nothing listed
    rows = (
        ModerationAction.objects.filter(
            Q(contribution__consultation__plan=plan) | Q(contribution__isnull=True)
        )
        .select_related("contribution", "contribution__consultation", "person", "actor")
        .defer("contribution__consultation__description", "contribution__consultation__rules")
    )
    if form.is_bound and form.is_valid() and form.cleaned_data["accion"]:
        rows = rows.filter(action=form.cleaned_data["accion"])
    page, page_range = _page(request, rows.order_by("-created", "-pk"))
    return render(
        request,
        "consultations/staff/log.html",
        {"form": form, "page": page, "page_range": page_range},
    )


# --- Other channels --------------------------------------------------------------------------------
@staff_required(RECORD)
@require_http_methods(["GET", "HEAD", "POST"])
def record_other_channel(request, slug: str):
    """A contribution received by email, social networks, on paper or in person, with the name as given
    and an optional attachment (checked: type by name and by content, at most 5 MB)."""
    consultation = _consultation(request, slug)
    posted = request.method == "POST"
    form = OtherChannelForm(
        request.POST if posted else None, request.FILES if posted else None, consultation=consultation
    )
    if posted and form.is_valid():
        try:
            contribution = services.record_other_channel(
                consultation=consultation, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            put_back(form, error)
        else:
            messages.success(
                request,
                _("The contribution n.º %(n)s from “%(name)s” was recorded.")
                % {"n": contribution.pk, "name": contribution.given_name},
            )
            return redirect(reverse("consultations:staff_responses", args=[consultation.slug]))
    return render(
        request,
        "consultations/staff/other_channel.html",
        {
            "consultation": consultation,
            "form": form,
            "file_lost": posted and bool(request.FILES) and bool(form.errors),
        },
    )


@staff_required(RECORD)
@require_safe
def attachment(request, pk: int):
    """The attachment of a contribution, for the Secretaría only: it may hold personal data, so it is
    never served from a public address; downloaded, never shown inline."""
    contribution = get_object_or_404(
        Contribution.objects.select_related("consultation", "paragraph__consultation").only(
            "pk", "attachment", "consultation__plan_id", "paragraph__consultation__plan_id"
        ),
        pk=pk,
    )
    plans.require(request, (contribution.consultation or contribution.paragraph.consultation).plan_id)
    kind = attachment_type(contribution.attachment.name) if contribution.attachment else None
    if kind is None:
        raise Http404("No attachment")
    try:
        handle = contribution.attachment.open("rb")
    except FileNotFoundError:
        raise Http404("The attachment's file is missing") from None
    extension = contribution.attachment.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        handle, as_attachment=True, filename=f"aporte-{contribution.pk}.{extension}", content_type=kind[1]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Responses -------------------------------------------------------------------------------------
def _templates() -> list[ResponseTemplate]:
    return list(ResponseTemplate.objects.all())


def _problems(
    selected: list[Contribution], actor, kwargs: dict
) -> list[tuple[Contribution, ValidationError]]:
    """Every selected contribution the response cannot be given to, with the reason. A trial run, undone:
    the service refuses the whole batch at the first one, the Secretaría wants to see them all."""
    problems = []
    with transaction.atomic():
        for contribution in selected:
            try:
                with transaction.atomic():
                    responses.respond(contribution=contribution, actor=actor, **kwargs)
            except ValidationError as error:
                problems.append((contribution, error))
        transaction.set_rollback(True)
    return problems


def _put_back_bulk(form: BulkRespondForm, selected: list[Contribution], problems, error) -> None:
    """The refusals on the form: a problem with the response itself (the same for every contribution) once,
    on its field; otherwise one line per contribution that cannot take it."""
    if not problems:  # the data changed between the two runs: the service's own message
        form.add_error(None, error)
        return
    first = problems[0][1]
    if len(problems) == len(selected) and len({tuple(e.messages) for _, e in problems}) == 1:
        form.add_error(first.code if first.code in form.fields else None, first.messages)
        return
    for contribution, problem in problems:
        form.add_error(
            None,
            _("Contribution n.º %(n)s: %(problem)s")
            % {"n": contribution.pk, "problem": " ".join(problem.messages)},
        )
    form.add_error(None, _("Nothing was saved. Correct the selection or the response and try again."))


@staff_required(RESPOND)
@require_http_methods(["GET", "HEAD", "POST"])
def responses_list(request, slug: str):
    """The consultation's contributions, every channel, with their response, filtered; tick several and
    give them the same reasoned response (all or nothing)."""
    consultation = _consultation(request, slug)
    filters = ResponsesFilterForm(request.GET or None, consultation=consultation)
    chosen = filters.values()
    templates = _templates()
    chooser = TemplateChoiceForm(request.GET if "plantilla" in request.GET else None, templates=templates)
    template = chooser.chosen()
    posted = request.method == "POST"
    form = BulkRespondForm(
        request.POST if posted else None,
        consultation=consultation,
        initial=responses.apply_template(template) if template else None,
    )
    if posted and form.is_valid():
        selected = list(form.cleaned_data["aportes"].order_by("created", "pk"))
        kwargs = form.response_kwargs()
        try:
            saved = responses.respond_many(contributions=selected, actor=request.user, **kwargs)
        except ValidationError as error:
            _put_back_bulk(form, selected, _problems(selected, request.user, kwargs), error)
        else:
            published = consultation.publication == Consultation.Publication.IMMEDIATE
            messages.success(
                request,
                (
                    ngettext(
                        "%(n)s contribution was answered; the response is published.",
                        "%(n)s contributions were answered; the responses are published.",
                        len(saved),
                    )
                    if published
                    else ngettext(
                        "%(n)s contribution was answered; publish the responses when they are all ready.",
                        "%(n)s contributions were answered; publish the responses when they are all ready.",
                        len(saved),
                    )
                )
                % {"n": len(saved)},
            )
            return redirect(request.get_full_path())
    rows = (
        Contribution.objects.filter(consultation=consultation)
        .select_related("author", "commitment", "paragraph", "response")
        .only(
            "pk", "consultation_id", "channel", "text", "state", "hidden_reason", "stance", "category",
            "given_name", "created", "received_on", "depth",
            "author__id", "author__display_name",
            "commitment__id", "commitment__number", "commitment__title",
            "paragraph__id", "paragraph__number",
            "response__id", "response__disposition", "response__published_at", "response__reason",
        )
    )  # fmt: skip
    state = chosen.get("estado")
    if state == filters.UNANSWERED:
        rows = rows.filter(response__isnull=True)
    elif state == filters.UNPUBLISHED:
        rows = rows.filter(response__isnull=False, response__published_at__isnull=True)
    elif state == filters.ANSWERED:
        rows = rows.filter(response__published_at__isnull=False)
    if item := chosen.get("item"):
        rows = rows.filter(item_filter(item))
    if channel := chosen.get("canal"):
        rows = rows.filter(channel=channel)
    if disposition := chosen.get("disposicion"):
        rows = rows.filter(response__disposition=disposition)
    page, page_range = _page(request, rows.order_by("created", "pk"))
    unpublished = Response.objects.filter(
        contribution__consultation=consultation, published_at__isnull=True
    ).count()
    return render(
        request,
        "consultations/staff/responses.html",
        {
            "consultation": consultation,
            "filters": filters,
            "filtered": bool(chosen),
            "filter_values": {k: v for k, v in request.GET.items() if k in filters.fields or k == PAGE},
            "chooser": chooser,
            "template": template,
            "form": form,
            "selected": form.selected_ids(),
            "page": page,
            "page_range": page_range,
            "unpublished": unpublished,
            "at_once": consultation.publication == Consultation.Publication.AT_ONCE,
        },
    )


@staff_required(RESPOND)
@require_http_methods(["GET", "HEAD", "POST"])
def respond(request, pk: int):
    """The response to one contribution: written, and rewritten until it is published."""
    contribution = _contribution(request, pk)
    consultation = contribution.consultation
    existing = (
        Response.objects.filter(contribution=contribution)
        .select_related("commitment_version__commitment", "duplicate_of", "author")
        .first()
    )
    templates = _templates()
    chooser = TemplateChoiceForm(request.GET if "plantilla" in request.GET else None, templates=templates)
    template = chooser.chosen()
    if template:
        initial = responses.apply_template(template)
    elif existing:
        initial = {
            "disposition": existing.disposition,
            "reason": existing.reason,
            "commitment_version": existing.commitment_version_id,
            "duplicate_of": existing.duplicate_of_id,
        }
    else:
        initial = None
    posted = request.method == "POST"
    form = RespondForm(request.POST if posted else None, consultation=consultation, initial=initial)
    if posted and form.is_valid():
        try:
            responses.respond(contribution=contribution, actor=request.user, **form.response_kwargs())
        except ValidationError as error:  # on its field when the service names one (code = field name)
            form.add_error(error.code if error.code in form.fields else None, error)
        else:
            published = consultation.publication == Consultation.Publication.IMMEDIATE
            messages.success(
                request,
                _("The response to contribution n.º %(n)s was published.") % {"n": contribution.pk}
                if published
                else _(
                    "The response to contribution n.º %(n)s was saved; it is published with all the others."
                )
                % {"n": contribution.pk},
            )
            return redirect(reverse("consultations:staff_responses", args=[consultation.slug]))
    return render(
        request,
        "consultations/staff/respond.html",
        {
            "contribution": contribution,
            "consultation": consultation,
            "html": markdown.render(contribution.text),
            "existing": existing,
            "editable": existing is None or existing.published_at is None,
            "chooser": chooser,
            "template": template,
            "form": form,
        },
    )


@staff_required(RESPOND)
@require_http_methods(["GET", "HEAD", "POST"])
def publish(request, slug: str):
    """Publish every written, unpublished response of the consultation at the same moment (after a
    confirmation page: a published response cannot be changed)."""
    consultation = _consultation(request, slug)
    if request.method == "POST" and request.POST.get("confirmar") == "si":  # an empty POST publishes nothing
        count = responses.publish_responses(consultation=consultation, actor=request.user)
        if count:
            messages.success(
                request,
                ngettext("%(n)s response was published.", "%(n)s responses were published.", count)
                % {"n": count},
            )
        else:
            messages.info(request, _("There was no unpublished response: nothing was published."))
        return redirect(reverse("consultations:staff_responses", args=[consultation.slug]))
    pending = Response.objects.filter(contribution__consultation=consultation, published_at__isnull=True)
    counts = consultation.contributions.aggregate(
        total=Count("pk"), unanswered=Count("pk", filter=Q(response__isnull=True))
    )
    return render(
        request,
        "consultations/staff/publish.html",
        {"consultation": consultation, "pending": pending.count(), **counts},
    )


# --- Response templates ----------------------------------------------------------------------------
@staff_required(RESPOND)
@require_safe
def templates_list(request):
    return render(request, "consultations/staff/templates.html", {"templates": _templates()})


@staff_required(RESPOND)
@require_http_methods(["GET", "HEAD", "POST"])
def template_edit(request, pk: int | None = None):
    """A response template: new, or changed (responses already written from it do not change)."""
    template = get_object_or_404(ResponseTemplate, pk=pk) if pk else None
    form = ResponseTemplateForm(request.POST if request.method == "POST" else None, instance=template)
    if form.is_bound and form.is_valid():
        saved = form.save()
        messages.success(request, _("The response template “%(title)s” was saved.") % {"title": saved.title})
        return redirect("consultations:staff_templates")
    return render(request, "consultations/staff/template_form.html", {"form": form, "template": template})
