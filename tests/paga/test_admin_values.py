"""The back office's forms take the same bounds as the portal's pages (paga/validators.py): years from
1990 to 2100, an end not before its start; a plan's years in that range (ActionPlan.clean)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import translation

from consultations.models import Consultation
from paga.models import ActionPlan, TimelineStage
from paga.validators import SensibleValuesMixin
from workshops.models import Document, Event, Forum

pytestmark = pytest.mark.django_db

YEAR = "Give a date with a year from 1990 to 2100."


def admin_form(model, superuser, **data):
    request = RequestFactory().get("/")
    request.user = superuser
    form_class = admin.site._registry[model].get_form(request)
    with translation.override("en"):
        form = form_class(data)
        form.is_valid()
        return {name: [str(m) for m in errors] for name, errors in form.errors.items()}


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(email="raiz@cocrea.test", password="x" * 12)


def test_every_back_office_form_with_dates_takes_the_bounds(superuser):
    request = RequestFactory().get("/")
    request.user = superuser
    checked = []
    for model, model_admin in admin.site._registry.items():
        if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
            continue  # seen only, never saved from the back office
        forms = [model_admin.get_form(request)] + [
            inline.get_formset(request).form for inline in model_admin.get_inline_instances(request)
        ]
        for form in forms:
            dated = [
                name
                for name, field in form.base_fields.items()
                if field.__class__.__name__ in ("DateField", "DateTimeField", "SplitDateTimeField")
            ]
            if dated and model._meta.label != "paga.User":  # Django's own account forms
                checked.append(f"{model._meta.label}: {dated}")
                assert issubclass(form, SensibleValuesMixin), f"{model._meta.label} {dated}"
    assert len(checked) >= 5, checked


def test_dates_out_of_range_and_in_the_wrong_order_are_refused_in_the_back_office(superuser):
    errors = admin_form(TimelineStage, superuser, starts_on="0001-01-01", ends_on="9999-12-31")
    assert errors["starts_on"] == [YEAR]
    assert errors["ends_on"] == [YEAR]
    errors = admin_form(
        Consultation,
        superuser,
        opens_at_0="2017-10-07",
        opens_at_1="00:00",
        closes_at_0="2017-09-22",
        closes_at_1="00:00",
    )
    assert errors["closes_at"] == ["“Closes at” cannot be before “Opens at”."]
    errors = admin_form(Event, superuser, starts_at_0="9999-12-31", starts_at_1="23:00")
    assert errors["starts_at"] == [YEAR]
    assert admin_form(Document, superuser, dated="0001-01-01")["dated"] == [YEAR]
    assert admin_form(Forum, superuser, rules_adopted_on="0001-01-01")["rules_adopted_on"] == [YEAR]


def test_a_plans_years_are_in_the_range(superuser):
    errors = admin_form(ActionPlan, superuser, start_year="1", end_year="9999")
    assert errors["start_year"] == ["Give a year from 1990 to 2100."]
    assert errors["end_year"] == ["Give a year from 1990 to 2100."]
