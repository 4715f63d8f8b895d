"""The plan as approved: versions of the plan, their frozen commitments and the documents rendered from them.

A plan version is assembled as a draft (which commitments, in which order), then frozen: each item keeps
an immutable snapshot of its commitment's text, milestones and sign-off, so the version reads the same
forever, whatever happens to the commitments later. Approval records the legal instrument (Resolución
Ministerial or Decreto Supremo) and writes the render jobs of its two documents in the same transaction
(plan_services.approve); a Celery worker renders them (plan_tasks).

Approval also snapshots everything else the documents show, in the same transaction: the plan's texts
(name, objectives…) and the process summary in each language (`snapshot`), and the annex of responses
(`annex`). An approved version's page and every rendering of its PDFs read those, never the live
figures: a comment, a hide or a late response after approval changes neither (same SHA-256).

A change after approval needs a new version; old versions stay readable. The services refuse changes to
a frozen version, and database triggers refuse any write to its items (migration 0003) and any change to
an approved version's approval and snapshot (migration 0005).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from paga import clock
from paga.models import ActionPlan

__all__ = ["PlanVersion", "PlanItem", "RenderedDocument", "RenderJob"]


class PlanVersion(models.Model):
    """One version of the plan: a draft being assembled, frozen (waiting for approval) or approved."""

    class State(models.TextChoices):
        DRAFT = "borrador", _("Draft")
        FROZEN = "congelada", _("Frozen, waiting for approval")
        APPROVED = "aprobada", _("Approved")

    class Instrument(models.TextChoices):
        MINISTERIAL_RESOLUTION = "resolucion_ministerial", "Resolución Ministerial"
        SUPREME_DECREE = "decreto_supremo", "Decreto Supremo"

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="plan_versions")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    created = models.DateTimeField(default=clock.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    frozen_at = models.DateTimeField(_("frozen on"), null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    instrument = models.CharField(_("instrument"), max_length=24, choices=Instrument.choices, blank=True)
    instrument_number = models.CharField(_("instrument number"), max_length=60, blank=True)
    instrument_date = models.DateField(_("instrument date"), null=True, blank=True)
    instrument_url = models.URLField(_("publication link"), max_length=500, blank=True)
    approved_at = models.DateTimeField(_("approval recorded on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Written by plan_services.approve, in its transaction, and never again (database triggers). Large (the
    # annex holds every contribution): pages that do not show the documents defer them.
    snapshot = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="At approval: the plan's texts and the process summary in each language (plan_services).",
    )
    annex = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="At approval: the annex of the co-creation report (every contribution and its response).",
    )

    SNAPSHOT_FIELDS = ("snapshot", "annex")

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
            # One draft at a time: two people assembling two drafts would lose each other's work.
            models.UniqueConstraint(
                fields=["plan"], condition=Q(state="borrador"), name="one_draft_per_plan"
            ),
            models.CheckConstraint(
                condition=Q(state="borrador") | Q(frozen_at__isnull=False, frozen_by__isnull=False),
                name="plan_version_frozen_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(state="aprobada")
                | (
                    Q(approved_at__isnull=False, approved_by__isnull=False, instrument_date__isnull=False)
                    & ~Q(instrument="")
                    & ~Q(instrument_number="")
                ),
                name="plan_version_approval_recorded",
            ),
            # The snapshot is written with the approval and only then.
            models.CheckConstraint(
                condition=Q(state="aprobada", snapshot__isnull=False, annex__isnull=False)
                | (~Q(state="aprobada") & Q(snapshot__isnull=True, annex__isnull=True)),
                name="plan_version_snapshot_at_approval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("commitments:plan_version", kwargs={"number": self.number})

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def is_approved(self) -> bool:
        return self.state == self.State.APPROVED


class PlanItem(models.Model):
    """A commitment in a plan version, at its place. Frozen: the snapshot of its text (services.snapshot),
    the commitment's own version number and its ministry's sign-off, copied once and never changed."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="items")
    commitment = models.ForeignKey(
        "commitments.Commitment", on_delete=models.PROTECT, related_name="plan_items"
    )
    number = models.PositiveSmallIntegerField(_("number in the plan"))
    data = models.JSONField(null=True, blank=True)
    commitment_version = models.PositiveIntegerField(null=True, blank=True)
    signoff_entity = models.CharField(max_length=200, blank=True)
    signoff_by = models.CharField(max_length=150, blank=True)
    signoff_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="plan_item_number_unique"),
            models.UniqueConstraint(fields=["version", "commitment"], name="plan_item_commitment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.number}"


class RenderedDocument(models.Model):
    """The rendering of one frozen document as a row that cannot be lost: written with the act that froze
    the document, sent to the worker after commit, swept again while pending, re-run by hand when failed.
    Abstract: the plan's documents (RenderJob) and the self-assessment's (implementation) share it, and
    plan_tasks.run() renders either."""

    class State(models.TextChoices):
        PENDING = "pendiente", _("Waiting for the worker")
        RUNNING = "en_curso", _("Being rendered")
        DONE = "listo", _("Ready")
        FAILED = "fallido", _("Failed")

    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.CharField(max_length=200, blank=True, help_text="Path under MEDIA_ROOT.")
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    created = models.DateTimeField(default=clock.now)
    queued = models.DateTimeField(default=clock.now, help_text="Last handed to the worker (or meant to be).")
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_done(self) -> bool:
        return self.state == self.State.DONE


class RenderJob(RenderedDocument):
    """The rendering of one document of an approved version (see RenderedDocument)."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("The plan (PDF)")
        REPORT = "informe", _("The co-creation report (PDF)")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=8, choices=Kind.choices)

    class Meta:
        ordering = ["version", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["version", "kind"], name="render_job_unique"),
            models.CheckConstraint(
                condition=~Q(state="listo") | ~Q(sha256=""), name="render_job_done_has_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.kind} · {self.state}"

    def get_absolute_url(self) -> str:
        return reverse("commitments:plan_download", kwargs={"number": self.version.number, "kind": self.kind})

    @property
    def filename(self) -> str:
        """The name a download is saved under."""
        return f"{self.version.plan.slug}-v{self.version.number}-{self.kind}.pdf"
