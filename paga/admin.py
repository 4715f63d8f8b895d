"""Back office for configuration. Access follows paga/rules.py (Secretaría: plan and timeline)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    ActionPlan,
    Consent,
    Entity,
    GovernmentPriority,
    Objective,
    OutboundEmail,
    Region,
    Theme,
    TimelineStage,
    User,
)

admin.site.site_header = _("Co-crea back office")
admin.site.site_title = "Co-crea"


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ["short_name", "start_year", "end_year", "is_current"]
    inlines = [ObjectiveInline]


@admin.register(TimelineStage)
class TimelineStageAdmin(admin.ModelAdmin):
    list_display = ["order", "title", "phase", "starts_on", "ends_on", "plan"]
    list_display_links = ["title"]
    list_filter = ["plan", "pillar", "phase"]
    search_fields = ["title", "description"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "priority", "plan"]


@admin.register(GovernmentPriority)
class GovernmentPriorityAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "plan"]


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "actor_type", "level", "region"]
    list_filter = ["actor_type", "level", "region"]
    search_fields = ["name", "acronym"]
    prepopulated_fields = {"slug": ["acronym"]}


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "entity", "is_active"]
    list_filter = ["groups", "is_active"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["display_name", "entity"]}),
        (_("Roles"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})
    ]
    filter_horizontal = ["groups"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["user", "purpose", "policy_version", "given_at", "withdrawn_at"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "created_at", "sent_at", "attempts"]
    readonly_fields = ["to", "subject", "from_email", "created_at", "sent_at", "attempts", "last_error"]
    exclude = ["body", "html_body"]
