#!/usr/bin/env bash
# The production stack on one machine: gunicorn, two Celery workers and exactly one beat,
# run by honcho from the Procfile, against PostgreSQL and Redis.
#
#   scripts/stack.sh up      migrate, collectstatic, start in the background, wait for /healthz
#   scripts/stack.sh down    stop everything `up` started; fails if anything is left running
#   scripts/stack.sh status  say whether it runs
#
# `make up` / `make down` call this. Settings come from the environment; unset ones get
# local defaults (see docs/deploy.md for every variable):
#   DATABASE_URL   postgres://postgres@127.0.0.1:5432/constellation (created if missing)
#   REDIS_URL      redis://127.0.0.1:6379/0
#   HOST, PORT     127.0.0.1, 8000          WEB_CONCURRENCY  2 gunicorn workers
#   STACK_VAR_DIR  var/ (pid file, log, the generated secret key, beat's schedule)
# The stack serves plain HTTP on 127.0.0.1, so it turns off the HTTPS redirect, Secure
# cookies and HSTS unless they are set; behind a TLS proxy set them on (docs/deploy.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
export PATH="$VENV/bin:$PATH"

export STACK_VAR_DIR="${STACK_VAR_DIR:-$ROOT/var}"
PIDFILE="$STACK_VAR_DIR/stack.pid"
GUNICORN_PIDFILE="$STACK_VAR_DIR/gunicorn.pid"
PROCFILE="$ROOT/Procfile"
GROUPS_FILE="$STACK_VAR_DIR/stack.groups"
LOG="$STACK_VAR_DIR/stack.log"
START_TIMEOUT="${STACK_START_TIMEOUT:-90}"
STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-30}"

say() { printf 'stack: %s\n' "$*"; }
die() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# The saved runner pid, if that process is still this checkout's honcho: after a reboot
# or a crash the pid may belong to something else, never to be trusted or signalled.
runner_pid() {
  local pid
  pid="$( [ -f "$PIDFILE" ] && cat "$PIDFILE" || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  is_our_runner "$pid" && echo "$pid" || true
}

is_our_runner() {
  local args
  args="$(ps -ww -o args= -p "$1" 2>/dev/null || true)"
  [[ "$args" == *honcho* && "$args" == *"--procfile $PROCFILE"* ]]
}

# Process groups of the runner and of every process below it (honcho starts each
# Procfile entry in a session of its own; a worker's pool children share its group).
process_groups() {
  local root="$1"
  ps -ww -e -o pid=,ppid=,pgid= | awk -v root="$root" '
    { parent[$1] = $2; group[$1] = $3 }
    END {
      for (pid in parent) {
        p = pid
        while (p != "" && p != 0 && p != 1) {
          if (p == root) { print group[pid]; break }
          p = parent[p]
        }
      }
    }' | sort -un
}

# Processes of the stack still alive in any of the given process groups, one "pid pgid
# command" a line. Only the stack's own commands count (this checkout's honcho, gunicorn
# serving mentoring.wsgi, Celery with -A mentoring): a group id recorded in the groups
# file may since have been reused by something else, even another gunicorn or celery.
members() {
  local groups=" $* "
  ps -ww -e -o pid=,pgid=,args= | while read -r pid pgid args; do
    case "$groups" in
      *" $pgid "*)
        case "$args" in
          *honcho*"--procfile $PROCFILE"*|*gunicorn*mentoring.wsgi*|*celery*"-A mentoring "*)
            printf '%s %s %s\n' "$pid" "$pgid" "$args" ;;
        esac ;;
    esac
  done
}

configure() {
  export DJANGO_SETTINGS_MODULE=mentoring.settings
  export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/constellation}"
  export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
  export HOST="${HOST:-127.0.0.1}"
  export PORT="${PORT:-8000}"
  export GUNICORN_BIND="${GUNICORN_BIND:-$HOST:$PORT}"
  export GUNICORN_PIDFILE
  export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"
  export DJANGO_DEBUG="${DJANGO_DEBUG:-false}"
  export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-localhost,127.0.0.1}"
  export SITE_URL="${SITE_URL:-http://$HOST:$PORT}"
  # Plain HTTP on this machine: no redirect to HTTPS, no Secure-only cookies (curl and
  # some browsers drop them on http://127.0.0.1), no HSTS. Behind TLS, set them to true.
  export DJANGO_SECURE_SSL_REDIRECT="${DJANGO_SECURE_SSL_REDIRECT:-false}"
  export DJANGO_SECURE_COOKIES="${DJANGO_SECURE_COOKIES:-false}"
  export DJANGO_HSTS_SECONDS="${DJANGO_HSTS_SECONDS:-0}"
  export LOG_FORMAT="${LOG_FORMAT:-json}"
  export PYTHONUNBUFFERED=1
  if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
    local keyfile="$STACK_VAR_DIR/secret_key"
    if [ ! -s "$keyfile" ]; then
      (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(64))' >"$keyfile")
      say "generated a secret key in $keyfile (keep it: sessions and links depend on it)"
    fi
    DJANGO_SECRET_KEY="$(cat "$keyfile")"
    export DJANGO_SECRET_KEY
  fi
}

