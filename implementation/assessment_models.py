"""The self-assessment of an approved plan: mid-term and end-of-term (issue 14; OGP asks the government
to publish both and to put each to public comment).

A report is built from the data at a date (implementation/assessment_services.generate): one section for
the co-creation process, one per commitment of the approved version (status, evidence), one for what was
learned. The Secretaría edits each section's text: every edit is a new `SectionVersion` (who, when, why),
never an update. Published, the report's paragraphs become a DOCUMENT consultation of the forum
(citizens comment paragraph by paragraph, the Secretaría answers with its reasoned responses there).
Finalized, it is frozen: its text is stored on the report (`content`) with its SHA-256, and database
triggers (migration 0002) refuse any change to a final report, to its sections and any new version of
them; its PDF is rendered by the worker (`AssessmentDocument`, the plan's RenderedDocument pattern).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commitments.plan_models import RenderedDocument
from paga import clock
from paga.models import ActionPlan

__all__ = ["SelfAssessment", "Section", "SectionVersion", "AssessmentDocument"]


class SelfAssessment(models.Model):
    """A mid-term or end-of-term self-assessment of one plan: draft, in consultation, final."""

    class Kind(models.TextChoices):
        MID_TERM = "medio-termino", _("Mid-term self-assessment")
        END_OF_TERM = "fin-de-termino", _("End-of-term self-assessment")

    class State(models.TextChoices):
        DRAFT = "borrador", _("Draft")
        IN_CONSULTATION = "en_consulta", _("In public consultation")
        FINAL = "final", _("Final")

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="self_assessments")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    as_of = models.DateField(_("data as of"))
    created = models.DateTimeField(default=clock.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    consultation = models.OneToOneField(
        "consultations.Consultation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_assessment",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalized_at = models.DateTimeField(_("finalized on"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Written when it is finalized and never again (database triggers): the sections' final text.
    content = models.JSONField(null=True, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, blank=True)

    class Meta:
        ordering = ["plan", "kind"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="one_self_assessment_per_kind"),
            models.CheckConstraint(
                condition=Q(state="borrador") | Q(consultation__isnull=False, published_at__isnull=False),
                name="self_assessment_published_recorded",
            ),
            models.CheckConstraint(
                condition=(
                    Q(state="final", finalized_at__isnull=False, content__isnull=False)
                    & ~Q(sha256="")
                    & Q(finalized_by__isnull=False)
                )
                | (~Q(state="final") & Q(content__isnull=True, sha256="")),
                name="self_assessment_frozen_when_final",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.get_kind_display()}"

    @property
    def is_final(self) -> bool:
        return self.state == self.State.FINAL

    @property
    def is_editable(self) -> bool:
        return self.state != self.State.FINAL


class Section(models.Model):
    """A section of the report (the OGP template's): its stable key, title and place. Its text is its
    latest version."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.PROTECT, related_name="sections")
    key = models.SlugField(_("identifier"), max_length=16)
    title = models.CharField(_("title"), max_length=300)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["assessment", "order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="section_key_unique"),
            models.UniqueConstraint(fields=["assessment", "order"], name="section_order_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class SectionVersion(models.Model):
    """One text of a section: the generated one (number 1, or a regeneration) or an edit by the
    Secretaría, with who, when and why. Never changed (a database trigger refuses it)."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    generated = models.BooleanField(default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    created = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["section", "number"]
        constraints = [
            models.UniqueConstraint(fields=["section", "number"], name="section_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.section_id} v{self.number}"


class AssessmentDocument(RenderedDocument):
    """The PDF of a final self-assessment, rendered by the worker (commitments.plan_tasks.run)."""

    assessment = models.OneToOneField(SelfAssessment, on_delete=models.PROTECT, related_name="document")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="listo") | ~Q(sha256=""), name="assessment_document_done_has_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.state}"

    @property
    def filename(self) -> str:
        """The name a download is saved under."""
        return f"{self.assessment.plan.slug}-autoevaluacion-{self.assessment.kind}.pdf"
