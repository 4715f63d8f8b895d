"""The audit log for administrators: /gestion/auditoria/ (filter by person, action, object and dates)
and the same selection as CSV (/gestion/auditoria.csv).

Administrators only (paga/rules.py `paga.view_audit_log`): the log records the Secretaría's and the
ministries' acts, so those who act are not those who read it. Anonymous visitors get the login page,
every other role 403. Every filter is a plain GET parameter; the page runs a fixed number of queries
whatever the size of the log, and the CSV is streamed row by row. A download of the log is itself an
entry of the log.
"""

from __future__ import annotations

import csv
import datetime
import json
from functools import wraps

import django_filters
from django import forms
from django.apps import apps
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from . import audit, registry, roles
from .models import AuditEntry, User
from .validators import SensibleValuesMixin

PERM = "paga.view_audit_log"
PER_PAGE = 50
PAGE = "pagina"
SYSTEM = "sistema"
BOM = "\ufeff"  # so that Excel opens the UTF-8 CSV with its accents intact
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Objects the log speaks of, by model label: paga's, then those each app declares on its AppConfig
# (`audit_objects`, paga/registry.py).
OWN_OBJECT_TYPES = ("paga.actionplan", "paga.user")


def object_types() -> tuple[str, ...]:
    return registry.joined("audit_objects", OWN_OBJECT_TYPES)


def object_type_labels() -> dict[str, str]:
    return {label: str(apps.get_model(label)._meta.verbose_name).capitalize() for label in object_types()}


def administrators_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(PERM):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class AuditFilterForm(SensibleValuesMixin, forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("desde"), data.get("hasta")
        if start and end and start > end:
            self.add_error("hasta", _("The end date cannot be before the start date."))
        return data


def _lima_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditFilter(django_filters.FilterSet):
    persona = django_filters.ChoiceFilter(
        label=gettext_lazy("Person"), method="filter_person", empty_label=gettext_lazy("Everyone")
    )
    accion = django_filters.ChoiceFilter(
        label=gettext_lazy("Action"), field_name="action", empty_label=gettext_lazy("All actions")
    )
    objeto = django_filters.ChoiceFilter(
        label=gettext_lazy("Kind of object"), field_name="object_type", empty_label=gettext_lazy("All kinds")
    )
    id = django_filters.CharFilter(
        label=gettext_lazy("Object number"),
        field_name="object_id",
        help_text=gettext_lazy("The number of the commitment, contribution, event… (with its kind)."),
        max_length=64,
    )
    desde = django_filters.DateFilter(
        label=gettext_lazy("From (day)"),
        method="filter_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    hasta = django_filters.DateFilter(
        label=gettext_lazy("Until (day, included)"),
        method="filter_until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = django_filters.CharFilter(
        label=gettext_lazy("Search"),
        method="filter_text",
        help_text=gettext_lazy("Words from the person's name or the object's title."),
        max_length=100,
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []
        form = AuditFilterForm

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        staff = (
            User.objects.filter(
                Q(groups__name__in=(roles.SECRETARIAT, roles.REVIEWER, roles.ADMINISTRATOR))
                | Q(is_superuser=True)
            )
            .distinct()
            .select_related("entity")
            .only("pk", "display_name", "entity__id", "entity__name", "entity__acronym")
            .order_by("display_name", "pk")
        )
        self.filters["persona"].extra["choices"] = [
            (SYSTEM, _("The system (no person)")),
            *(
                (
                    str(u.pk),
                    f"{u.display_name} ({u.entity.acronym or u.entity.name})" if u.entity else u.display_name,
                )
                for u in staff
            ),
        ]
        self.filters["accion"].extra["choices"] = sorted(
            ((code, f"{label} ({code})") for code, label in audit.actions().items()), key=lambda c: c[0]
        )
        self.filters["objeto"].extra["choices"] = sorted(object_type_labels().items(), key=lambda c: c[1])

    def filter_person(self, queryset, name, value):
        if value == SYSTEM:
            return queryset.filter(actor__isnull=True)
        return queryset.filter(actor_id=value)

    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=_lima_midnight(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(at__lt=_lima_midnight(value + datetime.timedelta(days=1)))

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(actor_label__icontains=value) | Q(object_label__icontains=value))


def details_text(details: dict) -> str:
    """The details as one readable line: `from: agreed; to: in_review; reason: …`."""
    parts = []
    for key, value in (details or {}).items():
        shown = (
            value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
        )
        parts.append(f"{key}: {shown}")
    return "; ".join(parts)


def _filtered(request) -> AuditFilter:
    return AuditFilter(request.GET or None, queryset=AuditEntry.objects.order_by("-at", "-pk"))


@administrators_only
@require_safe
def audit_log(request):
    found = _filtered(request)
    entries = found.qs
    paginator = Paginator(entries, PER_PAGE)
    page = paginator.get_page(request.GET.get(PAGE))
    types = object_type_labels()
    rows = [
        {
            "entry": e,
            "action_label": audit.actions().get(e.action, e.action),
            "type_label": types.get(e.object_type, e.object_type),
            "details": details_text(e.details),
        }
        for e in page.object_list
    ]
    query = request.GET.copy()
    query.pop(PAGE, None)
    return render(
        request,
        "paga/audit.html",
        {
            "filter": found,
            "filtered": any(v for k, v in request.GET.items() if k != PAGE),
            "page": page,
            "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            "rows": rows,
            "query": query.urlencode(),
        },
        status=400 if found.is_bound and not found.is_valid() else 200,
    )


def _cell(value) -> str:
    """A CSV cell that a spreadsheet never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


@administrators_only
@require_safe
def audit_csv(request):
    """The entries of the filters in effect, oldest last, as CSV (streamed: the log may be long)."""
    found = _filtered(request)
    if found.is_bound and not found.is_valid():
        return audit_log(request)
    audit.record(
        actor=request.user,
        action="export.csv",
        details={"what": "audit_log", "filters": {k: v for k, v in request.GET.items() if v}},
        request=request,
    )
    types = object_type_labels()
    writer = csv.writer(_Echo())
    header = [
        _("When (Lima)"),
        _("Person id"),
        _("Person"),
        _("Action"),
        _("Action (code)"),
        _("Kind of object"),
        _("Object number"),
        _("Object"),
        _("Details"),
        _("Network (IP)"),
    ]

    def lines():
        yield BOM + writer.writerow(header)
        for e in found.qs.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    _cell(v)
                    for v in (
                        timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                        e.actor_id or "",
                        e.actor_label or _("The system"),
                        audit.actions().get(e.action, e.action),
                        e.action,
                        types.get(e.object_type, e.object_type),
                        e.object_id,
                        e.object_label,
                        details_text(e.details),
                        e.network,
                    )
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"auditoria-{timezone.localdate():%Y-%m-%d}.csv"  # real date, as the entries (paga/clock.py)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
