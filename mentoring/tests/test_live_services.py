"""The suite against real services: PostgreSQL, Redis, and a real Celery worker.

Locally these skip when the service is not configured; in CI (CI=true) a
missing service fails the run, so CI always exercises them.
"""

import os
import socket
import time
import uuid
from urllib.parse import urlparse

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.core.cache import caches
from django.db import connection

from conftest import require_service
from programs import services, tasks
from programs.models import Invitation, Membership

pytestmark = pytest.mark.services

REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_reachable(url: str) -> bool:
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 2):
            return True
    except OSError:
        return False


@pytest.mark.django_db
def test_ci_runs_the_suite_on_postgresql():
    database_url = os.environ.get("DATABASE_URL", "")
    require_service(
        "PostgreSQL (DATABASE_URL)",
        database_url.startswith(("postgres://", "postgresql://")),
        "set DATABASE_URL=postgres://...",
    )
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    assert int(version.split(".")[0]) >= 13


def test_redis_is_the_cache():
    require_service("Redis (REDIS_URL)", redis_reachable(REDIS_URL), REDIS_URL or "unset")
    cache = caches["default"]
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    key = f"live-{uuid.uuid4().hex}"
    cache.set(key, {"n": 1}, 30)
    assert cache.get(key) == {"n": 1}
    cache.delete(key)


@pytest.fixture
def redis_worker_app():
    """A Celery app on the real Redis broker, with a queue of its own, and a worker."""
    require_service("Redis (REDIS_URL)", redis_reachable(REDIS_URL), REDIS_URL or "unset")
    app = Celery("constellation-live-test")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    queue = f"test-{uuid.uuid4().hex}"
    app.conf.update(
        broker_url=REDIS_URL,
        task_always_eager=False,
        task_default_queue=queue,
        result_backend=None,
    )
    # Shared tasks (@shared_task) register themselves on every app, this one too.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield app


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_invitation_through_redis(personas, redis_worker_app):
    invitation = Invitation.objects.create(
        program=personas.program,
        email="far-away@example.org",
        role=Membership.Role.MENTEE,
        invited_by=personas.admin,
        expires_at=services.invitation_expiry(),
        sends_requested=1,  # as invitation_create records before it queues the task
    )
    mail.outbox.clear()
    result = redis_worker_app.send_task(tasks.send_invitations.name, args=[[invitation.pk]])
    assert result.id
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [m.to for m in mail.outbox] == [["far-away@example.org"]]
    invitation.refresh_from_db()
    assert invitation.send_count == 1
