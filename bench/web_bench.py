"""Load-test the main pages on a large dataset, each against a bare /healthz on the same server.

    make bench-web                          # DATABASE_URL defaults to the local server
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench-web
    make bench-web BENCH_ARGS=--reseed      # seed both databases again
    make bench-web BENCH_ARGS=--queries-only             # check and count queries, no load
    make bench-web BENCH_ARGS="--profile matching_board" # cProfile one page, slow queries

PostgreSQL only. The benchmark keeps two databases of its own on the server DATABASE_URL
names (its role needs CREATEDB): ``constellation_bench_web`` (large: 24 programs, 20,000
users, about 12,000 pairings, 134,000 meetings with agendas and check-ins; see
``bench/web_seed.py``) and ``constellation_bench_web_small`` (three programs of a few
pairs, the same personas with less history). Both are seeded with COPY (about a minute)
and reused while their markers say they are complete, were seeded by this code on these
migrations, and are less than two days old (their dates follow the moment of seeding);
``--reseed`` seeds both again. The database DATABASE_URL names is never touched.

Settings are production's (``mentoring.settings``, debug off, cached templates,
WhiteNoise with collected static files in a temporary STATIC_ROOT, database sessions),
with a generated secret key and no HTTPS redirect (no TLS here). With REDIS_URL set the
cache uses that server's database ``BENCH_REDIS_DB`` (15 unless set); nothing is flushed.

Personas, logged in by sessions made with Django's test client: a mentee in a typical
relationship, a mentor with five mentees (and one in a second program, and a proposal
to answer), the admin of a typical program (400 pairs). Pages:

    participant_home       /                          the mentee
    mentor_home            /                          the mentor
    pairing_workspace      workspace:detail           the mentee, her relationship
    health_dashboard       health:dashboard           the admin, the typical program
    participant_directory  programs:participants      the admin
    matching_board         matching:board             the admin (a draft run of 50 rows)

Before measuring, every page must answer 200 with its persona's content, in-process and
over HTTP; a page whose URL does not exist yet (NoReverseMatch, 404) is reported missing.
Queries per request (the session and user included) are counted in-process on both
databases: they must be the same, whatever the size.

Then gunicorn serves the large database (sync workers, 2 x cores + 1, on 127.0.0.1, a
free port), warmed up, and for each of ``--rounds`` rounds, each page in turn, ``wrk``
(Debian package) runs ``--duration`` seconds on the page and as long on ``/healthz`` with
no cookie (alternating which goes first), so that drift hits both alike. A response
other than 200 fails the run. Per page: the median requests per second of each over the
rounds, and ratio = page / healthz. A page asked again by its viewer is served from the
page cache while nothing it shows has changed; after the rounds, each page runs once more
with a query parameter new on every request, so that every response is rendered, for the
record (``rendered_req_s``, ``rendered_ratio``; no target).

One line per page: ``web page=<name> req_s=... healthz_req_s=... ratio=... queries=...
queries_small=... rendered_req_s=... rendered_ratio=...``, then a summary. Targets: every
ratio at least 0.25, the query count the same at both sizes, every page present. Exits 1
if one is missed, 2 if it cannot run.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import http.client
import io
import json
import os
import pstats
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

LARGE_DB = "constellation_bench_web"
SMALL_DB = "constellation_bench_web_small"
RATIO_TARGET = 0.25
MAX_AGE_HOURS = 48
MARKER = "bench_web_marker"
PAGES = (
    "participant_home",
    "mentor_home",
    "pairing_workspace",
    "health_dashboard",
    "participant_directory",
    "matching_board",
)
LUA = """
-- Count responses other than 200: wrk itself counts only those outside 2xx and 3xx,
-- and a page that redirects to the sign-in form must fail too.
local threads = {}
function setup(thread) table.insert(threads, thread); thread:set("id", #threads) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("bench_non200 %d\\n", total))
end
"""
# The same, each request with a query parameter of its own: a URL never asked before, so
# the page cache (mentoring.pagecache) never has it and every response is rendered.
MISS_LUA = (
    LUA
    + """
n = 0
function request()
  n = n + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "bench_miss=" .. id .. "-" .. n)
