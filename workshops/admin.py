"""Back office for workshops: events (themes, proposals, stage, region), the forum and its seats, the
documents' titles and dates, and the national tables' decisions. Access follows workshops/rules.py (the
Secretaría configures, administrators also delete).

An event's state (held, cancelled with a reason, scheduled again) changes only through the Secretaría's
pages, which record who, when and why and tell those registered; its address (slug) is kept once made.
Files are uploaded, type-checked and stored only through the Secretaría's pages under /gestion/talleres/:
here a document's file and what was measured of it are read-only, and no document is added. Registrations,
attendance, contributions made at events and the events' state changes are personal data and records:
staff see them here, nobody adds, edits or deletes them from here.
"""

from django.contrib import admin

from paga.search import CappedSearchAdmin
from paga.validators import SensibleModelForm

from .models import (
    Attendance,
    Document,
    Event,
    EventInput,
    EventTransition,
    Forum,
    ForumMember,
    Registration,
    TableDecision,
)


class ViewOnlyAdmin(CappedSearchAdmin, admin.ModelAdmin):
    """Seen by staff, changed only through the services (superusers included)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventForm(SensibleModelForm):
    date_order = (("starts_at", "ends_at"), ("registration_opens_at", "registration_closes_at"))


@admin.register(Event)
class EventAdmin(CappedSearchAdmin, admin.ModelAdmin):
    form = EventForm
    list_display = ["title", "kind", "state", "starts_at", "region", "capacity", "is_illustrative", "plan"]
    list_filter = ["kind", "state", "region", "plan"]
    search_fields = ["title", "slug", "venue"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["themes", "proposals"]
    list_select_related = ["region", "plan"]
    # States change only through the services (who, when, why; registrants told of a cancellation).
    readonly_fields = ["state", "cancel_reason", "created", "modified"]

    def get_readonly_fields(self, request, obj=None):
        # The slug stays as it was: the address is already in emails, calendars and printed calls.
        return [*self.readonly_fields, "slug"] if obj is not None else self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if obj is None else {}


@admin.register(Document)
class DocumentAdmin(CappedSearchAdmin, admin.ModelAdmin):
    form = SensibleModelForm
    list_display = ["title", "doc_type", "dated", "event", "size", "uploaded_at", "plan"]
    list_filter = ["doc_type", "plan"]
    search_fields = ["title", "original_name"]
    list_select_related = ["event", "plan"]
    readonly_fields = [
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_add_permission(self, request):
        return False


class ForumMemberForm(SensibleModelForm):
    date_order = (("since", "until"),)


class ForumMemberInline(admin.TabularInline):
    model = ForumMember
    form = ForumMemberForm
    extra = 0
    fields = ["organisation", "sector", "representative", "since", "until"]


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    form = SensibleModelForm
    list_display = ["name", "rules_adopted_on", "is_illustrative", "plan"]
    inlines = [ForumMemberInline]


@admin.register(TableDecision)
class TableDecisionAdmin(CappedSearchAdmin, admin.ModelAdmin):
    list_display = ["commitment", "event", "decision", "recorded_by", "modified"]
    list_filter = ["decision"]
    search_fields = ["commitment__title", "event__title"]
    list_select_related = ["commitment", "event", "recorded_by"]
    readonly_fields = ["event", "commitment", "recorded_by", "created", "modified"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(ViewOnlyAdmin):
    list_display = ["event", "state", "actor_type", "created", "confirmed_at", "cancelled_at"]
    list_filter = ["state", "actor_type"]
    search_fields = ["event__title"]
    list_select_related = ["event"]


@admin.register(Attendance)
class AttendanceAdmin(ViewOnlyAdmin):
    list_display = ["event", "actor_type", "gender", "region", "created"]
    list_filter = ["actor_type", "gender"]
    search_fields = ["event__title"]
    list_select_related = ["event", "region"]


@admin.register(EventInput)
class EventInputAdmin(ViewOnlyAdmin):
    list_display = ["event", "contribution", "actor_type", "sheet_row"]
    search_fields = ["event__title"]
    list_select_related = ["event", "contribution"]


@admin.register(EventTransition)
class EventTransitionAdmin(ViewOnlyAdmin):
    list_display = ["event", "from_state", "to_state", "actor", "created"]
    list_filter = ["to_state"]
    list_select_related = ["event", "actor"]
