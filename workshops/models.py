"""Events of the co-creation process (thematic tables, regional workshops, national tables, sectoral
technical meetings, sessions of the multi-stakeholder forum), who registered and who came, their
documents and what they produced: proposals, contributions and the national tables' decisions.

Contributions made at an event are consultations' contributions (channel "in person"), linked here by
`EventInput`, so they go through the same reasoned-response pipeline as forum comments.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from commitments.models import Commitment
from consultations.models import Contribution
from paga import clock
from paga.models import ActionPlan, ActorType, Region, Theme, TimelineStage


class Kind(models.TextChoices):
    THEMATIC_TABLE = "mesa_tematica", _("Thematic table")
    REGIONAL_WORKSHOP = "taller_regional", _("Regional workshop")
    NATIONAL_TABLE = "mesa_nacional", _("National table")
    SECTOR_MEETING = "reunion_tecnica", _("Sectoral technical meeting")
    FORUM_SESSION = "foro_multiactor", _("Multi-stakeholder forum session")


class EventState(models.TextChoices):
    SCHEDULED = "programado", _("Scheduled")
    HELD = "realizado", _("Held")
    CANCELLED = "cancelado", _("Cancelled")


class Gender(models.TextChoices):
    FEMALE = "femenino", _("Female")
    MALE = "masculino", _("Male")
    OTHER = "otro", _("Other")
    UNSTATED = "no_indica", _("Prefers not to say")


class Event(models.Model):
    """A meeting of the process. Times are stored in UTC and shown in America/Lima. A thematic table may
    have no date at all (the seed gives none): then it is listed as undated, never given an invented one;
    an event known only by its days is `all_day`, never given invented hours.
    Registration is open when the event has a capacity and a registration window."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="events", verbose_name=_("themes"))
    stage = models.ForeignKey(
        TimelineStage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("stage of the timeline"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("region"),
    )
    province = models.CharField(_("province"), max_length=80, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    # Known by its days only (the seed gives dates, not hours): starts_at is 00:00 in Lima of the first
    # day and ends_at 00:00 of the day after the last; pages show the dates, iCalendar uses VALUE=DATE.
    all_day = models.BooleanField(_("all day (no hours known)"), default=False)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Places for registration; empty: no registration.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens at"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes at"), null=True, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=EventState.choices, default=EventState.SCHEDULED
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # Proposals this event produced: they carry it as their origin.
    proposals = models.ManyToManyField(
        Commitment, blank=True, related_name="origin_events", verbose_name=_("proposals it produced")
    )
    # The attendance of the example is illustrative (the seed gives no figures): said on every page.
    is_illustrative = models.BooleanField(_("illustrative figures"), default=False)
    created = models.DateTimeField(default=clock.now)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [models.F("starts_at").asc(nulls_last=True), "title"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["plan", "starts_at"], name="event_plan_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=False, ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(state="cancelado") | ~Q(cancel_reason=""), name="event_cancel_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="event_registration_window",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:detail", kwargs={"slug": self.slug})

    @property
    def takes_registrations(self) -> bool:
        return bool(self.capacity) and self.registration_closes_at is not None

    def registration_open(self, at=None) -> bool:
        at = at or clock.now()
        if not self.takes_registrations or self.state != EventState.SCHEDULED:
            return False
        opens = self.registration_opens_at
        return (opens is None or opens <= at) and at < self.registration_closes_at


class EventTransition(models.Model):
    """A change of an event's state (held, cancelled with a reason…): who, when and why."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=12, choices=EventState.choices)
    to_state = models.CharField(max_length=12, choices=EventState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    created = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.from_state} → {self.to_state}"


class Registration(models.Model):
    """A place asked for at an event: by a signed-in person, or by email confirmed through a link.

    States: pending (an email registration not yet confirmed: it holds no place), confirmed (holds a
    place), waiting (the event was full: promoted in order when a place frees), cancelled. `key` is the
    secret in the confirmation and cancel links.
    """

    # paga/pagecache.py: pages show places taken, not who took them: a person's data never expires one.
    content_columns = ("state", "event")

    class State(models.TextChoices):
        PENDING = "por_confirmar", _("Awaiting email confirmation")
        CONFIRMED = "inscrito", _("Registered")
        WAITING = "en_espera", _("On the waiting list")
        CANCELLED = "cancelado", _("Cancelled")

    ACTIVE_STATES = (State.PENDING, State.CONFIRMED, State.WAITING)

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
    )
    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=200)
    actor_type = models.CharField(_("actor type"), max_length=20, choices=ActorType.choices)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, default=Gender.UNSTATED)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region you come from"),
    )
    state = models.CharField(max_length=14, choices=State.choices, default=State.PENDING)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created = models.DateTimeField(default=clock.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When the person entered the waiting list (its order); when a place was given.
    waiting_since = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The language the person registered in: later emails (promotion, reminder, cancellation) use it.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="es")

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [models.Index(fields=["event", "state"], name="registration_state_idx")]
        constraints = [
            # One active registration per address and event (registering twice is refused).
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=Q(state__in=["por_confirmar", "inscrito", "en_espera"]),
                name="registration_once_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.get_state_display()}"


class Attendance(models.Model):
    """Someone who came: from a registration, or a walk-in typed by staff. Personal data: published only
    as counts (by actor type, gender, region and organisation), never as a list of names."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="attendances")
    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, null=True, blank=True, related_name="attendance"
    )
    name = models.CharField(_("name"), max_length=200)
    actor_type = models.CharField(_("actor type"), max_length=20, choices=ActorType.choices)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, default=Gender.UNSTATED)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return f"{self.event_id}: {self.pk}"


