"""Forms of the Secretaría's work on commitments: the OGP template, status changes, merge, split, scores.

The forms only shape what was typed; the rules (what a complete template is, which moves are allowed,
stale edits, the reasons a decision needs) are the services' (commitments/services.py), whose errors
the views put back on these forms. None of them writes to the database.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from paga.models import ActorType, Entity, GovernmentPriority, OGPValue, Region, Theme
from paga.validators import SensibleValuesMixin

from .models import Commitment, Criterion, Milestone, MilestoneStatus, Score, Status

# The template's fields as the form shows them (Commitment.TEXT_FIELDS, by relation name) and the origin.
TEMPLATE_FIELDS = (
    "title", "lead_entity", "start_date", "end_date", "problem", "baseline", "description",
    "how_it_helps", "priority", "theme", "sdg_targets", "oecd_standards", "additional_info",
    "resources_amount", "resources_currency", "resources_source", "contact_name", "contact_position",
    "contact_email", "contact_phone",
)  # fmt: skip
ORIGIN_FIELDS = ("origin_kind", "origin_region", "origin_credit")
MILESTONE_FIELDS = ("description", "responsible", "start_date", "due_date", "status")
# Moves with a page of their own: merge and split (consolidation) and review (assignment).
OWN_PAGE_MOVES = frozenset({Status.MERGED, Status.SPLIT, Status.IN_REVIEW})
# Proposals that may still be merged or split (the services' transition table says the same).
CONSOLIDABLE = (Status.PROPOSED, Status.IN_CONSULTATION, Status.AGREED)


class DateInput(forms.DateInput):
    """The browser's date picker; the value in ISO format, which every browser expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def public_entities(*also: int | None) -> list[Entity]:
    """Public entities that may lead a commitment or answer for a milestone, plus any already named."""
    named = [pk for pk in also if pk]
    return list(
        Entity.objects.filter(Q(actor_type=ActorType.PUBLIC_ENTITY) | Q(pk__in=named)).order_by("name")
    )


