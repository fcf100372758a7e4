"""Settings, read from the environment.

With nothing set, the app starts for local development: DEBUG on, SQLite in the checkout.
In production set at least DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (PostgreSQL).
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A production server must never sign sessions with a key everyone can read.
        raise ImproperlyConfigured(
            "SECRET_KEY doit être défini dans l'environnement quand DEBUG est désactivé."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "import_export",
    "simple_history",
    "dsfr",
    "accounts.throttling.ThrottlingConfig",  # django-axes, under French names of its own
    "csp",
    "accounts",
    "roadmap",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # An unreachable database: the 503 page, whatever the view (roadmap.site.ops).
    "roadmap.site.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view reads the request: URLs, query strings and posts of the admin and sign-in
    # checked against the input policy (roadmap.inputs).
    "roadmap.site.input_policy.InputPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "roadmap.site.middleware.WriteLogMiddleware",
    # Last, as django-axes asks: it turns a lock-out into its French page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "roadmap.site.urls"
WSGI_APPLICATION = "roadmap.site.wsgi.application"

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
                "roadmap.site.context_processors.csp_nonce",
                "roadmap.site.context_processors.csrf",
                "roadmap.site.context_processors.demonstration",
                "roadmap.site.context_processors.accessibility",
            ],
            # « 1er septembre » in French wherever a template writes a date (its `date` filter
            # replaces Django's; see the module).
            "builtins": ["roadmap.templatetags.typography"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts, so that two edits of the same row are
    # serialised (SQLite has no row locks), and let readers go on while someone writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache of public pages and open-data files (roadmap.caching). It must be shared by every
# app server: Redis when REDIS_URL is set, else the database's own cache table on PostgreSQL
# (made by `migrate`), else local memory for the one-command local start on SQLite. Whatever
# the backend, cached copies are keyed by the data's version, so none is ever served stale.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "roadmap_cache",
            # The bound: at most this many copies, each at most roadmap.caching.SHARED_MAX
            # bytes (docs/contract.md, « Cache »); beyond it Django deletes a third of them.
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "2000"))},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "roadmap",
            "OPTIONS": {"MAX_ENTRIES": 500},
        }
    }
# In front of a shared cache, each process keeps its latest small copies in memory: a cached
# copy never changes under its key (the key names the data version), so this is never stale.
if CACHES["default"]["BACKEND"] != "django.core.cache.backends.locmem.LocMemCache":
    CACHES["local"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "roadmap-local",
        "OPTIONS": {"MAX_ENTRIES": 200},
    }
# The last copy of each public page and file, outside the database: served, dated, to anonymous
# readers while the database cannot be reached (roadmap.caching, docs/contract.md « Base de
# données injoignable »). Files on the server's disk rather than memory: shared by the workers
# of one server and kept across their restarts; the database cache would be down with the
# database. Each server keeps its own: a folder it can write (FALLBACK_CACHE_DIR).
FALLBACK_CACHE_DIR = Path(os.environ.get("FALLBACK_CACHE_DIR", BASE_DIR / "var" / "saved-copies"))
CACHES["saved"] = {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": str(FALLBACK_CACHE_DIR),
    "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("FALLBACK_CACHE_MAX_ENTRIES", "1000"))},
}
# The `Retry-After` of the 503 page, in seconds.
UNAVAILABLE_RETRY_AFTER = int(os.environ.get("UNAVAILABLE_RETRY_AFTER", "30"))

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses sign-in attempts once an account is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "roadmap:dashboard"
LOGOUT_REDIRECT_URL = "roadmap:dashboard"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ne-pas-repondre@localhost")

# Behind a TLS-terminating reverse proxy in production.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Load balancers probe each app server over plain HTTP: /healthz answers there too (200 or 503),
# never the redirect to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# `make bench` serves a bare view beside the pages, as the baseline of the same stack.
BENCH_ENDPOINTS = env_bool("BENCH_ENDPOINTS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "roadmap.site.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes announces itself at every start; only its warnings matter.
    "loggers": {"axes": {"level": "WARNING"}},
}
# WeasyPrint (the council reports' PDF) logs every step of every document: its warnings only.
LOGGING["loggers"].update({"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}})

# Sign-in throttling: after AXES_FAILURE_LIMIT failures for one username from one address,
# sign-in is refused for AXES_COOLOFF_TIME hours; administrators unlock in the admin (Axes).
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_TIME", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client's address: the connection's, or, when the connection comes from one of the
# TRUSTED_PROXIES (addresses or networks, comma-separated: the reverse proxies in front of the
# app), the address those proxies wrote in X-Forwarded-For (accounts.throttling.client_ip).
# Empty by default: X-Forwarded-For is then ignored, as anyone can send one.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES\u00a0: «\u202f{_proxy}\u202f» n'est ni une adresse IP ni un réseau."
        ) from error
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"

# Content Security Policy: nothing inline, nothing from elsewhere. Scripts carry the nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# History rows are created in the same transaction as the change they record.
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False
IMPORT_EXPORT_USE_TRANSACTIONS = True

# The legal notice and the statements every French State site shows (docs/contract.md
# « Réglages », roadmap/site/legal.py): facts about the publisher, the host and the contacts,
# set by whoever deploys the service. Nothing is made up: a fact left empty is left out of the
# public pages and listed, for administrators, on those pages.
LEGAL_PUBLISHER = os.environ.get("LEGAL_PUBLISHER", "").strip()
LEGAL_PUBLISHER_ADDRESS = os.environ.get("LEGAL_PUBLISHER_ADDRESS", "").strip()
LEGAL_PUBLICATION_DIRECTOR = os.environ.get("LEGAL_PUBLICATION_DIRECTOR", "").strip()
LEGAL_HOST = os.environ.get("LEGAL_HOST", "").strip()
LEGAL_HOST_ADDRESS = os.environ.get("LEGAL_HOST_ADDRESS", "").strip()
LEGAL_HOST_PHONE = os.environ.get("LEGAL_HOST_PHONE", "").strip()
LEGAL_CONTACT_EMAIL = os.environ.get("LEGAL_CONTACT_EMAIL", "").strip()
LEGAL_DPO_EMAIL = os.environ.get("LEGAL_DPO_EMAIL", "").strip()
LEGAL_ACCESSIBILITY_PLAN_URL = os.environ.get("LEGAL_ACCESSIBILITY_PLAN_URL", "").strip()
# How long the host keeps the service's logs (its standard output), in days: the host's
# rule, which the app does not enforce, declared on /donnees-personnelles/.
_log_retention = os.environ.get("LEGAL_LOG_RETENTION_DAYS", "").strip()
if _log_retention and not _log_retention.isdigit():
    raise ImproperlyConfigured(
        "LEGAL_LOG_RETENTION_DAYS doit être un nombre entier de jours (par exemple 365)."
    )
LEGAL_LOG_RETENTION_DAYS = int(_log_retention) if _log_retention else None
# ProConnect, the State's identity federation (accounts/proconnect.py): all three or none.
# PROCONNECT_ISSUER is the provider's base URL; its endpoints come from its discovery document.
PROCONNECT_CLIENT_ID = os.environ.get("PROCONNECT_CLIENT_ID", "")
PROCONNECT_CLIENT_SECRET = os.environ.get("PROCONNECT_CLIENT_SECRET", "")
PROCONNECT_ISSUER = os.environ.get("PROCONNECT_ISSUER", "")
# It answers only to ProConnect's callback; the password sign-in never reaches it.
AUTHENTICATION_BACKENDS += ["accounts.proconnect.ProConnectBackend"]

# The public address that emails link to (invitations); else the address of the request.
SITE_URL = os.environ.get("SITE_URL", "")

# Emails (invitations, password reset) through the SMTP relay named by EMAIL_HOST; without
# one, printed on the console (local development).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST and not os.environ.get("EMAIL_BACKEND"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
# Signing out of ProConnect leaves the sign-out form for the provider (accounts/middleware.py).
MIDDLEWARE += ["accounts.middleware.ProConnectFormActionMiddleware"]
# Review before publication (docs/contract.md « Réglages »): on, what a task-force member
# proposes (a measurement, a progress note) awaits an administrator's review before readers see
# it; off (`ROADMAP_REVIEW=0`), everything publishes at once.
ROADMAP_REVIEW = env_bool("ROADMAP_REVIEW", True)
