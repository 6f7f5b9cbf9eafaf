"""Constellation settings, read from the environment (django-environ).

| variable                       | default                                    |
|--------------------------------|--------------------------------------------|
| DATABASE_URL                   | sqlite:///<project>/db.sqlite3             |
| REDIS_URL                      | unset: eager Celery, local-memory cache    |
| EMAIL_URL                      | consolemail:// (e-mails printed)           |
| EMAIL_BACKEND                  | unset: the backend EMAIL_URL names         |
| DEFAULT_FROM_EMAIL             | Constellation <noreply@localhost>          |
| DJANGO_SECRET_KEY              | required when DJANGO_DEBUG is off          |
| DJANGO_DEBUG                   | false                                      |
| DJANGO_ALLOWED_HOSTS           | localhost,127.0.0.1 (comma separated)      |
| DJANGO_SECURE_SSL_REDIRECT     | true when debug is off                     |
| DJANGO_BEHIND_TLS_PROXY        | false; true behind a TLS-terminating proxy |
| DJANGO_HSTS_SECONDS            | one year when debug is off                 |
| DJANGO_HSTS_INCLUDE_SUBDOMAINS | true when debug is off                     |
| DJANGO_HSTS_PRELOAD            | true when debug is off                     |
| DJANGO_STATIC_ROOT             | <project>/staticfiles (collectstatic)      |
| SITE_URL                       | http://127.0.0.1:8000 (links in e-mails)   |
| HOME_PREPARED_READS            | true (false behind PgBouncer, transaction) |
| ADMIN_MFA_REQUIRED             | true: admins and staff need two-factor     |
| SESSION_IDLE_TIMEOUT           | 3600 (seconds without activity)            |
| SESSION_IDLE_TOUCH             | 300 (seconds between activity writes)      |
| DJANGO_SECURE_COOKIES          | true when debug is off                     |
| LOG_FORMAT                     | json when debug is off, else plain         |
| LOG_LEVEL                      | INFO                                       |
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG: bool = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY: str = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY (50+ random characters) or DJANGO_DEBUG=true."
        )
    # Development only: never used with debug off (see the check above).
    SECRET_KEY = "django-insecure-development-key-only-for-local-debug-runs"  # noqa: S105

ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
SITE_URL: str = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    # Ours, bottom layer first.
    "mentoring",
    "programs",
    "matching",
    "sessions",
    "programs.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mentoring.logs.RequestIdMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mentoring.middleware.UserTimezoneMiddleware",
    "programs.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Login protection (mentoring.security): idle sign-out, then two-factor for admins.
    "mentoring.security.IdleTimeoutMiddleware",
    "mentoring.security.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "mentoring.urls"
WSGI_APPLICATION = "mentoring.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo's web process and a sweep command share the file.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "mentoring.User"

REDIS_URL: str = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "mentoring.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "constellation",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# With a cache server, sessions are read from it (written through to the database, which
# stays the record): no session query per request. Without one, a local-memory cache is
# per process, so sessions stay in the database alone.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# The home page's heaviest reads are prepared once per PostgreSQL connection
# (mentoring.home.fetch). Turn this off behind a pool that moves one client's statements
# between server sessions (PgBouncer in transaction mode), which loses them.
HOME_PREPARED_READS = env.bool("HOME_PREPARED_READS", default=True)

# The busiest pages are cached whole per viewer (mentoring.pagecache), keyed by change
# stamps the database keeps per program and person, so a write is seen at once; wording
# that follows the clock is at most PAGE_CACHE_SECONDS old. PAGE_CACHE=false turns it off.
PAGE_CACHE = env.bool("PAGE_CACHE", default=True)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)

# --- Celery ---------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A task is acknowledged only after it ran, so a worker lost mid-task hands it
# to another; tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Well above the longest task; no ETA or countdown may exceed it. The socket timeouts
# bound the wait on a broker that stopped answering without closing the connection:
# without them a page that enqueues work would hang until the broker came back.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": 3,
    "socket_connect_timeout": 3,
}
# A failed publish is retried once, at once, not for seconds: what was enqueued is in
# the database already, and a sweep sends whatever never reached the broker.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_SOFT_TIME_LIMIT = 600
CELERY_TASK_TIME_LIMIT = 900
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery logs through the LOGGING below (JSON lines in production), not handlers of its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- E-mail ---------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# A dotted backend path, for a backend no EMAIL_URL scheme names (the fault tests' mailbox).
if env.str("EMAIL_BACKEND", default=""):
    EMAIL_BACKEND: str = env.str("EMAIL_BACKEND")
DEFAULT_FROM_EMAIL: str = env.str("DEFAULT_FROM_EMAIL", default="Constellation <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts (django-allauth) --------------------------------------------

# Django's and allauth's, reading the signed-in person through a prepared statement.
AUTHENTICATION_BACKENDS = [
    "mentoring.auth_backends.ModelBackend",
    "mentoring.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "mentoring.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "mentoring.forms.SignupExtraForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Constellation] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Failed logins: at most 5 per account and 20 per IP address in 5 minutes.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/5m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Constellation"
# Staff and program admins must set up an authenticator app before they use admin pages
# (mentoring.security); only the demo turns this off.
ADMIN_MFA_REQUIRED: bool = env.bool("ADMIN_MFA_REQUIRED", default=True)
# Signed out after this many seconds without activity; the time of the last activity is
# written to the session at most once every SESSION_IDLE_TOUCH seconds.
SESSION_IDLE_TIMEOUT: int = env.int("SESSION_IDLE_TIMEOUT", default=3600)
SESSION_IDLE_TOUCH: int = env.int("SESSION_IDLE_TOUCH", default=300)
if not 0 < SESSION_IDLE_TOUCH < SESSION_IDLE_TIMEOUT:
    # With a touch as long as the timeout, someone active would still be signed out.
    raise ImproperlyConfigured(
        "SESSION_IDLE_TOUCH must be more than 0 and less than SESSION_IDLE_TIMEOUT (seconds)."
    )

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (WhiteNoise; assets come from pinned npm packages) -------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
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
WHITENOISE_USE_FINDERS = DEBUG
# Source maps that packages reference but do not ship must not break collectstatic.
WHITENOISE_MANIFEST_STRICT = False

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}

# --- Security ---------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
# Secure cookies with debug off. Only the plain-HTTP local stack (scripts/stack.sh) turns
# them off, since curl and some browsers drop Secure cookies on http://127.0.0.1.
SECURE_COOKIES: bool = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT: bool = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Trust X-Forwarded-Proto only behind a TLS-terminating proxy that sets it and
# strips any copy a client sent; anywhere else a client could forge "https".
BEHIND_TLS_PROXY: bool = env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER: tuple[str, str] | None = (
    ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
)
SECURE_HSTS_SECONDS: int = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
# On by default with debug off, as check --deploy expects. Turn include-subdomains
# off if a subdomain is not served over HTTPS; preload matters only once the
# domain is submitted to the browsers' preload list.
SECURE_HSTS_INCLUDE_SUBDOMAINS: bool = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD: bool = env.bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): scripts, styles, fonts and images from this site
# only; no inline script or style, no eval, no plugins, no framing, forms post here. The
# templates hold no inline script, event handler or style attribute (e-mails aside, which
# are not served), and htmx is told not to inject its indicator style (base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Health checks come from the load balancer over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# One JSON object a line with debug off (mentoring.logs), plain text in debug and the demo;
# every line carries the request id (X-Request-ID). Celery's logs go the same way.
LOG_FORMAT: str = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT is json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "mentoring.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "mentoring.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Constellation's own knobs.
INVITATION_MAX_AGE_DAYS: int = env.int("INVITATION_MAX_AGE_DAYS", default=30)
IMPORT_MAX_ROWS: int = env.int("IMPORT_MAX_ROWS", default=20000)
IMPORT_MAX_BYTES: int = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