class CommitmentForm(SensibleValuesMixin, forms.ModelForm):
    """The whole OGP template, the origin and the OGP values (a box and a justification for each).

    Validation only: the view hands `fields()`, `values()` to services.commitment_create / _update. A
    draft may be saved incomplete; services.missing_items() says what it still lacks.
    """

    date_order = (("start_date", "end_date"),)

    class Meta:
        model = Commitment
        fields = TEMPLATE_FIELDS + ORIGIN_FIELDS
        widgets = {
            "start_date": DateInput,
            "end_date": DateInput,
            "problem": forms.Textarea(attrs={"rows": 5}),
            "baseline": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "how_it_helps": forms.Textarea(attrs={"rows": 5}),
            "sdg_targets": forms.Textarea(attrs={"rows": 2}),
            "oecd_standards": forms.Textarea(attrs={"rows": 2}),
            "additional_info": forms.Textarea(attrs={"rows": 3}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }
        help_texts = {
            "title": _("Short and specific: what will be done."),
            "lead_entity": _("The public entity that answers for the commitment (institución responsable)."),
            "start_date": _("Inside the plan period."),
            "problem": _("The problem the commitment addresses, in plain words."),
            "baseline": _("The situation today, with figures where there are any."),
            "description": _("What it entails, its expected results and its objective."),
            "how_it_helps": _("How the commitment will help solve the problem (its theory of change)."),
            "priority": _("The CEPLAN priority it serves (the rows of the prioritisation matrix)."),
            "sdg_targets": _("For example: 16.6, 16.10."),
            "resources_currency": _("Three-letter code, e.g. PEN or USD."),
            "origin_region": _("Leave empty when the proposal did not come from a region."),
        }

    other_actors = forms.CharField(
        label=_("Other actors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: the organisation (government, civil society or private sector), a colon and its "
            "role. For example: “Defensoría del Pueblo: vigilancia del cumplimiento”."
        ),
    )

    def __init__(self, *args, plan, entities: list[Entity], ogp_values: list[OGPValue], **kwargs):
        super().__init__(*args, **kwargs)
        entity_choices = [("", "—")] + [(e.pk, str(e)) for e in entities]
        self.fields["lead_entity"].queryset = Entity.objects.filter(pk__in=[e.pk for e in entities])
        self.fields["lead_entity"].choices = entity_choices  # built once, no query when rendering
        self.fields["theme"].queryset = Theme.objects.filter(plan=plan)
        self.fields["priority"].queryset = GovernmentPriority.objects.filter(plan=plan)
        self.fields["origin_region"].queryset = Region.objects.all()
        for name in ("theme", "priority", "origin_region"):
            self.fields[name].empty_label = "—"
        self.ogp_values = ogp_values
        for value in ogp_values:
            self.fields[f"value_{value.code}"] = forms.BooleanField(
                label=value.name, required=False, help_text=value.description
            )
            self.fields[f"why_{value.code}"] = forms.CharField(
                label=_("Why is it relevant to “%(value)s”?") % {"value": value.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    @staticmethod
    def initial_for(commitment: Commitment, relevances) -> dict:
        relations = ("lead_entity", "priority", "theme", "origin_region")
        initial = {f: getattr(commitment, f) for f in ORIGIN_FIELDS + TEMPLATE_FIELDS if f not in relations}
        initial.update({f: getattr(commitment, f"{f}_id") for f in relations})  # no query for the rows
        for relevance in relevances:
            initial[f"value_{relevance.value.code}"] = True
            initial[f"why_{relevance.value.code}"] = relevance.justification
        initial["other_actors"] = "\n".join(
            f"{a}: {a.role}" for a in commitment.other_actors.select_related("entity")
        )
        return initial

    def clean_other_actors(self) -> list[dict]:
        """Lines “organisation: role” as rows for the service; a line without both is refused."""
        rows = []
        for n, line in enumerate(self.cleaned_data["other_actors"].splitlines(), start=1):
            if not line.strip():
                continue
            name, colon, role = line.partition(":")
            if not (colon and name.strip() and role.strip()):
                raise forms.ValidationError(
                    _("Line %(n)s: write the organisation, a colon and its role.") % {"n": n}
                )
            rows.append({"name": name.strip(), "role": role.strip()})
        return rows

    def value_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """(box, justification) for each OGP value, in order."""
        return [(self[f"value_{v.code}"], self[f"why_{v.code}"]) for v in self.ogp_values]

    def clean(self):
        cleaned = super().clean()
        for value in self.ogp_values:
            if cleaned.get(f"why_{value.code}", "").strip() and not cleaned.get(f"value_{value.code}"):
                self.add_error(
                    f"why_{value.code}",
                    _("Tick “%(value)s” above, or clear this text.") % {"value": value.name},
                )
        return cleaned

    def template_fields(self) -> dict:
        """The template and origin, as services.commitment_create / commitment_update take them."""
        return {f: self.cleaned_data[f] for f in TEMPLATE_FIELDS + ORIGIN_FIELDS}

    def values(self) -> dict[str, str]:
        """{value code: justification} for each value ticked."""
        return {
            v.code: self.cleaned_data[f"why_{v.code}"].strip()
            for v in self.ogp_values
            if self.cleaned_data.get(f"value_{v.code}")
        }


class CommitmentEditForm(CommitmentForm):
    """The template, plus the revision the edit started from and why it is made (kept with the version)."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the change"),
        help_text=_("Kept with the new version and shown in the public history of the commitment."),
        max_length=300,
        error_messages={"required": _("Say briefly what you changed and why.")},
    )


class MilestoneForm(SensibleValuesMixin, forms.Form):
    """One milestone: verifiable product or activity, responsible entity, dates, status."""

    date_order = (("start_date", "due_date"),)

    description = forms.CharField(
        label=_("Verifiable product or activity"), widget=forms.Textarea(attrs={"rows": 2})
    )
    responsible = forms.TypedChoiceField(
        label=_("Responsible entity"), coerce=int, empty_value=None, required=False
    )
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DateInput)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)
    status = forms.ChoiceField(
        label=_("Status"), choices=MilestoneStatus.choices, initial=MilestoneStatus.SCHEDULED
    )

    def __init__(self, *args, entities: list[Entity], **kwargs):
        super().__init__(*args, **kwargs)
        self.entities = {e.pk: e for e in entities}
        # The choices are built once for the whole formset (no query per row).
        self.fields["responsible"].choices = [("", "—")] + [(e.pk, str(e)) for e in entities]

    def row(self) -> dict:
        data = {f: self.cleaned_data.get(f) for f in MILESTONE_FIELDS}
        data["responsible"] = self.entities.get(data["responsible"])
        return data


class BaseMilestoneFormSet(forms.BaseFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this milestone")

    def rows(self) -> list[dict]:
        """The milestones to keep, in order: rows with a description that are not marked for removal."""
        return [
            form.row()
            for form in self.forms
            if form.cleaned_data
            and not self._should_delete_form(form)
            and form.cleaned_data.get("description")
        ]


def milestone_formset(
    *, data=None, milestones: list[Milestone] = (), entities: list[Entity], extra: int, prefix: str = "hitos"
):
    """Milestone rows: one per existing milestone plus `extra` empty ones (no JavaScript to add rows)."""
    formset_class = forms.formset_factory(
        MilestoneForm, formset=BaseMilestoneFormSet, extra=extra, can_delete=True, can_delete_extra=False
    )
    initial = [
        {f: getattr(m, f) for f in MILESTONE_FIELDS if f != "responsible"} | {"responsible": m.responsible_id}
        for m in milestones
    ]
    return formset_class(data, initial=initial, prefix=prefix, form_kwargs={"entities": entities})


def put_back(form: forms.Form, error) -> None:
    """A service's ValidationError onto the form: on its field when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class TransitionForm(forms.Form):
    """A change of status: the submit button pressed carries `to`; the reason goes into the history."""

    to = forms.ChoiceField(
        choices=[(value, label) for value, label in Status.choices if value not in OWN_PAGE_MOVES],
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose one of the buttons to change the status."),
            "invalid_choice": _("This change of status is done on its own page (merge, split or review)."),
        },
    )
    reason = forms.CharField(
        label=_("Reason for the change of status"),
        help_text=_("Required to withdraw a proposal. Kept in the public history of the commitment."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssignForm(forms.Form):
    reason = forms.CharField(
        label=_("Message for the reviewing entity (optional)"),
        help_text=_("For example, the date of the sectoral technical meeting. Kept in the history."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProposalChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Commitment) -> str:
        parts = [str(obj), obj.get_status_display()]
        if obj.theme_id:
            parts.append(obj.theme.name)
        return " · ".join(parts)


class TargetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Commitment) -> str:
        return f"{obj} · {obj.get_status_display()}"


class MergeForm(forms.Form):
    """Several proposals into one commitment: a new one (by its title) or one that exists."""

    NEW, EXISTING = "nuevo", "existente"

    sources = ProposalChoiceField(
        label=_("Proposals to merge"),
        help_text=_("Each one is marked “merged” and points to the commitment it went into."),
        queryset=Commitment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the proposals to merge.")},
    )
    into = forms.ChoiceField(
        label=_("Merge them into"),
        choices=[(NEW, _("A new commitment")), (EXISTING, _("An existing commitment"))],
        widget=forms.RadioSelect,
        initial=NEW,
    )
    title = forms.CharField(
        label=_("Title of the new commitment"),
        help_text=_("Only for a new commitment. You complete its template afterwards."),
        required=False,
        max_length=300,
    )
    target = TargetChoiceField(
        label=_("Existing commitment"),
        help_text=_("Only for an existing commitment."),
        queryset=Commitment.objects.none(),
        required=False,
        empty_label="—",
    )
    reason = forms.CharField(
        label=_("Reason for the merge"),
        help_text=_("Shown publicly on each proposal and on the commitment."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the merge.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].queryset = candidates
        self.fields["target"].queryset = candidates

    def clean(self):
        cleaned = super().clean()
        into, sources, target = cleaned.get("into"), cleaned.get("sources") or [], cleaned.get("target")
        if into == self.NEW and not cleaned.get("title", "").strip():
            self.add_error("title", _("Give the new commitment a title."))
        if into == self.EXISTING:
            if target is None:
                self.add_error("target", _("Choose the commitment the proposals go into."))
            elif target in sources:
                self.add_error(
                    "sources", _("A proposal cannot be merged into itself: untick “%(t)s”.") % {"t": target}
                )
        return cleaned


class SplitForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the split"),
        help_text=_("Shown publicly on the proposal and on each part."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the split.")},
    )


class PartForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    reason = forms.CharField(
        label=_("What this part takes from the proposal (optional)"),
        help_text=_("Leave empty to use the reason for the split."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


MIN_PARTS, MAX_PARTS = 2, 10


def part_formset(*, data=None, parts: int):
    """`parts` rows, the first two required (a split needs at least two parts)."""
    parts = max(MIN_PARTS, min(parts, MAX_PARTS))
    formset_class = forms.formset_factory(
        PartForm, min_num=MIN_PARTS, extra=parts - MIN_PARTS, validate_min=True, max_num=MAX_PARTS
    )
    return formset_class(data, prefix="partes")


class PartsCountForm(forms.Form):
    """How many part rows the split form shows (GET, so no JavaScript is needed to add rows)."""

    partes = forms.TypedChoiceField(
        label=_("Number of parts"),
        choices=[(n, str(n)) for n in range(MIN_PARTS, MAX_PARTS + 1)],
        coerce=int,
        initial=MIN_PARTS,
    )


SCORE_CHOICES = [
    ("", _("Not scored")),
    (0, _("0: none")),
    (1, _("1: low")),
    (2, _("2: medium")),
    (3, _("3: high")),
]


class ScoreForm(forms.Form):
    """A score from 0 to 3 on each prioritisation criterion, with a short note (public, with the ranking)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in Criterion:
            self.fields[f"score_{criterion.value}"] = forms.TypedChoiceField(
                label=criterion.label,
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("A score goes from 0 to %(max)s.") % {"max": Score.MAX}},
            )
            self.fields[f"note_{criterion.value}"] = forms.CharField(
                label=_("Why (%(criterion)s)") % {"criterion": criterion.label},
                required=False,
                max_length=300,
            )

    @staticmethod
    def initial_for(scores) -> dict:
        initial = {}
        for s in scores:
            initial[f"score_{s.criterion}"] = s.value
            initial[f"note_{s.criterion}"] = s.note
        return initial

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(c.label, self[f"score_{c.value}"], self[f"note_{c.value}"]) for c in Criterion]

    def clean(self):
        cleaned = super().clean()
        for criterion in Criterion:
            if (
                cleaned.get(f"note_{criterion.value}", "").strip()
                and cleaned.get(f"score_{criterion.value}") is None
            ):
                self.add_error(f"score_{criterion.value}", _("Give a score for the note you wrote."))
        if not any(cleaned.get(f"score_{c.value}") is not None for c in Criterion) and not self.errors:
            raise forms.ValidationError(_("Choose a score for at least one criterion."), code="empty")
        return cleaned

    def scores(self) -> list[tuple[str, int, str]]:
        """(criterion, value, note) for each criterion given a score."""
        return [
            (c.value, self.cleaned_data[f"score_{c.value}"], self.cleaned_data[f"note_{c.value}"].strip())
            for c in Criterion
            if self.cleaned_data.get(f"score_{c.value}") is not None
        ]
