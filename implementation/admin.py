"""Back office for implementation tracking: the progress reports, with their evidence and the changes of
their state, for the Secretaría and administrators to look up (implementation/rules.py: who sees every
report).

View only, for everyone (superusers included): a report is the lead entity's word and its decision the
Secretaría's, so reports are submitted, validated and returned only through the services, from the pages
under /revision/seguimiento/ and /gestion/seguimiento/ (each change audited, the followers or the author
emailed); nothing a reviewer wrote, no evidence and no decision is added, edited or deleted from here.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from paga.search import CappedSearchAdmin

from .models import Evidence, ProgressReport, ReportTransition


class ViewOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EvidenceInline(ViewOnly, admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["kind", "title", "url", "original_name", "content_type", "size", "sha256"]
    readonly_fields = fields
    verbose_name_plural = _("evidence")


class TransitionInline(ViewOnly, admin.TabularInline):
    model = ReportTransition
    extra = 0
    fields = ["at", "from_state", "to_state", "actor", "reason"]
    readonly_fields = fields
    ordering = ["at", "pk"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ViewOnly, CappedSearchAdmin, admin.ModelAdmin):
    list_display = ["milestone", "number", "status", "state", "as_of", "entity", "created", "decided_at"]
    list_filter = ["state", "status", "entity", "milestone__commitment__plan"]
    search_fields = ["done", "return_reason", "milestone__description", "milestone__commitment__title"]
    list_select_related = ["milestone__commitment", "entity"]
    date_hierarchy = "created"
    fields = [
        "milestone",
        "number",
        "status",
        "done",
        "as_of",
        "entity",
        "author",
        "created",
        "state",
        "decided_by",
        "decided_at",
        "return_reason",
        "corrects",
    ]
    readonly_fields = fields
    inlines = [EvidenceInline, TransitionInline]
