"""Read-side helpers for the public pages of commitments: list base, detail, matrix, ranking, versions.

Every fetch goes through `Commitment.objects.visible_to(user)`: what the visitor may not see answers
404. Each page runs a fixed number of queries, however many milestones, versions or transitions a
commitment has (prefetches with their select_related inside).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Sum, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from paga.models import ActionPlan, GovernmentPriority, OGPValue

from .filters import NO_VALUE
from .models import (
    Commitment,
    Criterion,
    LineageLink,
    Milestone,
    OtherActor,
    Score,
    Status,
    Transition,
    ValueRelevance,
    Version,
)
from .querysets import CommitmentQuerySet

PROPOSAL_STATUSES = (Status.PROPOSED, Status.IN_CONSULTATION, Status.MERGED, Status.SPLIT, Status.WITHDRAWN)


def visible(*, user, plan: ActionPlan) -> CommitmentQuerySet:
    """The commitments and proposals of `plan` that `user` may see."""
    return Commitment.objects.visible_to(user).filter(plan=plan)


def _lookup(key: str) -> dict:
    """A commitment's key in its URL: its number (digits) or, for a proposal, its slug."""
    if key.isdigit():
        if len(key) > 5:
            raise Http404("No such commitment")
        return {"number": int(key)}
    return {"slug": key}


def _get(queryset: CommitmentQuerySet, key: str) -> Commitment:
    found = queryset.filter(**_lookup(key)).first()
    if found is None:
        raise Http404("No such commitment")
    return found


# --- Detail ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Origin:
    """A proposal this commitment came from; `via` is the commitment it passed through on the way."""

    link: LineageLink
    via: Commitment | None = None

    @property
    def proposal(self) -> Commitment:
        return self.link.source


@dataclass(frozen=True)
class HistoryEntry:
    """One step of the history: a saved version of the text, or a change of status."""

    when: datetime.datetime
    version: Version | None = None
    transition: Transition | None = None


@dataclass
class CommitmentDetail:
    commitment: Commitment
    went_to: list[LineageLink] = field(default_factory=list)  # merged or split into these
    came_from: list[Origin] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)  # newest first
    versions: list[Version] = field(default_factory=list)


def commitment_page(*, user, plan: ActionPlan, key: str) -> Commitment:
    """The commitment a public page is about, with its vocabulary (one query): what the page shows
    around its cached parts (commitments/views.py detail); `commitment_detail_of` adds the rest."""
    return _get(
        visible(user=user, plan=plan).select_related("lead_entity", "theme", "priority", "origin_region"),
        key,
    )


def commitment_detail(*, user, plan: ActionPlan, key: str) -> CommitmentDetail:
    """Everything the public page of a commitment shows. Fixed queries: the commitment with its
    vocabulary, one per related list, plus one per further step of lineage (merges of merges)."""
    return commitment_detail_of(user=user, commitment=commitment_page(user=user, plan=plan, key=key))


def commitment_detail_of(*, user, commitment: Commitment) -> CommitmentDetail:
    """`commitment_detail` for a commitment already fetched by `commitment_page`."""
    prefetch_related_objects(
        [commitment],
        Prefetch("relevances", ValueRelevance.objects.select_related("value")),
        Prefetch("milestones", Milestone.objects.select_related("responsible")),
        Prefetch("other_actors", OtherActor.objects.select_related("entity")),
        Prefetch("versions", Version.objects.select_related("author").defer("data")),
        Prefetch("transitions", Transition.objects.select_related("actor")),
    )
    # Both directions of its lineage in one query, each link saying whether its source came from others.
    links = list(
        _with_earlier(
            LineageLink.objects.filter(Q(source_id=commitment.pk) | Q(target_id=commitment.pk))
        ).select_related("source", "target")
    )
    links_in = [link for link in links if link.target_id == commitment.pk]

    def may_see(other: Commitment) -> bool:
        return user.has_perm("commitments.view_commitment", other)

    versions = list(commitment.versions.all())
    history = [HistoryEntry(v.created, version=v) for v in versions] + [
        HistoryEntry(t.created, transition=t) for t in commitment.transitions.all()
    ]
    history.sort(
        key=lambda e: (e.when, e.transition is not None, (e.version or e.transition).pk), reverse=True
    )
    return CommitmentDetail(
        commitment=commitment,
        went_to=[link for link in links if link.source_id == commitment.pk and may_see(link.target)],
        came_from=[o for o in _origins(commitment, links_in) if may_see(o.proposal)],
        history=history,
        versions=versions,
    )


def commitment_origins(*, user, commitment: Commitment) -> CommitmentDetail:
    """Only the proposals `commitment` came from, as `commitment_detail_of` gives them (its thread shows
    their comments too), for a page whose other parts come from the cache: one query, plus one per
    further step of lineage."""
    links_in = list(
        _with_earlier(LineageLink.objects.filter(target_id=commitment.pk)).select_related("source")
    )
    came_from = _origins(commitment, links_in)
    return CommitmentDetail(
        commitment=commitment,
        came_from=[o for o in came_from if user.has_perm("commitments.view_commitment", o.proposal)],
    )


def _with_earlier(links):
    """Links annotated with `source_has_sources`: whether their source was itself merged or split from
    others (so that the lineage is followed back only where it goes on: no query to find nothing)."""
    return links.annotate(
        source_has_sources=Exists(LineageLink.objects.filter(target_id=OuterRef("source_id")))
    )


