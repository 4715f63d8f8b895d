"""Back office for configuration. Access follows paga/rules.py (Secretaría: plan and timeline)."""

from allauth.mfa.admin import AuthenticatorAdmin as MFAAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import (
    ActionPlan,
    AuditEntry,
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
from .search import CappedSearchAdmin
from .validators import SensibleModelForm

admin.site.site_header = _("Co-crea back office")
admin.site.site_title = "Co-crea"
admin.site.unregister(Group)  # registered again below, with a search box that takes its first words


@admin.register(Group)
class GroupAdmin(CappedSearchAdmin, BaseGroupAdmin):
    pass


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    form = SensibleModelForm
    list_display = ["short_name", "start_year", "end_year", "is_current"]
    inlines = [ObjectiveInline]


@admin.register(TimelineStage)
class TimelineStageAdmin(CappedSearchAdmin, admin.ModelAdmin):
    form = SensibleModelForm
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
class EntityAdmin(CappedSearchAdmin, admin.ModelAdmin):
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
class UserAdmin(CappedSearchAdmin, BaseUserAdmin):
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

    # Role and organisation changes go to the audit log (paga/audit.py), in the admin's transaction.
    def save_model(self, request, obj, form, change):
        obj._audit_before = audit.account_state(obj.pk) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        audit.record_account_changes(actor=request.user, user=form.instance, request=request)


class ConsentForm(SensibleModelForm):
    date_order = (("given_at", "withdrawn_at"),)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    form = ConsentForm
    list_display = ["user", "purpose", "policy_version", "given_at", "withdrawn_at"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "created_at", "sent_at", "attempts"]
    readonly_fields = ["to", "subject", "from_email", "created_at", "sent_at", "attempts", "last_error"]
    exclude = ["body", "html_body"]


@admin.register(AuditEntry)
class AuditEntryAdmin(CappedSearchAdmin, admin.ModelAdmin):
    """The audit log, read-only, for administrators (paga/rules.py); /gestion/auditoria/ filters it
    by person, action, object and dates and downloads it as CSV."""

    list_display = ["at", "actor_label", "action", "object_type", "object_id", "object_label", "network"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_label", "object_id"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    list_select_related = False
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# allauth.mfa's admin shows the raw `data` field: each TOTP secret and recovery seed. Administrators see
# who has which kind of authenticator and when it was used, never the secrets; removing one (a lost
# phone) stays possible.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(MFAAuthenticatorAdmin):
    exclude = ("data",)
    readonly_fields = ("user", "type", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False
