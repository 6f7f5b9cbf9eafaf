"""The fault tests' harness: their own redis-server, Celery worker and beat processes.

Nothing here touches the machine's shared Redis or PostgreSQL server: each test starts
a ``redis-server`` on a free port, and workers and beats (``celery -A mentoring``) that
use it and the test database (the tests use ``transactional_db``, so those processes see
committed rows) and e-mail into ``mailbox.MailboxBackend``. Every process runs in a
session of its own, so ``kill -9`` of its process group takes a worker's pool children
too, and ``Harness.close()`` kills whatever is left.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection

from mentoring.celery import app
from mentoring.tests import mailbox

__all__ = ["Harness", "app_on_broker", "wait_for"]

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll ``predicate`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def current_database_url() -> str:
    """A DATABASE_URL naming the database this test process uses (the test database)."""
    db = connection.settings_dict
    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(str(db['NAME']), safe='')}"


class Process:
    """One child process in its own session, its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path):
        self.name = name
        self.log = log
        with log.open("wb") as out:
            self.popen = subprocess.Popen(  # noqa: S603
                command,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """``kill -9`` the whole process group (a worker and its pool children)."""
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def freeze(self) -> None:
        """Stop the whole process group in its tracks (SIGSTOP), to look at it."""
        os.killpg(self.popen.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.killpg(self.popen.pid, signal.SIGCONT)

    def stop(self, timeout: float = 10) -> None:
        """Ask the process group to stop; ``kill -9`` it if it does not."""
        if self.alive():
            with suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        self.kill()

    def wait_for_output(self, text: str, timeout: float) -> None:
        def seen() -> bool:
            if text in self.output():
                return True
            if not self.alive():
                raise AssertionError(f"{self.name} exited:\n{self.output()[-4000:]}")
            return False

        wait_for(seen, timeout, f"{self.name} to print {text!r}")


class Harness:
    """The fault tests' processes and mailbox; ``close()`` ends them all, whatever happened."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.database_url = current_database_url()
        self.redis_port = free_port()
        self.redis: Process | None = None
        self.processes: list[Process] = []
        self._count = 0

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> Process:
        self._count += 1
        process = Process(name, command, env, self.tmp / f"{self._count:02d}-{name}.log")
        self.processes.append(process)
        return process

    # Redis ---------------------------------------------------------------------------

    def start_redis(self) -> None:
        """Start (or start again) this test's redis-server, on the same port each time."""
        assert self.redis is None or not self.redis.alive(), "Redis is already running"
        command = [
            "redis-server",
            "--port",
            str(self.redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.redis = self._spawn("redis", command, dict(os.environ))
        process = self.redis
        wait_for(
            lambda: redis_answers(self.redis_port) or (not process.alive() and process.output()),
            10,
            "redis-server to answer",
        )
        assert process.alive(), process.output()

    def stop_redis(self) -> None:
        assert self.redis is not None
        self.redis.stop()
        wait_for(lambda: not redis_answers(self.redis_port), 10, "redis-server to stop")

    # Celery ----------------------------------------------------------------------------

    def env(self, *, scale: float = 1.0, mail_delay: float = 0.0) -> dict[str, str]:
        """What a worker or beat of these tests runs with."""
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "mentoring.settings",
                "DJANGO_DEBUG": "true",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "EMAIL_BACKEND": "mentoring.tests.mailbox.MailboxBackend",
                mailbox.DELAY_ENV: str(mail_delay),
                "CONSTELLATION_BEAT_SCALE": str(scale),
                "LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1",
            }
        )
        # EMAIL_BACKEND above decides, whatever e-mail the surrounding run configures.
        env.pop("EMAIL_URL", None)
        return env

    def start_worker(
        self, name: str, *, concurrency: int = 2, mail_delay: float = 0.0, scale: float = 1.0
    ) -> Process:
        """Start a prefork worker and wait until it is ready to consume."""
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mentoring",
            "worker",
            "--loglevel=INFO",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            f"--hostname={name}@%h",
            f"--pidfile={self.tmp / (name + '.pid')}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        worker = self._spawn(name, command, self.env(scale=scale, mail_delay=mail_delay))
        worker.wait_for_output(" ready.", timeout=60)
        return worker

    def start_beat(self, name: str, *, scale: float) -> Process:
        """Start a beat with its own schedule file and wait until it runs."""
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mentoring",
            "beat",
            "--loglevel=INFO",
            f"--schedule={self.tmp / (name + '-schedule')}",
            f"--pidfile={self.tmp / (name + '.pid')}",
        ]
        beat = self._spawn(name, command, self.env(scale=scale))
        beat.wait_for_output("beat: Starting", timeout=60)
        return beat

    def close(self) -> None:
        for process in reversed(self.processes):
            process.kill()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.output()[-6000:]}" for p in self.processes)

    # The mailbox ---------------------------------------------------------------------

    def create_mailbox(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(mailbox.CREATE_TABLE)

    def drop_mailbox(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(mailbox.DROP_TABLE)

    def mail_count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {mailbox.TABLE}")  # noqa: S608
            return int(cursor.fetchone()[0])

    def mail(self) -> list[tuple[str, str, str]]:
        """Every e-mail sent, as (recipients, subject, plain-text body)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT recipients, subject, body FROM {mailbox.TABLE}")  # noqa: S608
            return [(to, subject, body) for to, subject, body in cursor.fetchall()]

    def mail_in_flight(self) -> int:
        """Transactions of other processes that wrote an e-mail and have not committed."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(DISTINCT l.pid) FROM pg_locks l"
                " JOIN pg_class c ON c.oid = l.relation"
                " WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.granted"
                " AND l.pid <> pg_backend_pid()",
                [mailbox.TABLE],
            )
            return int(cursor.fetchone()[0])


def _reset_broker_pools() -> None:
    # The app keeps its broker connections and producers in pools; drop them so the
    # next publish connects to the broker the configuration names now.
    celery_app: Any = app  # the pools are private attributes the stubs do not name
    if celery_app._pool is not None:
        with suppress(Exception):
            celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def app_on_broker(url: str) -> Iterator[None]:
    """Let this process's Celery app publish to ``url`` (not eagerly) for a while."""
    names = ("broker_url", "task_always_eager")
    saved = {name: app.conf[name] for name in names}
    app.conf.update(broker_url=url, task_always_eager=False)
    _reset_broker_pools()
    try:
        yield
    finally:
        app.conf.update(saved)
        _reset_broker_pools()


@contextmanager
def running_harness(tmp_path: Path, why: str) -> Iterator[Harness]:
    """A ``Harness`` with its mailbox, for a test that needs PostgreSQL (``why`` says what
    for) and a redis-server to start; every process it started dies at the end, and its
    logs go to stderr (shown by pytest only when the test failed)."""
    import shutil

    from conftest import require_service

    require_service(
        "PostgreSQL (DATABASE_URL)",
        connection.vendor == "postgresql",
        f"set DATABASE_URL=postgres://... ({why})",
    )
    require_service("redis-server", shutil.which("redis-server") is not None, "not on PATH")
    harness = Harness(tmp_path)
    harness.create_mailbox()
    try:
        yield harness
    finally:
        harness.close()
        harness.drop_mailbox()
        sys.stderr.write(harness.logs())
