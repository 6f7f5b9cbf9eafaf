"""Settings come from the environment; production settings pass the deploy checklist.

Settings are read once per process, so each case runs Python in a subprocess
with its own environment.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "debug": settings.DEBUG,
    "db": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "email": settings.EMAIL_BACKEND,
    "hosts": settings.ALLOWED_HOSTS,
}))
"""


def run(env_overrides, *args, code=None):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"))
    }
    env["DJANGO_SETTINGS_MODULE"] = "mentoring.settings"
    env.update(env_overrides)
    command = [sys.executable, "-c", code] if code else [sys.executable, "manage.py", *args]
    return subprocess.run(  # noqa: S603
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def probe(env):
    result = run(env, code=PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_are_sqlite_eager_celery_local_cache_and_console_email():
    values = probe({"DJANGO_DEBUG": "true"})
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["cache"].endswith("LocMemCache")
    assert values["eager"] is True
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"


def test_redis_url_makes_redis_the_broker_and_cache():
    values = probe({"DJANGO_DEBUG": "true", "REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["eager"] is False


def test_database_email_and_hosts_come_from_the_environment():
    values = probe(
        {
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": "postgres://u:p@db.example.org:5432/constellation",
            "EMAIL_URL": "smtp+tls://u:p@smtp.example.org:587",
            "DJANGO_ALLOWED_HOSTS": "a.example.org,b.example.org",
        }
    )
    assert values["db"] == "django.db.backends.postgresql"
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["hosts"] == ["a.example.org", "b.example.org"]


def test_secret_key_is_required_when_debug_is_off():
    result = run({"DJANGO_DEBUG": "false"}, code=PROBE)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("debug", ["false", ""])
def test_production_settings_pass_check_deploy(debug):
    env = {
        "DJANGO_SECRET_KEY": "k" * 20 + "-production-like-secret-" + "z" * 30,
        "DJANGO_ALLOWED_HOSTS": "constellation.example.org",
    }
    if debug:
        env["DJANGO_DEBUG"] = debug
    result = run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
