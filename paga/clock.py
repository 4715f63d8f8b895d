"""Today's date in Lima, or the day set in COCREA_AS_OF to show the example as it stood then."""

import datetime

from django.conf import settings
from django.utils import timezone


def today() -> datetime.date:
    if settings.COCREA_AS_OF:
        return datetime.date.fromisoformat(settings.COCREA_AS_OF)
    return timezone.localdate()


def is_simulated() -> bool:
    return bool(settings.COCREA_AS_OF)
