"""Health and readiness for operators and load balancers.

``/healthz`` (liveness, polled often, the baseline of bench/web_bench.py) costs one
``SELECT 1`` (Django's own connection health check when that is due, so never two) and
one Redis ``PING`` on connections the process keeps. ``/readyz`` (for
operators and deploy scripts) also checks that every migration is applied, that Celery
workers answer a control ping, that beat is alive, and reports the queue length; it runs
those checks at most once every ``READINESS_TTL`` seconds per process. Both are
public: they name no host, URL or error text (those go to the log), only which check
failed.

Beat is alive when its heartbeat is fresh: the stack runs beat with ``HeartbeatScheduler``
(``--scheduler mentoring.ops.HeartbeatScheduler``), which writes the time of its latest
tick to the cache (Redis) at most every ``HEARTBEAT_EVERY`` seconds; beat ticks at least
every ``--max-interval`` seconds (10 in the Procfile), so a heartbeat older than
``BEAT_STALE_SECONDS`` means beat is gone or stuck.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from celery.beat import PersistentScheduler
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

BEAT_HEARTBEAT_KEY = "ops:beat-heartbeat"
HEARTBEAT_EVERY = 5.0
BEAT_STALE_SECONDS = 60.0
WORKER_PING_TIMEOUT = 1.0
REDIS_TIMEOUT = 2.0
# /readyz runs its checks at most once per READINESS_TTL seconds in each process.
READINESS_TTL = 10.0


def expected_workers() -> int:
    """How many Celery workers the control ping waits for (``READYZ_EXPECTED_WORKERS``,
    default 2: the Procfile's): it returns as soon as that many answered."""
    try:
        return max(1, int(os.environ.get("READYZ_EXPECTED_WORKERS", "2")))
    except ValueError:
        return 2


# --- The checks -------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


_redis_clients: dict[tuple[int, str], Any] = {}


def broker_client() -> Any | None:
    """This process's Redis client for the broker (None when the broker is not Redis).

    Kept per process and URL: one connection pool for all requests, and none inherited
    across gunicorn's fork."""
    url = str(settings.CELERY_BROKER_URL or "")
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    key = (os.getpid(), url)
    client = _redis_clients.get(key)
    if client is None:
        import redis

        client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
        )
        _redis_clients[key] = client
    return client


def _djangos_health_check_pending() -> bool:
    """Django is about to check the kept connection itself (``CONN_HEALTH_CHECKS``): it
    runs its own ``SELECT 1`` before the first query of the request."""
    return (
        connection.connection is not None
        and bool(getattr(connection, "health_check_enabled", False))
        and not getattr(connection, "health_check_done", True)
    )


def check_database() -> Check:
    try:
        if _djangos_health_check_pending():
            # Let Django's check be ours: it closes the connection if it fails.
            connection.close_if_health_check_failed()
            if connection.connection is not None:
                return Check("database", True, "reachable")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("health: the database did not answer")
        return Check("database", False, "unreachable")
    return Check("database", True, "reachable")


def check_broker() -> Check:
    client = broker_client()
    if client is None:
        # The embedded default: tasks run in-process, there is no broker to lose.
        return Check("broker", True, "in-process (no broker configured)")
    try:
        client.ping()
    except Exception:
        logger.exception("health: the broker did not answer")
        return Check("broker", False, "unreachable")
    return Check("broker", True, "reachable")


# Once every migration is applied it stays so for this process: the code (and so its
# migrations) cannot change under a running process, and nothing unapplies migrations.
_migrations_applied = False


def check_migrations() -> Check:
    global _migrations_applied
    if _migrations_applied:
        return Check("migrations", True, "all applied")
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        logger.exception("readiness: could not read the applied migrations")
        return Check("migrations", False, "unknown (database unreachable)")
    if plan:
        return Check("migrations", False, f"{len(plan)} not applied")
    _migrations_applied = True
    return Check("migrations", True, "all applied")


def _tasks_in_process() -> bool:
    return broker_client() is None


def count_workers() -> int:
    """How many Celery workers answer a control ping within ``WORKER_PING_TIMEOUT``; the
    ping returns as soon as the expected number answered."""
    from mentoring.celery import app

    replies = app.control.ping(timeout=WORKER_PING_TIMEOUT, limit=expected_workers())
    return len(replies or [])


def check_workers() -> tuple[Check, int | None]:
    if _tasks_in_process():
        return Check("workers", True, "not needed (tasks run in-process)"), None
    try:
        count = count_workers()
    except Exception:
        logger.exception("readiness: the worker ping failed")
        return Check("workers", False, "ping failed"), None
    if count == 0:
        return Check("workers", False, "none answered"), 0
    return Check("workers", True, f"{count} answered"), count


