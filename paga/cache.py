"""A Redis cache that degrades to "no cache" while Redis is unreachable, instead of failing requests.

Everything the portal keeps in the cache can be lost: rendered public pages (paga/pagecache.py, keyed by
the content generation), rate-limit counters (paga/ratelimit.py, allauth's), the cached copy of a session
(`cached_db`: the database holds the session). So when Redis is down, a read is a miss and a write does
nothing: pages are rendered, people sign in and post, and nothing is lost.

- Errors are `redis.RedisError` (refused, timed out, reset) and `OSError`; each one is logged once per
  outage (a warning), not once per call, and the recovery is logged too.
- After an error the backend stops calling Redis for `DOWN_SECONDS` (2 by default): a request does not
  pay a connection timeout per cache call while Redis is away. Keep the socket timeouts short in OPTIONS
  (0.25 s), so a Redis that hangs costs at most that much per request and per process every 2 s.
- `add` answers True when Redis is down: allauth's rate limiter takes a lock with `add` and, when it
  cannot take it, treats the request as over the limit (nobody could sign in). Rate limits are therefore
  not enforced during an outage (fail open); the portal stays usable.
- `incr` raises ValueError (as for a missing key): paga/ratelimit.py then counts the hit as the first.
- A write that failed may leave an older copy in Redis (a session that was signed out, a counter): the
  keys are remembered (the last `PENDING_MAX`, per process) and deleted as soon as Redis answers again,
  before anything else is read.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
ERRORS = (redis.RedisError, OSError)
PENDING_MAX = 10_000
ON_CLEAR: list = []  # called by clear(): what a process keeps beside the cache is emptied with it


class Recent:
    """What this process used last of what the cache holds, up to `limit` by `size(value)`, least recently
    used dropped first: a use saves the round trip to Redis and the unpickling. Emptied with the cache
    (`clear`). Its users decide when a copy may still be used (paga/pagecache.py checks the generations a
    part read; consultations/fragments.py keys a rendering by everything it shows)."""

    def __init__(self, limit: int, size=len):
        self.limit, self.size_of, self.size = limit, size, 0
        self.lock = threading.Lock()
        self.found: OrderedDict[str, object] = OrderedDict()
        ON_CLEAR.append(self.clear)

    def get(self, key: str):
        with self.lock:
            return self.found.get(key)

    def keep(self, key: str, value) -> None:
        with self.lock:
            if self.found.get(key) is value:
                self.found.move_to_end(key)
                return
            if (old := self.found.pop(key, None)) is not None:
                self.size -= self.size_of(old)
            self.found[key] = value
            self.size += self.size_of(value)
            while self.size > self.limit and self.found:
                _key, dropped = self.found.popitem(last=False)
                self.size -= self.size_of(dropped)

    def clear(self) -> None:
        with self.lock:
            self.found.clear()
            self.size = 0


class ResilientRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache that treats an unreachable Redis as an empty cache."""

    def __init__(self, server, params):
        params = dict(params)
        self.down_seconds = float(params.pop("DOWN_SECONDS", 2))
        super().__init__(server, params)
        self._lock = threading.Lock()
        self._down_until = 0.0  # monotonic time before which Redis is not called
        self._down = False  # an outage was seen and not yet recovered from
        self._pending: OrderedDict[tuple[str, int | None], None] = OrderedDict()

    # --- Outage bookkeeping -------------------------------------------------------------------------
    def _skip(self) -> bool:
        return self._down and time.monotonic() < self._down_until

    def _failed(self, what: str, exc: BaseException, keys=(), version=None) -> None:
        with self._lock:
            first = not self._down
            self._down, self._down_until = True, time.monotonic() + self.down_seconds
            for key in keys:
                self._pending[(key, version)] = None
                self._pending.move_to_end((key, version))
            while len(self._pending) > PENDING_MAX:
                self._pending.popitem(last=False)
        if first:
            logger.warning(
                "Redis cache unreachable (%s: %s): serving without the cache until it answers again.",
                what,
                exc,
            )

    def _remember(self, keys, version) -> None:
        """While skipping Redis, a write is remembered as if it had failed."""
        with self._lock:
            for key in keys:
                self._pending[(key, version)] = None
                self._pending.move_to_end((key, version))
            while len(self._pending) > PENDING_MAX:
                self._pending.popitem(last=False)

    def _recovered(self) -> bool:
        """Called before using Redis after an outage: delete what failed writes may have left stale.
        Returns False (and stays down) if Redis still does not answer."""
        with self._lock:
            pending = list(self._pending)
        try:
            by_version: dict[int | None, list[str]] = {}
            for key, version in pending:
                by_version.setdefault(version, []).append(key)
            for version, keys in by_version.items():
                for start in range(0, len(keys), 500):
                    super().delete_many(keys[start : start + 500], version=version)
            self._cache.get_client(write=True).ping()
        except ERRORS as exc:
            self._failed("recovery", exc)
            return False
        with self._lock:
            for item in pending:
                self._pending.pop(item, None)
            self._down = False
        logger.warning("Redis cache answers again (%s stale keys deleted).", len(pending))
        return True

    def _call(self, what: str, fallback, method, *args, keys=(), version=None, write=False, **kwargs):
        if self._down and (self._skip() or not self._recovered()):
            if write:
                self._remember(keys, version)
            return fallback()
        try:
            return method(*args, **kwargs)
        except ERRORS as exc:
            self._failed(what, exc, keys if write else (), version)
            return fallback()

    # --- The cache API ----------------------------------------------------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            "add",
            lambda: True,
            super().add,
            key,
            value,
            timeout,
            version,
            keys=[key],
            version=version,
            write=True,
        )

    def get(self, key, default=None, version=None):
        return self._call("get", lambda: default, super().get, key, default, version, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            "set",
            lambda: None,
            super().set,
            key,
            value,
            timeout,
            version,
            keys=[key],
            version=version,
            write=True,
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            "touch",
            lambda: False,
            super().touch,
            key,
            timeout,
            version,
            keys=[key],
            version=version,
            write=True,
        )

    def delete(self, key, version=None):
        return self._call(
            "delete", lambda: False, super().delete, key, version, keys=[key], version=version, write=True
        )

    def get_many(self, keys, version=None):
        return self._call("get_many", dict, super().get_many, keys, version, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: False, super().has_key, key, version, version=version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (Redis unreachable).")

        return self._call(
            "incr", missing, super().incr, key, delta, version, keys=[key], version=version, write=True
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        keys = list(data)
        return self._call(
            "set_many",
            lambda: keys,
            super().set_many,
            data,
            timeout,
            version,
            keys=keys,
            version=version,
            write=True,
        )

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._call(
            "delete_many",
            lambda: None,
            super().delete_many,
            keys,
            version,
            keys=keys,
            version=version,
            write=True,
        )

    def clear(self):
        for forget in ON_CLEAR:  # copies a process keeps of what the cache holds (`Recent`)
            forget()
        return self._call("clear", lambda: False, super().clear)
