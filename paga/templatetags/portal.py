"""Template helpers for every page of the portal.

- `html_datetime`: the `datetime` attribute of a <time>, a valid HTML date or global date and time
  string (Django's `date:"c"` writes microseconds, which HTML does not allow).
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def html_datetime(value: datetime.date | datetime.datetime | None) -> str:
    """ "2017-09-21" for a date; "2017-09-21T10:00:00-05:00" for a moment, in Lima time, to the second."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()
