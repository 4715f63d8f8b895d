"""No form of the portal takes an end before its start, a negative amount or a year outside 1990..2100
(paga/validators.py): each is refused with its message on the field, linked from the error summary, and
what was typed is kept. Found by outside testers: such values were saved, or overflowed into a 500.

The pages reuse the invalid submissions of tests/paga/test_error_summary.py, with the values put right
except the one tested.
"""

from __future__ import annotations

import datetime

import django_filters
import pytest
from django import forms

from paga.models import User
from paga.validators import MAX_YEAR, MIN_YEAR, SensibleValuesMixin, validate_year
from tests.commitments.factories import current_plan
from tests.paga import test_error_summary as summary
from tests.workshops._outcomes import held_event

pytestmark = pytest.mark.django_db

YEAR = "Give a date with a year from 1990 to 2100."
NEGATIVE = "Give zero or more: a negative number is not accepted."
# Forms whose date or number fields are added by their __init__ (not in base_fields).
ADDED_AT_INIT = {
    "commitments.review_forms.ReviewFieldsForm",
    "workshops.outcome_forms.EventInputForm",
    "workshops.outcome_forms.ImportForm",
}


def bounded(field: forms.Field) -> bool:
    """A field that needs the portal's bounds: a date, or a visible number with no lower bound of its own."""
    if isinstance(field, forms.DateField | forms.DateTimeField):
        return True
    return (
        isinstance(field, forms.IntegerField)
        and field.min_value is None
        and not isinstance(field.widget, forms.HiddenInput)
    )


def test_every_form_with_a_date_or_a_number_takes_the_portal_bounds():
    checked = []
    for name in sorted(summary.portal_forms()):
        cls = summary.importable(name)
        if name.startswith("filter:"):
            dated = [f for f in cls.base_filters.values() if isinstance(f, django_filters.DateFilter)]
            if dated:
                checked.append(name)
                assert issubclass(cls._meta.form, SensibleValuesMixin), name
            continue
        if name in ADDED_AT_INIT or any(bounded(f) for f in cls.base_fields.values()):
            checked.append(name)
            assert issubclass(cls, SensibleValuesMixin), f"{name} has dates or numbers but no bounds"
    assert len(checked) >= 10, checked


def test_the_year_range_is_inclusive():
    validate_year(datetime.date(MIN_YEAR, 1, 1))
    validate_year(datetime.date(MAX_YEAR, 12, 31))
    for day in (datetime.date(1, 1, 1), datetime.date(MIN_YEAR - 1, 12, 31), datetime.date(9999, 12, 31)):
        with pytest.raises(forms.ValidationError):
            validate_year(day)


def field_error(html: str, field_id: str, message: str) -> None:
    """`message` is in the summary as a link to `field_id`, and beside the field."""
    page = summary.Page(html)
    links = [
        summary.words(a.text)
        for s in page.elements
        if s.has_class("error-summary")
        for a in page.within(s, "a")
        if a.attrs.get("href") == f"#{field_id}"
    ]
    assert any(message in text for text in links), (field_id, links)
    assert page.by_id[field_id].attrs.get("aria-invalid") == "true"


def milestone(**row) -> dict:
    data = summary.milestones(**row)
    return data


def _commitment(user):
    current_plan()
    return summary.post("/gestion/compromisos/nuevo/", {"title": "Agua segura", **milestone()})


CASES = {
    # name: (role, build, data, [(field id, message, value typed)])
    "commitment: end before start": (
        "secretariat",
        _commitment,
        {"start_date": "2019-06-30", "end_date": "2018-01-01"},
        [("id_end_date", "“End date” cannot be before “Start date”.", "2018-01-01")],
    ),
    "commitment: year 0001 and 9999": (
        "secretariat",
        _commitment,
        {"start_date": "0001-01-01", "end_date": "9999-12-31"},
        [("id_start_date", YEAR, "0001-01-01"), ("id_end_date", YEAR, "9999-12-31")],
    ),
    "commitment: negative resources": (
        "secretariat",
        _commitment,
        {"resources_amount": "-1500.50"},
        [("id_resources_amount", NEGATIVE, "-1500.50")],
    ),
    "milestone: due before it starts": (
        "secretariat",
        _commitment,
        {"hitos-0-start_date": "2018-05-01", "hitos-0-due_date": "2018-01-31"},
        [("id_hitos-0-due_date", "“Due date” cannot be before “Start date”.", "2018-01-31")],
    ),
    "milestone: year 0001": (
        "secretariat",
        _commitment,
        {"hitos-0-start_date": "0001-01-01"},
        [("id_hitos-0-start_date", YEAR, "0001-01-01")],
    ),
    "review: negative resources": (
        "reviewer",
        summary._review_edit,
        {"edit-contact_email": "", "edit-resources_amount": "-1"},
        [("id_edit-resources_amount", NEGATIVE, "-1")],
    ),
    "plan approval: year 0001": (
        "secretariat",
        summary._plan_approve,
        {"instrument_date": "0001-01-01"},
        [("id_instrument_date", YEAR, "0001-01-01")],
    ),
    "contribution from another channel: year 9999": (
        "secretariat",
        summary._other_channel,
        {"received_on": "9999-12-31"},
        [("id_received_on", YEAR, "9999-12-31")],
    ),
    "event: year 0001 and 9999": (
        "secretariat",
        summary._event_create,
        {"starts_at": "0001-01-01T10:00", "registration_closes_at": "9999-12-31T23:00"},
        [("id_starts_at", YEAR, "0001-01-01T10:00"), ("id_registration_closes_at", YEAR, "9999-12-31T23:00")],
    ),
    "document: year 9999": (
        "secretariat",
        summary._document,
        {"dated": "9999-12-31"},
        [("id_dated", YEAR, "9999-12-31")],
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_a_value_out_of_bounds_is_refused_on_its_field_and_kept(request, name):
    role, build, data, expected = CASES[name]
    user = request.getfixturevalue(role)
    method, url, base = build(user)
    client = summary.english_client()
    client.force_login(User.objects.get(pk=user.pk))
    response = summary.submit(client, method, url, {**base, **data}, user)
    assert response.status_code in (200, 400), response.status_code
    html = response.content.decode()
    for field_id, message, typed in expected:
        field_error(html, field_id, message)
        assert f'value="{typed}"' in html, typed  # nothing typed is lost
    summary.assert_error_summary(response, set())


def test_an_undated_events_contributions_need_a_date_in_range(client, secretariat):
    event = held_event(starts_at=None, ends_at=None)
    english = summary.english_client()
    english.force_login(secretariat)
    response = english.post(f"/gestion/talleres/{event.slug}/aportes/nuevo/", {"received_on": "0001-01-01"})
    field_error(response.content.decode(), "id_received_on", YEAR)
