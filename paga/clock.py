"""The portal's clock: the current moment, or the same time of day on COCREA_AS_OF to show the example as
it stood then.

Every decision the portal takes about "now" (what is open, what is past) and every moment it records for
a person's act (a comment, a response, a registration, a consent) reads this clock, so a simulated day
moves all of them together: the home page, the consultation and the services that accept a comment agree.

The rule, written once: `now()` is the real moment with its Lima date replaced by COCREA_AS_OF (the time
of day is kept, so a consultation that opens at 9:00 opens at 9:00 of the simulated day; the simulated
clock goes back to 00:00 of the same day at each real midnight). `today()` is `now()`'s Lima date.

What stays on the real clock (`django.utils.timezone.now`): what someone outside the portal judges by the
real time -- session and cookie expiry (the browser's clock), sign-in and comment rate limits, two-step
verification windows, the email outbox (sent by a real mail server), the audit log (written by the
database), calendar stamps (DTSTAMP) and background-job bookkeeping.
"""

import datetime

from django.conf import settings
from django.utils import timezone


def now() -> datetime.datetime:
    """The current moment (aware), on COCREA_AS_OF when it is set."""
    if not settings.COCREA_AS_OF:
        return timezone.now()
    day = datetime.date.fromisoformat(settings.COCREA_AS_OF)
    # Whole days moved in local time: the zone's offset is computed for the new date (zoneinfo), so the
    # local (Lima) date is exactly `day` and the time of day is the real one.
    return timezone.localtime().replace(year=day.year, month=day.month, day=day.day)


def today() -> datetime.date:
    """Lima's date of `now()`."""
    return timezone.localdate(now())


def is_simulated() -> bool:
    return bool(settings.COCREA_AS_OF)