# Create the database DATABASE_URL names if the server does not have it yet.
ensure_database() {
  "$PY" - <<'PYTHON' || die "PostgreSQL is not reachable at DATABASE_URL (host, port, user and password are taken from it). Start PostgreSQL, or set DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/NAME for a role that may create NAME (or create NAME yourself)."
import os
import sys

import environ
import psycopg2
from psycopg2 import sql

db = environ.Env.db_url_config(os.environ["DATABASE_URL"])
if "postgresql" not in db["ENGINE"]:
    sys.exit("stack: DATABASE_URL must name a PostgreSQL database")
params = {
    "host": db.get("HOST") or None,
    "port": db.get("PORT") or None,
    "user": db.get("USER") or None,
    "password": db.get("PASSWORD") or None,
    "connect_timeout": 5,
}
name = db["NAME"]
try:
    psycopg2.connect(dbname=name, **params).close()
except psycopg2.OperationalError as error:
    if f'"{name}" does not exist' not in str(error):
        sys.exit(f"stack: cannot connect to the database: {str(error).strip()}")
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    print(f"stack: created the database {name}")
PYTHON
}

ensure_redis() {
  "$PY" -c 'import os, redis; redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3).ping()' 2>/dev/null \
    || die "Redis does not answer at REDIS_URL. Start redis-server, or set REDIS_URL=redis://HOST:PORT/DB."
}

# Where to reach the server on this machine: a wildcard bind (0.0.0.0, ::) is probed on
# the loopback address, which ALLOWED_HOSTS lets in by default (a Host of 0.0.0.0 it
# would refuse with a 400).
probe_address() {
  local bind="${GUNICORN_BIND#tcp://}" host port
  port="${bind##*:}"
  host="${bind%:*}"
  case "$host" in
    ""|0.0.0.0|"*") host=127.0.0.1 ;;
    "[::]"|"::") host="[::1]" ;;
  esac
  printf '%s:%s\n' "$host" "$port"
}

# Refuse to start when something listens on the port already (`make demo`'s runserver,
# an earlier stack): gunicorn could not bind, and that other server would answer.
port_free() {
  "$PY" - "$(probe_address)" <<'PYTHON'
import socket
import sys

host, port = sys.argv[1].rsplit(":", 1)
host = host.strip("[]")
family = socket.AF_INET6 if ":" in host else socket.AF_INET
with socket.socket(family, socket.SOCK_STREAM) as probe:
    probe.settimeout(1)
    sys.exit(1 if probe.connect_ex((host, int(port))) == 0 else 0)
PYTHON
}

healthy() {
  "$PY" -c '
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=3) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception:
    sys.exit(1)' "http://$(probe_address)/healthz"
}

# Our gunicorn listens: the master its pid file names runs below the given runner and has
# forked its workers, which it does only once it holds the port (it writes the pid file
# before it binds, and retries a taken port for a while).
our_gunicorn() {
  local runner="$1" pid
  pid="$( [ -f "$GUNICORN_PIDFILE" ] && cat "$GUNICORN_PIDFILE" || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  ps -ww -e -o pid=,ppid= | awk -v root="$runner" -v pid="$pid" '
    { parent[$1] = $2; if ($2 == pid) workers++ }
    END {
      if (!workers) exit 1
      p = pid
      while (p != "" && p != 0 && p != 1) { if (p == root) exit 0; p = parent[p] }
      exit 1
    }'
}

