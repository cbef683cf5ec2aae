"""Settings for Strategy Tracker: one module, read from the environment with safe defaults."""

import os
from pathlib import Path

from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """DJANGO_NAME, or NAME as deployment platforms usually call it."""
    return os.environ.get(f"DJANGO_{name}", os.environ.get(name, default))


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name.removeprefix("DJANGO_"), None)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = env(name.removeprefix("DJANGO_"))
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY, or DJANGO_DEBUG=1 for local development.")
    SECRET_KEY = "insecure-development-key-only-used-with-DJANGO_DEBUG"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_tables2",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "csp",
    "axes",
    "pgtrigger",
    "pghistory",
    "initiatives",
    "budgets",
    "dashboard",
    "editing",
    "api",
    "backups",
    "publication",
    "tracking",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Every change made during a request, the admin's included, is recorded with the user and the URL.
    "pghistory.middleware.HistoryMiddleware",
    "editing.middleware.StaffPagesUncached",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "strategy_tracker.urls"
WSGI_APPLICATION = "strategy_tracker.wsgi.application"

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
            ],
            "libraries": {
                "languages": "strategy_tracker.templatetags.languages",
                "site": "strategy_tracker.templatetags.site",
            },
        },
    },
]

if os.environ.get("DATABASE_URL"):
    import dj_database_url

    # A managed PostgreSQL: TLS and its checks come with the address's query (?sslmode=verify-full&sslrootcert=…),
    # which libpq reads as it is. Each worker thread keeps one connection for CONN_MAX_AGE seconds (0: a new one
    # for every request), so instances × workers × threads connections stay open: below the server's
    # max_connections (README.md, "Running in production").
    DATABASES = {
        "default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=int(env("CONN_MAX_AGE", "60")))
    }
else:
    from strategy_tracker.embedded_db import configured_database

    DATABASES = {"default": configured_database()}
# A kept connection is checked before a request uses it, so after PostgreSQL restarts (or a managed server fails
# over) the app serves again at once, without a restart of its own and without failing the first request of every
# worker thread.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DJANGO_CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The budget grid posts three fields per cell it sends: its script sends only the changed cells, and without
# script a browser sends all of them, which for a strategy of 1.000 lines over 10 years is 30.000 fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 40_000

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords in a row are answered as wrong; the sixth locks that user at that address out for an hour.
# Twenty within the hour from all addresses together lock the account at every address its owner has not logged in
# from (in the last LOGIN_RECORD_DAYS), and mail the owner (strategy_tracker.login.AccountAndAddressHandler).
# Nothing locks an address alone: everyone behind one proxy shares it.
AXES_FAILURE_LIMIT = 6
ACCOUNT_FAILURE_LIMIT = 20
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A refused attempt during a lock is not recorded: the lock ends an hour after it began, and the records stay few.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "strategy_tracker.login.client_address"
AXES_HANDLER = "strategy_tracker.login.AccountAndAddressHandler"
# How long successful logins are kept (the addresses an owner logs in from); `manage.py clean_logins` removes older.
LOGIN_RECORD_DAYS = 90

