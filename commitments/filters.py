"""The public list of commitments: filters, text search and sort, all in the query string.

Every combination is a plain GET URL (shareable, bookmarkable, works without JavaScript). Parameters
are Spanish and carry slugs and codes, not ids: ``?tema=ambiente&valor=transparencia&q=agua``.
Choices are read once per request (one query each) from what the visitor may see in the plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from paga.models import Entity, OGPValue, Region
from paga.search import MAX_WORDS, search_words
from paga.widgets import FastSelect, StoredChoicesSelect

from .models import Commitment, OriginKind, Status
from .querysets import CommitmentQuerySet

NO_VALUE = "ninguno"  # the `valor` choice for commitments that tick no OGP value yet
PAGE_PARAM = "pagina"

SORTS = {
    "numero": (F("number").asc(nulls_last=True), "pk"),
    "titulo": ("title", "pk"),
    "recientes": ("-modified", "-pk"),
}
RELEVANCE = "relevancia"


@dataclass(frozen=True)
class ActiveFilter:
    name: str
    label: str
    value: str
    remove_url: str  # the same list without this filter


class CommitmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="skip", help_text=_("Words from the title or the text of the commitment.")
    )
    tema = django_filters.ChoiceFilter(
        label=_("Theme"), field_name="theme__slug", empty_label=_("All themes"), widget=StoredChoicesSelect
    )
    estado = django_filters.ChoiceFilter(
        label=_("Status"),
        field_name="status",
        choices=Status.choices,
        empty_label=_("All statuses"),
        widget=FastSelect,
    )
    entidad = django_filters.ChoiceFilter(
        label=_("Lead entity"),
        field_name="lead_entity__slug",
        empty_label=_("All entities"),
        widget=StoredChoicesSelect,
    )
    valor = django_filters.ChoiceFilter(
        label=_("Open Government value"),
        method="filter_value",
        empty_label=_("All values"),
        widget=StoredChoicesSelect,
    )
    prioridad = django_filters.ChoiceFilter(
        label=_("Government priority (CEPLAN)"),
        field_name="priority__slug",
        empty_label=_("All priorities"),
        widget=StoredChoicesSelect,
    )
    region = django_filters.ChoiceFilter(
        label=_("Region of origin"),
        field_name="origin_region__slug",
        empty_label=_("All regions"),
        widget=StoredChoicesSelect,
    )
    origen = django_filters.ChoiceFilter(
        label=_("Origin"),
        field_name="origin_kind",
        choices=OriginKind.choices,
        empty_label=_("All origins"),
        widget=FastSelect,
    )
    orden = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="skip",
        empty_label=None,
        widget=FastSelect,
        choices=[
            ("numero", _("Number")),
            ("titulo", _("Title (A to Z)")),
            ("recientes", _("Recently updated")),
            (RELEVANCE, _("Relevance (when searching)")),
        ],
    )

    class Meta:
        model = Commitment
        fields: list[str] = []

    def __init__(self, data, queryset: CommitmentQuerySet, *, request, plan, visible: CommitmentQuerySet):
        """`visible`: the commitments of the plan the visitor may see, without list annotations."""
        self.raw = data
        if not data.get("orden"):  # show the sort in effect: relevance when searching
            data = data.copy()
            data["orden"] = RELEVANCE if (data.get("q") or "").strip() else "numero"
        super().__init__(data, queryset=queryset, request=request)
        user = request.user
        self.filters["tema"].extra["choices"] = [(t.slug, t.name) for t in plan.themes.all()]
        self.filters["prioridad"].extra["choices"] = [(p.slug, p.name) for p in plan.priorities.all()]
        leads = visible.order_by().values("lead_entity_id")
        self.filters["entidad"].extra["choices"] = [
            (e.slug, str(e)) for e in Entity.objects.filter(pk__in=leads).order_by("name")
        ]
        regions = visible.order_by().values("origin_region_id")
        self.filters["region"].extra["choices"] = [
            (r.slug, r.name) for r in Region.objects.filter(pk__in=regions)
        ]
        if not (user.has_perm("commitments.view_all") or user.has_perm("commitments.review_queue")):
            public = [(code, label) for code, label in Status.choices if code in Commitment.PUBLIC_STATUSES]
            self.filters["estado"].extra["choices"] = public  # drafts are not shown to the public
        self.filters["valor"].extra["choices"] = [(v.code, v.name) for v in OGPValue.objects.all()] + [
            (NO_VALUE, _("No value ticked yet"))
        ]

    def skip(self, queryset, name, value):
        """Search and sort are applied last, in `filter_queryset`."""
        return queryset

    def filter_value(self, queryset, name, value):
        if value == NO_VALUE:
            return queryset.filter(relevances__isnull=True)
        return queryset.filter(relevances__value__code=value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        text = (data.get("q") or "").strip()
        if text:
            queryset = queryset.search(text)
        self.searched_words, self.words_left_out = search_words(text)
        sort = data.get("orden") or "numero"
        if sort == RELEVANCE and "rank" in queryset.query.annotations:  # ranked search (PostgreSQL)
            return queryset.order_by("-rank", *SORTS["numero"])
        return queryset.order_by(*SORTS.get(sort, SORTS["numero"]))

    searched_words: list[str] = []
    words_left_out = False  # the search had more than MAX_WORDS words: the list says so
    max_words = MAX_WORDS

    @property
    def opens_more(self) -> bool:
        """Show the filters beyond the search box: one of them is in effect, or one is wrong."""
        return bool(self.form.errors) or any(f.name != "q" for f in self.active())

    def active(self) -> list[ActiveFilter]:
        """The filters in effect, each with a link to the same list without it."""
        self.is_valid()
        found = []
        for name, value in self.form.cleaned_data.items():
            if name == "orden" or value in (None, ""):
                continue
            field = self.form.fields[name]
            if name == "q":
                shown = " ".join(search_words(value)[0])
            else:
                shown = str(dict(field.choices).get(value, value))
            params = self.raw.copy()
            for key in (name, PAGE_PARAM):
                params.pop(key, None)
            found.append(ActiveFilter(name, str(field.label), shown, f"?{params.urlencode()}"))
        return found
