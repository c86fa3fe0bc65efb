"""LeadFlow settings: one module, every knob read from the environment.

Nothing set at all means a newcomer's laptop: SQLite in ./var and a broker kept on
disk, so the web, the worker and beat all run with only Python installed.
`.env.example` documents every variable read here.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name)
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DEBUG is off (see .env.example).")
    SECRET_KEY = "insecure-dev-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Where the embedded defaults keep their files (SQLite database, on-disk broker).
DATA_DIR = Path(env("LEADFLOW_DATA_DIR") or BASE_DIR / "var")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "django_htmx",
    # The audit log's triggers (leadflow/audit, docs/AUDIT.md); before the apps they track.
    "pgtrigger",
    "pghistory",
    "marketing",
    "sales",
    "handoff",
    # Scorecards, SLA reports, the digest and (insights.dashboard, label "dashboard") the joint
    # dashboard: reads the three apps above, none of them imports it.
    "insights",
    "insights.dashboard",
    "leadflow.outbox",
    "leadflow.audit",
    "leadflow.accounts",
    # generate_data and seed_demo; production code never imports it (pyproject.toml).
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "leadflow.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "leadflow.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "leadflow.urls"
WSGI_APPLICATION = "leadflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Lets templates/django/forms/ restyle every form field in one place.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if not DATABASE_URL:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{DATA_DIR / 'leadflow.sqlite3'}",
        # Persistent connections were worth 5x on reads here (docs/PERFORMANCE.md, "The
        # machine"); the health check drops a connection that died with a PostgreSQL restart.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # web, worker and beat share the file: WAL lets readers run beside the one writer,
    # IMMEDIATE takes the write lock up front instead of failing halfway through.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not :memory:, so that a real worker process can share the test database.
    db_file = Path(DATABASES["default"]["NAME"])
    DATABASES["default"]["TEST"] = {"NAME": str(db_file.with_name(f"test_{db_file.name}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id (memory-hard) for every new or changed password. The others stay listed so that
# hashes made before it still verify; Django rehashes each with Argon2 at its next log-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Login lockout (leadflow/accounts): after this many failed log-ins for one username within
# the window, that username is refused, even with the right password, until the window has
# passed; one client IP may fail this many times across usernames (default 4x).
LEADFLOW_LOGIN_MAX_FAILURES = env_int("LEADFLOW_LOGIN_MAX_FAILURES", 5)
LEADFLOW_LOGIN_IP_MAX_FAILURES = env_int("LEADFLOW_LOGIN_IP_MAX_FAILURES", 4 * LEADFLOW_LOGIN_MAX_FAILURES)
LEADFLOW_LOGIN_LOCKOUT_SECONDS = env_int("LEADFLOW_LOGIN_LOCKOUT_SECONDS", 900)
if min(LEADFLOW_LOGIN_MAX_FAILURES, LEADFLOW_LOGIN_IP_MAX_FAILURES, LEADFLOW_LOGIN_LOCKOUT_SECONDS) < 1:
    raise ImproperlyConfigured("LEADFLOW_LOGIN_* settings must be at least 1 (see .env.example).")

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("LEADFLOW_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Without `collectstatic` (development, tests) WhiteNoise serves straight from the apps.
WHITENOISE_USE_FINDERS = True

# --- Security -------------------------------------------------------------------------
# HTTPS hardening is on whenever DEBUG is off; a plain-HTTP deployment (docker-compose on
# a laptop, the test suite) opts out explicitly with DJANGO_HTTPS=0.
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY") else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
# 1 MB bodies are enough for any form or API call; CSV uploads stream to disk instead.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# --- Email ----------------------------------------------------------------------------
# Console by default (mail shows in the terminal); production sets the SMTP backend, and
# `check --deploy` refuses to pass until it does.
_email_backend = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_smtp_options = {
    "host": env("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env("EMAIL_HOST_USER"),
    "password": env("EMAIL_HOST_PASSWORD"),
    "use_tls": env_bool("EMAIL_USE_TLS"),
    "timeout": 10,
}
# Every message is first stored (the outbox), then delivered by Celery through the
# "delivery" mailer, retried with backoff and finally marked dead in the admin: a mail
# server that is down never loses an email or holds a request or a sweep.
MAILERS = {
    "default": {"BACKEND": "leadflow.outbox.backend.OutboxBackend"},
    "delivery": {
        "BACKEND": _email_backend,
        "OPTIONS": _smtp_options if _email_backend.endswith("smtp.EmailBackend") else {},
    },
}
LEADFLOW_EMAIL_RETRY_SECONDS = env_int("LEADFLOW_EMAIL_RETRY_SECONDS", 10)
LEADFLOW_EMAIL_MAX_ATTEMPTS = env_int("LEADFLOW_EMAIL_MAX_ATTEMPTS", 8)
LEADFLOW_EMAIL_KEEP_DAYS = env_int("LEADFLOW_EMAIL_KEEP_DAYS", 30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "LeadFlow <leadflow@localhost>")

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # API tokens first: DRF answers a missing or bad credential with the first class's
        # challenge (401 + WWW-Authenticate: Bearer); the session's has none, so 403.
        "leadflow.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only in production: the browsable API would hand every visitor forms, a login
    # link and the API's shape. Developers (DEBUG on) keep it.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_PARSER_CLASSES": ["leadflow.api.SafeJSONParser"],
    "EXCEPTION_HANDLER": "leadflow.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "leadflow.api.Pagination",
    "DEFAULT_THROTTLE_RATES": {
        # The hosted form's per-address budget (LEADFLOW_FORM_IP_RATE): one address may not
        # route more leads to sales through the API than through the form.
        "capture": env("LEADFLOW_CAPTURE_RATE", "20/minute"),
        "capture-key": env("LEADFLOW_CAPTURE_KEY_RATE", "600/minute"),
    },
    # Without NUM_PROXIES a rotating X-Forwarded-For walks straight past the throttle.
    "NUM_PROXIES": env_int("LEADFLOW_NUM_PROXIES", 0),
}

# --- Cache (throttling, rate limits) --------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
        }
    }

# --- Celery ---------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A hung or dead Redis must not hold a web request: fail fast and let the
    # reconciliation sweep re-drive the work from database state.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
        "visibility_timeout": 3600,
        # Publishing gives up on the first failed connect instead of sleeping 2 s to retry.
        "max_retries": 0,
    }
else:
    _broker_dir = DATA_DIR / "broker"
    for _sub in ("queue", "control", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    # kombu's filesystem transport with messages written atomically (leadflow/broker.py),
    # named by the URL's scheme: an explicit redis:// URL elsewhere still means Redis.
    CELERY_BROKER_URL = "leadflowfs://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # kombu polls the folder once a second by default: too slow for a demo's bursts.
        "polling_interval": 0.1,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env("LEADFLOW_CELERY_QUEUE", "leadflow")
# A task whose worker dies mid-run is redelivered, so every task is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = TIME_ZONE
# Every periodic job is idempotent, so a second beat (or a late rerun) only wastes work.
_sweep_every = timedelta(seconds=env_int("LEADFLOW_RECONCILE_SECONDS", 60))
CELERY_BEAT_SCHEDULE = {
    "reconcile-handoffs": {"task": "handoff.tasks.reconcile", "schedule": _sweep_every},
    "expire-overdue-offers": {"task": "handoff.tasks.expire_overdue_offers", "schedule": _sweep_every},
    "score-unscored-leads": {"task": "marketing.tasks.score_unscored_leads", "schedule": _sweep_every},
    # Re-scoring after rules change runs in batches; the sweep re-drives a run that stalled,
    # and once a day scores fade for engagement rules with a half-life.
    "resume-rescoring": {"task": "marketing.tasks.resume_rescoring", "schedule": _sweep_every},
    "rescore-for-fading": {"task": "marketing.tasks.rescore_for_fading", "schedule": timedelta(days=1)},
    "resume-imports": {"task": "marketing.tasks.resume_imports", "schedule": _sweep_every},
    "deliver-due-emails": {"task": "leadflow.outbox.tasks.deliver_due_emails", "schedule": _sweep_every},
    "forget-sent-emails": {"task": "leadflow.outbox.tasks.forget_sent_emails", "schedule": timedelta(days=1)},
    # Scorecards: groups that events marked stale every minute, everything nightly; the
    # digest task runs daily but sends each marketer one digest a week.
    "refresh-scorecards": {"task": "insights.tasks.refresh_scorecards", "schedule": _sweep_every},
    "rebuild-scorecards": {
        "task": "insights.tasks.rebuild_scorecards",
        "schedule": crontab(hour=env_int("LEADFLOW_SCORECARD_REBUILD_HOUR", 2), minute=30),
    },
    "weekly-digest": {
        "task": "insights.tasks.send_weekly_digest",
        "schedule": crontab(hour=env_int("LEADFLOW_DIGEST_HOUR", 7), minute=0),
    },
    # Claims each reminder with a conditional update: one email per activity, however many beats.
    "remind-due-activities": {
        "task": "sales.tasks.send_due_reminders",
        "schedule": timedelta(seconds=env_int("LEADFLOW_REMINDER_SECONDS", 60)),
    },
    # Dashboard rollups: what changed since the last run, every minute; everything nightly.
    "refresh-dashboard": {
        "task": "insights.dashboard.tasks.refresh_rollups",
        "schedule": timedelta(seconds=env_int("LEADFLOW_DASHBOARD_REFRESH_SECONDS", 60)),
    },
    "rebuild-dashboard": {
        "task": "insights.dashboard.tasks.rebuild_rollups",
        "schedule": crontab(hour=env_int("LEADFLOW_DASHBOARD_REBUILD_HOUR", 3), minute=15),
    },
}

# --- LeadFlow -------------------------------------------------------------------------
LEADFLOW_MQL_THRESHOLD = env_int("LEADFLOW_MQL_THRESHOLD", 50)
LEADFLOW_OFFER_SLA_MINUTES = env_int("LEADFLOW_OFFER_SLA_MINUTES", 240)
# "Offers due soon" on a salesperson's day: offers due within this many hours.
LEADFLOW_OFFERS_DUE_HOURS = env_int("LEADFLOW_OFFERS_DUE_HOURS", 4)
# Work younger than this is still in flight on the normal path; the sweep leaves it be.
LEADFLOW_RECONCILE_GRACE_SECONDS = env_int("LEADFLOW_RECONCILE_GRACE_SECONDS", 120)
# Sales: email a reminder this many minutes before an activity is due; the board flags
# open deals with no activity for this many days; links in emails start with the site URL.
LEADFLOW_REMINDER_LEAD_MINUTES = env_int("LEADFLOW_REMINDER_LEAD_MINUTES", 15)
LEADFLOW_STALE_DEAL_DAYS = env_int("LEADFLOW_STALE_DEAL_DAYS", 14)
LEADFLOW_SITE_URL = env("LEADFLOW_SITE_URL", "http://127.0.0.1:8000")
# Totals never add up different currencies; this one is listed first (and is a new deal's).
LEADFLOW_CURRENCY = env("LEADFLOW_CURRENCY", "USD").upper()
# Public capture forms (marketing/spam.py): a post sooner than this after the form was
# rendered is a bot and creates nothing; rate limits per client IP and per email address.
LEADFLOW_FORM_MIN_SECONDS = env_int("LEADFLOW_FORM_MIN_SECONDS", 2)
LEADFLOW_FORM_IP_RATE = env("LEADFLOW_FORM_IP_RATE", "20/minute")
LEADFLOW_FORM_EMAIL_RATE = env("LEADFLOW_FORM_EMAIL_RATE", "5/hour")
# Sites allowed to embed the hosted forms in an iframe (CSP frame-ancestors); * = any.
LEADFLOW_FORM_FRAME_ANCESTORS = env_list("LEADFLOW_FORM_FRAME_ANCESTORS", "*")
# Largest CSV a marketer may import, in megabytes (the upload streams to disk first).
LEADFLOW_IMPORT_MAX_MB = env_int("LEADFLOW_IMPORT_MAX_MB", 50)
# Mounts the bare-Django endpoints benchmarks compare the product with (bench/).
LEADFLOW_BENCH_BASELINE = env_bool("LEADFLOW_BENCH_BASELINE")
# The audit log (leadflow/audit): every insert, change and delete of these models, with
# who made it (docs/AUDIT.md). The sales playbook lives on sales.Stage and StageAsset.
LEADFLOW_AUDITED_MODELS = [
    "marketing.Campaign",
    "marketing.CampaignSpend",
    "marketing.Lead",
    "marketing.LeadForm",
    "marketing.FormQuestion",
    "marketing.FitRule",
    "marketing.EngagementRule",
    "marketing.ScoringSettings",
    "sales.Deal",
    "sales.Pipeline",
    "sales.Stage",
    "sales.StageAsset",
    "sales.LostReason",
    "sales.SalesRep",
    "sales.Team",
    "handoff.RoutingRule",
    "handoff.TeamSettings",
    "handoff.RejectionRule",
    "handoff.Commitment",
    "auth.User",
]
# The audit log is written by PostgreSQL triggers (django-pghistory). They are installed by
# leadflow/audit after each `migrate`, not by migrations of the apps they watch (which may
# not know the audit log; auth's are Django's). See docs/AUDIT.md.
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = False
# Who and where (leadflow/audit/recording.py): the signed-in user is read when a row is
# written, after DRF has authenticated an API token.
PGHISTORY_JSON_ENCODER = "leadflow.audit.recording.ContextEncoder"
# The wall clock, not the transaction's start: one request's changes keep their order.
PGHISTORY_CREATED_AT_FUNCTION = "CLOCK_TIMESTAMP()"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LEADFLOW_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