# Mail, for password reset and the notice to an account's owner that it was locked: SMTP through EMAIL_HOST
# (DJANGO_EMAIL_HOST or EMAIL_HOST, as every setting here), EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS (on unless 0) and DEFAULT_FROM_EMAIL. Without EMAIL_HOST no mail goes out (with DEBUG it is
# printed), and password reset is off: its pages say to ask an administrator, instead of saying a link was mailed.
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = int(env("EMAIL_PORT", "587"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Strategy Tracker <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if not EMAIL_HOST:
    EMAIL_BACKEND = (
        "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.dummy.EmailBackend"
    )
PASSWORD_RESET = bool(EMAIL_HOST) or DEBUG

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "overview"

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Serve straight from the app directories in development, so `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Who publishes the site, how to reach them and the terms of the data, in every page's footer, the accessibility
# statement and the open data's description. A public authority's site must name a contact for accessibility.
SITE_OWNER = env("SITE_OWNER", "Erhvervsministeriet")
SITE_OWNER_URL = env("SITE_OWNER_URL", "https://em.dk/")
SITE_CONTACT_EMAIL = env("SITE_CONTACT_EMAIL", "em@em.dk")

# The published documents that the fixtures reproduce; tests and the reconciliation read them.
SOURCES_DIR = Path(os.environ.get("STRATEGY_SOURCES_DIR", BASE_DIR.parent / "shared" / "sources"))

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

# The open data's licence and who is to be credited (the package, the OpenAPI document, /api/, the DCAT catalogue).
OPEN_DATA_LICENSE = {
    "name": env("OPEN_DATA_LICENSE_NAME", "CC-BY-4.0"),  # an SPDX identifier, as the Data Package spec asks
    "title": env("OPEN_DATA_LICENSE_TITLE", "Creative Commons Attribution 4.0 International"),
    "url": env("OPEN_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"),
}
# Where the open data lives, for what is written without a request (`manage.py export_fdp`).
OPEN_DATA_HOMEPAGE = env("OPEN_DATA_HOMEPAGE", "http://127.0.0.1:8000/api/")
# The site's owner publishes the open data: one name, address and contact everywhere.
OPEN_DATA_PUBLISHER = {"name": SITE_OWNER, "url": SITE_OWNER_URL, "email": SITE_CONTACT_EMAIL}
# The licence as the footer names it, short.
DATA_LICENCE = env("DATA_LICENCE", "CC BY 4.0")
DATA_LICENCE_URL = OPEN_DATA_LICENSE["url"]

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "api.filters.StableOrdering",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "api.http.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Strategy Tracker open data",
    "DESCRIPTION": "Read-only figures of Denmark's life science strategies. Amounts are in mio. kr.: JSON numbers "
    "with one decimal (decimal strings with ?amounts=string), null where nobody knows the amount.",
    "VERSION": "1",
    "LICENSE": {"name": OPEN_DATA_LICENSE["title"], "url": OPEN_DATA_LICENSE["url"]},
    "CONTACT": {"name": OPEN_DATA_PUBLISHER["name"], "url": OPEN_DATA_PUBLISHER["url"]},
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.files",
        "api.schema.published_keys",
    ],
}
# Anyone may read the open data from a browser on another site; nothing else is shared.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified"]
# Conditional requests from a browser on another site, so its cached copy is revalidated rather than fetched again.
CORS_ALLOW_HEADERS = [*cors_default_headers, "if-none-match", "if-modified-since"]

# Public pages are cached whole; the cache lives in PostgreSQL so every worker process sees an invalidation.
# Off in development so that a changed template shows at once; RELEASE keeps one release's pages from the next.
PAGE_CACHE = env_bool("DJANGO_PAGE_CACHE", not DEBUG)
RELEASE = os.environ.get("RELEASE", "dev")
# The heavy public downloads, built once per published version (dashboard.downloads), and how much of them to keep.
DOWNLOADS_DIR = Path(env("DOWNLOADS_DIR", str(BASE_DIR / ".downloads")))
DOWNLOADS_BYTES = int(env("DOWNLOADS_BYTES", str(2 * 2**30)))
# How long a reader waits for a download being built in the background before a 503 asks them to come back
# (dashboard.downloads); None builds it in the reader's own request however long it takes.
DOWNLOADS_WAIT = float(env("DOWNLOADS_WAIT", "5"))
# Whether a publication starts building them once it commits; else the first reader or the timer does.
DOWNLOADS_BUILD_ON_PUBLISH = env_bool("DJANGO_DOWNLOADS_BUILD_ON_PUBLISH", True)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "strategy_tracker_cache",
    }
}

# Secure unless DEBUG: HTTPS only, cookies only over HTTPS and out of reach of scripts, HSTS for a year.
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else int(env("HSTS_SECONDS", "31536000"))
# Monitors probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Behind nginx (deploy/nginx.conf), which sets X-Forwarded-Proto and X-Real-IP on every request whatever the
# client sent, the app takes the scheme and the client's address from them.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No inline script anywhere: charts are drawn from static files with their data in json_script.
# Plotly sets inline styles on the elements it draws, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
