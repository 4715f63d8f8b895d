"""A readable, word-level comparison of two versions of a commitment's text.

Each field of the template is compared word by word (difflib on word tokens). Removed words are
wrapped in <del>, added words in <ins>, each opening with a visually hidden "removed:" / "added:" so a
screen reader says what changed; colour and strike-through only reinforce it. Only changed fields show.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass

from django import forms
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import MilestoneStatus, Version

# (key in Version.data, label), in the order of the OGP template. Foreign keys are compared by the
# names the snapshot keeps ("lead_entity", "theme", "priority"), not by their ids.
FIELDS = [
    ("title", _("Title")),
    ("start_date", _("Start date")),
    ("end_date", _("End date")),
    ("lead_entity", _("Lead entity")),
    ("problem", _("What problem does the commitment address?")),
    ("baseline", _("Baseline")),
    ("description", _("What is the commitment?")),
    ("how_it_helps", _("How will it help solve the problem?")),
    ("relevances", _("Relevance to the OGP values")),
    ("priority", _("Government priority (CEPLAN)")),
    ("theme", _("Theme")),
    ("sdg_targets", _("Sustainable Development Goal targets")),
    ("oecd_standards", _("OECD standards")),
    ("additional_info", _("Additional information")),
    ("milestones", _("Milestones")),
    ("resources_amount", _("Resources (amount)")),
    ("resources_currency", _("Currency")),
    ("resources_source", _("Source of the resources")),
    ("contact_name", _("Contact name")),
    ("contact_position", _("Contact position")),
    ("contact_email", _("Contact email")),
    ("contact_phone", _("Contact phone")),
]

TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class FieldDiff:
    key: str
    label: str
    html: SafeString


def _day(value: str | None) -> str:
    """An ISO date of a snapshot as the page shows dates ("21 de septiembre de 2017")."""
    if not value:
        return ""
    try:
        return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return str(value)


def as_text(key: str, value) -> str:
    """A snapshot value as plain text (lists of relevances and milestones one line each)."""
    if value is None:
        return ""
    if key in ("start_date", "end_date"):
        return _day(value)
    if key == "relevances":
        return "\n".join(f"{r.get('name', r.get('value', ''))}: {r.get('justification', '')}" for r in value)
    if key == "milestones":
        lines = []
        for n, m in enumerate(value, start=1):
            status = dict(MilestoneStatus.choices).get(m.get("status"), m.get("status") or "")
            dates = " – ".join(d for d in (_day(m.get("start_date")), _day(m.get("due_date"))) if d)
            parts = [m.get("description", ""), m.get("responsible", ""), dates, str(status)]
            lines.append(f"{n}. " + " · ".join(p for p in parts if p))
        return "\n".join(lines)
    return str(value)


def _escaped(text: str) -> str:
    return str(conditional_escape(text)).replace("\n", "<br>")


def word_diff(old: str, new: str) -> SafeString:
    """`new` against `old`, word by word: <del> for removed words, <ins> for added ones (escaped)."""
    a, b = TOKENS.findall(old), TOKENS.findall(new)
    removed, added = gettext("removed:"), gettext("added:")
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(_escaped("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(
                format_html(
                    '<del><span class="visually-hidden">{} </span>{}</del>',
                    removed,
                    mark_safe(_escaped("".join(a[i1:i2]))),  # noqa: S308 (escaped just above)
                )
            )
        if op in ("insert", "replace"):
            out.append(
                format_html(
                    '<ins><span class="visually-hidden">{} </span>{}</ins>',
                    added,
                    mark_safe(_escaped("".join(b[j1:j2]))),  # noqa: S308 (escaped just above)
                )
            )
    return mark_safe("".join(out))  # noqa: S308 (every piece is escaped)


def compare(old: dict, new: dict) -> list[FieldDiff]:
    """The fields whose text differs between two snapshots, each as a word-level diff."""
    changed = []
    for key, label in FIELDS:
        before, after = as_text(key, old.get(key)), as_text(key, new.get(key))
        if before != after:
            changed.append(FieldDiff(key, str(label), word_diff(before, after)))
    return changed


class VersionPairForm(forms.Form):
    """Pick the two versions to compare (GET: the comparison is a shareable URL)."""

    de = forms.TypedChoiceField(label=_("Compare version"), coerce=int)
    a = forms.TypedChoiceField(label=_("with version"), coerce=int)

    def __init__(self, data, *, versions: list[Version]):
        choices = [(v.number, self.version_label(v)) for v in versions]
        if len(versions) >= 2 and not (data.get("de") or data.get("a")):
            data = {"de": versions[-2].number, "a": versions[-1].number}  # default: previous vs latest
        super().__init__(data)
        self.fields["de"].choices = choices
        self.fields["a"].choices = choices

    @staticmethod
    def version_label(version: Version) -> str:
        return gettext("Version %(n)s (%(day)s): %(reason)s") % {
            "n": version.number,
            "day": date_format(localtime(version.created), "DATE_FORMAT"),
            "reason": version.reason,
        }

    def clean(self):
        data = super().clean()
        if data.get("de") is not None and data.get("de") == data.get("a"):
            raise forms.ValidationError(_("Choose two different versions."), code="same")
        return data
