"""Public consultations: contributions (forum comments and what arrives by other channels), their
moderation and the Secretaría's reasoned response to each (what the IRM found missing in 2017).

Nothing a person wrote is deleted: moderation hides, with a reason, and every action is logged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from commitments.models import Commitment, Version
from paga import clock
from paga.models import ActionPlan, Channel

# The page cache's generations a forum write moves (paga/pagecache.py; the triggers are installed by
# migration 0004, with a copy of these). Pages name the same keys (views.py, templatetags/forum.py).
THREAD_OF_COMMITMENT, THREAD_OF_PARAGRAPH = "thread:commitment:", "thread:paragraph:"
OF_CONSULTATION, FORUM_OF_PLAN = "consultation:", "forum:"
_CONTRIBUTION = "(SELECT {column} FROM consultations_contribution WHERE id = {{row}}.contribution_id)"
GENERATIONS = (
    (THREAD_OF_COMMITMENT, "{row}.commitment_id"),
    (THREAD_OF_PARAGRAPH, "{row}.paragraph_id"),
    (OF_CONSULTATION, "{row}.consultation_id"),
    (FORUM_OF_PLAN, "(SELECT plan_id FROM consultations_consultation WHERE id = {row}.consultation_id)"),
)
GENERATIONS_VIA_CONTRIBUTION = (
    (THREAD_OF_COMMITMENT, _CONTRIBUTION.format(column="commitment_id")),
    (THREAD_OF_PARAGRAPH, _CONTRIBUTION.format(column="paragraph_id")),
    (OF_CONSULTATION, _CONTRIBUTION.format(column="consultation_id")),
    (
        FORUM_OF_PLAN,
        "(SELECT c.plan_id FROM consultations_consultation c JOIN consultations_contribution x "
        "ON x.consultation_id = c.id WHERE x.id = {row}.contribution_id)",
    ),
)
SUPPORT_GENERATIONS = (
    (
        THREAD_OF_COMMITMENT,
        f"COALESCE({{row}}.commitment_id, {_CONTRIBUTION.format(column='commitment_id')})",
    ),
    *GENERATIONS_VIA_CONTRIBUTION[1:3],
    (
        FORUM_OF_PLAN,
        "COALESCE((SELECT plan_id FROM commitments_commitment WHERE id = {row}.commitment_id), "  # noqa: S608
        + GENERATIONS_VIA_CONTRIBUTION[3][1]
        + ")",
    ),
)


class Consultation(models.Model):
    """A consultation window on a set of proposals/commitments, or on a document split in paragraphs."""

    class Kind(models.TextChoices):
        ITEMS = "propuestas", _("Proposals and commitments")
        DOCUMENT = "documento", _("A document, paragraph by paragraph")

    class Publication(models.TextChoices):
        IMMEDIATE = "inmediata", _("Each response as soon as it is written")
        AT_ONCE = "conjunta", _("All responses at once")

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="consultations")
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("what is consulted"), max_length=12, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    rules = models.TextField(_("rules"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    items = models.ManyToManyField(Commitment, blank=True, related_name="consultations")
    publication = models.CharField(
        _("publication of responses"),
        max_length=10,
        choices=Publication.choices,
        default=Publication.IMMEDIATE,
    )
    responses_published_at = models.DateTimeField(null=True, blank=True)
    is_illustrative = models.BooleanField(_("illustrative"), default=False)

    class Meta:
        ordering = ["opens_at"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="consultation_window"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultations:detail", kwargs={"slug": self.slug})

    def is_open(self, at=None) -> bool:
        at = at or clock.now()
        return self.opens_at <= at < self.closes_at


class Paragraph(models.Model):
    """A numbered paragraph of a consulted document, with a stable identifier for links and comments."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="paragraphs")
    key = models.SlugField(_("identifier"), max_length=20)
    number = models.CharField(_("number"), max_length=20)
    text = models.TextField(_("text"))
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["consultation", "order"]
        constraints = [models.UniqueConstraint(fields=["consultation", "key"], name="paragraph_key_unique")]

    def __str__(self) -> str:
        return f"§{self.number}"


