"""Settings for the test suite: the real settings with fast, deterministic tweaks.

The database, cache and broker still come from DATABASE_URL and REDIS_URL, so
the same suite runs on SQLite or on PostgreSQL + Redis.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-" + "x" * 40)

from mentoring.settings import *  # noqa: F403

# Fast hashing: password strength is not what the suite measures.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests run with debug off but without collectstatic.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
SITE_URL = "http://testserver"
# Celery always runs eagerly in unit tests; tests that need the real broker
# and a worker build their own app configuration from REDIS_URL.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}
# Query budgets count the session read the same way whether or not REDIS_URL is set
# (production reads sessions through the cache when it is: cached_db).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# The audit trail refuses TRUNCATE (audit migration 0003) unless the session allows it; the
# flush between transactional tests truncates every table, so the suite's connections do.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c audit.allow_truncate=on".strip()