class DocumentType(models.TextChoices):
    CALL = "convocatoria", _("Call")
    AGENDA = "agenda", _("Agenda")
    MINUTES = "acta", _("Minutes")
    PRESENTATION = "presentacion", _("Presentation")
    REPORT = "informe", pgettext_lazy("a kind of document", "Report")
    RULES = "reglamento", _("Rules")
    PLAN = "plan", _("Plan")
    OTHER = "otro", _("Other")


class Document(models.Model):
    """A file of the plan's repository (/repositorio/): minutes, agendas, presentations, reports…,
    uploaded by staff, type checked by content, stored under a random name."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="documents")
    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("event"),
    )
    stage = models.ForeignKey(
        TimelineStage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("stage of the timeline"),
    )
    title = models.CharField(_("title"), max_length=200)
    doc_type = models.CharField(_("type"), max_length=14, choices=DocumentType.choices)
    file = models.FileField(_("file"), upload_to="documentos/%Y/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    dated = models.DateField(_("date of the document"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        ordering = ["-dated", "-uploaded_at", "-pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class EventInput(models.Model):
    """A contribution made at an event (typed in by staff or imported from the input sheets' CSV): a
    consultations contribution with channel "in person", linked to the event it came from."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="inputs")
    contribution = models.OneToOneField(Contribution, on_delete=models.PROTECT, related_name="event_input")
    sheet_row = models.PositiveIntegerField(_("row of the input sheet"), null=True, blank=True)
    # As written on the sheet (optional): participation by actor type counts workshop input too.
    actor_type = models.CharField(_("actor type"), max_length=20, choices=ActorType.choices, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.contribution_id}"


class Decision(models.TextChoices):
    CONSENSUS = "consenso", _("Consensus")
    WITH_RESERVATIONS = "consenso_con_reservas", _("Consensus with reservations")
    NO_CONSENSUS = "sin_consenso", _("No consensus")


class TableDecision(models.Model):
    """What a national table decided on a proposal it discussed, with notes and the sectors present
    (actor types). Shown on the proposal's page."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="decisions")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="table_decisions")
    decision = models.CharField(_("decision"), max_length=24, choices=Decision.choices)
    notes = models.TextField(_("notes"), blank=True)
    sectors_present = models.JSONField(_("sectors present"), default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(default=clock.now)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "pk"]
        verbose_name = _("table decision")
        verbose_name_plural = _("table decisions")
        constraints = [
            models.UniqueConstraint(fields=["event", "commitment"], name="decision_once_per_table"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.commitment_id}: {self.decision}"


class Forum(models.Model):
    """The plan's multi-stakeholder forum (Foro Multiactor): its public rules. Its meetings are events of
    kind "forum session"; their minutes are documents of type "minutes"."""

    plan = models.OneToOneField(ActionPlan, on_delete=models.PROTECT, related_name="forum")
    name = models.CharField(_("name"), max_length=200)
    rules = models.TextField(_("rules"), blank=True)
    rules_adopted_on = models.DateField(_("rules adopted on"), null=True, blank=True)
    is_illustrative = models.BooleanField(_("illustrative"), default=False)

    class Meta:
        verbose_name = _("multi-stakeholder forum")
        verbose_name_plural = _("multi-stakeholder forums")

    def __str__(self) -> str:
        return self.name


class ForumMember(models.Model):
    """A seat of the forum: the organisation, its sector and (optionally) who holds the seat."""

    class Sector(models.TextChoices):
        GOVERNMENT = "gobierno", _("Government")
        CIVIL_SOCIETY = "sociedad_civil", _("Civil society")
        PRIVATE = "sector_privado", _("Private sector")
        ACADEMIA = "academia", _("Academia")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="members")
    organisation = models.CharField(_("organisation"), max_length=200)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    representative = models.CharField(_("representative"), max_length=200, blank=True)
    since = models.DateField(_("member since"), null=True, blank=True)
    until = models.DateField(_("member until"), null=True, blank=True)

    class Meta:
        ordering = ["sector", "organisation"]
        verbose_name = _("forum member")
        verbose_name_plural = _("forum members")

    def __str__(self) -> str:
        return self.organisation
