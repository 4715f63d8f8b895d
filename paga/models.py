"""The plan, its timeline and the vocabulary every app shares; accounts and organisations."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
    _user_has_module_perms,
    _user_has_perm,
)
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import clock
from .querysets import TimelineStageQuerySet
from .validators import MAX_YEAR, MIN_YEAR


class ActorType(models.TextChoices):
    PUBLIC_ENTITY = "entidad_publica", _("Public entity")
    CIVIL_SOCIETY = "sociedad_civil", _("Civil society organisation")
    BUSINESS_GUILD = "gremio_empresarial", _("Business guild")
    ACADEMIA = "academia", _("Academia")
    CITIZENRY = "ciudadania", _("Citizens")


class GovernmentLevel(models.TextChoices):
    NATIONAL = "nacional", _("National")
    REGIONAL = "regional", _("Regional")
    LOCAL = "local", _("Local")


class Channel(models.TextChoices):
    """Channels through which a stage is run or a contribution arrives."""

    WEBSITE = "web", _("Website")
    FORUM = "foro_virtual", _("Virtual forum")
    EMAIL = "correo", _("Email")
    SOCIAL = "redes_sociales", _("Social networks")
    IN_PERSON = "presencial", _("In person")
    PAPER = "papel", _("On paper")


class Region(models.Model):
    """A department of Peru, identified by its INEI (ubigeo) code."""

    code = models.CharField(_("INEI code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Entity(models.Model):
    """An organisation taking part: a public entity (e.g. a ministry), a CSO, a guild, academia."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    slug = models.SlugField(max_length=80, unique=True)
    actor_type = models.CharField(_("actor type"), max_length=20, choices=ActorType.choices)
    level = models.CharField(_("level of government"), max_length=10, choices=GovernmentLevel.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: signs in with an email address, shown publicly by display name (never by email)."""

    # Public pages show a person's display name and organisation only (paga/pagecache.py).
    content_columns = ("display_name", "entity")

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        help_text=_("Shown next to what you write. It need not be your full name."),
    )
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    is_staff = models.BooleanField(_("can use the back office"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=clock.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email.split("@")[0]

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    def has_perm(self, perm: str, obj=None) -> bool:
        """Django lets an active superuser do anything without asking the permission backends; until
        two-step verification is set up (paga/staff_security.py) a superuser asks them like anyone, so
        the rules see the citizen they are meanwhile."""
        if self.is_active and self.is_superuser and not _two_step_ready(self):
            return _user_has_perm(self, perm, obj)
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.is_superuser and not _two_step_ready(self):
            return _user_has_module_perms(self, app_label)
        return super().has_module_perms(app_label)


def _two_step_ready(user) -> bool:
    from .staff_security import two_step_ready

    return two_step_ready(user)


class Consent(models.Model):
    """Prior, express, informed consent to the personal-data policy (Ley 29733), one row per act."""

    content_generation = False  # never on a public page (paga/pagecache.py)

    class Purpose(models.TextChoices):
        PERSONAL_DATA = "datos_personales", _("Processing of personal data to take part")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=30, choices=Purpose.choices, default=Purpose.PERSONAL_DATA)
    policy_version = models.CharField(_("policy version"), max_length=20)
    given_at = models.DateTimeField(_("given at"), default=clock.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_purpose_display()} · {self.policy_version}"


class OGPValue(models.Model):
    """One of OGP's four values. Technology and innovation counts only on top of a core one (IRM)."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    is_core = models.BooleanField(_("core value"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("OGP value")
        verbose_name_plural = _("OGP values")

    def __str__(self) -> str:
        return self.name


class ActionPlan(models.Model):
    """A national action plan and the co-creation process that produces it."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, unique=True)
    slug = models.SlugField(max_length=40, unique=True)
    country = models.CharField(_("country"), max_length=60)
    framework = models.CharField(_("framework"), max_length=200, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    secretariat = models.CharField(_("secretariat"), max_length=200)
    secretariat_entity = models.ForeignKey(
        Entity, verbose_name=_("secretariat (organisation)"), on_delete=models.PROTECT, null=True, blank=True
    )
    previous_plan = models.CharField(_("previous plan"), max_length=60, blank=True)
    general_objective = models.TextField(_("general objective"))
    is_current = models.BooleanField(
        _("current plan"),
        default=False,
        help_text=_("The plan the portal's addresses show without /planes/."),
    )
    is_demonstration = models.BooleanField(
        _("demonstration"),
        default=False,
        help_text=_("Invented data for trying the portal; every page of the plan says so."),
    )

    class Meta:
        ordering = ["-start_year"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_plan"
            ),
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")), name="plan_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.short_name

    def clean(self) -> None:
        """The plan's years in the portal's range (paga/validators.py), each said on its field."""
        errors = {}
        for field in ("start_year", "end_year"):
            value = getattr(self, field)
            if value is not None and not (MIN_YEAR <= value <= MAX_YEAR):
                errors[field] = ValidationError(
                    _("Give a year from %(min)s to %(max)s."),
                    code="year_out_of_range",
                    params={"min": MIN_YEAR, "max": MAX_YEAR},
                )
        if errors:
            raise ValidationError(errors)

    @property
    def period_start(self) -> datetime.date:
        return datetime.date(self.start_year, 1, 1)

    @property
    def period_end(self) -> datetime.date:
        return datetime.date(self.end_year, 12, 31)


class Objective(models.Model):
    """A specific objective of the plan's co-creation process."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="objectives")
    text = models.TextField(_("text"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("specific objective")
        verbose_name_plural = _("specific objectives")
        constraints = [models.UniqueConstraint(fields=["plan", "order"], name="objective_order_unique")]

    def __str__(self) -> str:
        return self.text[:60]


class GovernmentPriority(models.Model):
    """A government priority (CEPLAN) against which commitments are placed on the matrix."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="priorities")
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(max_length=80)
    source = models.CharField(_("source"), max_length=60, default="CEPLAN")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("government priority")
        verbose_name_plural = _("government priorities")
        constraints = [models.UniqueConstraint(fields=["plan", "slug"], name="priority_slug_unique")]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """A theme of the plan, worked on by one thematic table."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(max_length=80)
    priority = models.ForeignKey(
        GovernmentPriority,
        verbose_name=_("government priority"),
        on_delete=models.PROTECT,
        related_name="themes",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [models.UniqueConstraint(fields=["plan", "slug"], name="theme_slug_unique")]

    def __str__(self) -> str:
        return self.name


class Pillar(models.Model):
    """One of OGP's co-creation standards that group the stages of the timeline."""

    key = models.SlugField(max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    text = models.TextField(_("what the standard asks"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("co-creation standard")
        verbose_name_plural = _("co-creation standards")

    def __str__(self) -> str:
        return self.name


class StageStatus(models.TextChoices):
    UNDATED = "undated", _("No date yet")
    PAST = "past", _("Concluded")
    CURRENT = "current", _("In progress")
    UPCOMING = "upcoming", _("Upcoming")


class TimelineStage(models.Model):
    """One stage or activity of the published schedule (cronograma). Dates are Lima calendar days.

    Undated stages stay undated: the portal never invents a date. A stage with a start and no end
    happens on its start day.
    """

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="stages")
    pillar = models.ForeignKey(
        Pillar, verbose_name=_("OGP standard"), on_delete=models.PROTECT, related_name="stages"
    )
    phase = models.CharField(_("phase"), max_length=100, help_text=_("The heading this stage sits under."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    place = models.CharField(_("place"), max_length=120, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    action_label = models.CharField(_("call to action"), max_length=80, blank=True)
    action_url = models.CharField(_("call to action link"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = TimelineStageQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("timeline stage")
        verbose_name_plural = _("timeline stages")
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="stage_order_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=False, ends_on__gte=models.F("starts_on")),
                name="stage_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{reverse('paga:timeline')}#etapa-{self.pk}"

    def clean(self) -> None:
        if self.ends_on and not self.starts_on:
            raise ValidationError({"starts_on": _("A stage with an end date needs a start date.")})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
        unknown = set(self.channels or []) - set(Channel.values)
        if unknown:
            raise ValidationError(
                {"channels": _("Unknown channel: %(codes)s") % {"codes": ", ".join(sorted(unknown))}}
            )

    @property
    def last_day(self) -> datetime.date | None:
        return self.ends_on or self.starts_on

    @property
    def is_single_day(self) -> bool:
        return bool(self.starts_on) and self.last_day == self.starts_on

    def status_on(self, day: datetime.date) -> StageStatus:
        if not self.starts_on:
            return StageStatus.UNDATED
        if self.last_day < day:
            return StageStatus.PAST
        if self.starts_on > day:
            return StageStatus.UPCOMING
        return StageStatus.CURRENT

    def channel_labels(self) -> list[str]:
        return [Channel(code).label for code in self.channels if code in Channel.values]


class OutboundEmail(models.Model):
    """An email waiting to be sent by the worker (an outbox: nothing is lost when Redis is down).

    The body is erased once the message is sent: it can hold one-time links.
    """

    content_generation = False  # never on a public page (paga/pagecache.py)

    to = models.JSONField()
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    from_email = models.CharField(max_length=200)
    # The real clock, like `sent_at` and the sweep (paga/tasks.py): a mail server sends it (paga/clock.py).
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Extra headers sent with the message, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058).
    headers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return self.subject


class EmailOptOut(models.Model):
    """A person does not want notifications of one kind (one-click unsubscribe, RFC 8058, or their
    choice). A notification of an opted-out kind is not queued. Deleting the row subscribes again."""

    content_generation = False  # paga/pagecache.py: never on a public page

    class Kind(models.TextChoices):
        REPLY = "respuesta_comentario", _("Replies to your comments")
        RESPONSE = "respuesta_aporte", _("The Secretaría's responses to your contributions")
        MODERATION = "moderacion", _("Moderation of your contributions (hidden or restored)")
        FOLLOWED = "seguimiento", _("New comments on proposals and commitments you follow")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_opt_outs")
    kind = models.CharField(_("kind of email"), max_length=30, choices=Kind.choices)
    created = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("email opt-out")
        verbose_name_plural = _("email opt-outs")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_opt_out_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"


class AppendOnlyError(RuntimeError):
    """An audit entry may be written once and never changed or removed."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """No bulk change or removal of audit entries through the ORM (the database refuses them too)."""

    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only: entries cannot be updated.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only: entries cannot be updated.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only: entries cannot be deleted.")

    @property
    def network(self) -> str:
        """The network of the request's address (only that is kept: paga.audit.network_of), with its
        prefix length (190.12.34.0/24), so it is not read as one machine's address."""
        from .audit import network_label

        return network_label(self.ip)

    delete.queryset_only = True


class AuditEntry(models.Model):
    """One act of staff, written in the transaction of the act itself (paga/audit.py): who, when, from
    which address, what they did to which object, and the details (states before and after, the reason).

    Append-only: the model refuses updates and deletions, and database triggers refuse them on PostgreSQL
    and SQLite (paga/audit.py installs them after every migrate). The actor is kept by id and by the name
    shown at the time, never by email (Ley 29733: the log holds no more personal data than it needs).
    """

    content_generation = False  # never on a public page (paga/pagecache.py)

    at = models.DateTimeField(_("when"), db_default=Now(), editable=False)
    actor = models.ForeignKey(
        User,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        help_text=_("Empty for the system's own acts."),
    )
    actor_label = models.CharField(_("name at the time"), max_length=120, blank=True)
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_at_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_idx"),
            models.Index(fields=["action", "-at"], name="audit_action_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The audit log is append-only: entries cannot be updated.")
        kwargs["force_insert"] = True
        kwargs.pop("force_update", None)
        kwargs.pop("update_fields", None)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only: entries cannot be deleted.")

    @property
    def network(self) -> str:
        """The network of the request's address (only that is kept: paga.audit.network_of), with its
        prefix length (190.12.34.0/24), so it is not read as one machine's address."""
        from .audit import network_label

        return network_label(self.ip)