cmd_up() {
  mkdir -p "$STACK_VAR_DIR"
  local pid
  pid="$(runner_pid)"
  if alive "$pid"; then
    say "already running (runner pid $pid); \`make down\` stops it"
    return 0
  fi
  [ -x "$PY" ] || die "no virtualenv at $VENV: run \`make deps assets\` first"
  configure
  port_free || die "something already listens on $(probe_address) (\`make demo\`? another stack?): stop it, or choose another port (make up PORT=8001)"
  ensure_database
  ensure_redis
  say "migrating"
  "$PY" manage.py migrate --noinput >"$STACK_VAR_DIR/migrate.log" 2>&1 \
    || { tail -n 40 "$STACK_VAR_DIR/migrate.log" >&2; die "migrate failed"; }
  say "collecting static files"
  "$PY" manage.py collectstatic --noinput >"$STACK_VAR_DIR/collectstatic.log" 2>&1 \
    || { tail -n 40 "$STACK_VAR_DIR/collectstatic.log" >&2; die "collectstatic failed"; }

  # A session of its own: the runner leads its group and outlives this shell. honcho reads
  # no .env here: what this script exported is what runs.
  rm -f "$GUNICORN_PIDFILE"
  setsid honcho start --no-colour --no-prefix --env /dev/null --procfile "$ROOT/Procfile" \
    --app-root "$ROOT" >>"$LOG" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PIDFILE"
  say "started (runner pid $pid), waiting for http://$GUNICORN_BIND/healthz"

  # Healthy means: /healthz answers while our runner lives and the gunicorn listening is
  # the one it started (its pid file names a process below the runner).
  local deadline=$((SECONDS + START_TIMEOUT))
  until healthy && alive "$pid" && our_gunicorn "$pid"; do
    if ! alive "$pid" || ((SECONDS > deadline)); then
      tail -n 60 "$LOG" >&2 || true
      cmd_down || true
      die "the stack did not become healthy (log: $LOG)"
    fi
    sleep 0.5
  done
  # Appended: groups an earlier run left behind (its runner gone) stay for `make down`.
  process_groups "$pid" >>"$GROUPS_FILE"
  alive "$pid" || die "the stack stopped right after starting (log: $LOG)"
  say "up: http://$(probe_address)/  (readiness: http://$(probe_address)/readyz)"
  say "logs (JSON lines): $LOG"
  say "stop it with: make down"
}

cmd_down() {
  local pid groups
  pid="$(runner_pid)"
  groups="$( { [ -f "$GROUPS_FILE" ] && cat "$GROUPS_FILE"; if alive "$pid"; then echo "$pid"; process_groups "$pid"; fi; } | sort -un | tr '\n' ' ')"
  # shellcheck disable=SC2086
  if [ -z "${groups// /}" ] || [ -z "$(members $groups)" ]; then
    say "nothing is running"
    rm -f "$PIDFILE" "$GROUPS_FILE"
    return 0
  fi
  if alive "$pid"; then
    say "stopping (runner pid $pid)"
    # honcho sends SIGTERM to each process group it started, and SIGKILL 5 s later.
    kill -TERM "$pid" 2>/dev/null || true
  else
    # The runner is gone but what it started is not: stop those processes directly.
    say "the runner is gone; stopping what it left"
    # shellcheck disable=SC2086
    members $groups | while read -r member _; do kill -TERM "$member" 2>/dev/null || true; done
  fi
  local deadline=$((SECONDS + STOP_TIMEOUT))
  # Until nothing is left, the runner included: it was ours when the stop began, and its
  # command line is gone once it exited (a zombie until it is reaped).
  # shellcheck disable=SC2086
  while [ -n "$(members $groups)" ] || alive "$pid"; do
    if ((SECONDS > deadline)); then
      printf 'stack: error: still running %s s after the stop:\n' "$STOP_TIMEOUT" >&2
      # shellcheck disable=SC2086
      members $groups >&2
      # shellcheck disable=SC2086
      members $groups | while read -r member _; do kill -KILL "$member" 2>/dev/null || true; done
      printf 'stack: error: killed them (SIGKILL); see the log: %s\n' "$LOG" >&2
      return 1
    fi
    sleep 0.3
  done
  rm -f "$PIDFILE" "$GROUPS_FILE"
  say "stopped; nothing it started is running"
}

cmd_status() {
  local pid
  pid="$(runner_pid)"
  if alive "$pid"; then
    say "running (runner pid $pid)"
  else
    say "not running"
    return 1
  fi
}

main() {
  case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down || die "make down could not stop everything cleanly" ;;
    status) cmd_status ;;
    *) die "usage: $0 up|down|status" ;;
  esac
}

# Sourced (the tests call its functions), it only defines them.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then main "$@"; fi
