"""``/healthz`` (liveness: database and broker) and ``/readyz`` (readiness for operators).

Both are public on purpose: load balancers and monitors call them without signing in, so
every persona, anonymous included, gets the same answer, and neither reveals a host name,
URL, secret or error text (mentoring.ops).
"""

from __future__ import annotations

import socket
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from mentoring import ops

pytestmark = pytest.mark.django_db

EVERYONE = ["admin", "mentor", "mentee", "outsider", "anonymous"]


@pytest.fixture(autouse=True)
def fresh_readiness():
    """Each test starts without the readiness and migrations the process remembers."""
    ops.forget_readiness()
    yield
    ops.forget_readiness()


class FakeRedis:
    """A broker client that answers (or not) without a server."""

    def __init__(self, *, up: bool = True, queued: int = 0):
        self.up = up
        self.queued = queued
        self.pings = 0

    def ping(self) -> bool:
        self.pings += 1
        if not self.up:
            raise ConnectionError("Error 111 connecting to redis.internal:6379")
        return True

    def pipeline(self, transaction: bool = True) -> FakePipeline:
        return FakePipeline(self.queued)


class FakePipeline:
    def __init__(self, queued: int):
        self.queued = queued
        self.calls = 0

    def __enter__(self) -> FakePipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def llen(self, name: str) -> None:
        self.calls += 1

    def execute(self) -> list[int]:
        return [self.queued] + [0] * (self.calls - 1)


@pytest.fixture
def broker(monkeypatch) -> FakeRedis:
    """A Redis broker that answers, two workers that answer, beat just ticked."""
    fake = FakeRedis(queued=3)
    monkeypatch.setattr(ops, "broker_client", lambda: fake)
    monkeypatch.setattr(ops, "count_workers", lambda: 2)
    cache.set(ops.BEAT_HEARTBEAT_KEY, time.time())
    return fake


def failing(name: str):
    return lambda: ops.Check(name, False, "unreachable")