end
"""
)


def _parse_args(argv: list[str]) -> argparse.Namespace:
    cores = os.cpu_count() or 2
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--reseed", action="store_true", help="seed both databases again")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of wrk (default 5)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (5)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--workers", type=int, default=2 * cores + 1, help="gunicorn workers (2 x cores + 1)"
    )
    parser.add_argument(
        "--worker-class", default="sync", choices=("sync", "gthread"), help="gunicorn workers"
    )
    parser.add_argument("--worker-threads", type=int, default=1, help="threads per gthread")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated page names")
    parser.add_argument(
        "--queries-only", action="store_true", help="seed, check and count queries; no load"
    )
    parser.add_argument("--profile", metavar="PAGE", help="cProfile PAGE in-process, then stop")
    parser.add_argument("--show-queries", action="store_true", help="print each page's SQL")
    args = parser.parse_args(argv)
    unknown = set(args.pages.split(",")) - set(PAGES)
    if unknown or (args.profile and args.profile not in PAGES):
        parser.error(f"pages are {', '.join(PAGES)}")
    return args


def _database_url(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _own_redis_db(url: str, db: int) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


# Production settings, before Django loads them; gunicorn gets the same environment.
ARGS = _parse_args(sys.argv[1:])
BASE_URL = os.environ.get("DATABASE_URL", "")
if not BASE_URL.startswith(("postgres://", "postgresql://", "pgsql://")):
    print(
        "bench-web runs on PostgreSQL: set DATABASE_URL to a server whose role may create "
        "databases, e.g.\n    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres "
        f"make bench-web\nIt keeps its own databases, {LARGE_DB} and {SMALL_DB}.",
        file=sys.stderr,
    )
    sys.exit(2)
if urlsplit(BASE_URL).path.strip("/") in (LARGE_DB, SMALL_DB):
    print(f"DATABASE_URL names {LARGE_DB} or {SMALL_DB}, which the benchmark reseeds.")
    sys.exit(2)
TMP = Path(tempfile.mkdtemp(prefix="bench-web-"))
os.environ.update(
    DJANGO_SETTINGS_MODULE="mentoring.settings",
    DJANGO_DEBUG="false",
    DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
    DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    DJANGO_SECURE_SSL_REDIRECT="false",
    DJANGO_STATIC_ROOT=str(TMP / "static"),
    DATABASE_URL=_database_url(BASE_URL, LARGE_DB),
    LOG_LEVEL="WARNING",
)
os.environ.pop("DJANGO_BEHIND_TLS_PROXY", None)
if os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _own_redis_db(
        os.environ["REDIS_URL"], int(os.environ.get("BENCH_REDIS_DB", "15"))
    )
SERVER_ENV = dict(os.environ)
# In this process the cache is local memory whatever REDIS_URL says: it is cleared when the
# database changes (a page may cache per program id, the same id in both databases) and
# before each uncached request, without touching any Redis database.
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402

django.setup()

import web_seed  # noqa: E402
from allauth.mfa.models import Authenticator  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from matching.models import Pairing  # noqa: E402
from mentoring import pagecache  # noqa: E402
from mentoring.models import User  # noqa: E402
from programs.models import Membership, Program  # noqa: E402
from sessions.models import Workspace  # noqa: E402

# --- Databases --------------------------------------------------------------------------------


def code_version() -> str:
    """What the seeded data depends on: the seeding code and every migration."""
    digest = hashlib.sha256()
    files = [ROOT / "bench" / "web_seed.py", ROOT / "bench" / "sweeps_bench.py"]
    files += sorted(ROOT.glob("*/migrations/*.py"))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def use_database(name: str) -> None:
    connections.close_all()
    cache.clear()
    pagecache.forget()
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _database_exists(name: str) -> bool:
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def _marker() -> dict[str, Any] | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT version, size, seeded_at, info FROM {MARKER}")  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return None
    version, size, seeded_at, info = row
    info = info if isinstance(info, dict) else json.loads(info)
    return {"version": version, "size": size, "seeded_at": seeded_at, "info": info}


def reusable(name: str, size: web_seed.Size, version: str) -> tuple[dict[str, Any] | None, str]:
    """The personas of database ``name`` if its marker allows reusing it, else why not."""
    if not _database_exists(name):
        return None, "no database"
    use_database(name)
    marker = _marker()
    if marker is None:
        return None, "no marker (seeding never finished)"
    if marker["version"] != version or marker["size"] != size.name:
        return None, f"seeded by other code or migrations ({marker['version']})"
    age = (timezone.now() - marker["seeded_at"]).total_seconds() / 3600
    if age > MAX_AGE_HOURS:
        return None, f"seeded {age:.0f} hours ago; its dates follow that day"
    counts = marker["info"]["counts"]
    print(
        f"web seed size={size.name} database={name} reused=yes seeded_hours_ago={age:.1f} "
        f"users={counts.get('mentoring.User')} pairings={counts.get('matching.Pairing')} "
        f"meetings={counts.get('mentoring_sessions.Meeting')}",
        flush=True,
    )
    return dict(marker["info"]), ""


def seed_database(name: str, size: web_seed.Size, version: str, now: Any) -> dict[str, Any]:
    """Create database ``name`` afresh, migrate it, seed ``size``, mark it complete."""
    started = time.perf_counter()
    use_database(name)  # closes every connection to it first
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quote(name)}")
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    info = web_seed.seed(size, now, log=lambda line: print(f"# {line}", flush=True))
    copied = time.perf_counter()
    web_seed.check_stored_rhythm()
    web_seed.vacuum_analyze()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {MARKER} (version text, size text, seeded_at timestamptz, info jsonb)"
        )
        cursor.execute(
            f"INSERT INTO {MARKER} VALUES (%s, %s, %s, %s)",  # noqa: S608
            [version, size.name, now, json.dumps(info)],
        )
    counts = info["counts"]
    print(
        f"web seed size={size.name} database={name} reused=no "
        f"users={counts.get('mentoring.User')} programs={Program.objects.count()} "
        f"pairings={counts.get('matching.Pairing')} "
        f"workspaces={counts.get('mentoring_sessions.Workspace')} "
        f"meetings={counts.get('mentoring_sessions.Meeting')} "
        f"agendas={counts.get('mentoring_sessions.Agenda')} "
        f"checkins={counts.get('mentoring_sessions.CheckIn')} "
        f"action_items={counts.get('mentoring_sessions.ActionItem')} "
        f"migrate_s={migrated - started:.1f} copy_s={copied - migrated:.1f} "
        f"seconds={time.perf_counter() - started:.1f}",
        flush=True,
    )
    return info


def ensure_seeded(*, reseed: bool) -> dict[str, dict[str, Any]]:
    """Both databases' personas: reused if both markers allow, else both seeded afresh
    (with the same clock, so that the two sizes differ in size only)."""
    version = code_version()
    sizes = {SMALL_DB: web_seed.SMALL, LARGE_DB: web_seed.LARGE}
    infos: dict[str, dict[str, Any]] = {}
    reason = "--reseed"
    if not reseed:
        for name, size in sizes.items():
            info, why = reusable(name, size, version)
            if info is None:
                reason = f"{name}: {why}"
                break
            infos[name] = info
        else:
            return infos
    print(f"web seed databases={SMALL_DB},{LARGE_DB} seeding ({reason})", flush=True)
    now = timezone.now().replace(second=0, microsecond=0)
    return {name: seed_database(name, size, version, now) for name, size in sizes.items()}


# --- Pages --------------------------------------------------------------------------------------


@dataclass
class Target:
    """A page as one persona asks for it on the current database."""

    name: str
    persona: str  # mentee, mentor, admin
    path: str | None  # None: the URL does not exist
    expect: list[str]
    missing: str = ""


def _workspace_path(ws: Workspace) -> str:
    return reverse("workspace:detail", kwargs={"slug": ws.program.slug, "pk": ws.pk})


def targets(info: dict[str, Any]) -> dict[str, Target]:
    """Each page's URL and what its persona must see there, on the current database."""
    slug = info["typical_slug"]
    program = Program.objects.get(slug=slug)
    mentee = User.objects.get(email=info["mentee_email"])
    mentor = User.objects.get(email=info["mentor_email"])
    mentee_ws = Workspace.objects.select_related("program", "pairing__mentor__user").get(
        pk=info["mentee_workspace"]
    )
    assert mentee_ws.pairing is not None
    her_mentor = mentee_ws.pairing.mentor.user
    mentor_ws = list(
        Workspace.objects.filter(
            pairing__mentor__user=mentor, pairing__status=Pairing.Status.ACTIVE
        ).select_related("program")
    )
    if len(mentor_ws) != info["mentor_mentees"]:
        raise SystemExit(f"the mentor has {len(mentor_ws)} running pairs, not as seeded")
    first = (
        Membership.objects.filter(program=program, role__in=Membership.PARTICIPANT_ROLES)
        .select_related("user")
        .order_by("user__name", "user__email", "role")
        .first()
    )
    assert first is not None

    def url(name: str, **kwargs: Any) -> tuple[str | None, str]:
        try:
            return reverse(name, kwargs=kwargs or None), ""
        except NoReverseMatch as exc:
            return None, f"missing: no URL {name} ({exc.__class__.__name__})"

    pages = {
        "participant_home": ("mentee", url("home"), [
            f"Welcome, {mentee.get_short_name()}", _workspace_path(mentee_ws)
        ]),
        "mentor_home": ("mentor", url("home"), [
            f"Welcome, {mentor.get_short_name()}", *(_workspace_path(w) for w in mentor_ws)
        ]),
        "pairing_workspace": ("mentee", (_workspace_path(mentee_ws), ""), [
            her_mentor.display_name, program.name
        ]),
        "health_dashboard": ("admin", url("health:dashboard", slug=slug), [program.name]),
        "participant_directory": ("admin", url("programs:participants", slug=slug), [
            program.name, first.user.display_name
        ]),
        "matching_board": ("admin", url("matching:board", slug=slug), [
            program.name, 'id="suggestions"', "Draft of"
        ]),
    }  # fmt: skip
    return {
        name: Target(name, persona, path, expect, missing)
        for name, (persona, (path, missing), expect) in pages.items()
    }


