"""Settings from the environment, with an embedded default.

Nothing set: SQLite and Celery tasks run inline, so `make run` works on a bare machine.
`DATABASE_URL` switches to PostgreSQL (psycopg 3, persistent connections); `REDIS_URL` switches to a
Redis broker, a Redis cache and `cached_db` sessions. With `DJANGO_DEBUG` off the portal refuses to
start without `DJANGO_SECRET_KEY` and `DJANGO_ALLOWED_HOSTS`.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()


def refuse(message: str):
    """Stop start-up with a one-line message naming the variable (not a traceback)."""
    raise SystemExit(f"Co-crea configuration error: {message}")


DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        refuse(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string (or set DJANGO_DEBUG=1 locally)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DJANGO_DEBUG"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not DEBUG:
        refuse("DJANGO_ALLOWED_HOSTS is not set. List the host names the portal answers to, comma-separated.")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "paga",
    "commitments",
    "consultations",
    "workshops",
    "implementation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_filters",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "paga.audit.RequestAddressMiddleware",  # the client's address for audit entries (paga/audit.py)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "paga.plans.PlanPrefixMiddleware",  # /planes/<slug>/…: the same pages for another plan (paga/plans.py)
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "paga.middleware.SpanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff: signed out after inactivity, and no staff page without two-step verification.
    "paga.staff_security.StaffIdleTimeoutMiddleware",
    "paga.staff_security.StaffMFAMiddleware",
]

ROOT_URLCONF = "paga.urls"
WSGI_APPLICATION = "paga.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "paga.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default="")


def database_from_url(url: str) -> dict:
    """Parse DATABASE_URL; anything but postgres:// or sqlite:// is refused with a message."""
    parts = urlsplit(url)
    if parts.scheme in ("postgres", "postgresql", "pgsql"):
        try:
            port = parts.port
        except ValueError:
            port = None
            refuse(f"DATABASE_URL has an invalid port: {url!r}.")
        if not parts.hostname and not parts.path.strip("/"):
            refuse("DATABASE_URL must name a host and a database, e.g. postgres://user:pass@host:5432/name.")
        if not parts.path.strip("/"):
            refuse("DATABASE_URL names no database, e.g. postgres://user:pass@host:5432/name.")
        del port
        config = env.db_url_config(url)
        config["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=600)
        config["CONN_HEALTH_CHECKS"] = True
        return config
    if parts.scheme == "sqlite":
        return env.db_url_config(url)
    refuse(
        f"DATABASE_URL is not a PostgreSQL or SQLite URL: {url!r}. "
        "Use postgres://user:password@host:5432/name, or leave it unset for SQLite."
    )
    return {}


if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
# SQLite takes people posting at the same moment (two at once answered "database is locked"): a write
# transaction takes the write lock when it begins (IMMEDIATE), so a second one waits for it (up to
# `timeout` seconds) instead of failing when its read turns into a write; WAL lets pages be read while
# someone writes. The database is then db.sqlite3 with its -wal and -shm files beside it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "paga.User"

# --- Redis: broker, cache, sessions -----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and urlsplit(REDIS_URL).scheme not in ("redis", "rediss", "unix"):
    refuse(f"REDIS_URL is not a redis:// URL: {REDIS_URL!r}.")


def redis_cache(url: str) -> dict:
    """The cache on the Redis at `url` (the benchmark counts queries with it too: bench/run.py)."""
    return {
        # Redis down: a miss, a write does nothing, requests never wait more than 0.25 s (paga/cache.py).
        "BACKEND": "paga.cache.ResilientRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "cocrea",
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }


REDIS_SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
    SESSION_ENGINE = REDIS_SESSION_ENGINE
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # embedded default: no broker, tasks run inline
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task is killed after this many seconds (a render job claim is stale then: commitments/plan_tasks.py).
CELERY_TASK_TIME_LIMIT = env.int("COCREA_TASK_TIME_LIMIT", default=300)
# A message taken by a worker that died (killed, machine lost) goes back to the queue after this many
# seconds (Redis's default is an hour); it must exceed the time limit, or a running task is sent twice.
COCREA_TASK_REDELIVERY = env.int("COCREA_TASK_REDELIVERY", default=CELERY_TASK_TIME_LIMIT + 60)
if COCREA_TASK_REDELIVERY <= CELERY_TASK_TIME_LIMIT:
    refuse("COCREA_TASK_REDELIVERY must be longer than COCREA_TASK_TIME_LIMIT (seconds).")
CELERY_TIMEZONE = "America/Lima"
# Never hang a web request on a broker that is down: fail fast, the periodic sweep sends later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
    "visibility_timeout": COCREA_TASK_REDELIVERY,
    # Look for messages of dead workers every 10 s (kombu's default scans every 100 s).
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_BEAT_SCHEDULE = {
    "send-pending-email": {"task": "paga.tasks.send_pending_email", "schedule": 60.0},
    "sweep-render-jobs": {"task": "commitments.plan_tasks.sweep_render_jobs", "schedule": 60.0},
    "sweep-assessment-documents": {
        "task": "implementation.tasks.sweep_assessment_documents",
        "schedule": 60.0,
    },
    "workshop-reminders": {"task": "workshops.tasks.send_registration_reminders", "schedule": 3600.0},
    "milestone-reminders": {"task": "commitments.tasks.send_milestone_reminders", "schedule": 3600.0},
}

# --- Accounts (django-allauth 65) -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",  # every permission: the apps' rules.py
    "paga.backends.EmailAuthenticationBackend",  # sign-in by email; grants no permission
]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "paga.forms.SignupForm"
ACCOUNT_FORMS = {"signup": "paga.account_forms.SignupForm"}  # as slow for a known address
ACCOUNT_ADAPTER = "paga.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Co-crea] "
# allauth's security notifications to the account's owner: an authenticator app added or removed,
# recovery codes generated, the password changed or reset, an address removed or the primary changed
# (templates/account/email/base_notification.txt, templates/mfa/email/).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Per address ("ip") and per account ("key": the email). Failed sign-ins: 5 in 5 minutes lock that
# account's attempts, 10 a minute lock the address. The address is the client's, found through
# COCREA_TRUSTED_PROXY_COUNT proxies, so people behind our proxy never share one bucket (the forum's
# limits use the same count: paga/ratelimit.py).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("COCREA_TRUSTED_PROXY_COUNT", default=0)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "paga:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "paga:home"

