"""Settings for the Voorsprong back office, read from the environment.

With no environment variables set, everything runs with Python alone: a SQLite file in
``var/`` and Celery tasks executed in-process. ``DATABASE_URL`` and ``CELERY_BROKER_URL``
switch to PostgreSQL and Redis (see README, "Configuration").
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The default key only serves a local checkout; docker-compose refuses to start without a real one.
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="django-insecure-local-development-key-do-not-use-in-production",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# No production without a secret: DJANGO_DEBUG=false, said explicitly (docker-compose and the image do),
# declares production, which refuses to start with the committed key (or any Django marks insecure) or
# without its own host names. A checkout sets nothing (make run, make test) and keeps the defaults.
if "DJANGO_DEBUG" in os.environ and not DEBUG:
    if not SECRET_KEY or SECRET_KEY.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "DJANGO_DEBUG=false (production) needs a DJANGO_SECRET_KEY of its own, not the development "
            "key (e.g. python -c 'import secrets; print(secrets.token_urlsafe(60))')."
        )
    if not env.list("DJANGO_ALLOWED_HOSTS", default=[]):
        raise ImproperlyConfigured(
            "DJANGO_DEBUG=false (production) needs DJANGO_ALLOWED_HOSTS: the host names the site is served "
            "under, comma-separated."
        )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "rangefilter",
    # django-axes under a Dutch name in the admin (voorsprong.apps).
    "voorsprong.apps.AxesConfig",
    "csp",
    # Two factors at log-in (voorsprong.two_factor): authenticator apps and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "voorsprong",
    "trajects",
    "participants",
    "funding",
    "reporting",
    # Demo data and the benchmark sit on top of the stack; nothing imports them.
    "demo",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(), then the second step for whoever still owes one (voorsprong.two_factor).
    "django_otp.middleware.OTPMiddleware",
    "voorsprong.two_factor.TwoFactorMiddleware",
    "voorsprong.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as axes asks: it turns a login refused for a lock-out into voorsprong.auth_api's answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "voorsprong.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The kernel's templates before the apps': its admin/base_site.html replaces the admin's own.
        "DIRS": [BASE_DIR / "voorsprong" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "voorsprong.context_processors.menu",
            ],
        },
    },
]

WSGI_APPLICATION = "voorsprong.wsgi.application"

# A fresh checkout has no var/ yet: the SQLite file and the static root live there.
for directory in (VAR_DIR, STATIC_ROOT := VAR_DIR / "static"):
    directory.mkdir(exist_ok=True)

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'voorsprong.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes concurrent writers queue for the lock instead of failing mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: the statistics' aggregates are costly enough for PostgreSQL to compile them on
    # every run, and compiling took longer than it saved (question 244's outcome query at scale 100: 725 ms
    # with JIT, 359 ms without, in one run). An ?options= in DATABASE_URL comes first.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "voorsprong.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Axes first: it refuses a locked-out username and address before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock-outs in layers (voorsprong.lockout), each counting the failed log-ins (login page, admin and API
# token alike) of the last AXES_COOLOFF_TIME: one username from one address (AXES_FAILURE_LIMIT), one
# address across usernames (password spraying) and one username across addresses (guessing from many
# addresses). Locked, a username is refused from that address, also with the right password, until the
# cool-off has passed. A username that logged in from an address within LOCKOUT_KNOWN_ADDRESS_DAYS is
# held there by the first layer only: nobody locks an officer out of their usual address by failing
# elsewhere in their name. A successful log-in clears the failures of that username from that address.
AXES_HANDLER = "voorsprong.lockout.LayeredLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=5)
LOCKOUT_ADDRESS_FAILURE_LIMIT = env.int("DJANGO_LOCKOUT_ADDRESS_FAILURE_LIMIT", default=20)
LOCKOUT_USERNAME_FAILURE_LIMIT = env.int("DJANGO_LOCKOUT_USERNAME_FAILURE_LIMIT", default=30)
LOCKOUT_KNOWN_ADDRESS_DAYS = env.int("DJANGO_LOCKOUT_KNOWN_ADDRESS_DAYS", default=90)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_AXES_COOLOFF_MINUTES", default=30))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "voorsprong.auth_api.lockout_response"
AXES_CLIENT_IP_CALLABLE = "voorsprong.proxies.client_ip"


def _networks(variable: str) -> list:
    try:
        return [ipaddress.ip_network(value, strict=False) for value in env.list(variable, default=[])]
    except ValueError as error:
        raise ImproperlyConfigured(f"{variable}: {error}") from error


# Whom the client's address is taken from (voorsprong.proxies): the connection, unless it comes from a
# trusted proxy; then X-Forwarded-For, read back from the right past the trusted proxies only. Either the
# proxies' addresses or networks (DJANGO_TRUSTED_PROXIES), or how many proxies stand in front when only
# they can reach the app (DJANGO_TRUSTED_PROXY_COUNT: docker-compose's Caddy is 1). Neither: never.
TRUSTED_PROXIES = _networks("DJANGO_TRUSTED_PROXIES")
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0 or (TRUSTED_PROXIES and TRUSTED_PROXY_COUNT):
    raise ImproperlyConfigured(
        "Set either DJANGO_TRUSTED_PROXIES or DJANGO_TRUSTED_PROXY_COUNT (a whole number of 0 or more), "
        "not both."
    )

# Two factors (voorsprong.two_factor): officers, the financial service and administrators log in with a
# code of an authenticator app (or a recovery code) after their password, and are made to set one up at
# their next log-in; promoters and consultants may. DJANGO_TWO_FACTOR_REQUIRED=false (`make run`, the
# test suite) lets staff in without one; whoever has set one up is still asked for it.
TWO_FACTOR_REQUIRED = env.bool("DJANGO_TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = "Voorsprong"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# One voice: the interface is Dutch (nl-BE) whatever the browser asks for, so no LocaleMiddleware.
LANGUAGE_CODE = "nl-be"
LANGUAGES = [("nl-be", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as 26/11/2025 in tables and forms, numbers as 1.234,56: voorsprong/formats/nl_BE/formats.py.
FORMAT_MODULE_PATH = ["voorsprong.formats"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
# The production image runs collectstatic and sets DJANGO_STATIC_MANIFEST for cache-busting
# file names; a checkout serves the apps' static files as they are, without collectstatic.
STATIC_MANIFEST = env.bool("DJANGO_STATIC_MANIFEST", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="voorsprong@vlaanderen.be")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The officers' target time for deciding a submitted application; older ones stand out in the work queue.
DECISION_TARGET_DAYS = env.int("DECISION_TARGET_DAYS", default=30)
# Who grants the subsidy, as the aid ledger and the de-minimis register name it.
AID_GRANTING_AUTHORITY = env("AID_GRANTING_AUTHORITY", default="Departement Werk en Sociale Economie")

# The cache holds the rate limits' counters (voorsprong.throttling). Without DJANGO_CACHE_URL each process
# counts for itself (local memory); production shares Redis (docker-compose sets redis://redis:6379/2).
CACHES = {"default": env.cache("DJANGO_CACHE_URL", default="locmemcache://")}
# The public eligibility pre-check (page and API): requests per user, or per address when not logged in.
ELIGIBILITY_RATE_LIMIT = env("DJANGO_ELIGIBILITY_RATE_LIMIT", default="60/h")
# Log-in POSTs (login page, admin, API token together) per address, counted before any password is hashed.
LOGIN_RATE_LIMIT = env("DJANGO_LOGIN_RATE_LIMIT", default="10/m")
# The companies' questionnaire pages behind their e-mailed links, per address.
QUESTIONNAIRE_RATE_LIMIT = env("DJANGO_QUESTIONNAIRE_RATE_LIMIT", default="30/m")

# Celery: without a broker, tasks run in-process so the whole system works with Python alone.
CELERY_TASK_ALWAYS_EAGER = not env("CELERY_BROKER_URL", default="")
# Eager tasks never reach a broker; the in-memory transport stops kombu looking for one on localhost.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://localhost/")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# A task whose worker process dies is put back on the queue rather than lost (report builds resume).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# How long a report build may take before its request is marked failed (the hard limit is 60 s more).
CELERY_REPORT_SOFT_TIME_LIMIT = env.int("CELERY_REPORT_SOFT_TIME_LIMIT", default=300)
# The same for a queued KBO import (participants.tasks.run_import_job): a national extract takes minutes.
CELERY_IMPORT_SOFT_TIME_LIMIT = env.int("CELERY_IMPORT_SOFT_TIME_LIMIT", default=3600)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis: a message taken by a worker that died unacknowledged (killed, its machine gone) is given to another
# worker after this many seconds. It is the longest job (the report's hard limit, soft + 60 s) plus a
# minute: shorter, a job still running is handed out a second time; much longer, a report whose worker
# died waits that long (the beat's stale-job check, REPORT_STALE_AFTER, re-queues it too).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_REPORT_SOFT_TIME_LIMIT + 120),
    # A broker that does not answer must not hold up the request that queues work (voorsprong.outbox).
    "socket_connect_timeout": 2,
}

# The outbox (voorsprong.outbox): how long handing a message to the broker may take to connect, and the
# wait before the next attempt after a failure, doubled per attempt up to the maximum (seconds).
OUTBOX_CONNECT_TIMEOUT = 2
OUTBOX_RETRY_DELAY = env.int("OUTBOX_RETRY_DELAY", default=30)
OUTBOX_MAX_RETRY_DELAY = env.int("OUTBOX_MAX_RETRY_DELAY", default=3600)
OUTBOX_KEEP_SENT_DAYS = env.int("OUTBOX_KEEP_SENT_DAYS", default=7)
# A running report job without a sign of life (its heartbeat) for this long has lost its worker: no job
# lives past its hard time limit (soft + 60 s). The beat re-queues it REPORT_MAX_REQUEUES times, then
# fails it.
REPORT_STALE_AFTER = env.int("REPORT_STALE_AFTER", default=CELERY_REPORT_SOFT_TIME_LIMIT + 120)
REPORT_MAX_REQUEUES = env.int("REPORT_MAX_REQUEUES", default=2)
# The same for import jobs. An import runs in one transaction and shows no sign of life before it ends,
# so it is stale only past its hard time limit (soft + 60 s).
IMPORT_STALE_AFTER = env.int("IMPORT_STALE_AFTER", default=CELERY_IMPORT_SOFT_TIME_LIMIT + 120)
IMPORT_MAX_REQUEUES = env.int("IMPORT_MAX_REQUEUES", default=2)
# Run by the beat service of docker-compose.yml.
CELERY_BEAT_SCHEDULE = {
    # What the outbox could not hand over at once (the broker was down), and report jobs left hanging.
    "relay-outbox": {"task": "voorsprong.tasks.relay_outbox", "schedule": 60.0},
    "requeue-stale-reports": {"task": "reporting.tasks.requeue_stale_reports", "schedule": 60.0},
    "requeue-stale-imports": {"task": "participants.tasks.requeue_stale_imports", "schedule": 60.0},
    "check-budgets-nightly": {"task": "funding.tasks.check_budgets", "schedule": crontab(hour=2, minute=0)},
    # The questionnaires' reminders (days 14 and 30) and the follow-ups due six months after completion.
    "remind-unanswered-questionnaires-daily": {
        "task": "participants.tasks.remind_unanswered_questionnaires",
        "schedule": crontab(hour=9, minute=0),
    },
    "invite-to-follow-ups-daily": {
        "task": "participants.tasks.invite_to_follow_ups",
        "schedule": crontab(hour=9, minute=15),
    },
    "snapshot-statistics-nightly": {
        "task": "reporting.tasks.take_statistics_snapshot",
        "schedule": crontab(hour=3, minute=0),
    },
    # The GDPR: blank the personal data whose retention period ended (reporting.personal_data).
    "purge-personal-data-nightly": {
        "task": "reporting.tasks.purge_personal_data",
        "schedule": crontab(hour=3, minute=30),
    },
}

# The largest request body (not counting uploaded files) Django and the API accept: 2.5 MB, Django's
# default, stated so the API's own check (voorsprong.api.StrictBodyMixin) and the forms agree.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# -- Uploads (voorsprong.uploads) --------------------------------------------------------------------------
# The largest uploaded file taken (an attachment, a scan, a spreadsheet to import): 20 MB by default.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Files up to 2.5 MB are held in memory, larger ones in a temporary file that keeps no more than one byte
# over ATTACHMENT_MAX_BYTES: an upload too large is refused without memory or disk taking all of it.
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "voorsprong.uploads.BoundedUploadHandler",
]

# Every history row keeps its change reason whole (a reason typed by a person has up to 2,000
# characters, with a note around it on an approval over the budget): text, not the default 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# API tokens (voorsprong.models.ApiToken): a key opens the API for this many days after it is made, unless
# it is revoked first (by its user, an administrator, a lock-out, a deactivation or a new password).
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
if API_TOKEN_TTL_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_TTL_DAYS must be at least 1.")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's, on the kernel's expiring tokens, stored as digests.
        "voorsprong.api_requests.TokenAuthentication",
        # DRF's, with the CSRF refusal in Dutch.
        "voorsprong.api_requests.SessionAuthentication",
    ],
    # DRF's parsers; JSON and multipart refuse a malformed body in Dutch (voorsprong.api_requests).
    "DEFAULT_PARSER_CLASSES": [
        "voorsprong.api_requests.JSONParser",
        "rest_framework.parsers.FormParser",
        "voorsprong.api_requests.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # ?ordering= takes the fields of a view's ordering_fields (others are ignored); StableOrderingFilter
    # is DRF's OrderingFilter with the primary key as the last tie-breaker, so pages never overlap.
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "voorsprong.api.StableOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "voorsprong.api.Pagination",
    "PAGE_SIZE": 50,
    "COERCE_DECIMAL_TO_STRING": True,
    "DATE_FORMAT": "iso-8601",
    "EXCEPTION_HANDLER": "voorsprong.api.exception_handler",
    # drf-spectacular's, without the views' docstrings (notes for developers) in the contract.
    "DEFAULT_SCHEMA_CLASS": "voorsprong.openapi.AutoSchema",
}

# The OpenAPI 3 contract at /api/schema/, browsable at /api/docs/ and /api/docs/redoc/. The contract is
# not secret, so anyone may read it (the endpoints themselves still require a login). Swagger UI and
# Redoc come from drf-spectacular-sidecar's static files: nothing is loaded from a CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "Voorsprong back office API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "The back office of the Voorsprong coaching programme: companies, trajects and their capacity, "
        "applications and their workflow, referrals, cost declarations, budget and evaluation figures, "
        "and the reports of parliamentary questions. Authenticate with a token "
        "(`Authorization: Token <key>`, from /api/v1/auth/token/) or a session (then send the CSRF token "
        "as `X-CSRFToken` on writes). Each operation says who may call it; administrators may call every "
        "operation a role may.\n\n"
        "Every error answers `{detail, code}`: `detail` is a Dutch sentence for people, `code` a stable "
        "reason for programs (`not_authenticated`, `authentication_failed`, `forbidden`, `not_found`, "
        "`parse_error`, `unsupported_media_type`, a workflow refusal such as `no_free_place`, …); each "
        "operation lists the codes it can answer. Invalid input (400, `code` invalid or more specific) "
        "also has per field a list of messages, and `non_field_errors` for the request as a whole. A "
        "filter with an unknown value answers 400 too; an unknown `ordering` field is ignored."
    ),
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    # Tags per resource (companies, applications, ...) rather than one "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status": one name per choice set.
    # 415 for a body no parser reads, on every operation that takes one (voorsprong/api.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "voorsprong.api.document_unsupported_media_type",
        "voorsprong.api.document_error_codes",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "participants.models.ApplicationStatus",
        "BarrierEnum": "participants.models.Barrier",
        "SizeClassEnum": "trajects.size_classes.SizeClass",
        "DeclarationStatusEnum": "funding.models.DeclarationStatus",
        "ReportStatusEnum": "reporting.models.ReportStatus",
    },
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production (docker-compose) serves over HTTPS only; a local checkout runs on plain http.
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS only in production: plain http is redirected (but for the container's own healthcheck) and
# browsers are told by HSTS never to try http again.
HTTPS_ONLY = SESSION_COOKIE_SECURE and not DEBUG
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=HTTPS_ONLY)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000 if HTTPS_ONLY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): only this site's own files. An inline script needs the
# request's nonce (``nonce="{{ request.csp_nonce }}"``); inline styles stay allowed, the admin uses
# them. drf-spectacular's Swagger UI page carries an unnonced inline script, so /api/docs/ is left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step at INFO; only its warnings matter here.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
