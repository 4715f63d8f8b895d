"""Back office for the configuration of consultations: the consultation (window, what is consulted, how
responses are published), a document's numbered paragraphs and the response templates. Access follows
consultations/rules.py (the Secretaría configures, administrators also delete).

Contributions, moderation and responses are not here: they change only through the services, from the
Secretaría's pages under /gestion/consultas/ (nothing a person wrote is edited or deleted from here).
"""

from django.contrib import admin

from paga.search import CappedSearchAdmin
from paga.validators import SensibleModelForm

from .models import Consultation, Paragraph, ResponseTemplate


class ParagraphInline(admin.TabularInline):
    model = Paragraph
    extra = 0
    fields = ["order", "number", "key", "text"]


class ConsultationForm(SensibleModelForm):
    date_order = (("opens_at", "closes_at"),)


@admin.register(Consultation)
class ConsultationAdmin(CappedSearchAdmin, admin.ModelAdmin):
    form = ConsultationForm
    list_display = ["title", "kind", "opens_at", "closes_at", "publication", "is_illustrative", "plan"]
    list_filter = ["plan", "kind", "publication"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["items"]
    readonly_fields = ["responses_published_at"]
    inlines = [ParagraphInline]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(CappedSearchAdmin, admin.ModelAdmin):
    list_display = ["title", "disposition"]
    list_filter = ["disposition"]
    search_fields = ["title", "text"]
