"""What the timeline tells about the co-creation process (paga's hooks of paga/reports.py).

- compliance: the notice given before the first activity. OGP asks that the timeline be published at
  least 14 days before the first co-creation activity; PAGA 2017-2019 published it on 08.09.2017 and held
  its first regional workshop on 21.09.2017: 13 days, flagged. (The forum, the repository and
  participation are the workshops' lines: workshops/reports.py.)
- process_summary: the timeline, stage by stage, with its dates.

Where the data says when the timeline was published: the stage that is its publication ("Publicación
del cronograma de actividades", on its start date) or the earliest date a stage was announced
(`published_on`), whichever comes first. The first activity is the earliest dated stage other than
that publication. Nothing is invented: without either date the line says "not recorded".

Strings follow the active language (call under translation.override("es") for the plan's PDF); dates
read "21 de septiembre de 2017" in Spanish. One query per hook.
"""

from __future__ import annotations

import datetime

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import ActionPlan, TimelineStage
from .reports import Block, Line, Table

# OGP's Participation and Co-Creation Standards ask for the timeline this many days before the first
# activity.
NOTICE_DAYS = 14
# The current standards (2021) apply to action plans co-created from 2022; earlier plans were
# co-created under the standards of 2017.
CURRENT_STANDARDS_FROM = datetime.date(2022, 1, 1)
# Words in the title of the stage that is the publication of the timeline itself.
TIMELINE_WORDS = ("cronograma",)


def day(value: datetime.date | None) -> str:
    """A date in words in the active language ("21 de septiembre de 2017"), or "no date"."""
    if value is None:
        return _("no date")
    return formats.date_format(value, "DATE_FORMAT")


def days(n: int) -> str:
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}


def _stages(plan: ActionPlan) -> list[TimelineStage]:
    return list(TimelineStage.objects.filter(plan=plan).for_display().order_by("order"))


def _is_publication(stage: TimelineStage) -> bool:
    title = stage.title.casefold()
    return any(word in title for word in TIMELINE_WORDS)


def timeline_published(stages: list[TimelineStage]) -> tuple[datetime.date | None, TimelineStage | None]:
    """When the timeline was made public, and the stage that says so (None if none does)."""
    found: list[tuple[datetime.date, int, TimelineStage]] = []
    for stage in stages:
        if _is_publication(stage) and stage.starts_on:
            found.append((stage.starts_on, stage.order, stage))
        if stage.published_on:
            found.append((stage.published_on, stage.order, stage))
    if not found:
        return None, None
    published, _order, stage = min(found, key=lambda item: (item[0], item[1]))
    return published, stage


def first_activity(stages: list[TimelineStage]) -> TimelineStage | None:
    """The earliest dated stage that is not the publication of the timeline itself."""
    dated = [s for s in stages if s.starts_on and not _is_publication(s)]
    return min(dated, key=lambda s: (s.starts_on, s.order), default=None)


def notice_line(stages: list[TimelineStage]) -> Line:
    published, publication = timeline_published(stages)
    first = first_activity(stages)
    requirement = _(
        "The timeline of the co-creation process is published at least %(days)s days before the first "
        "activity."
    ) % {"days": NOTICE_DAYS}
    if published is None or first is None:
        missing = (
            _("the date the timeline was published is not recorded")
            if published is None
            else _("no activity of the timeline has a date")
        )
        return Line(
            key="timeline-notice",
            requirement=requirement,
            finding=_("Not recorded: %(what)s.") % {"what": missing},
            met=None,
            evidence_url=(publication or first).get_absolute_url() if (publication or first) else "",
            order=10,
        )
    notice = (first.starts_on - published).days
    note = ""
    if published < CURRENT_STANDARDS_FROM:
        note = _(
            "The plan was co-created under the OGP Participation and Co-Creation Standards of 2017, which "
            "applied then; the line measures it against the %(days)s days the current standards ask."
        ) % {"days": NOTICE_DAYS}
    return Line(
        key="timeline-notice",
        requirement=requirement,
        finding=_(
            "Timeline published on %(published)s; first activity, “%(activity)s”, on %(first)s: "
            "%(notice)s' notice."
        )
        % {
            "published": day(published),
            "activity": first.title,
            "first": day(first.starts_on),
            "notice": days(notice),
        },
        met=notice >= NOTICE_DAYS,
        evidence_url=publication.get_absolute_url() if publication else first.get_absolute_url(),
        note=note,
        order=10,
    )


def compliance(plan: ActionPlan) -> list[Line]:
    """The timeline's notice. One query."""
    return [notice_line(_stages(plan))]


def _where(stage: TimelineStage) -> str:
    parts = [stage.place] if stage.place else []
    if stage.region and stage.region.name != stage.place:
        parts.append(stage.region.name)
    return ", ".join(parts)


def _dates(stage: TimelineStage) -> str:
    if not stage.starts_on:
        return day(None)
    if stage.is_single_day:
        return day(stage.starts_on)
    return _("%(start)s to %(end)s") % {"start": day(stage.starts_on), "end": day(stage.ends_on)}


def process_summary(plan: ActionPlan) -> list[Block]:
    """The timeline as published: each stage with its dates, place and channels. One query."""
    stages = _stages(plan)
    published, _publication = timeline_published(stages)
    paragraphs = [
        _("The schedule of every stage of the co-creation process, as published. Dates are Lima dates.")
    ]
    if published:
        paragraphs.append(_("The timeline was published on %(day)s.") % {"day": day(published)})
    rows = [
        [
            stage.phase,
            stage.title,
            _dates(stage),
            _where(stage),
            ", ".join(str(c) for c in stage.channel_labels()),
        ]
        for stage in stages
    ]
    return [
        Block(
            key="timeline",
            title=_("Timeline of the co-creation process"),
            paragraphs=paragraphs,
            tables=[
                Table(
                    caption=_("Stages of the timeline"),
                    headers=[_("Phase"), _("Stage"), _("Dates"), _("Where"), _("Channels")],
                    rows=rows,
                )
            ]
            if rows
            else [],
            order=10,
        )
    ]
