"""Commitments of the plan, from the first proposal to the text that goes into the plan.

A proposal is a commitment in its first states: one model follows the whole life, so lineage,
versions and comments stay with it. Text edits write immutable versions; state changes are
transitions (services.py); merges and splits are lineage links.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from paga import clock
from paga.models import ActionPlan, Entity, GovernmentPriority, OGPValue, Region, Theme

from .querysets import CommitmentQuerySet


class Status(models.TextChoices):
    PROPOSED = "propuesta", _("Proposed")
    IN_CONSULTATION = "en_consulta", _("In public consultation")
    AGREED = "consensuado", _("Agreed at the national table")
    MERGED = "fusionado", _("Merged into another")
    SPLIT = "dividido", _("Split into others")
    WITHDRAWN = "retirado", _("Withdrawn")
    IN_REVIEW = "en_revision", _("In technical review")
    CHANGES_REQUESTED = "cambios_solicitados", _("Changes requested")
    APPROVED = "aprobado", _("Approved by the ministry")
    INCLUDED = "incluido", _("Included in the plan")


class OriginKind(models.TextChoices):
    THEMATIC_TABLE = "mesa_tematica", _("Thematic table")
    REGIONAL_WORKSHOP = "taller_regional", _("Regional workshop")
    NATIONAL_TABLE = "mesa_nacional", _("National table")
    FORUM = "foro_virtual", _("Virtual forum")
    EMAIL = "correo", _("Email")
    OTHER = "otro", _("Other")


class Commitment(models.Model):
    """A proposal or commitment in OGP's template, as Peru used it."""

    PUBLIC_STATUSES = frozenset(set(Status.values) - {Status.PROPOSED})
    EDITABLE_STATUSES = frozenset(
        {Status.PROPOSED, Status.IN_CONSULTATION, Status.AGREED, Status.CHANGES_REQUESTED}
    )
    REVIEW_STATUSES = frozenset({Status.IN_REVIEW, Status.CHANGES_REQUESTED})
    # What a ministry may change during its technical review (with the milestones).
    REVIEW_FIELDS = frozenset(
        {"contact_name", "contact_position", "contact_email", "contact_phone", "resources_amount",
         "resources_currency", "resources_source"}
    )  # fmt: skip
    # The fields of the template's text: an edit of any of them writes a version.
    TEXT_FIELDS = (
        "title", "start_date", "end_date", "lead_entity_id", "problem", "baseline", "description",
        "how_it_helps", "priority_id", "theme_id", "sdg_targets", "oecd_standards", "additional_info",
        "resources_amount", "resources_currency", "resources_source", "contact_name", "contact_position",
        "contact_email", "contact_phone",
    )  # fmt: skip

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="commitments")
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    slug = models.SlugField(max_length=80)
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.PROPOSED)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    lead_entity = models.ForeignKey(
        Entity,
        verbose_name=_("lead entity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    problem = models.TextField(_("What problem does the commitment address?"), blank=True)
    baseline = models.TextField(_("Baseline"), blank=True)
    description = models.TextField(_("What is the commitment?"), blank=True)
    how_it_helps = models.TextField(_("How will it help solve the problem?"), blank=True)
    priority = models.ForeignKey(
        GovernmentPriority,
        verbose_name=_("government priority (CEPLAN)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sdg_targets = models.TextField(_("Sustainable Development Goal targets"), blank=True)
    oecd_standards = models.TextField(_("OECD standards"), blank=True)
    additional_info = models.TextField(_("Additional information"), blank=True)
    resources_amount = models.DecimalField(
        _("resources (amount)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    resources_currency = models.CharField(_("currency"), max_length=3, default="PEN")
    resources_source = models.CharField(_("source of the resources"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_position = models.CharField(_("contact position"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    origin_kind = models.CharField(
        _("origin"), max_length=20, choices=OriginKind.choices, default=OriginKind.OTHER
    )
    origin_region = models.ForeignKey(
        Region,
        verbose_name=_("region of origin"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    origin_credit = models.CharField(
        _("also credited to"), max_length=200, blank=True, help_text=_("Other credit given to the proposal.")
    )
    is_illustrative = models.BooleanField(
        _("illustrative"), default=False, help_text=_("Example content that did not happen as shown.")
    )
    values = models.ManyToManyField(OGPValue, through="ValueRelevance", related_name="+", blank=True)
    revision = models.PositiveIntegerField(
        default=1, help_text=_("Raised by every saved edit (stale edits are refused).")
    )
    created = models.DateTimeField(default=clock.now)
    modified = models.DateTimeField(auto_now=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        permissions = [("review", "Review as a ministry")]
        constraints = [
            models.UniqueConstraint(fields=["plan", "slug"], name="commitment_slug_unique"),
            models.UniqueConstraint(
                fields=["plan", "number"], condition=Q(number__isnull=False), name="commitment_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["plan", "status"], name="commitment_status_idx")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        return reverse("commitments:detail", kwargs={"key": str(self.number) if self.number else self.slug})

    @property
    def is_proposal(self) -> bool:
        return self.status in (
            Status.PROPOSED,
            Status.IN_CONSULTATION,
            Status.MERGED,
            Status.SPLIT,
            Status.WITHDRAWN,
        )


class ValueRelevance(models.Model):
    """Why the commitment is relevant to one OGP value (one justification per value ticked)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="relevances")
    value = models.ForeignKey(OGPValue, on_delete=models.PROTECT, related_name="+")
    justification = models.TextField(_("justification"), blank=True)

    class Meta:
        ordering = ["value__order"]
        constraints = [models.UniqueConstraint(fields=["commitment", "value"], name="relevance_unique")]

    def __str__(self) -> str:
        return f"{self.commitment_id} · {self.value_id}"


class MilestoneStatus(models.TextChoices):
    SCHEDULED = "programado", _("Scheduled")
    MET = "cumplido", _("Met")
    NOT_MET = "no_cumplido", _("Not met")
    PARTIAL = "parcial", _("Partially met")


class Milestone(models.Model):
    """A verifiable product or activity, who is responsible and by when (PRODUCTO → RESPONSABLE → PLAZO)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="milestones")
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(_("verifiable product or activity"))
    responsible = models.ForeignKey(
        Entity,
        verbose_name=_("responsible entity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MilestoneStatus.choices, default=MilestoneStatus.SCHEDULED
    )

    class Meta:
        ordering = ["commitment", "order", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.description[:80]


class MilestoneReminder(models.Model):
    """The reminder sent to the commitment's contact before a milestone's due date (reminders.py): one per
    milestone and due date, so a rerun sends nothing twice and a new due date is reminded again."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="reminders")
    due_date = models.DateField(_("due date"))
    sent_to = models.EmailField(_("sent to"))
    sent_at = models.DateTimeField(_("sent at"), default=clock.now)

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("milestone reminder")
        verbose_name_plural = _("milestone reminders")
        constraints = [
            models.UniqueConstraint(fields=["milestone", "due_date"], name="one_reminder_per_due_date"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id} · {self.due_date}"


class OtherActor(models.Model):
    """Another organisation involved (government, civil society, private sector) and its role."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="other_actors")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=300)

    class Meta:
        ordering = ["commitment", "pk"]

    def __str__(self) -> str:
        return str(self.entity or self.name)


class Version(models.Model):
    """An immutable snapshot of the commitment's text, written by every edit (who, when, why)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created = models.DateTimeField(default=clock.now)
    reason = models.CharField(_("reason"), max_length=300)
    data = models.JSONField()

    class Meta:
        ordering = ["commitment", "number"]
        constraints = [models.UniqueConstraint(fields=["commitment", "number"], name="version_number_unique")]

    def __str__(self) -> str:
        return f"{self.commitment_id} v{self.number}"


class Transition(models.Model):
    """A change of status: who, when and why (OGP traceability)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=24, choices=Status.choices)
    to_status = models.CharField(max_length=24, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    created = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["commitment", "created", "pk"]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.from_status} → {self.to_status}"


class LineageKind(models.TextChoices):
    MERGE = "fusion", _("Merged")
    SPLIT = "division", _("Split")


class LineageLink(models.Model):
    """`source` went into `target` by a merge or a split, for a stated reason."""

    source = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="links_out")
    target = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="links_in")
    kind = models.CharField(max_length=10, choices=LineageKind.choices)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="lineage_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="lineage_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"


class Criterion(models.TextChoices):
    OGP_VALUES = "valores", _("Relevance to open government values")
    PRIORITIES = "prioridades", _("Alignment with government priorities")
    SDG = "ods", _("Alignment with the Sustainable Development Goals")
    OECD = "ocde", _("OECD standards")


class Score(models.Model):
    """The Secretaría's score of a proposal on one prioritisation criterion (0 to 3)."""

    MAX = 3

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField(max_length=12, choices=Criterion.choices)
    value = models.PositiveSmallIntegerField(_("score"))
    note = models.CharField(_("why"), max_length=300, blank=True)
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commitment", "criterion"], name="score_unique"),
            models.CheckConstraint(condition=Q(value__lte=3), name="score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.criterion}={self.value}"


class Review(models.Model):
    """A ministry's technical review of a commitment assigned to it. The decision is immutable."""

    class Decision(models.TextChoices):
        APPROVED = "aprobado", _("Signed off")
        CHANGES = "cambios", _("Changes requested")

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="reviews")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="reviews")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened = models.DateTimeField(default=clock.now)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened"]
        constraints = [
            models.UniqueConstraint(fields=["commitment"], condition=Q(decision=""), name="one_open_review"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} · {self.entity_id} · {self.decision or 'open'}"


class ReviewNote(models.Model):
    """An internal note: seen only by the Secretaría and the entity that reviews the commitment."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="notes")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


from .plan_models import *  # noqa: E402,F403  (plan versions, their items and render jobs: issue 6)
