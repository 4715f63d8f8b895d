"""Filters of the public events pages (list and month calendar) and of the documents' repository.

Plain GET forms: every combination is an address that can be shared and works without JavaScript.
Parameters are Spanish and carry slugs and codes, not ids:
``?tipo=taller_regional&region=arequipa&mes=2017-10``.
Choices are read once per request (one query each).
"""

from __future__ import annotations

import datetime
import re
import unicodedata

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paga.models import ActionPlan, Region
from paga.validators import validate_year
from paga.widgets import StoredChoicesSelect

from .models import Document, DocumentType, Event, Kind

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def spanish_key(name: str) -> str:
    """Sort key that puts "Áncash" next to "Amazonas" on every database (accents ignored)."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of `month` and of the month after, in Lima time."""
    tz = timezone.get_default_timezone()
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    start = datetime.datetime.combine(month, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(following, datetime.time(), tzinfo=tz)
    return start, end


def month_filter(queryset, month: datetime.date):
    """Events with a day in `month` (Lima time); undated events have none. An end is exclusive."""
    start, end = month_bounds(month)
    return queryset.filter(starts_at__lt=end).filter(
        Q(ends_at__gt=start) | Q(ends_at__isnull=True, starts_at__gte=start)
    )


class MonthInput(forms.TextInput):
    """`<input type="month">`. HTML allows it no placeholder or pattern: where a browser has no month
    picker and shows a text box, the field's hint gives the format (YYYY-MM) and the server checks it."""

    input_type = "month"


class MonthField(forms.CharField):
    """A month typed as YYYY-MM (what `<input type="month">` sends); cleaned to its first day."""

    widget = MonthInput
    default_error_messages = {
        "invalid": _("Enter a month as year and month number, for example 2017-10."),
    }

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        found = MONTH_RE.match(value)
        if not found:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(found[1]), int(found[2])
        if not (1 <= month <= 12 and year >= 1):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        first = datetime.date(year, month, 1)
        validate_year(first)  # the portal's range of years, said in the message
        return first


class MonthFilter(django_filters.Filter):
    field_class = MonthField

    def filter(self, qs, value):
        return month_filter(qs, value) if value else qs


class EventFilter(django_filters.FilterSet):
    tipo = django_filters.ChoiceFilter(
        label=_("Kind"), field_name="kind", choices=Kind.choices, empty_label=_("All kinds")
    )
    tema = django_filters.ChoiceFilter(
        label=_("Theme"),
        field_name="themes__slug",
        empty_label=_("All themes"),
        distinct=True,
        widget=StoredChoicesSelect,
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), field_name="region__slug", empty_label=_("All regions"), widget=StoredChoicesSelect
    )
    mes = MonthFilter(label=_("Month"), help_text=_("Year and month, for example 2017-10."))

    class Meta:
        model = Event
        fields: list[str] = []

    def __init__(self, data, queryset, *, request, plan: ActionPlan):
        super().__init__(data, queryset=queryset, request=request)
        self.filters["tema"].extra["choices"] = [(t.slug, t.name) for t in plan.themes.all()]
        regions = sorted(Region.objects.only("slug", "name"), key=lambda r: spanish_key(r.name))
        self.filters["region"].extra["choices"] = [(r.slug, r.name) for r in regions]

    @property
    def month(self) -> datetime.date | None:
        """The month asked for, if typed right (whatever the other fields say)."""
        self.form.is_valid()
        return self.form.cleaned_data.get("mes")


class DocumentFilter(django_filters.FilterSet):
    tipo = django_filters.ChoiceFilter(
        label=_("Type"), field_name="doc_type", choices=DocumentType.choices, empty_label=_("All types")
    )
    evento = django_filters.ChoiceFilter(
        label=_("Event"), field_name="event__slug", empty_label=_("All events"), widget=StoredChoicesSelect
    )

    class Meta:
        model = Document
        fields: list[str] = []

    def __init__(self, data, queryset, *, request, plan: ActionPlan):
        super().__init__(data, queryset=queryset, request=request)
        events = Event.objects.filter(plan=plan, documents__isnull=False).distinct().order_by("title")
        self.filters["evento"].extra["choices"] = [(e.slug, e.title) for e in events.only("slug", "title")]
