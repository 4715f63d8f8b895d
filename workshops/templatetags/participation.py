"""Participation figures in templates: `{% stats_chart breakdown %}` (an accessible SVG bar chart),
`{% stats_table breakdown %}` (the same figures as a data table) and `{% attendance_summary event %}`
(an event's attendance as counts, never names).

The chart is inline SVG with no script and no stylesheet of its own: role="img" named by its <title>
and described by a <desc> that reads every figure; each bar has its label and its value in text, so
nothing is told by colour alone; the bars' blue (#0a4a8c) has 9:1 contrast on white. It is drawn on a
360-unit-wide canvas and scales to its container (a phone's 360 px included).

`chart()` takes a `stats.Breakdown` or any object with the same attributes (key, title, counted, rows
of label and n); two optional ones serve figures that are not counts (implementation/public_selectors.py:
completion in per cent): `scale`, the value of a full-length bar (default: the largest), and `unit`,
written after each value (" %").
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils.translation import gettext as _

from workshops import stats

register = template.Library()

WIDTH = 360  # the canvas, in SVG units
LEFT = 8  # the axis
ROW = 46  # label line + bar
BAR = 18
VALUE_ROOM = 56  # room right of the longest bar for its value
LABEL_CHARS = 44  # longer labels are shortened in the chart (the table has them whole)


@dataclass(frozen=True)
class Bar:
    """One bar; coordinates as plain strings ("12.5"), never localised ("12,5" would break the SVG)."""

    label: str
    n: int
    value: str  # n as written at the end of its bar, with the chart's unit
    label_x: str
    label_y: str
    bar_y: str
    width: str
    value_x: str
    value_y: str


def _num(value: float) -> str:
    return f"{value:g}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def chart(breakdown: stats.Breakdown) -> dict:
    """The geometry of a horizontal bar chart: one row per category, bars proportional to the largest
    (or to the breakdown's `scale`)."""
    longest = getattr(breakdown, "scale", 0) or max((row.n for row in breakdown.rows), default=0) or 1
    unit = getattr(breakdown, "unit", "")
    room = WIDTH - LEFT - VALUE_ROOM
    bars = []
    for i, row in enumerate(breakdown.rows):
        top = i * ROW
        width = round(room * row.n / longest, 1)
        bars.append(
            Bar(
                label=_short(row.label),
                n=row.n,
                value=f"{row.n}{unit}",
                label_x=_num(LEFT + 6),
                label_y=_num(top + 16),
                bar_y=_num(top + 22),
                width=_num(width),
                value_x=_num(round(LEFT + width + 6, 1)),
                value_y=_num(top + 36),
            )
        )
    height = len(bars) * ROW + 30
    return {
        "b": breakdown,
        "bars": bars,
        "width": _num(WIDTH),
        "height": _num(height),
        "left": _num(LEFT),
        "axis_bottom": _num(len(bars) * ROW + 4),
        "axis_label_y": _num(height - 6),
        "description": "; ".join(
            _("%(label)s: %(n)s") % {"label": row.label, "n": f"{row.n}{unit}"} for row in breakdown.rows
        ),
    }


@register.inclusion_tag("workshops/_chart.html")
def stats_chart(breakdown: stats.Breakdown) -> dict:
    return chart(breakdown)


@register.inclusion_tag("workshops/_stats_table.html")
def stats_table(breakdown: stats.Breakdown) -> dict:
    return {"b": breakdown}


@register.inclusion_tag("workshops/_stats_attendance.html")
def attendance_summary(event) -> dict:
    """Counts of who came to a held event (by actor type, gender, region and organisation); "not
    recorded yet" when none is. One query; none for an event not held."""
    return {"event": event, "attendance": stats.event_attendance(event)}
