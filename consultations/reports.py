"""What the consultations tell about the co-creation process (hooks of paga/reports.py).

- compliance: how long each consultation was open (Lima calendar days), the share of its contributions
  answered with a PUBLISHED reasoned response (a draft answers nothing publicly), and the channels
  through which contributions arrived.
- process_summary: contributions by channel, each consultation's window, the share answered.
- annex: every contribution with its published response, one table per consultation, under the rules
  of the open data (consultations/selectors.py): the name the person agreed to show or the name given on
  another channel, never an email address, a hidden text replaced by why it was hidden.

Strings follow the active language (the plan's PDF calls these under translation.override("es")).
Each hook runs two queries whatever the number of consultations and contributions.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, Value, When
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from paga.models import ActionPlan, Channel
from paga.reports import Block, Line, Table
from paga.timeline_reports import day, days

from . import selectors
from .models import Consultation, Contribution, Disposition

# OGP asks that consultations stay open long enough for people to take part, without a fixed number of
# days; the portal measures them against two weeks, the notice OGP asks for the timeline.
MIN_OPEN_DAYS = 14


@dataclass
class Figures:
    """Contributions of one consultation (or of the whole plan): by channel, by published disposition."""

    channels: Counter = field(default_factory=Counter)
    dispositions: Counter = field(default_factory=Counter)  # published responses only

    @property
    def total(self) -> int:
        return sum(self.channels.values())

    @property
    def answered(self) -> int:
        return sum(self.dispositions.values())

    def add(self, channel: str, disposition: str, n: int) -> None:
        self.channels[channel] += n
        if disposition:
            self.dispositions[disposition] += n


def figures(plan: ActionPlan) -> tuple[list[Consultation], dict[int, Figures], Figures]:
    """The plan's consultations (oldest first), the figures of each and of all. Two queries."""
    consultations = list(Consultation.objects.filter(plan=plan).order_by("opens_at", "pk"))
    published = Case(
        When(response__published_at__isnull=False, then=F("response__disposition")),
        default=Value(""),
        output_field=CharField(),
    )
    counts = (
        Contribution.objects.filter(consultation__plan=plan)
        .annotate(answer=published)
        .values_list("consultation_id", "channel", "answer")
        .annotate(n=Count("pk"))
        .order_by()
    )
    each: dict[int, Figures] = defaultdict(Figures)
    everything = Figures()
    for consultation_id, channel, answer, n in counts:
        each[consultation_id].add(channel, answer, n)
        everything.add(channel, answer, n)
    return consultations, each, everything


def window(consultation: Consultation) -> tuple[datetime.date, datetime.date, int]:
    """First and last Lima day the consultation was open, and how many calendar days that is.
    `closes_at` is exclusive: a consultation closing at midnight ends the day before."""
    first = timezone.localtime(consultation.opens_at).date()
    last = timezone.localtime(consultation.closes_at - datetime.timedelta(microseconds=1)).date()
    return first, last, (last - first).days + 1


def _channels_in_words(counter: Counter) -> str:
    return ", ".join(
        f"{label}: {counter[code]}" for code, label in Channel.choices if counter[code]
    )  # in the order of Channel


def _contributions(n: int) -> str:
    return ngettext("%(n)s contribution", "%(n)s contributions", n) % {"n": n}


def _answered_in_words(f: Figures) -> str:
    return ngettext(  # the verb agrees with the first number: "1 of 4 contributions has"
        "%(answered)s of %(contributions)s has a published reasoned response (%(share)s %%).",
        "%(answered)s of %(contributions)s have a published reasoned response (%(share)s %%).",
        f.answered,
    ) % {
        "answered": f.answered,
        "contributions": _contributions(f.total),
        "share": formats.localize(selectors.share(f.answered, f.total)),  # "50,0" in Spanish
    }


def _illustrative(consultation: Consultation) -> str:
    return (
        _("Illustrative example: not what happened in the consultation.")
        if consultation.is_illustrative
        else ""
    )


# --- compliance ------------------------------------------------------------------------------------
def compliance(plan: ActionPlan) -> list[Line]:
    """Per consultation: its window and its share answered; for the plan: the channels used."""
    consultations, each, everything = figures(plan)
    lines = []
    for consultation in consultations:
        first, last, n = window(consultation)
        f = each[consultation.pk]
        lines.append(
            Line(
                key=f"consultation-open-{consultation.slug}",
                requirement=_("The consultation “%(title)s” stays open long enough for people to take part.")
                % {"title": consultation.title},
                finding=_("Open from %(first)s to %(last)s (Lima dates): %(days)s.")
                % {"first": day(first), "last": day(last), "days": days(n)},
                met=n >= MIN_OPEN_DAYS,
                evidence_url=consultation.get_absolute_url(),
                note=_(
                    "OGP sets no fixed number of days; the portal measures consultations against "
                    "%(days)s, the notice it asks for the timeline."
                )
                % {"days": days(MIN_OPEN_DAYS)},
                order=20,
            )
        )
        lines.append(
            Line(
                key=f"consultation-answered-{consultation.slug}",
                requirement=_("Every contribution to “%(title)s” receives a published reasoned response.")
                % {"title": consultation.title},
                finding=_answered_in_words(f) if f.total else _("No contributions recorded yet."),
                met=(f.answered == f.total) if f.total else None,
                evidence_url=reverse("consultations:report", kwargs={"slug": consultation.slug}),
                note=" ".join(
                    filter(
                        None,
                        [
                            _("Only published responses count: a draft answers nothing publicly."),
                            _illustrative(consultation),
                        ],
                    )
                ),
                order=30,
            )
        )
    if not consultations:
        lines.append(
            Line(
                key="consultations",
                requirement=_(
                    "Public consultations stay open long enough and every contribution is answered."
                ),
                finding=_("Not recorded: the plan has no consultation yet."),
                met=None,
                evidence_url=reverse("consultations:list"),
                order=20,
            )
        )
    used = [code for code, _label in Channel.choices if everything.channels[code]]
    lines.append(
        Line(
            key="channels",
            requirement=_("Contributions are received through several channels, and every one is recorded."),
            finding=(
                ngettext(
                    "%(n)s channel used: %(channels)s.",
                    "%(n)s channels used: %(channels)s.",
                    len(used),
                )
                % {"n": len(used), "channels": _channels_in_words(everything.channels)}
                if used
                else _("No contributions recorded yet.")
            ),
            met=len(used) >= 2 if used else None,
            evidence_url=reverse("consultations:open_data"),
            order=60,
        )
    )
    return lines