# Two-step verification (allauth.mfa): an authenticator app (TOTP) with recovery codes. Staff must set
# it up before any staff page, citizens may (paga/staff_security.py).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Co-crea"
MFA_TOTP_TOLERANCE = 1  # also the code of the previous or next 30 s: phones' clocks drift
# Staff are signed out after this many minutes without a request; citizens keep the session age.
COCREA_STAFF_IDLE_MINUTES = env.int("COCREA_STAFF_IDLE_MINUTES", default=30)
if COCREA_STAFF_IDLE_MINUTES < 1:
    refuse("COCREA_STAFF_IDLE_MINUTES must be at least 1.")
COCREA_STAFF_ACTIVITY_SECONDS = 60  # how often a staff member's last activity is written to the session
COCREA_STAFF_MFA_RECHECK_SECONDS = 300  # how long a session trusts that the staff's app is still set up
# Development demo: the example's staff accounts (paga/example.py) act without an authenticator app, and
# every page says so; real staff accounts still need one. On by default under DJANGO_DEBUG=1 only, and
# refused in production: there every staff account uses two-step verification.
COCREA_EXAMPLE_STAFF_WITHOUT_2FA = env.bool("COCREA_EXAMPLE_STAFF_WITHOUT_2FA", default=DEBUG)
if COCREA_EXAMPLE_STAFF_WITHOUT_2FA and not DEBUG:
    refuse(
        "COCREA_EXAMPLE_STAFF_WITHOUT_2FA is for development only (DJANGO_DEBUG=1): in production every "
        "staff account needs two-step verification. Unset it."
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Version of the personal-data policy (Ley 29733) a person consents to at signup.
COCREA_PRIVACY_POLICY_VERSION = "2026-11"
# Where people send requests about their personal data (shown on /privacidad/ when set).
COCREA_CONTACT_EMAIL = env.str("COCREA_CONTACT_EMAIL", default="")
# Flags after which a visible contribution is hidden pending the Secretaría's review.
COCREA_FLAGS_TO_HIDE = env.int("COCREA_FLAGS_TO_HIDE", default=3)
# Size limit of a document uploaded to the repository (workshops/services.py).
COCREA_DOCUMENT_MAX_MB = env.int("COCREA_DOCUMENT_MAX_MB", default=20)
# Days before a milestone's due date when its commitment's contact is reminded (commitments/reminders.py).
COCREA_MILESTONE_REMINDER_DAYS = env.int("COCREA_MILESTONE_REMINDER_DAYS", default=14)
if COCREA_MILESTONE_REMINDER_DAYS < 0:
    refuse("COCREA_MILESTONE_REMINDER_DAYS must be 0 or more (days).")
# Rate limits of the forum, per person and per address ("10/m": ten a minute; paga/ratelimit.py).
COCREA_RATE_COMMENTS = env.str("COCREA_RATE_COMMENTS", default="10/m")
COCREA_RATE_FLAGS = env.str("COCREA_RATE_FLAGS", default="10/m")
# Public pages are served to anonymous visitors from the cache, never stale (paga/pagecache.py): set 0
# to render every request. The apps whose tables move the content generation that keys the cache.
COCREA_PAGE_CACHE = env.bool("COCREA_PAGE_CACHE", default=True)
# Parts of pages the same for every visitor (a commitment's text, milestones and history), cached under
# the generations they read, so signed-in visitors reuse them too (paga/pagecache.py `fragment`).
COCREA_FRAGMENT_CACHE = True
COCREA_CONTENT_APPS = ("paga", "commitments", "consultations", "workshops", "implementation")
# The portal's public address, for links in emails sent by the worker (no request to build them from):
# required in production, where a default would send every recipient to 127.0.0.1.
COCREA_SITE_URL = env.str("COCREA_SITE_URL", default="").rstrip("/")
if not COCREA_SITE_URL:
    if not DEBUG:
        refuse(
            "COCREA_SITE_URL is not set. Set it to the portal's public address, e.g. https://cocrea.gob.pe."
        )
    COCREA_SITE_URL = "http://127.0.0.1:8000"
if urlsplit(COCREA_SITE_URL).scheme not in ("http", "https") or not urlsplit(COCREA_SITE_URL).netloc:
    refuse(f"COCREA_SITE_URL must be an http:// or https:// address, not {COCREA_SITE_URL!r}.")

# --- Email ---------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Co-crea <no-responder@cocrea.localhost>")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Language and time --------------------------------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Lima"
USE_I18N = True
USE_TZ = True
# For demonstrations: show the example process as it stood on a given day (ISO date), e.g. 2017-09-25.
COCREA_AS_OF = env.str("COCREA_AS_OF", default="")

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploaded files and the plan's PDFs go through the default storage, never a path: the local disk
# (MEDIA_ROOT) by default, or with COCREA_STORAGE=s3 a bucket of any S3-compatible object store, which
# every web and worker host shares. Nothing is served from the store's own address: every download is
# streamed by a view that checks who may have it (the objects stay private: no ACL is sent, so the
# bucket's private default applies, and no URL of the store is ever given out).
COCREA_STORAGE = env.str("COCREA_STORAGE", default="local")
if COCREA_STORAGE == "local":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif COCREA_STORAGE == "s3":
    if not env.str("AWS_STORAGE_BUCKET_NAME", default=""):
        refuse("COCREA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME, the bucket that holds the files.")
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            # Unset: Amazon S3 itself; any other S3-compatible store by its address.
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Unset: boto3's own chain (an instance or pod role, ~/.aws).
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            # As on disk: a second file of the same name gets a name of its own, never replaces one.
            "file_overwrite": False,
            # A file being downloaded is held in memory up to 2 MB, then in a temporary file.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
else:
    refuse(f"COCREA_STORAGE is {COCREA_STORAGE!r}: set it to local (MEDIA_ROOT, the default) or s3.")
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security -----------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # `__Host-`: the browser keeps these cookies only if they are Secure, for this host (no Domain) and
    # the whole site (Path=/), so a sibling subdomain cannot set or overwrite them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-django_language"
    LANGUAGE_COOKIE_SECURE = True
    if env.int("COCREA_TRUSTED_PROXY_COUNT", default=0):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "weasyprint.progress": {"level": "WARNING"}},
}
