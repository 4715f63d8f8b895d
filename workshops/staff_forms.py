"""Forms of the Secretaría's pages for events, attendance and documents (/gestion/talleres/).

The forms only shape what was typed; the rules (dates in order, registration before the start, capacity
not below the confirmed places, files checked by content…) are the services' (workshops/services.py),
whose errors the views put back on these forms. Filters are plain GET forms: a shareable URL, no JavaScript.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commitments.forms import DateInput
from paga.models import ActionPlan, ActorType, Region, Theme, TimelineStage
from paga.validators import SensibleValuesMixin

from . import services
from .models import Attendance, DocumentType, Event, EventState, Gender, Kind, Registration


class DateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker (Lima time); the value in the ISO format it expects."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _moment(label, help_text="", required=False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeInput,
        help_text=help_text,
        error_messages={
            "invalid": _("Give the date as day, month and year, and the time as hours and minutes.")
        },
    )


class EventFilterForm(forms.Form):
    """The events list's filters, in the query string."""

    tipo = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
    estado = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *EventState.choices]
    )

    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TimelineStage) -> str:
        return obj.title


class EventForm(SensibleValuesMixin, forms.Form):
    """An event's details, as the public page and the calendar show them. Times are Lima time."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", "—"), *Kind.choices],
        error_messages={"required": _("Choose the kind of event.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=Event._meta.get_field("title").max_length,
        error_messages={"required": _("Give the event a title.")},
        help_text=_("Its address is made from it when the event is created, and does not change afterwards."),
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        required=False,
        queryset=Theme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    stage = StageChoiceField(
        label=_("Stage of the timeline"),
        required=False,
        queryset=TimelineStage.objects.none(),
        empty_label="—",
    )
    region = forms.ModelChoiceField(
        label=_("Region"), required=False, queryset=Region.objects.all(), empty_label=_("None (national)")
    )
    province = forms.CharField(label=_("Province"), required=False, max_length=80)
    venue = forms.CharField(label=_("Venue"), required=False, max_length=200)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    starts_at = _moment(
        _("Starts at"), _("Lima time. Leave empty for a thematic table with no date yet: none is invented.")
    )
    ends_at = _moment(_("Ends at"), _("Lima time. For an all-day event, any time of its last day."))
    all_day = forms.BooleanField(
        label=_("All day: only the days are known (the hours typed above are not kept)"), required=False
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        help_text=_("Places for registration. Leave empty when the event takes no registration."),
        error_messages={"min_value": _("Give at least one place, or leave the capacity empty.")},
    )
    registration_opens_at = _moment(_("Registration opens at"), _("Lima time. Empty: open from now."))
    registration_closes_at = _moment(_("Registration closes at"), _("Lima time. On or before the start."))
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    is_illustrative = forms.BooleanField(
        label=_("Illustrative figures (example data, said on every page)"), required=False
    )

    def __init__(self, *args, plan: ActionPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.filter(plan=plan).order_by("order", "pk")
        self.fields["stage"].queryset = TimelineStage.objects.filter(plan=plan).order_by("order", "pk")

    @classmethod
    def initial_for(cls, event: Event) -> dict:
        values = services.stored_values(event)
        for field in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            if values[field]:
                values[field] = timezone.localtime(values[field])
        values["themes"] = [t.pk for t in event.themes.all()]
        values["stage"] = event.stage_id
        values["region"] = event.region_id
        return values

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in services.EVENT_FIELDS}

    def chosen_themes(self) -> list[Theme]:
        return list(self.cleaned_data["themes"])


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=services.MAX_CANCEL_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "cancelar")
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.label = _("Reason for cancelling")
        field.help_text = _("Published on the event's page and sent to everyone registered.")
        field.error_messages["required"] = _(
            "Give the reason for cancelling: it is published and sent to everyone registered."
        )


class RescheduleForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "reprogramar")
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.label = _("Why the event is scheduled again")
        field.help_text = _("Kept in the event's history. Change the date with “Edit” if it changed.")
        field.error_messages["required"] = _("Say why the event is scheduled again.")


class HeldForm(forms.Form):
    # Pressed the button (an empty POST marks nothing).
    confirm = forms.ChoiceField(
        choices=[("si", "si")],
        widget=forms.HiddenInput,
        error_messages={"required": _("Use the button “Mark as held”.")},
    )
    reason = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the event's history."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "realizado")
        super().__init__(*args, **kwargs)


class CheckInForm(forms.Form):
    """The registrations ticked on the attendance page (one labelled box per row, drawn by the template)."""

    inscripciones = forms.ModelMultipleChoiceField(
        label=_("People who came"),
        queryset=Registration.objects.none(),
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": _("Select at least one person to check in."),
            "invalid_choice": _("A selected registration is not one of this event."),
            "invalid_pk_value": _("A selected registration is not one of this event."),
        },
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inscripciones"].queryset = Registration.objects.filter(event=event)

    def selected_ids(self) -> set[int]:
        """What was ticked, kept across an error."""
        if not self.is_bound:
            return set()
        return {int(v) for v in self.data.getlist("inscripciones") if str(v).isdigit()}


class WalkInForm(forms.Form):
    """Someone who came without registering."""

    name = forms.CharField(
        label=_("Name"),
        max_length=Attendance._meta.get_field("name").max_length,
        error_messages={"required": _("Give the name of the person who came.")},
    )
    actor_type = forms.ChoiceField(
        label=_("Actor type"),
        choices=[("", "—"), *ActorType.choices],
        error_messages={"required": _("Choose the actor type of the person who came.")},
    )
    organisation = forms.CharField(label=_("Organisation"), required=False, max_length=200)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.UNSTATED)
    region = forms.ModelChoiceField(
        label=_("Region they come from"), required=False, queryset=Region.objects.all(), empty_label="—"
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "sin_inscripcion")
        super().__init__(*args, **kwargs)


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Event) -> str:
        if obj.starts_at:
            return f"{obj.title} ({timezone.localtime(obj.starts_at):%d/%m/%Y})"
        return obj.title


class DocumentForm(SensibleValuesMixin, forms.Form):
    """A document of the plan's repository. The file is checked by the service (type by content)."""

    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Give the document a title.")}
    )
    doc_type = forms.ChoiceField(
        label=_("Type of document"),
        choices=[("", "—"), *DocumentType.choices],
        error_messages={"required": _("Choose the type of document.")},
    )
    dated = forms.DateField(
        label=_("Date of the document"),
        widget=DateInput,
        help_text=_("The date it bears (of the meeting, for minutes); the repository is ordered by it."),
        error_messages={
            "required": _("Give the date of the document."),
            "invalid": _("Give the date as day, month and year."),
        },
    )
    event = EventChoiceField(
        label=_("Event (optional)"), required=False, queryset=Event.objects.none(), empty_label="—"
    )
    stage = StageChoiceField(
        label=_("Stage of the timeline (optional)"),
        required=False,
        queryset=TimelineStage.objects.none(),
        empty_label="—",
    )
    upload = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, PNG, JPEG, CSV or TXT, at most %(mb)s MB. "
            "It is published in the repository for anyone to download."
        ),
        error_messages={"required": _("Choose the file to upload.")},
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(services.DOCUMENT_TYPES))}),
    )

    def __init__(self, *args, plan: ActionPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = Event.objects.filter(plan=plan).only("pk", "title", "starts_at")
        self.fields["stage"].queryset = TimelineStage.objects.filter(plan=plan).order_by("order", "pk")
        field = self.fields["upload"]
        field.help_text = field.help_text % {"mb": services.document_max_bytes() // (1024 * 1024)}

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "doc_type": data["doc_type"],
            "dated": data["dated"],
            "event": data["event"],
            "stage": data["stage"],
            "upload": data["upload"],
        }
