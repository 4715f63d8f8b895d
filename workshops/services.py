"""Business rules of the Secretaría's work on events: creating and editing them, their states (held,
cancelled with a reason, scheduled again), attendance (from registrations and walk-ins) and the documents
of the plan's repository.

Every state change writes an `EventTransition` (who, when, why): OGP asks for a traceable process, and a
cancelled workshop must say why. Attendance rows are personal data, published only as counts; a mistaken
check-in may be removed, and the removal is recorded in the back office's log (who, when, which row).
Documents are checked by content, not by the name a browser sends, and stored under a random name.
Permissions come from rules.py through `has_perm`; refusals a person can act on are `ValidationError`s
with a message in words (keyed by the form field they concern, where there is one).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from paga import audit, clock
from paga.models import ActionPlan, ActorType, Region, Theme, TimelineStage
from paga.uploads import content_matches, extension_of, looks_like_markup, safe_name, sha256_of

from .models import (
    Attendance,
    Document,
    DocumentType,
    Event,
    EventState,
    EventTransition,
    Gender,
    Kind,
    Registration,
)
from .registrations import notify_event_cancelled, notify_event_changed

S = EventState
MANAGE = "workshops.manage_events"
ATTEND = "workshops.record_attendance"
UPLOAD = "workshops.upload_document"

# Fields of an event the Secretaría types in (create_event / update_event `values`).
# What registrants are told about when it changes (workshops.registrations.notify_event_changed).
WHEN_AND_WHERE = ("starts_at", "ends_at", "all_day", "region_id", "province", "venue", "address")
EVENT_FIELDS = (
    "kind",
    "title",
    "summary",
    "stage",
    "region",
    "province",
    "venue",
    "address",
    "starts_at",
    "ends_at",
    "all_day",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "agenda",
    "is_illustrative",
)
# Addresses under /talleres/ and /gestion/talleres/ that an event's slug must never take.
RESERVED_SLUGS = {"nuevo", "documentos", "editar", "calendario", "inscripcion"}
SLUG_LENGTH = 90

# (from, to) -> permission. Held and cancelled may go back to scheduled (a mistake, a new date).
TRANSITIONS = {
    (S.SCHEDULED, S.HELD): MANAGE,
    (S.SCHEDULED, S.CANCELLED): MANAGE,
    (S.CANCELLED, S.SCHEDULED): MANAGE,
    (S.HELD, S.SCHEDULED): MANAGE,
}
MAX_CANCEL_REASON = Event._meta.get_field("cancel_reason").max_length

# Documents of the repository: extension -> (what it is, in words; the content type it is served as).
DOCUMENT_TYPES = {
    ".pdf": ("PDF", "application/pdf"),
    ".docx": ("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pptx": ("PPTX", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ".odt": ("ODT", "application/vnd.oasis.opendocument.text"),
    ".ods": ("ODS", "application/vnd.oasis.opendocument.spreadsheet"),
    ".odp": ("ODP", "application/vnd.oasis.opendocument.presentation"),
    ".png": ("PNG", "image/png"),
    ".jpg": ("JPEG", "image/jpeg"),
    ".jpeg": ("JPEG", "image/jpeg"),
    ".csv": ("CSV", "text/csv; charset=utf-8"),
    ".txt": ("TXT", "text/plain; charset=utf-8"),
}
DOCUMENT_EXTENSIONS = ", ".join(sorted({kind for kind, _type in DOCUMENT_TYPES.values()}))
MAX_ORIGINAL_NAME = Document._meta.get_field("original_name").max_length


def document_max_bytes() -> int:
    """The size limit of a document (COCREA_DOCUMENT_MAX_MB, 20 MB by default)."""
    return settings.COCREA_DOCUMENT_MAX_MB * 1024 * 1024


def _require(actor, perm: str, obj=None) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm(perm, obj):
        raise PermissionDenied


def _day(moment: datetime.datetime) -> str:
    """A moment as a date in Lima time, in the active language ("21 de septiembre de 2017")."""
    return formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT")


def _lima_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


# --- Events ----------------------------------------------------------------------------------------
def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """A slug from the title ("taller-regional-arequipa"), made unique with -2, -3…; never one of the
    staff area's own addresses."""
    base = slugify(title)[:SLUG_LENGTH].strip("-") or "evento"
    taken = set(
        Event.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken or slug in RESERVED_SLUGS:
        n += 1
        slug = f"{base[: SLUG_LENGTH - len(str(n)) - 1]}-{n}"
    return slug


def stored_values(event: Event) -> dict:
    """The event's EVENT_FIELDS as create_event takes them: for an all-day event, `ends_at` is its last
    day (stored as 00:00 of the day after)."""
    values = {field: getattr(event, field) for field in EVENT_FIELDS}
    if event.all_day and event.ends_at:
        values["ends_at"] = timezone.localtime(event.ends_at) - datetime.timedelta(days=1)
    return values


def _normalise_times(values: dict) -> None:
    """An all-day event is known by its days: 00:00 in Lima of the first day, and of the day after the
    last (one day when no end is given). Hours typed for it are dropped, never invented."""
    if not values.get("all_day") or not values.get("starts_at"):
        return
    first = timezone.localtime(values["starts_at"]).date()
    last = timezone.localtime(values["ends_at"]).date() if values.get("ends_at") else first
    values["starts_at"] = _lima_midnight(first)
    values["ends_at"] = _lima_midnight(max(last, first) + datetime.timedelta(days=1))


def _check_event(values: dict, *, plan: ActionPlan, event: Event | None) -> None:
    """Every problem with the values at once, each on its field."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    title = (values.get("title") or "").strip()
    values["title"] = title
    if not title:
        refuse("title", _("Give the event a title."))
    if values.get("kind") not in Kind.values:
        refuse("kind", _("Choose the kind of event."))
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if ends and not starts:
        refuse("starts_at", _("Give the start, or leave the end empty too."))
    if values.get("all_day") and not starts:
        refuse("starts_at", _("Give the first day of an all-day event."))
    if starts and ends and not values.get("all_day") and ends <= starts:
        refuse("ends_at", _("The event must end after it starts."))
    if starts and ends and values.get("all_day") and timezone.localdate(ends) < timezone.localdate(starts):
        refuse("ends_at", _("The last day cannot be before the first day."))

    capacity = values.get("capacity")
    opens, closes = values.get("registration_opens_at"), values.get("registration_closes_at")
    if capacity is not None and capacity < 1:
        refuse("capacity", _("Give at least one place, or leave the capacity empty: no registration."))
    if (capacity or opens or closes) and not starts and "starts_at" not in errors:
        refuse("starts_at", _("An event that takes registrations needs a start date."))
    if capacity and not closes:
        refuse("registration_closes_at", _("Give the moment registration closes."))
    if (closes or opens) and not capacity:
        refuse("capacity", _("Give the number of places: registration needs a capacity."))
    if opens and closes and closes <= opens:
        refuse("registration_closes_at", _("Registration must close after it opens."))
    if starts and closes and closes > starts:
        refuse(
            "registration_closes_at",
            _("Registration must close before the event starts (%(day)s).") % {"day": _day(starts)},
        )
    if event is not None and capacity:
        confirmed = event.registrations.filter(state=Registration.State.CONFIRMED).count()
        if capacity < confirmed:
            refuse(
                "capacity",
                _("%(n)s people hold a confirmed place: the capacity cannot be lower than that.")
                % {"n": confirmed},
            )
    stage = values.get("stage")
    if stage is not None and stage.plan_id != plan.pk:
        refuse("stage", _("Choose a stage of this plan's timeline."))
    if errors:
        raise ValidationError(errors)


def _check_themes(themes: Iterable[Theme], plan: ActionPlan) -> list[Theme]:
    themes = list(themes)
    if any(t.plan_id != plan.pk for t in themes):
        raise ValidationError({"themes": [_("Choose themes of this plan.")]})
    return themes


def _save_event(event: Event, values: dict, themes: list[Theme]) -> Event:
    for field in EVENT_FIELDS:
        if field in values:
            setattr(event, field, values[field])
    for text_field in ("summary", "province", "venue", "address", "agenda"):
        setattr(event, text_field, (getattr(event, text_field) or "").strip())
    event.full_clean(exclude=["plan", "slug", "themes", "proposals"], validate_unique=False)
    event.save()
    event.themes.set(themes)
    return event


@transaction.atomic
def create_event(*, plan: ActionPlan, actor, values: dict, themes: Iterable[Theme] = ()) -> Event:
    """A new event of `plan` (state "scheduled"), its slug from the title. `values` holds the fields of
    EVENT_FIELDS. A thematic table may stay undated: the portal never invents a date."""
    _require(actor, MANAGE)
    values = {k: v for k, v in values.items() if k in EVENT_FIELDS}
    values.setdefault("kind", Kind.REGIONAL_WORKSHOP)
    _check_event(values, plan=plan, event=None)
    themes = _check_themes(themes, plan)
    _normalise_times(values)
    event = _save_event(
        Event(plan=plan, slug=_unique_slug(values["title"]), state=S.SCHEDULED), values, themes
    )
    audit.record(actor=actor, action="event.create", obj=event, details={"kind": event.kind})
    return event


@transaction.atomic
def update_event(*, event: Event, actor, values: dict, themes: Iterable[Theme] | None = None) -> Event:
    """Change an event's details. Its slug stays as it was: the address is already in emails, calendars
    and printed calls. The capacity cannot drop below the places already confirmed (they are kept).
    When the date, time or place of a scheduled event changes, everyone registered is told."""
    _require(actor, MANAGE, event)
    locked = Event.objects.select_for_update().select_related("plan").get(pk=event.pk)
    values = {k: v for k, v in values.items() if k in EVENT_FIELDS}
    merged = stored_values(locked) | values
    _check_event(merged, plan=locked.plan, event=locked)
    themes = _check_themes(locked.themes.all() if themes is None else themes, locked.plan)
    _normalise_times(merged)
    audit.record(actor=actor, action="event.edit", obj=locked, details={"fields": sorted(values)})
    before = {field: getattr(locked, field) for field in WHEN_AND_WHERE}
    saved = _save_event(locked, merged, themes)
    if saved.state == S.SCHEDULED and any(getattr(saved, f) != before[f] for f in WHEN_AND_WHERE):
        notify_event_changed(event=saved)
    return saved


def _transition(*, event: Event, to: str, actor, reason: str) -> Event:
    """Move `event` to state `to`, recording who, when and why. Call inside a transaction."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    perm = TRANSITIONS.get((locked.state, to))
    if perm is None:
        raise ValidationError(
            _("An event that is “%(old)s” cannot become “%(new)s”."),
            code="state",
            params={"old": locked.get_state_display(), "new": S(to).label},
        )
    _require(actor, perm, locked)
    EventTransition.objects.create(
        event=locked, from_state=locked.state, to_state=to, actor=actor, reason=reason
    )
    audit.record(
        actor=actor,
        action="event.transition",
        obj=locked,
        details={"from": locked.state, "to": to, "reason": reason},
    )
    locked.state = to
    locked.cancel_reason = reason if to == S.CANCELLED else ""
    locked.save(update_fields=["state", "cancel_reason", "modified"])
    return locked


@transaction.atomic
def mark_held(*, event: Event, actor, reason: str = "") -> Event:
    """The event took place. Not before it has started: "held" is a fact the public page reports."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.starts_at and timezone.localdate(event.starts_at) > clock.today():
        raise ValidationError(
            _("The event starts on %(day)s: mark it as held once it has started."),
            code="not_started",
            params={"day": _day(event.starts_at)},
        )
    return _transition(event=event, to=S.HELD, actor=actor, reason=(reason or "").strip())


@transaction.atomic
def cancel_event(*, event: Event, actor, reason: str) -> Event:
    """Cancel a scheduled event, with a reason: the public page shows it and everyone registered is told
    (workshops.registrations.notify_event_cancelled). An event with attendance recorded took place."""
    reason = " ".join((reason or "").split())
    if not reason:
        message = _("Give the reason for cancelling: it is published and sent to everyone registered.")
        raise ValidationError({"reason": [message]})
    if len(reason) > MAX_CANCEL_REASON:
        raise ValidationError(
            {"reason": [_("Keep the reason within %(n)s characters.") % {"n": MAX_CANCEL_REASON}]}
        )
    # Locked first: a check-in (which locks the event row too) cannot slip in between.
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.attendances.exists():
        raise ValidationError(
            _("Attendance was recorded for this event: it took place and cannot be cancelled."),
            code="has_attendance",
        )
    cancelled = _transition(event=event, to=S.CANCELLED, actor=actor, reason=reason)
    notify_event_cancelled(event=cancelled, reason=reason)
    return cancelled


@transaction.atomic
def reschedule(*, event: Event, actor, reason: str) -> Event:
    """Back to "scheduled": a cancelled event that will take place after all (perhaps on a new date,
    changed with update_event), or one marked held by mistake. The reason is kept in the history.
    Registrations cancelled with the event stay cancelled: people register again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the event is scheduled again.")]})
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.state == S.HELD and event.attendances.exists():
        raise ValidationError(
            _("Attendance was recorded for this event: remove it before scheduling the event again."),
            code="has_attendance",
        )
    return _transition(event=event, to=S.SCHEDULED, actor=actor, reason=reason)


# --- Attendance ------------------------------------------------------------------------------------
def attendance_refusal(event: Event, *, today: datetime.date | None = None) -> str | None:
    """Why attendance cannot be recorded for `event` now, or None: only for an event held, or taking
    place (scheduled, from its first day in Lima); never for a cancelled one."""
    if event.state == S.CANCELLED:
        return _("The event was cancelled: attendance cannot be recorded.")
    if event.state == S.HELD:
        return None
    if event.starts_at is None:
        return _("The event has no date: mark it as held to record its attendance.")
    today = today or clock.today()
    if timezone.localdate(event.starts_at) > today:
        return _("Attendance is recorded from the day of the event, %(day)s.") % {
            "day": _day(event.starts_at)
        }
    return None


def _check_attendance_open(event: Event) -> None:
    if (refusal := attendance_refusal(event)) is not None:
        raise ValidationError(refusal, code="attendance_closed")


def _check_in(registration: Registration, actor) -> Attendance:
    if registration.state == Registration.State.CANCELLED:
        raise ValidationError(
            _("The registration of %(name)s was cancelled: add the person as a walk-in."),
            code="cancelled",
            params={"name": registration.name},
        )
    try:
        with transaction.atomic():
            return Attendance.objects.create(
                event_id=registration.event_id,
                registration=registration,
                name=registration.name,
                actor_type=registration.actor_type,
                organisation=registration.organisation,
                gender=registration.gender,
                region_id=registration.region_id,
                recorded_by=actor,
            )
    except IntegrityError:  # one attendance per registration (a OneToOne in the database)
        raise ValidationError(
            _("%(name)s is already checked in."), code="already", params={"name": registration.name}
        ) from None


@transaction.atomic
def check_in(*, registration: Registration, actor) -> Attendance:
    """Record that a registered person came, with their actor type, organisation, gender and region as
    registered (for the published counts). Once per registration: the database refuses a second."""
    # The event first, as every other change of its registrations does (one lock order, no deadlock).
    Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.select_related("event").select_for_update().get(pk=registration.pk)
    _require(actor, ATTEND, registration.event)
    _check_attendance_open(registration.event)
    attendance = _check_in(registration, actor)
    audit.record(
        actor=actor,
        action="attendance.check_in",
        obj=registration.event,
        details={"registrations": [registration.pk]},
    )
    return attendance


@transaction.atomic
def check_in_many(*, event: Event, registrations: Iterable[Registration], actor) -> list[Attendance]:
    """Check in several registrations of `event` at once: all of them, or none (the first refusal)."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    _require(actor, ATTEND, event)
    _check_attendance_open(event)
    ids = [r.pk for r in registrations]
    rows = list(Registration.objects.select_for_update().filter(pk__in=ids, event=event).order_by("pk"))
    if len(rows) != len(set(ids)):
        raise ValidationError(_("A selected registration is not one of this event."), code="other_event")
    if not rows:
        raise ValidationError(_("Select at least one person to check in."), code="empty")
    done = [_check_in(registration, actor) for registration in rows]
    audit.record(
        actor=actor, action="attendance.check_in", obj=event, details={"registrations": [r.pk for r in rows]}
    )
    return done


@transaction.atomic
def add_walk_in(
    *,
    event: Event,
    actor,
    name: str,
    actor_type: str,
    organisation: str = "",
    gender: str = Gender.UNSTATED,
    region: Region | None = None,
) -> Attendance:
    """Someone who came without registering, typed in by staff (counted like everyone else)."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    _require(actor, ATTEND, event)
    _check_attendance_open(event)
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("Give the name of the person who came.")]
    elif len(name) > Attendance._meta.get_field("name").max_length:
        errors["name"] = [_("The name is too long.")]
    if actor_type not in ActorType.values:
        errors["actor_type"] = [_("Choose the actor type of the person who came.")]
    if gender not in Gender.values:
        errors["gender"] = [_("Choose one of the options for gender.")]
    organisation = " ".join((organisation or "").split())
    if len(organisation) > Attendance._meta.get_field("organisation").max_length:
        errors["organisation"] = [_("The organisation's name is too long.")]
    if errors:
        raise ValidationError(errors)
    walk_in = Attendance.objects.create(
        event=event,
        registration=None,
        name=name,
        actor_type=actor_type,
        organisation=organisation,
        gender=gender,
        region=region,
        recorded_by=actor,
    )
    audit.record(actor=actor, action="attendance.walk_in", obj=event, details={"attendance": walk_in.pk})
    return walk_in