# --- /healthz ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_healthz_is_public_and_ok_for_every_persona(personas, who):
    response = personas.client(who).get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_costs_one_query_and_one_ping(client, broker, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(reverse("healthz")).status_code == 200
    assert broker.pings == 1


class HealthCheckedConnection:
    """Django's own connection health check (CONN_HEALTH_CHECKS) is due on a kept
    connection; it answers ``usable`` and counts how often it ran."""

    def __init__(self, monkeypatch, *, usable: bool):
        from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

        connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the proxy
        self.checks = 0
        self.closed = False

        def is_usable() -> bool:
            self.checks += 1
            return usable

        def close() -> None:
            # The connection is gone: the next cursor cannot reach the database.
            self.closed = True
            monkeypatch.setattr(connection, "connection", None)

            def unreachable(*args, **kwargs):
                raise DatabaseError("could not connect to server at db.internal")

            monkeypatch.setattr(connection, "cursor", unreachable)

        connection.ensure_connection()
        monkeypatch.setattr(connection, "health_check_enabled", True)
        monkeypatch.setattr(connection, "health_check_done", False)
        monkeypatch.setattr(connection, "is_usable", is_usable)
        monkeypatch.setattr(connection, "close", close)


def test_healthz_lets_djangos_connection_health_check_be_its_select_1(
    monkeypatch, django_assert_num_queries
):
    django_check = HealthCheckedConnection(monkeypatch, usable=True)
    with django_assert_num_queries(0):
        assert ops.check_database() == ops.Check("database", True, "reachable")
    assert django_check.checks == 1  # one SELECT 1 in all, not two
    with django_assert_num_queries(1):  # Django's check is done: ours runs
        assert ops.check_database().ok
    assert django_check.checks == 1


def test_healthz_still_fails_when_djangos_health_check_finds_the_database_dead(monkeypatch):
    django_check = HealthCheckedConnection(monkeypatch, usable=False)
    assert ops.check_database() == ops.Check("database", False, "unreachable")
    assert (django_check.checks, django_check.closed) == (1, True)


def test_healthz_answers_503_naming_the_database_when_it_is_down(client, monkeypatch):
    monkeypatch.setattr(ops, "check_database", failing("database"))
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failed": ["database"]}


def test_healthz_answers_503_naming_the_broker_when_it_is_down(client, monkeypatch):
    monkeypatch.setattr(ops, "broker_client", lambda: FakeRedis(up=False))
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failed": ["broker"]}
    assert "redis.internal" not in response.content.decode()


def test_healthz_finds_a_real_redis_that_does_not_answer(client, settings):
    # Nothing listens on port 1: a refused connection, at once.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]


def test_a_database_error_is_a_failed_check_not_a_500(monkeypatch):
    from django.db import DatabaseError, connection

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("could not connect to server at db.internal")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    assert ops.check_database() == ops.Check("database", False, "unreachable")


def test_the_memory_broker_counts_as_ok(settings):
    settings.CELERY_BROKER_URL = "memory://"
    assert ops.broker_client() is None
    assert ops.check_broker().ok


def test_the_broker_client_is_made_once_per_process(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    assert ops.broker_client() is ops.broker_client()


@pytest.mark.parametrize("name", ["healthz", "readyz"])
def test_health_endpoints_are_not_redirected_to_https(client, settings, name):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse(name), HTTP_ACCEPT="application/json")
    assert response.status_code == 200


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405


# --- /readyz ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_readyz_is_a_public_accessible_page_for_every_persona(personas, who, broker):
    response = personas.client(who).get(reverse("readyz"))
    assert response.status_code == 200
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "<main" in body
    assert "<caption>" in body
    assert '<th scope="col">Check</th>' in body
    assert '<th scope="row">Workers</th>' in body
    assert "2 answered" in body
    assert "Ready" in body
    assert "<script>" not in body
    assert " style=" not in body
    assert " onclick=" not in body


@pytest.mark.parametrize("who", EVERYONE)
def test_readyz_answers_json_to_machines(personas, who, broker):
    client = personas.client(who)
    by_query = client.get(reverse("readyz") + "?format=json")
    by_header = client.get(reverse("readyz"), HTTP_ACCEPT="application/json")
    for response in (by_query, by_header):
        assert response.status_code == 200
        data = response.json()
        assert data["status"] == "ready"
        assert set(data["checks"]) == {"database", "migrations", "broker", "workers", "beat"}
        assert all(check["ok"] for check in data["checks"].values())
        assert data["workers"] == 2
        assert data["queue_length"] == 3


def test_readyz_without_a_broker_is_ready_with_tasks_in_process(client, settings):
    settings.CELERY_BROKER_URL = "memory://"
    response = client.get(reverse("readyz") + "?format=json")
    assert response.status_code == 200
    data = response.json()
    assert data["checks"]["workers"]["detail"] == "not needed (tasks run in-process)"
    assert data["queue_length"] is None


@pytest.mark.parametrize(
    ("patch", "failed"),
    [
        ("check_database", {"database", "migrations"}),
        ("check_migrations", {"migrations"}),
        ("check_broker", {"broker", "workers", "beat"}),
    ],
)
def test_readyz_answers_503_naming_what_failed(client, broker, monkeypatch, patch, failed):
    name = patch.removeprefix("check_")
    monkeypatch.setattr(ops, patch, failing(name))
    response = client.get(reverse("readyz") + "?format=json")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "not ready"
    assert {n for n, check in data["checks"].items() if not check["ok"]} == failed


def test_readyz_html_says_not_ready_with_a_503(client, broker, monkeypatch):
    monkeypatch.setattr(ops, "count_workers", lambda: 0)
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    body = response.content.decode()
    assert "Not ready" in body
    assert "none answered" in body


def test_readyz_fails_when_no_worker_answers(client, broker, monkeypatch):
    monkeypatch.setattr(ops, "count_workers", lambda: 0)
    data = client.get(reverse("readyz") + "?format=json").json()
    assert data["checks"]["workers"] == {"ok": False, "detail": "none answered"}
    assert data["workers"] == 0


def test_readyz_fails_when_the_worker_ping_breaks(client, broker, monkeypatch):
    def broken() -> int:
        raise OSError("redis.internal:6379 refused")

    monkeypatch.setattr(ops, "count_workers", broken)
    response = client.get(reverse("readyz") + "?format=json")
    assert response.status_code == 503
    assert response.json()["checks"]["workers"] == {"ok": False, "detail": "ping failed"}
    assert "redis.internal" not in response.content.decode()


def test_readyz_fails_when_beat_has_no_heartbeat(client, broker):
    cache.delete(ops.BEAT_HEARTBEAT_KEY)
    response = client.get(reverse("readyz") + "?format=json")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == {"ok": False, "detail": "no heartbeat"}


def test_readyz_fails_when_beats_heartbeat_is_stale(client, broker):
    cache.set(ops.BEAT_HEARTBEAT_KEY, time.time() - ops.BEAT_STALE_SECONDS - 5)
    response = client.get(reverse("readyz") + "?format=json")
    assert response.status_code == 503
    assert not response.json()["checks"]["beat"]["ok"]


def test_readyz_runs_its_checks_once_within_the_window(client, broker, monkeypatch):
    runs: list[str] = []
    for name in ("check_database", "check_migrations", "check_workers", "queue_length"):
        real = getattr(ops, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            runs.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(ops, name, counted)
    now = [1000.0]
    monkeypatch.setattr(ops.time, "monotonic", lambda: now[0])
    first = client.get(reverse("readyz") + "?format=json")
    now[0] += ops.READINESS_TTL - 1
    second = client.get(reverse("readyz"), HTTP_ACCEPT="application/json")
    assert first.json() == second.json()
    assert sorted(runs) == ["check_database", "check_migrations", "check_workers", "queue_length"]
    assert broker.pings == 1
    # After the window the checks run again, except migrations: applied once, applied.
    now[0] += 2
    assert client.get(reverse("readyz") + "?format=json").status_code == 200
    assert runs.count("check_database") == 2
    assert broker.pings == 2


def test_readyz_refreshes_once_at_a_time(broker, monkeypatch):
    import threading

    started = threading.Event()
    release = threading.Event()
    runs = []

    def slow_database() -> ops.Check:
        runs.append(1)
        started.set()
        release.wait(5)
        return ops.Check("database", True, "reachable")

    first = ops.readiness()  # a previous answer to fall back on
    monkeypatch.setattr(ops, "check_database", slow_database)
    monkeypatch.setattr(ops, "READINESS_TTL", 0.0)  # always stale
    refresher = threading.Thread(target=ops.readiness)
    refresher.start()
    try:
        assert started.wait(5)
        assert ops.readiness() is first  # not a second refresh: the previous answer
    finally:
        release.set()
        refresher.join(5)
    assert runs == [1]


def test_the_worker_ping_returns_once_the_expected_workers_answered(monkeypatch):
    from mentoring.celery import app

    calls = []

    def ping(**kwargs: object) -> list[dict[str, str]]:
        calls.append(kwargs)
        return [{"w1": "pong"}]

    monkeypatch.setattr(app.control, "ping", ping)
    monkeypatch.setenv("READYZ_EXPECTED_WORKERS", "3")
    assert ops.count_workers() == 1
    assert calls == [{"timeout": ops.WORKER_PING_TIMEOUT, "limit": 3}]


def test_migrations_once_applied_are_not_read_again(monkeypatch):
    assert ops.check_migrations().ok
    monkeypatch.setattr(MigrationExecutor, "__init__", lambda *a, **k: 1 / 0)
    assert ops.check_migrations() == ops.Check("migrations", True, "all applied")


def test_unapplied_migrations_fail_readiness(monkeypatch):
    assert ops.check_migrations() == ops.Check("migrations", True, "all applied")
    ops.forget_readiness()  # a new process (of new code) reads the migrations again
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [1, 2])
    assert ops.check_migrations() == ops.Check("migrations", False, "2 not applied")


def test_readyz_reveals_no_secret_or_host_name(client, broker, monkeypatch):
    monkeypatch.setattr(ops, "check_broker", failing("broker"))
    bodies = [
        client.get(reverse("readyz")).content.decode(),
        client.get(reverse("readyz") + "?format=json").content.decode(),
    ]
    db = settings.DATABASES["default"]
    secrets = [settings.SECRET_KEY, socket.gethostname(), str(db["NAME"])]
    secrets += [str(db[k]) for k in ("HOST", "USER", "PASSWORD") if db.get(k)]
    for body in bodies:
        for secret in secrets:
            assert secret not in body


def test_beats_scheduler_records_a_heartbeat_each_tick(monkeypatch, broker):
    from celery.beat import PersistentScheduler

    cache.delete(ops.BEAT_HEARTBEAT_KEY)
    monkeypatch.setattr(PersistentScheduler, "tick", lambda self, *a, **k: 7.0)
    scheduler = ops.HeartbeatScheduler.__new__(ops.HeartbeatScheduler)
    assert not ops.check_beat().ok
    assert scheduler.tick() == 7.0
    assert ops.check_beat().ok
