"""The production stack, for real: ``scripts/stack.sh up`` (what ``make up`` runs) starts
gunicorn, two Celery workers and one beat under honcho from the Procfile; a reminder that
is due goes out exactly once; ``scripts/stack.sh down`` leaves nothing running.

The stack runs against the test database (``transactional_db``: it sees committed rows)
and a ``redis-server`` of this test's own on a free port (never the shared Redis), with
its own var directory, static root and port, and e-mails into ``mailbox.MailboxBackend``
(one row per e-mail sent). Beat runs 60 times faster (CONSTELLATION_BEAT_SCALE): the
meeting reminders sweep every five seconds, due e-mails go out every second.

Locally this skips without PostgreSQL or redis-server; in CI (CI=true) it must run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.utils import timezone

from mentoring.models import Notification, User
from mentoring.tests.faults import ROOT, Harness, free_port, running_harness, wait_for
from sessions.models import Meeting
from sessions.tests.conftest import make_world

pytestmark = [pytest.mark.stack, pytest.mark.services]

STACK = ROOT / "scripts" / "stack.sh"
# Contact days and hours that always include "now": the stack runs on the real clock.
ALWAYS = {
    "contact_days": list(range(7)),
    "contact_hours_start": dt.time(0, 0),
    "contact_hours_end": dt.time(23, 59, 59, 999999),
}
# mentoring/celery.py schedules the meeting reminders every 300 s; 1/60 makes it 5 s.
SCALE = 1 / 60
SWEEP_SECONDS = 300 * SCALE


class Stack:
    def __init__(self, harness: Harness, var: Path):
        self.var = var
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
        for name in ("EMAIL_URL", "SITE_URL", "LOG_FORMAT", "PORT", "HOST", "GUNICORN_BIND"):
            env.pop(name, None)
        env.update(
            {
                "STACK_VAR_DIR": str(var),
                "DATABASE_URL": harness.database_url,
                "REDIS_URL": harness.redis_url,
                "PORT": str(self.port),
                "DJANGO_STATIC_ROOT": str(var / "static"),
                "EMAIL_BACKEND": "mentoring.tests.mailbox.MailboxBackend",
                "CONSTELLATION_BEAT_SCALE": str(SCALE),
                "CELERY_CONCURRENCY": "1",
                "STACK_START_TIMEOUT": "60",
            }
        )
        self.env = env

    def run(self, command: str, timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            ["/bin/bash", str(STACK), command],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def get(self, path: str, accept: str = "*/*") -> tuple[int, dict[str, str], str]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers={"Accept": accept}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def groups(self) -> set[str]:
        path = self.var / "stack.groups"
        return set(path.read_text().split()) if path.exists() else set()

    def log(self) -> str:
        path = self.var / "stack.log"
        return path.read_text(errors="replace") if path.exists() else ""


# No process group has this id (above the kernel's largest pid).
EARLIER_GROUP = str(2**22 + 1)


def processes_in(groups: set[str]) -> list[str]:
    """Processes alive in any of ``groups``, as "pid pgid command" lines."""
    listing = subprocess.run(
        ["ps", "-ww", "-e", "-o", "pid=,pgid=,args="],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in listing.splitlines() if line.split()[1] in groups]


def kill_groups(groups: set[str]) -> None:
    for group in groups:
        subprocess.run(["kill", "-KILL", "--", f"-{group}"], capture_output=True, check=False)  # noqa: S603, S607


@pytest.fixture
def harness(transactional_db, tmp_path):
    with running_harness(tmp_path, "the stack shares the test database") as harness:
        yield harness


def test_make_up_serves_delivers_a_due_reminder_once_and_make_down_leaves_nothing(
    harness, tmp_path
):
    harness.start_redis()
    stack = Stack(harness, tmp_path / "var")
    groups: set[str] = set()
    # A group an earlier run recorded (its runner gone): `up` adds to the file, keeps it.
    stack.var.mkdir()
    (stack.var / "stack.groups").write_text(f"{EARLIER_GROUP}\n")
    try:
        up = stack.run("up", timeout=120)
        assert up.returncode == 0, up.stdout + up.stderr + stack.log()[-6000:]
        assert f"http://127.0.0.1:{stack.port}/" in up.stdout
        assert "make down" in up.stdout
        groups = stack.groups()
        assert EARLIER_GROUP in groups
        groups.discard(EARLIER_GROUP)
        assert groups
        # The gunicorn answering is the one the stack started: its pid file is under var/.
        gunicorn_pid = (stack.var / "gunicorn.pid").read_text().strip()
        assert any(line.split()[0] == gunicorn_pid for line in processes_in(groups))

        # Exactly one beat, two workers, gunicorn with two workers of its own.
        running = processes_in(groups)
        assert sum(" beat " in line for line in running) == 1, running
        assert sum("--hostname=worker1@" in line for line in running) >= 1, running
        assert sum("--hostname=worker2@" in line for line in running) >= 1, running
        assert sum("gunicorn" in line for line in running) == 3, running  # master + 2

        # A meeting in twenty minutes: its one-hour reminder is due, for both of the pair.
        world = make_world()
        User.objects.update(**ALWAYS)
        Meeting.objects.create(
            workspace=world.workspace,
            starts_at=timezone.now() + dt.timedelta(minutes=20),
            duration_minutes=30,
            status=Meeting.Status.SCHEDULED,
        )

        def reminders_mailed() -> bool:
            return (
                harness.mail_count() > 0
                and all(
                    n.email_state == Notification.EmailState.SENT
                    for n in Notification.objects.filter(kind="meeting_reminder")
                )
                and Notification.objects.filter(kind="meeting_reminder").count() == 2
            )

        wait_for(reminders_mailed, 40, "beat and a worker to send the reminders", interval=0.5)
        time.sleep(2.5 * SWEEP_SECONDS)  # two more sweeps: nothing is recorded or sent again

        reminders = list(
            Notification.objects.filter(kind="meeting_reminder").select_related("user")
        )
        assert {n.user_id for n in reminders} == {world.mentor.pk, world.mentee.pk}
        mail = harness.mail()
        for note in reminders:
            copies = [m for m in mail if m[:2] == (note.user.email, note.title)]
            assert len(copies) == 1, f"{note.key} was e-mailed {len(copies)} times"

        # The web answers: liveness, readiness (two workers answer the control ping, beat
        # ticks), and every answer names its request id in a JSON access-log line.
        status, headers, body = stack.get("/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        request_id = headers["X-Request-ID"]
        status, _, body = stack.get("/readyz", accept="application/json")
        ready = json.loads(body)
        assert status == 200, ready
        assert ready["workers"] == 2
        assert ready["checks"]["beat"]["ok"]
        status, _, body = stack.get("/readyz")
        assert status == 200
        assert "<table" in body
        # Sign-in works over plain HTTP here: the CSRF cookie is not Secure-only.
        status, headers, _ = stack.get("/accounts/login/")
        assert status == 200
        assert "csrftoken=" in headers.get("Set-Cookie", "")
        assert "Secure" not in headers.get("Set-Cookie", "")

        def access_line() -> dict | None:
            for line in stack.log().splitlines():
                if request_id in line and '"gunicorn.access"' in line:
                    return dict(json.loads(line))
            return None

        entry = wait_for(access_line, 5, "the access-log line of /healthz")
        assert (entry["path"], entry["status"]) == ("/healthz", "200")
    finally:
        down = stack.run("down", timeout=60)
        left = processes_in(groups)
        kill_groups(groups)  # whatever happened above, nothing outlives the test
        sys.stderr.write(stack.log()[-8000:])
    assert down.returncode == 0, down.stdout + down.stderr
    assert "nothing it started is running" in down.stdout
    assert left == []
    again = stack.run("down", timeout=30)
    assert again.returncode == 0
    assert "nothing is running" in again.stdout


# --- What the stack trusts (no services needed) ----------------------------------------


def _stack_env(var: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    for name in ("HOST", "GUNICORN_BIND", "SITE_URL"):
        env.pop(name, None)
    # Nothing listens there: were the stack to go on, it would stop at the database.
    env.update(
        {"STACK_VAR_DIR": str(var), "PORT": str(port), "DATABASE_URL": "postgres://x@127.0.0.1:1/x"}
    )
    return env


def _stack(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        ["/bin/bash", str(STACK), command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def bystander():
    """A process that is not the stack's, in a session (and process group) of its own,
    with the words a careless match would take for the stack's in its command line."""
    process = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)", "honcho", "gunicorn", "celery"],
        start_new_session=True,
    )
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def test_make_up_refuses_a_port_something_else_answers_on(tmp_path):
    import http.server
    import threading

    class Healthy(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"status": "ok"}')

        def log_message(self, *args: object) -> None:
            return None

    other = http.server.HTTPServer(("127.0.0.1", 0), Healthy)  # `make demo`'s runserver
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        up = _stack("up", _stack_env(tmp_path / "var", other.server_address[1]))
    finally:
        other.shutdown()
        other.server_close()
    assert up.returncode != 0
    assert f"something already listens on 127.0.0.1:{other.server_address[1]}" in up.stderr
    assert "up:" not in up.stdout
    assert not (tmp_path / "var" / "stack.pid").exists()