@transaction.atomic
def undo_check_in(*, attendance: Attendance, actor, reason: str = "") -> None:
    """Remove a mistaken attendance row (a check-in of the wrong person, a walk-in typed twice). It is
    personal data, not something a citizen wrote: the row goes, and the removal stays in the back office's
    log (who, when, which event and registration; no name)."""
    attendance = Attendance.objects.select_related("event").select_for_update().get(pk=attendance.pk)
    _require(actor, ATTEND, attendance.event)
    if attendance.event.state == S.CANCELLED:
        raise ValidationError(_("The event was cancelled: attendance cannot be changed."), code="cancelled")
    what = (
        _("Check-in of registration %(registration)s at event %(event)s removed.")
        if attendance.registration_id
        else _("Walk-in %(pk)s at event %(event)s removed.")
    ) % {"registration": attendance.registration_id, "event": attendance.event_id, "pk": attendance.pk}
    reason = " ".join((reason or "").split())
    LogEntry.objects.create(
        user=actor,
        content_type=ContentType.objects.get_for_model(Attendance),
        object_id=str(attendance.pk),
        object_repr=str(attendance)[:200],
        action_flag=DELETION,
        change_message=f"{what} {reason}".strip(),
    )
    audit.record(
        actor=actor,
        action="attendance.undo",
        obj=attendance.event,
        details={"attendance": attendance.pk, "registration": attendance.registration_id, "reason": reason},
    )
    attendance.delete()


