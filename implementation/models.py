"""Implementation of the approved plan: progress reports on each milestone, their evidence and their
review (issue 14: the OGP cycle goes on after approval).

The lead entity's reviewers report per milestone on the IRM scale; the Secretaría validates a report or
returns it with a reason. A report is never edited: a correction is a new report (the next `number` of
its milestone, `corrects` naming the returned one), so every version stays, and every change of state is
a `ReportTransition` (who, when, why). Only validated reports are public (implementation/progress.py
computes a milestone's status from its latest validated report).

Page cache (paga/pagecache.py): a report's insert and a change of its `state` move the content
generation (validation makes it public); evidence and transitions never change after they are written
and are read on public pages only through a validated report, so they do not.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from paga import clock
from paga.models import Entity

from .querysets import ProgressReportQuerySet


class ProgressStatus(models.TextChoices):
    """The IRM's scale of completion. "Delayed" is not stored: it is computed (progress.is_delayed)."""

    NOT_STARTED = "no_iniciado", _("Not started")
    LIMITED = "limitado", _("Limited")
    SUBSTANTIAL = "sustancial", _("Substantial")
    COMPLETE = "completo", _("Complete")


class ReportState(models.TextChoices):
    SUBMITTED = "enviado", _("Submitted")
    RETURNED = "devuelto", _("Returned")
    VALIDATED = "validado", _("Validated")


class ProgressReport(models.Model):
    """What a lead entity says about one milestone at a date: status, what was done, evidence."""

    State = ReportState
    content_columns = ("state",)  # paga/pagecache.py: validation publishes it; a draft is private
    content_when = "{row}.state = 'validado'"

    milestone = models.ForeignKey(
        "commitments.Milestone",
        on_delete=models.PROTECT,
        related_name="progress_reports",
        verbose_name=_("milestone"),
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("progress"), max_length=12, choices=ProgressStatus.choices)
    done = models.TextField(_("What was done"))
    as_of = models.DateField(_("date of the report"))
    state = models.CharField(
        _("state"), max_length=10, choices=ReportState.choices, default=ReportState.SUBMITTED
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+", verbose_name=_("entity"))
    created = models.DateTimeField(default=clock.now, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("reason for returning it"), blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        ordering = ["milestone", "number"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(fields=["milestone", "number"], name="progress_report_number_unique"),
            # A returned report is corrected once: its correction is the next version.
            models.UniqueConstraint(fields=["corrects"], name="one_correction_per_report"),
            models.CheckConstraint(
                condition=Q(state="enviado") | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="progress_report_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(state="devuelto") | ~Q(return_reason=""),
                name="progress_report_returned_with_reason",
            ),
        ]
        indexes = [models.Index(fields=["milestone", "state", "-number"], name="progress_report_latest")]

    def __str__(self) -> str:
        return f"{self.milestone_id} v{self.number} ({self.state})"

    @property
    def is_public(self) -> bool:
        return self.state == ReportState.VALIDATED


class Evidence(models.Model):
    """A link or a file that shows what a report says (public with its report once validated)."""

    content_generation = False  # paga/pagecache.py: written with its report, public only through it

    class Kind(models.TextChoices):
        LINK = "enlace", _("Link")
        FILE = "archivo", _("File")

    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("address"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to="evidencias/%Y/", blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True)

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="enlace") & ~Q(url="") & Q(file=""))
                | (Q(kind="archivo") & Q(url="") & ~Q(file="") & ~Q(sha256="") & Q(size__isnull=False)),
                name="evidence_link_or_file",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReportTransition(models.Model):
    """A change of a report's state: who, when and why (OGP traceability). The first is its submission
    (from_state empty)."""

    content_generation = False  # paga/pagecache.py: the report's own state moves it

    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=10, choices=ReportState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=ReportState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["report", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_state or '—'} → {self.to_state}"


from .assessment_models import *  # noqa: E402, F403 - the self-assessment (issue 14)
