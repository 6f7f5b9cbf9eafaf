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
from django.conf import global_settings, settings
django.setup()
from django.test import RequestFactory
forwarded = RequestFactory().get("/", headers={"x-forwarded-proto": "https"})
print(json.dumps({
    "debug": settings.DEBUG,
    "db": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "email": settings.EMAIL_BACKEND,
    "hosts": settings.ALLOWED_HOSTS,
    "proxy_ssl_header": settings.SECURE_PROXY_SSL_HEADER,
    "forwarded_https_is_secure": forwarded.is_secure(),
    "hsts_seconds": settings.SECURE_HSTS_SECONDS,
    "hsts_include_subdomains": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "hsts_preload": settings.SECURE_HSTS_PRELOAD,
    "static_root": str(settings.STATIC_ROOT),
    "upload_limits_are_djangos": (
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE == global_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        and settings.FILE_UPLOAD_MAX_MEMORY_SIZE == global_settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    ),
}))
"""

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-like-secret-" + "z" * 30,
    "DJANGO_ALLOWED_HOSTS": "constellation.example.org",
}


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
    assert values["cache"] == "mentoring.cache.RedisCache"
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


def test_forwarded_proto_is_not_trusted_by_default():
    values = probe(PRODUCTION)
    assert values["proxy_ssl_header"] is None
    # A client that forges the header does not make its plain-HTTP request "secure".
    assert values["forwarded_https_is_secure"] is False


def test_behind_a_tls_proxy_forwarded_proto_marks_requests_secure():
    values = probe({**PRODUCTION, "DJANGO_BEHIND_TLS_PROXY": "true"})
    assert values["proxy_ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["forwarded_https_is_secure"] is True


def test_hsts_includes_subdomains_and_preloads_by_default_when_debug_is_off():
    values = probe(PRODUCTION)
    assert values["hsts_seconds"] == 31536000
    assert values["hsts_include_subdomains"] is True
    assert values["hsts_preload"] is True


def test_hsts_is_off_when_debug_is_on():
    values = probe({"DJANGO_DEBUG": "true"})
    assert values["hsts_seconds"] == 0
    assert values["hsts_include_subdomains"] is False
    assert values["hsts_preload"] is False


def test_hsts_subdomains_and_preload_come_from_the_environment():
    env = {**PRODUCTION, "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "false", "DJANGO_HSTS_PRELOAD": "false"}
    values = probe(env)
    assert values["hsts_include_subdomains"] is False
    assert values["hsts_preload"] is False
    # That is why they default to on: the deployment checklist warns about both.
    result = run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W005" in result.stderr + result.stdout
    assert "security.W021" in result.stderr + result.stdout


def test_production_settings_behind_a_tls_proxy_pass_check_deploy():
    env = {**PRODUCTION, "DJANGO_BEHIND_TLS_PROXY": "true"}
    result = run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_static_root_defaults_to_the_project_and_comes_from_the_environment(tmp_path):
    assert probe(PRODUCTION)["static_root"] == str(ROOT / "staticfiles")
    values = probe({**PRODUCTION, "DJANGO_STATIC_ROOT": str(tmp_path / "static")})
    assert values["static_root"] == str(tmp_path / "static")


def test_upload_limits_are_djangos_defaults():
    # The CSV import reads at most IMPORT_MAX_BYTES itself; larger uploads spool to disk.
    assert probe(PRODUCTION)["upload_limits_are_djangos"] is True