# --- Documents -------------------------------------------------------------------------------------
def _check_file(upload) -> tuple[str, str]:
    """(extension, content type) of an acceptable document, or a ValidationError on the "upload" field."""
    if upload is None:
        raise ValidationError({"upload": [_("Choose the file to upload.")]})
    extension = extension_of(upload.name)
    kind = DOCUMENT_TYPES.get(extension)
    if kind is None:
        raise ValidationError(
            {
                "upload": [
                    _("Upload a file of one of these types: %(types)s; “%(name)s” is none of them.")
                    % {"types": DOCUMENT_EXTENSIONS, "name": safe_name(upload.name)}
                ]
            }
        )
    limit = document_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            {
                "upload": [
                    _("The file has %(size)s MB; the limit is %(limit)s MB.")
                    % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": limit // (1024 * 1024)}
                ]
            }
        )
    if upload.size == 0:
        raise ValidationError({"upload": [_("The file is empty.")]})
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    markup = extension in (".txt", ".csv") and looks_like_markup(head)
    if markup or not content_matches(extension, upload):
        raise ValidationError(
            {
                "upload": [
                    _("The file “%(name)s” is not really a %(kind)s file: its content says otherwise.")
                    % {"name": safe_name(upload.name), "kind": kind[0]}
                ]
            }
        )
    return extension, kind[1]