def _origins(commitment: Commitment, links_in: list[LineageLink]) -> list[Origin]:
    """The proposals a commitment came from, through any number of merges and splits, with the reason
    of each step (services.ancestors, keeping the links). Direct sources (`links_in`) come fetched; one
    query per further step back, only for sources that came from others (a merge of a merge)."""
    found = [Origin(link) for link in links_in]
    seen = {commitment.pk} | {o.link.source_id for o in found}
    via = {o.link.source_id: o.link.source for o in found if o.link.source_has_sources}
    while via:
        step = _with_earlier(LineageLink.objects.filter(target_id__in=list(via))).select_related("source")
        further = {}
        for link in step:
            if link.source_id not in seen:
                seen.add(link.source_id)
                found.append(Origin(link, via=via[link.target_id]))
                if link.source_has_sources:
                    further[link.source_id] = link.source
        via = further
    return found


def commitment_versions(*, user, plan: ActionPlan, key: str) -> tuple[Commitment, list[Version]]:
    """A visible commitment and every version of its text, oldest first (two queries)."""
    commitment = _get(visible(user=user, plan=plan), key)
    return commitment, list(commitment.versions.select_related("author").order_by("number"))


# --- Matrix ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    count: int
    url: str = ""


@dataclass
class MatrixRow:
    priority: GovernmentPriority | None
    cells: list[Cell]  # one per OGP value, then "no value yet"


@dataclass
class Matrix:
    values: list[OGPValue]
    rows: list[MatrixRow]
    totals: list[Cell]


def _list_url(**params) -> str:
    return f"{reverse('commitments:list')}?{urlencode(params)}"


def matrix(*, user, plan: ActionPlan) -> Matrix:
    """Government priorities (rows) against OGP values (columns): how many visible commitments of the
    plan sit in each cell. A commitment counts once in each column it is relevant to, so a row can add
    up to more than its commitments. Counts come from one aggregate query."""
    priorities = list(plan.priorities.all())
    values = list(OGPValue.objects.all())
    counts: dict[tuple[int | None, str | None], int] = {
        (row["priority_id"], row["relevances__value__code"]): row["n"]
        for row in visible(user=user, plan=plan)
        .order_by()
        .values("priority_id", "relevances__value__code")
        .annotate(n=Count("pk"))
    }
    codes = [v.code for v in values] + [None]
    row_keys: list[GovernmentPriority | None] = list(priorities)
    if any(priority_id is None for priority_id, _code in counts):
        row_keys.append(None)
    rows = []
    for priority in row_keys:
        cells = []
        for code in codes:
            n = counts.get((priority.pk if priority else None, code), 0)
            url = _list_url(prioridad=priority.slug, valor=code or NO_VALUE) if priority and n else ""
            cells.append(Cell(n, url))
        rows.append(MatrixRow(priority, cells))
    totals = []
    for i, code in enumerate(codes):
        n = sum(row.cells[i].count for row in rows)
        totals.append(Cell(n, _list_url(valor=code or NO_VALUE) if n else ""))
    return Matrix(values=values, rows=rows, totals=totals)


# --- Ranking ---------------------------------------------------------------------------------------
CRITERIA_EXPLAINED = {
    Criterion.OGP_VALUES: _(
        "Does the proposal make government more transparent, open it to citizen participation or make "
        "officials accountable? Technology and innovation count only on top of one of these."
    ),
    Criterion.PRIORITIES: _(
        "Does it serve one of the government's priorities set by CEPLAN (health, education, sanitation "
        "and environment, public safety, infrastructure)?"
    ),
    Criterion.SDG: _("Does it contribute to a target of the Sustainable Development Goals?"),
    Criterion.OECD: _("Does it follow the OECD's recommendations and standards on public governance?"),
}


@dataclass
class RankedProposal:
    commitment: Commitment
    scores: list[tuple[str, Score | None]]  # (criterion label, score) in the order of Criterion
    total: int | None
    position: int | None = None


@dataclass
class Ranking:
    criteria: list[tuple[str, str, str]]  # (code, label, what it asks)
    maximum: int
    scored: list[RankedProposal]
    unscored: list[RankedProposal]


def ranking(*, user, plan: ActionPlan) -> Ranking:
    """Proposals by their total score on the prioritisation criteria (the Secretaría's scores, public
    with their reasons); proposals not scored yet come after. Two queries."""
    rows = (
        visible(user=user, plan=plan)
        .select_related("theme", "origin_region")
        .annotate(total=Sum("scores__value"), n_scores=Count("scores"))
        .order_by(F("total").desc(nulls_last=True), F("number").asc(nulls_last=True), "pk")
        .prefetch_related("scores")
    )
    scored, unscored = [], []
    for commitment in rows:
        by_criterion = {s.criterion: s for s in commitment.scores.all()}
        entry = RankedProposal(
            commitment=commitment,
            scores=[(label, by_criterion.get(code)) for code, label in Criterion.choices],
            total=commitment.total,
        )
        if commitment.n_scores:
            scored.append(entry)
        elif commitment.status in PROPOSAL_STATUSES:
            unscored.append(entry)
    position, previous = 0, None
    for n, entry in enumerate(scored, start=1):
        if entry.total != previous:  # equal totals share a place
            position, previous = n, entry.total
        entry.position = position
    return Ranking(
        criteria=[(code, label, CRITERIA_EXPLAINED.get(code, "")) for code, label in Criterion.choices],
        maximum=Score.MAX * len(Criterion.choices),
        scored=scored,
        unscored=unscored,
    )
