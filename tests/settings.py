"""Settings for the test suite: the real settings, plus what tests need to run without a secret.

DATABASE_URL and REDIS_URL still apply (CI sets both). Tasks run inline unless a test starts a
real worker (tests/paga/test_celery.py), so a test never waits on a worker it did not start.
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-used-anywhere-else-0123456789abcdef")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("COCREA_SITE_URL", "http://127.0.0.1:8000")
# pytest-xdist: each test process gets a Redis database of its own (base + 1 + its number), as it gets a
# test database of its own from pytest-django: a real Celery worker started by one process must never
# take another process's tasks, nor a cache key of one be read by the other.
_xdist = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist.startswith("gw") and os.environ.get("REDIS_URL"):
    _redis = urlsplit(os.environ["REDIS_URL"])
    _db = int(_redis.path.strip("/") or 0) + 1 + int(_xdist[2:])
    os.environ["REDIS_URL"] = urlunsplit(_redis._replace(path=f"/{_db}"))

from paga.settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# A `__Host-` cookie must be Secure, so Chromium refuses it from the live server (plain HTTP): the tests
# use Django's names (tests/paga/test_settings.py checks the production ones).
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
LANGUAGE_COOKIE_NAME = "django_language"
LANGUAGE_COOKIE_SECURE = False
# Query counts are asserted per page: a staff session's activity and authenticator app are noted at
# sign-in and never again during a test, however slow (tests/paga/test_mfa*.py set the real periods).
COCREA_STAFF_ACTIVITY_SECONDS = 24 * 3600
COCREA_STAFF_MFA_RECHECK_SECONDS = 24 * 3600
# The production rule whatever DJANGO_DEBUG says: the example's staff accounts need an authenticator app
# too (tests/paga/test_example_staff_demo.py turns the development demo on).
COCREA_EXAMPLE_STAFF_WITHOUT_2FA = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Query counts are asserted per page: sessions in the database whatever REDIS_URL says, so they are the
# same with and without Redis (tests/paga/test_settings.py checks that REDIS_URL gives cached_db).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
COCREA_AS_OF = ""
# Query counts are asserted on the rendering itself; tests/paga/test_pagecache.py turns the cache on.
COCREA_PAGE_CACHE = False
# Likewise for fragments (and their keys hold generation values, which a rolled-back test puts back):
# tests/commitments/test_page_fragments.py turns them on, with an empty cache.
COCREA_FRAGMENT_CACHE = False
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Uploaded and rendered files go to a directory of the run, never into the checkout.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="cocrea-test-media-"))