def test_a_saved_pid_that_is_not_our_runner_is_neither_trusted_nor_signalled(tmp_path, bystander):
    var = tmp_path / "var"
    var.mkdir()
    (var / "stack.pid").write_text(f"{bystander.pid}\n")  # reused after a reboot
    env = _stack_env(var, free_port())
    status = _stack("status", env)
    assert status.returncode == 1
    assert "not running" in status.stdout
    down = _stack("down", env)
    assert down.returncode == 0, down.stderr
    assert "nothing is running" in down.stdout
    time.sleep(0.3)
    assert bystander.poll() is None  # still alive: never sent a signal


def test_make_down_stops_only_the_stacks_own_commands_in_a_recorded_group(tmp_path, bystander):
    var = tmp_path / "var"
    var.mkdir()
    # The group id was the stack's once; now a process of someone else's leads it.
    (var / "stack.groups").write_text(f"{os.getpgid(bystander.pid)}\n")
    down = _stack("down", _stack_env(var, free_port()))
    assert down.returncode == 0, down.stderr
    assert "nothing is running" in down.stdout
    time.sleep(0.3)
    assert bystander.poll() is None


@pytest.mark.parametrize(
    ("bind", "probe"),
    [
        ("127.0.0.1:8123", "127.0.0.1:8123"),
        ("0.0.0.0:8123", "127.0.0.1:8123"),
        ("[::]:8123", "[::1]:8123"),
        ("localhost:8123", "localhost:8123"),
    ],
)
def test_a_wildcard_bind_is_probed_on_the_loopback_address(bind, probe):
    found = subprocess.run(  # noqa: S603
        ["/bin/bash", "-c", 'source "$1" && probe_address', "probe", str(STACK)],
        cwd=ROOT,
        env={**os.environ, "GUNICORN_BIND": bind},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == probe


def test_the_runner_is_recognised_whatever_the_terminal_width():
    """ps cuts its output at $COLUMNS when that is set (pytest and CI may set it): the
    runner's command line must be read whole, or `make down` would leave honcho running."""
    name = f"{'x' * 120} honcho start --no-colour --procfile {ROOT / 'Procfile'}"
    sleeper = subprocess.Popen(["bash", "-c", 'exec -a "$0" sleep 30', name])  # noqa: S603, S607
    try:
        time.sleep(0.3)
        found = subprocess.run(  # noqa: S603
            [
                "/bin/bash",
                "-c",
                'source "$1" && is_our_runner "$2"',
                "probe",
                str(STACK),
                str(sleeper.pid),
            ],
            cwd=ROOT,
            env={**os.environ, "COLUMNS": "80"},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert found.returncode == 0, found.stderr
    finally:
        sleeper.kill()
        sleeper.wait()