def check_beat() -> Check:
    if _tasks_in_process():
        return Check("beat", True, "not needed (no broker)")
    try:
        last = cache.get(BEAT_HEARTBEAT_KEY)
    except Exception:
        logger.exception("readiness: could not read beat's heartbeat")
        return Check("beat", False, "heartbeat unreadable")
    if last is None:
        return Check("beat", False, "no heartbeat")
    age = max(0.0, time.time() - float(last))
    if age > BEAT_STALE_SECONDS:
        return Check("beat", False, f"last heartbeat {age:.0f} s ago")
    return Check("beat", True, f"last heartbeat {age:.0f} s ago")


def queue_length() -> int | None:
    """Tasks waiting in the default queue (with kombu's priority sub-queues)."""
    client = broker_client()
    if client is None:
        return None
    from mentoring.celery import app

    name = app.conf.task_default_queue
    names = [name, *(f"{name}\x06\x16{step}" for step in (3, 6, 9))]
    try:
        with client.pipeline(transaction=False) as pipe:
            for queue in names:
                pipe.llen(queue)
            return int(sum(pipe.execute()))
    except Exception:
        logger.exception("readiness: could not read the queue length")
        return None


# --- Beat's heartbeat ---------------------------------------------------------------------


class HeartbeatScheduler(PersistentScheduler):
    """Celery beat's default scheduler, recording each tick's time for ``/readyz``."""

    _last_heartbeat = 0.0

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = super().tick(*args, **kwargs)
        now = time.time()
        if now - self._last_heartbeat >= HEARTBEAT_EVERY:
            try:
                cache.set(BEAT_HEARTBEAT_KEY, now, timeout=int(BEAT_STALE_SECONDS * 10))
                self._last_heartbeat = now
            except Exception:
                # A lost heartbeat shows on /readyz; it must not stop the schedule.
                logger.exception("beat: could not record the heartbeat")
        return float(interval)


# --- The views ------------------------------------------------------------------------------


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: the database and the broker answer."""
    failed = [c.name for c in (check_database(), check_broker()) if not c.ok]
    if failed:
        return JsonResponse({"status": "unavailable", "failed": failed}, status=503)
    return JsonResponse({"status": "ok"})


def _wants_json(request: HttpRequest) -> bool:
    if request.GET.get("format") == "json":
        return True
    preferred = request.get_preferred_type(["text/html", "application/json"])
    return preferred == "application/json"


@dataclass(frozen=True)
class Readiness:
    checks: tuple[Check, ...]
    workers: int | None
    queue_length: int | None

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks)


def run_readiness_checks() -> Readiness:
    database = check_database()
    checks = [database]
    checks.append(
        check_migrations()
        if database.ok
        else Check("migrations", False, "unknown (database unreachable)")
    )
    broker = check_broker()
    checks.append(broker)
    workers: int | None = None
    if broker.ok:
        worker_check, workers = check_workers()
        checks += [worker_check, check_beat()]
    else:
        checks += [
            Check("workers", False, "unknown (broker unreachable)"),
            Check("beat", False, "unknown (broker unreachable)"),
        ]
    queued = queue_length() if broker.ok else None
    return Readiness(tuple(checks), workers, queued)


_readiness: tuple[float, Readiness] | None = None
_readiness_lock = threading.Lock()


def readiness() -> Readiness:
    """The latest readiness, at most ``READINESS_TTL`` seconds old. One refresh at a time:
    while one runs, others get the previous answer (or wait for the first one)."""
    global _readiness
    cached = _readiness
    if cached is not None and time.monotonic() - cached[0] < READINESS_TTL:
        return cached[1]
    if not _readiness_lock.acquire(blocking=cached is None):
        return cached[1]  # type: ignore[index]  # another thread is refreshing it
    try:
        cached = _readiness
        if cached is not None and time.monotonic() - cached[0] < READINESS_TTL:
            return cached[1]
        result = run_readiness_checks()
        _readiness = (time.monotonic(), result)
        return result
    finally:
        _readiness_lock.release()


def forget_readiness() -> None:
    """Drop what the process remembers (tests)."""
    global _readiness, _migrations_applied
    _readiness = None
    _migrations_applied = False


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness for operators: database and migrations, broker, workers, beat, queue.

    Public and polled, so cheap: the checks run at most once per ``READINESS_TTL`` seconds
    in each process (``readiness()``)."""
    result = readiness()
    checks = result.checks
    ready = result.ready
    workers = result.workers
    queued = result.queue_length
    status = 200 if ready else 503
    if _wants_json(request):
        return JsonResponse(
            {
                "status": "ready" if ready else "not ready",
                "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
                "workers": workers,
                "queue_length": queued,
            },
            status=status,
        )
    context = {
        "ready": ready,
        "checks": [asdict(c) for c in checks],
        "workers": workers,
        "queue_length": queued,
        "ttl": int(READINESS_TTL),
    }
    return render(request, "ops/readiness.html", context, status=status)