# --- process_summary -------------------------------------------------------------------------------
def process_summary(plan: ActionPlan) -> list[Block]:
    """Contributions by channel and each consultation's window; the share answered, by disposition."""
    consultations, each, everything = figures(plan)
    if not consultations:
        return []
    total = everything.total
    by_channel = Table(
        caption=_("Contributions by channel"),
        headers=[_("Channel"), _("Contributions"), _("Share of all contributions (%)")],
        rows=[
            [str(label), everything.channels[code], selectors.share(everything.channels[code], total)]
            for code, label in Channel.choices
            if everything.channels[code]
        ],
    )
    windows = Table(
        caption=_("Consultations"),
        headers=[
            _("Consultation"),
            _("Open from"),
            _("Open until"),
            _("Days"),
            _("Contributions"),
            _("Answered"),
        ],
        rows=[
            [c.title, day(first), day(last), n, each[c.pk].total, each[c.pk].answered]
            for c in consultations
            for first, last, n in [window(c)]
        ],
    )
    awaiting = total - everything.answered
    by_disposition = Table(
        caption=_("Contributions by published response"),
        headers=[_("Response"), _("Contributions"), _("Share of all contributions (%)")],
        rows=[
            [str(label), everything.dispositions[code], selectors.share(everything.dispositions[code], total)]
            for code, label in Disposition.choices
        ]
        + [[_("Awaiting a response"), awaiting, selectors.share(awaiting, total)]],
    )
    n_channels = len(by_channel.rows)
    in_channels = ngettext("%(n)s channel", "%(n)s channels", n_channels) % {"n": n_channels}
    channels_used = ngettext(
        "%(total)s contribution arrived through %(channels)s.",
        "%(total)s contributions arrived through %(channels)s.",
        total,
    ) % {"total": total, "channels": in_channels}
    return [
        Block(
            key="consultations-by-channel",
            title=_("Contributions received by channel"),
            paragraphs=[
                channels_used if total else _("No contributions recorded yet."),
                _("Every contribution counts alike, whatever the channel it arrived through."),
            ],
            tables=[by_channel, windows] if total else [windows],
            order=30,
        ),
        Block(
            key="consultations-answered",
            title=_("Share of contributions answered"),
            paragraphs=[
                _answered_in_words(everything) if total else _("No contributions recorded yet."),
                _("Only published responses count: a draft answers nothing publicly."),
            ],
            tables=[by_disposition] if total else [],
            order=40,
        ),
    ]


# --- annex -----------------------------------------------------------------------------------------
def annex(plan: ActionPlan) -> list[Block]:
    """Every contribution with its published response, one block per consultation. Two queries."""
    data = selectors.open_data(plan)
    rows_of: dict[str, list[dict]] = defaultdict(list)
    for row in data.rows:
        rows_of[row["consultation"]].append(row)
    headers = [
        _("No."),
        _("Date"),
        _("Channel"),
        _("Author"),
        _("Item"),
        _("Contribution"),
        _("Response"),
        _("Reason"),
    ]
    blocks = []
    for order, consultation in enumerate(data.consultations):
        rows = rows_of[consultation.slug]
        answered = sum(1 for r in rows if r["published"])
        first, last, _n = window(consultation)
        paragraphs = [
            _("Open from %(first)s to %(last)s (Lima dates).") % {"first": day(first), "last": day(last)},
            ngettext(
                "%(answered)s of %(contributions)s has a published reasoned response.",
                "%(answered)s of %(contributions)s have a published reasoned response.",
                answered,
            )
            % {"answered": answered, "contributions": _contributions(len(rows))}
            if rows
            else _("No contributions recorded."),
        ]
        if consultation.is_illustrative:
            paragraphs.append(_illustrative(consultation))
        blocks.append(
            Block(
                key=f"annex-{consultation.slug}",
                title=_("Contributions to “%(title)s” and their responses") % {"title": consultation.title},
                paragraphs=paragraphs,
                tables=[
                    Table(
                        caption=_("Every contribution and its published response"),
                        headers=headers,
                        rows=[_annex_row(r) for r in rows],
                    )
                ]
                if rows
                else [],
                order=200 + order,
            )
        )
    return blocks


def _annex_row(row: dict) -> list:
    reason = row["reason"]
    if row["commitment_version"]:
        went = _("Went into: %(version)s") % {"version": row["commitment_version"]}
        reason = f"{reason} ({went})" if reason else went
    return [
        row["contribution"],
        day(row["date"]),
        row["channel_label"],
        row["author"],
        row["item"],
        row["text"],
        row["disposition_label"] if row["published"] else _("Awaiting a response"),
        reason,
    ]