def persona_clients(info: dict[str, Any]) -> dict[str, Client]:
    """A logged-in test client per persona (each with a session in the current database)."""
    clients = {}
    for persona in ("mentee", "mentor", "admin"):
        client = Client()
        user = User.objects.get(email=info[f"{persona}_email"])
        if persona == "admin":
            # Program admins use admin pages only with two-factor set up (mentoring.security).
            has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)
            if not has_totp.exists():
                TOTP.activate(user, generate_totp_secret())
        client.force_login(user)
        clients[persona] = client
    return clients


def _check_body(target: Target, status: int, body: str) -> str:
    """Why this response is not the page its persona should see ("" if it is)."""
    if status == 404:
        return "missing (404)"
    if status != 200:
        return f"answered {status}"
    absent = [text for text in target.expect if text not in body]
    if absent:
        return f"200 without {absent!r}"
    return ""


@dataclass
class Counted:
    queries: int = 0  # a request like most under load (what the page caches, cached)
    uncached: int = 0  # a request with the cache empty
    sql: list[str] = field(default_factory=list)
    uncached_sql: list[str] = field(default_factory=list)
    error: str = ""


def _captured(client: Client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return [q["sql"] for q in captured.captured_queries]


def count_queries(target: Target, client: Client) -> Counted:
    """Queries of one request, uncached and cached (after a warm-up), the page checked."""
    if target.path is None:
        return Counted(error=target.missing)
    try:
        response = client.get(target.path)
    except Exception as exc:
        return Counted(error=f"raised {exc.__class__.__name__}: {exc}")
    error = _check_body(target, response.status_code, response.content.decode())
    if error:
        return Counted(error=error)
    cache.clear()
    pagecache.forget()
    uncached = _captured(client, target.path)
    runs = [_captured(client, target.path) for _ in range(2)]
    counted = Counted(len(runs[1]), len(uncached), runs[1], uncached)
    if len(runs[0]) != len(runs[1]):
        counted.error = f"{len(runs[0])} then {len(runs[1])} queries"
    return counted


def _shape(sql: str) -> str:
    """A query with its literal numbers and strings masked, to compare two sizes' queries."""
    sql = re.sub(r"'[^']*'", "'?'", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    return re.sub(r"\(\?(, \?)*\)", "(?...)", sql)


def query_diff(small: list[str], large: list[str]) -> Iterator[str]:
    import difflib

    for line in difflib.unified_diff(
        [_shape(q)[:240] for q in small], [_shape(q)[:240] for q in large], "small", "large", n=0
    ):
        yield line.rstrip("\n")


def profile_page(target: Target, client: Client, requests: int = 30) -> None:
    """cProfile ``requests`` requests of one page in-process; its slowest queries."""
    assert target.path
    client.get(target.path)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        client.get(target.path)
        one = time.perf_counter() - started
    sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
    print(
        f"# profile page={target.name} one_request_ms={one * 1000:.1f} "
        f"queries={len(captured.captured_queries)} sql_ms={sql_ms:.1f}"
    )
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    for q in slowest[:8]:
        print(f"#   {float(q['time']) * 1000:7.2f} ms  {q['sql'][:400]}")
    with connection.cursor() as cursor:  # the plans of the slowest, as PostgreSQL ran them
        for q in slowest[:3]:
            if float(q["time"]) < 0.002 or not q["sql"].lstrip().upper().startswith(
                ("SELECT", "(")
            ):
                continue
            print(f"# explain {q['sql']}")
            try:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            except DatabaseError as exc:  # the SQL as logged is not always runnable again
                print(f"#   (no plan: {exc})")
                continue
            for (line,) in cursor.fetchall():
                print(f"#   {line}")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(requests):
        client.get(target.path)
    profiler.disable()
    took = (time.perf_counter() - started) / requests
    print(f"# profile page={target.name} requests={requests} mean_ms={took * 1000:.1f}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    print("\n".join(f"# {line}" for line in out.getvalue().splitlines() if line.strip()))


# --- Serving and loading -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(port: int) -> Iterator[subprocess.Popen[bytes]]:
    # Sync workers, 2 x cores + 1 (gunicorn's own advice): the model production runs
    # behind a buffering proxy, one request per worker at a time and a new connection
    # per request, as the proxy hands them over. Both the page and /healthz pay the same
    # connection cost, so the ratio compares the work of the views. The workers hold
    # their database connections (CONN_MAX_AGE), as in production.
    log = TMP / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "mentoring.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(ARGS.workers),
        "--worker-class",
        ARGS.worker_class,
        "--timeout",
        "120",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log),
        "--chdir",
        str(ROOT),
    ]
    if ARGS.worker_class == "gthread":
        command += ["--threads", str(ARGS.worker_threads)]
    server = subprocess.Popen(command, env=SERVER_ENV, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited ({server.returncode}): {log.read_text()}")
            try:
                status, _ = http_get(port, "/healthz", "")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer /healthz: {log.read_text()}")
            time.sleep(0.3)
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        errors = log.read_text() if log.exists() else ""
        if "Traceback" in errors:
            print(f"# gunicorn logged errors:\n{errors[-4000:]}", file=sys.stderr)


def http_get(port: int, path: str, session: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"} if session else {}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, body


@dataclass
class WrkResult:
    req_s: float
    non200: int
    errors: str  # "" or what went wrong


def wrk(port: int, path: str, session: str, seconds: int, *, miss: bool = False) -> WrkResult:
    script = TMP / ("miss.lua" if miss else "count.lua")
    if not script.exists():
        script.write_text(MISS_LUA if miss else LUA)
    command = [
        "wrk",
        f"-t{ARGS.threads}",
        f"-c{ARGS.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
    ]
    if session:
        command += ["-H", f"Cookie: {settings.SESSION_COOKIE_NAME}={session}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    text = out.stdout + out.stderr
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    bad = re.search(r"bench_non200 (\d+)", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    if out.returncode != 0 or rate is None or bad is None:
        return WrkResult(0.0, 0, f"wrk failed: {text.strip()[-500:]}")
    errors = []
    done = re.search(r"(\d+) requests in", text)
    if done is None or int(done.group(1)) == 0:
        errors.append("no response at all")
    non200 = int(bad.group(1))
    if non200 or (non2xx and int(non2xx.group(1))):
        errors.append(f"{max(non200, int(non2xx.group(1)) if non2xx else 0)} responses not 200")
    if sockets and (int(sockets.group(1)) or int(sockets.group(4))):
        errors.append(f"socket errors: connect {sockets.group(1)}, timeout {sockets.group(4)}")
    return WrkResult(float(rate.group(1)), non200, "; ".join(errors))


# --- The run ----------------------------------------------------------------------------------


@dataclass
class PageResult:
    target: Target
    queries: int | None = None
    queries_small: int | None = None
    uncached: tuple[int, int] = (0, 0)  # large, small
    page_rates: list[float] = field(default_factory=list)
    healthz_rates: list[float] = field(default_factory=list)
    miss_rate: float | None = None  # every request rendered (not a target)
    errors: list[str] = field(default_factory=list)

    @property
    def req_s(self) -> float | None:
        return statistics.median(self.page_rates) if self.page_rates else None

    @property
    def healthz_req_s(self) -> float | None:
        return statistics.median(self.healthz_rates) if self.healthz_rates else None

    @property
    def ratio(self) -> float | None:
        if self.req_s is None or not self.healthz_req_s:
            return None
        return self.req_s / self.healthz_req_s

    @property
    def miss_ratio(self) -> float | None:
        if self.miss_rate is None or not self.healthz_req_s:
            return None
        return self.miss_rate / self.healthz_req_s


def _fmt(value: float | int | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def run() -> int:
    if shutil.which("wrk") is None and not (ARGS.queries_only or ARGS.profile):
        print("bench-web needs wrk: apt-get install wrk", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        infos = ensure_seeded(reseed=ARGS.reseed)
    except Exception:
        traceback.print_exc()
        print("bench-web: seeding failed (see above)", file=sys.stderr)
        return 2
    small_info, large_info = infos[SMALL_DB], infos[LARGE_DB]
    call_command("collectstatic", interactive=False, verbosity=0)
    names = [n for n in PAGES if n in ARGS.pages.split(",")]

    if ARGS.profile:
        use_database(LARGE_DB)
        target = targets(large_info)[ARGS.profile]
        if target.path is None:
            print(f"{ARGS.profile}: {target.missing}", file=sys.stderr)
            return 1
        profile_page(target, persona_clients(large_info)[target.persona])
        return 0

    # Queries at both sizes (the small first: the large's sessions are the ones kept).
    results: dict[str, PageResult] = {}
    counted: dict[str, dict[str, Counted]] = {}
    for db, info in ((SMALL_DB, small_info), (LARGE_DB, large_info)):
        use_database(db)
        pages = targets(info)
        clients = persona_clients(info)
        counted[db] = {n: count_queries(pages[n], clients[pages[n].persona]) for n in names}
        if db == LARGE_DB:
            large_targets, sessions = (
                pages,
                {p: c.cookies[settings.SESSION_COOKIE_NAME].value for p, c in clients.items()},
            )
    for name in names:
        small, large = counted[SMALL_DB][name], counted[LARGE_DB][name]
        result = results[name] = PageResult(large_targets[name])
        result.queries = large.queries if not large.error else None
        result.queries_small = small.queries if not small.error else None
        for size, c in (("small", small), ("large", large)):
            if c.error:
                result.errors.append(f"{size}: {c.error}")
        result.uncached = (large.uncached, small.uncached)
        for kind, s_n, l_n, s_sql, l_sql in (
            ("", small.queries, large.queries, small.sql, large.sql),
            ("uncached ", small.uncached, large.uncached, small.uncached_sql, large.uncached_sql),
        ):
            if small.error or large.error or s_n == l_n:
                continue
            result.errors.append(f"{kind}queries depend on the size: {s_n} small, {l_n} large")
            for line in query_diff(s_sql, l_sql):
                print(f"# {name} {kind}{line}", file=sys.stderr)
        if ARGS.show_queries:
            for q in large.sql:
                print(f"# {name} sql {q[:300]}")
    connections.close_all()
    print(f"web queries checked seconds={time.perf_counter() - started:.1f}", flush=True)

    measurable = [n for n in names if not results[n].errors] if not ARGS.queries_only else []
    if measurable:
        port = _free_port()
        with gunicorn(port):
            for name in list(measurable):  # the same pages, over HTTP
                t = large_targets[name]
                status, body = http_get(port, t.path or "", sessions[t.persona])
                error = _check_body(t, status, body)
                if error:
                    results[name].errors.append(f"over HTTP: {error}")
                    measurable.remove(name)
            warm = max(2, ARGS.duration // 2)
            wrk(port, "/healthz", "", warm)
            for name in measurable:
                t = large_targets[name]
                wrk(port, t.path or "", sessions[t.persona], warm)
            for r in range(ARGS.rounds):
                for i, name in enumerate(measurable):
                    t, result = large_targets[name], results[name]
                    runs = [
                        ("page", t.path or "", sessions[t.persona]),
                        ("healthz", "/healthz", ""),
                    ]
                    if (r + i) % 2:
                        runs.reverse()
                    for kind, path, session in runs:
                        got = wrk(port, path, session, ARGS.duration)
                        if got.errors:
                            result.errors.append(f"round {r + 1} {kind}: {got.errors}")
                        (result.page_rates if kind == "page" else result.healthz_rates).append(
                            got.req_s
                        )
                print(f"# round {r + 1} of {ARGS.rounds} done", flush=True)
            # For the record, not the target: each page with every request a new URL,
            # so none is served from the page cache.
            for name in measurable:
                t, result = large_targets[name], results[name]
                got = wrk(port, t.path or "", sessions[t.persona], ARGS.duration, miss=True)
                if got.errors:
                    result.errors.append(f"rendered: {got.errors}")
                else:
                    result.miss_rate = got.req_s

    missed = []
    for name in names:
        result = results[name]
        ratio = result.ratio
        if not ARGS.queries_only and not result.errors and (ratio is None or ratio < RATIO_TARGET):
            result.errors.append(f"ratio {_fmt(ratio, '.3f')} below {RATIO_TARGET}")
        line = (
            f"web page={name} req_s={_fmt(result.req_s)} "
            f"healthz_req_s={_fmt(result.healthz_req_s)} ratio={_fmt(ratio, '.3f')} "
            f"queries={_fmt(result.queries, 'd')} queries_small={_fmt(result.queries_small, 'd')}"
        )
        if result.queries is not None and result.uncached[0] != result.queries:
            n_large, n_small = result.uncached
            line += f" queries_uncached={n_large} queries_uncached_small={n_small}"
        if result.miss_rate is not None:
            line += (
                f" rendered_req_s={_fmt(result.miss_rate)}"
                f" rendered_ratio={_fmt(result.miss_ratio, '.3f')}"
            )
        if result.errors:
            line += " error=" + ("missing" if "missing" in result.errors[0] else "yes")
        print(line, flush=True)
        missed += [f"{name}: {e}" for e in result.errors]
    print(
        f"web summary pages={len(names)} failed={sum(bool(results[n].errors) for n in names)} "
        f"target_ratio={RATIO_TARGET} rounds={0 if ARGS.queries_only else ARGS.rounds} "
        f"duration_s={ARGS.duration} wrk=-t{ARGS.threads},-c{ARGS.connections} "
        f"gunicorn={ARGS.worker_class}x{ARGS.workers} cores={os.cpu_count()} "
        f"seconds={time.perf_counter() - started:.0f}",
        flush=True,
    )
    for miss in missed:
        print(f"missed: {miss}", file=sys.stderr)
    return 1 if missed else 0


def main() -> int:
    try:
        return run()
    finally:
        connections.close_all()
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
