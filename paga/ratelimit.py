"""A small rate limiter on the Django cache: N hits per fixed window, per key.

Works with any cache that has atomic `add` and `incr` (Redis in production, locmem in development and
tests). A window is a fixed slice of time (e.g. the current minute): the first hit creates the counter
with `add` (atomic: only one of two simultaneous first hits creates it), each hit raises it with
`incr`, and the counter expires with its window. Simple and cheap; a burst straddling two windows may
pass up to twice the limit, which is enough to stop a flood of comments or reports.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
PREFIX = "ratelimit"  # of the cache keys (tests give each test its own)


def now() -> float:
    """The current time in seconds (tests move it to the next window). The real clock, not
    paga.clock: a window limits real requests per real minute, whatever day COCREA_AS_OF shows."""
    return time.time()


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """ "10/m", "30/5m", "100/h": hits per window (s, m, h or d, optionally with a multiplier)."""
        count, _slash, period = text.strip().partition("/")
        unit = period[-1:] if period else ""
        multiplier = period[:-1] or "1"
        if not count.isdigit() or unit not in UNITS or not multiplier.isdigit() or int(multiplier) < 1:
            raise ValueError(f"Not a rate like '10/m': {text!r}")
        return cls(limit=int(count), seconds=int(multiplier) * UNITS[unit])


def client_ip(request) -> str:
    """The visitor's address: REMOTE_ADDR, or behind N trusted proxies the Nth address from the end of
    X-Forwarded-For (the one the nearest trusted proxy saw), never one the visitor could forge."""
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(key: str, rate: Rate | str) -> bool:
    """Count one hit on `key`; False when it goes over the rate in the current window."""
    if isinstance(rate, str):
        rate = Rate.parse(rate)
    window = int(now() // rate.seconds)
    cache_key = f"{PREFIX}:{key}:{rate.seconds}:{window}"
    cache.add(cache_key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: this hit opens a new counter
        cache.add(cache_key, 1, timeout=rate.seconds + 1)
        count = 1
    return count <= rate.limit


def hit_all(keys: list[str], rate: Rate | str) -> bool:
    """Count one hit on each key (e.g. the person and the address); False if any goes over."""
    results = [hit(key, rate) for key in keys]
    return all(results)