class Contribution(models.Model):
    """A forum comment or a reply, or a contribution the Secretaría recorded from another channel.

    Counted, answered and exported alike, whatever the channel.
    """

    # paga/pagecache.py: a comment moves its thread's, its consultation's and its plan's forum's
    # generations only, never the rest of the site (the timeline, the commitment list, other threads).
    content_generations = GENERATIONS

    class Stance(models.TextChoices):
        FOR = "a_favor", _("In favour")
        NEUTRAL = "neutral", _("Neutral")
        AGAINST = "en_contra", _("Against")

    class Category(models.TextChoices):
        SUGGESTION = "sugerencia", _("Suggestion")
        QUESTION = "pregunta", _("Question")
        CONCERN = "preocupacion", _("Concern")

    class State(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        PENDING = "pendiente", _("Hidden pending review")
        HIDDEN = "oculto", _("Hidden by moderation")

    MAX_DEPTH = 2  # replies up to two levels
    MAX_LENGTH = 5000

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="contributions")
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, null=True, blank=True, related_name="contributions"
    )
    section = models.CharField(_("section"), max_length=40, blank=True)
    paragraph = models.ForeignKey(
        Paragraph, on_delete=models.PROTECT, null=True, blank=True, related_name="contributions"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
    )
    given_name = models.CharField(
        _("name or organisation as given"), max_length=200, blank=True, help_text=_("For other channels.")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.FORUM)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    attachment = models.FileField(_("attachment"), upload_to="aportes/%Y/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices, blank=True)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, blank=True)
    text = models.TextField(_("text"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.VISIBLE)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    created = models.DateTimeField(default=clock.now, db_index=True)
    edited = models.DateTimeField(null=True, blank=True)
    # The text as safe HTML (consultations/markdown.py), stored when it is written so that a thread does
    # not render 250 texts per page; `text_html_version` names the renderer that made it: a row of an
    # older renderer (or written without the services) is rendered anew when read, and stored again by
    # `manage.py render_contributions`. Nullable (none stored yet) so that adding them is a plain ADD
    # COLUMN on SQLite too, not a copy of the table under the page cache's triggers.
    text_html = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001 - see above
    text_html_version = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        indexes = [
            models.Index(fields=["commitment", "parent", "created"], name="contribution_thread_idx"),
            models.Index(fields=["consultation", "state"], name="contribution_state_idx"),
            # A consultation's comment count per proposal (views.consultation_detail), read from the index.
            models.Index(fields=["consultation", "commitment"], name="contribution_item_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(depth__lte=2), name="contribution_depth"),
            models.CheckConstraint(
                condition=Q(author__isnull=False) | ~Q(given_name=""), name="contribution_has_a_source"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_hidden(self) -> bool:
        return self.state != self.State.VISIBLE


class ContributionVersion(models.Model):
    """The text as it was before an edit (authors may edit for 15 minutes; every version is kept)."""

    content_generations = GENERATIONS_VIA_CONTRIBUTION  # paga/pagecache.py: its contribution's

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="versions")
    text = models.TextField()
    created = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["contribution", "created", "pk"]

    def __str__(self) -> str:
        return f"{self.contribution_id} @ {self.created:%Y-%m-%d %H:%M}"


class Support(models.Model):
    """One person's support for a proposal/commitment or for a contribution: one per person per item."""

    content_generations = SUPPORT_GENERATIONS  # paga/pagecache.py: the thread of what it supports

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, null=True, blank=True, related_name="supports"
    )
    created = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(commitment__isnull=True) ^ Q(contribution__isnull=True), name="support_one_item"
            ),
            models.UniqueConstraint(
                fields=["user", "commitment"],
                condition=Q(commitment__isnull=False),
                name="one_support_per_commitment",
            ),
            models.UniqueConstraint(
                fields=["user", "contribution"],
                condition=Q(contribution__isnull=False),
                name="one_support_per_contribution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.commitment_id or self.contribution_id}"


class Flag(models.Model):
    """Someone signed in reports a contribution; after N flags it is hidden pending review."""

    content_generation = False  # paga/pagecache.py: private (hiding after N flags moves the thread)

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        OFFENSIVE = "ofensivo", _("Offensive")
        OFF_TOPIC = "fuera_de_tema", _("Off topic")
        PERSONAL_DATA = "datos_personales", _("Personal data")

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    created = models.DateTimeField(default=clock.now)
    reviewed = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contribution", "user"], name="one_flag_per_person")]

    def __str__(self) -> str:
        return f"{self.contribution_id}: {self.reason}"


class Block(models.Model):
    """A person whose new posts are refused (with a message). Lifting keeps the row."""

    content_generation = False  # paga/pagecache.py: never on a public page

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks")
    reason = models.CharField(_("reason"), max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(default=clock.now)
    lifted = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(lifted__isnull=True), name="one_active_block"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.reason}"


class ModerationAction(models.Model):
    """The log of moderation: who did what to which contribution or person, when and why."""

    content_generations = GENERATIONS_VIA_CONTRIBUTION  # paga/pagecache.py: its contribution's

    class Action(models.TextChoices):
        AUTO_HIDE = "auto_oculto", _("Hidden after flags")
        HIDE = "ocultar", _("Hidden")
        RESTORE = "restaurar", _("Restored")
        DISMISS = "descartar", _("Flags dismissed")
        BLOCK = "bloquear", _("Person blocked")
        UNBLOCK = "desbloquear", _("Person unblocked")

    action = models.CharField(max_length=12, choices=Action.choices)
    contribution = models.ForeignKey(
        Contribution, on_delete=models.PROTECT, null=True, blank=True, related_name="moderation"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.contribution_id or self.person_id}"


class Disposition(models.TextChoices):
    INCORPORATED = "incorporado", _("Incorporated")
    PARTIAL = "parcial", _("Partially incorporated")
    NOT_INCORPORATED = "no_incorporado", _("Not incorporated")
    OUT_OF_SCOPE = "fuera_de_alcance", _("Out of scope")
    DUPLICATE = "duplicado", _("Duplicate")


class ResponseTemplate(models.Model):
    """A reusable reasoned response the Secretaría starts from."""

    title = models.CharField(_("title"), max_length=120)
    disposition = models.CharField(_("disposition"), max_length=20, choices=Disposition.choices)
    text = models.TextField(_("reason"))

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Response(models.Model):
    """The Secretaría's reasoned response to one contribution: a disposition and its reason, linked to
    the commitment version it went into or the contribution it duplicates. One per contribution."""

    content_generations = GENERATIONS_VIA_CONTRIBUTION  # paga/pagecache.py: its contribution's

    contribution = models.OneToOneField(Contribution, on_delete=models.PROTECT, related_name="response")
    disposition = models.CharField(_("disposition"), max_length=20, choices=Disposition.choices)
    reason = models.TextField(_("reason"), blank=True)
    commitment_version = models.ForeignKey(
        Version, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    duplicate_of = models.ForeignKey(
        Contribution, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(default=clock.now)
    modified = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(disposition="incorporado") | ~Q(reason=""), name="response_reason_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contribution_id}: {self.disposition}"


class Follow(models.Model):
    """A person follows a proposal/commitment: they are emailed about new visible comments on it.

    Commenting on an item follows it automatically; unfollowing keeps the row with `active` off, so a
    later comment does not follow it again behind the person's back (only the follow button does).
    """

    content_generation = False  # paga/pagecache.py: never on a public page

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="followers")
    active = models.BooleanField(_("following"), default=True)
    created = models.DateTimeField(default=clock.now)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["user", "commitment"], name="one_follow_per_item")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.commitment_id}{'' if self.active else ' (off)'}"
