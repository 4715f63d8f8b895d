"""Values no form of the portal takes: a year outside the plans' range, a negative amount or count, an end
before its start.

Each rule is written once here and applied to every form through `SensibleValuesMixin`: every date and
date-time field takes years MIN_YEAR..MAX_YEAR only (year 0001 and 9999-12-31 went through to the
database, or overflowed into a 500 when a day was added to them), every number field without a lower
bound of its own takes zero or more, and a form names its pairs of dates that must come in order. The
error is attached to the field, so the form's error summary links to it, and what was typed is kept.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

# Open Government action plans, their processes and documents: the first OGP plans are from 2011; 1990
# leaves room for older documents of a repository, 2100 for any plan to come.
MIN_YEAR, MAX_YEAR = 1990, 2100


def validate_year(value: datetime.date | None) -> None:
    """A date (or date and time) in MIN_YEAR..MAX_YEAR."""
    if value is not None and not (MIN_YEAR <= value.year <= MAX_YEAR):
        raise ValidationError(
            _("Give a date with a year from %(min)s to %(max)s."),
            code="year_out_of_range",
            params={"min": MIN_YEAR, "max": MAX_YEAR},
        )


validate_not_negative = MinValueValidator(
    0, message=_("Give zero or more: a negative number is not accepted.")
)


def check_order(cleaned: dict, start: str, end: str, labels: dict[str, str]) -> ValidationError | None:
    """The error for `end` when it comes before `start` (both given), else None."""
    first, last = cleaned.get(start), cleaned.get(end)
    if first is None or last is None or type(first) is not type(last) or last >= first:
        return None
    return ValidationError(
        _("“%(end)s” cannot be before “%(start)s”."),
        code="date_order",
        params={"end": labels[end], "start": labels[start]},
    )


def guard(field: forms.Field) -> None:
    """Add the portal's bounds to one form field (a copy of the form's own: fields are per instance)."""
    dated = forms.DateField | forms.DateTimeField | forms.SplitDateTimeField  # the last: the back office's
    if isinstance(field, dated) and validate_year not in field.validators:
        field.validators.append(validate_year)
    elif (
        isinstance(field, forms.IntegerField)  # DecimalField and FloatField included
        and field.min_value is None
        and not isinstance(field.widget, forms.HiddenInput)
        and validate_not_negative not in field.validators
    ):
        field.validators.append(validate_not_negative)
        field.widget.attrs.setdefault("min", "0")


class SensibleValuesMixin:
    """Years in range and numbers not negative on every field; `date_order`: (start, end) field pairs."""

    date_order: tuple[tuple[str, str], ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            guard(field)

    def full_clean(self):
        for field in self.fields.values():  # fields a form's __init__ added after this one's
            guard(field)
        super().full_clean()

    def clean(self):
        cleaned = super().clean()
        if not self.date_order:
            return cleaned
        labels = {name: str(field.label or name) for name, field in self.fields.items()}
        for start, end in self.date_order:
            if end not in self.errors and (error := check_order(cleaned, start, end, labels)):
                self.add_error(end, error)
        return cleaned


class SensibleModelForm(SensibleValuesMixin, forms.ModelForm):
    """The back office's forms (ModelAdmin.form): the same bounds as the portal's pages."""