@transaction.atomic
def upload_document(
    *,
    plan: ActionPlan,
    actor,
    upload,
    title: str,
    doc_type: str,
    dated: datetime.date | None,
    event: Event | None = None,
    stage: TimelineStage | None = None,
) -> Document:
    """Add a document to the plan's public repository (OGP: every document of the process, with a date).
    The type is checked by content against the extension; at most COCREA_DOCUMENT_MAX_MB; stored under a
    random name, the name it was sent with kept (made safe) to offer it again, with its size and SHA-256."""
    _require(actor, UPLOAD)
    errors: dict[str, list[str]] = {}
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = [_("Give the document a title.")]
    elif len(title) > Document._meta.get_field("title").max_length:
        errors["title"] = [_("Keep the title within %(n)s characters.") % {"n": 200}]
    if doc_type not in DocumentType.values:
        errors["doc_type"] = [_("Choose the type of document.")]
    if dated is None:
        errors["dated"] = [_("Give the date of the document.")]
    elif dated > clock.today():
        errors["dated"] = [_("The date of the document cannot be in the future.")]
    if event is not None and event.plan_id != plan.pk:
        errors["event"] = [_("Choose an event of this plan.")]
    if stage is not None and stage.plan_id != plan.pk:
        errors["stage"] = [_("Choose a stage of this plan's timeline.")]
    try:
        extension, content_type = _check_file(upload)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    original = safe_name(upload.name, max_length=MAX_ORIGINAL_NAME)
    digest = sha256_of(upload)
    size = upload.size
    # A name of our own: the sent one may carry personal data or path tricks; it is kept only as text.
    upload.name = f"{uuid.uuid4().hex}{'.jpg' if extension == '.jpeg' else extension}"
    document = Document.objects.create(
        plan=plan,
        event=event,
        stage=stage,
        title=title,
        doc_type=doc_type,
        file=upload,
        original_name=original,
        content_type=content_type,
        size=size,
        sha256=digest,
        dated=dated,
        uploaded_by=actor,
    )
    audit.record(
        actor=actor,
        action="document.upload",
        obj=document,
        details={"type": doc_type, "size": size, "sha256": digest, "event": event.pk if event else None},
    )
    return document
