"""The registration form. It only shapes what was typed; the rules (window, capacity, once per address)
are workshops/registrations.py's, whose refusals the view puts back on this form with the text kept."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from paga.models import ActorType, Region

from .models import Gender

# Where a service's refusal belongs on the form (the others go at the top, in the error summary).
ERROR_FIELDS = {
    "duplicate": "email",
    "email": "email",
    "name": "name",
    "actor_type": "actor_type",
    "gender": "gender",
}


def put_back(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError on the form: on its field when it names one, else at the top."""
    for item in error.error_list:
        field = ERROR_FIELDS.get(item.code or "")
        form.add_error(field if field in form.fields and not form.fields[field].disabled else None, item)


class RegistrationForm(forms.Form):
    """Who registers: name, email (fixed for a signed-in person), actor type, organisation, gender and
    region. Anonymous registrants give their consent to the use of these data (Ley 29733); a signed-in
    person gave it when creating their account."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send the confirmation and the link to cancel here."),
    )
    actor_type = forms.ChoiceField(label=_("Actor type"), choices=ActorType.choices, widget=forms.RadioSelect)
    organisation = forms.CharField(
        label=_("Organisation (optional)"),
        max_length=200,
        required=False,
        help_text=_("The organisation you come from, if any."),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=Gender.choices,
        initial=Gender.UNSTATED,
        widget=forms.RadioSelect,
        help_text=_("Counted in the participation statistics, never shown with your name."),
    )
    region = forms.ModelChoiceField(
        label=_("Region you come from (optional)"),
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label=_("Not stated"),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the Secretaría uses these data to manage my registration and count them, never "
            "by name, in the participation statistics."
        ),
        required=True,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        if user is not None and user.is_authenticated:
            email = self.fields["email"]
            email.disabled = True
            email.initial = user.email
            email.help_text = _("The address of your account.")
            self.fields["name"].initial = user.display_name
            if user.entity_id:
                self.fields["organisation"].initial = user.entity.name
                self.fields["actor_type"].initial = user.entity.actor_type
            del self.fields["consent"]
