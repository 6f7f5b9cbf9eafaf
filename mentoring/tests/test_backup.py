"""Backups round-trip: scripts/backup.sh dumps a migrated database with rows in it,
scripts/restore.sh restores it into an empty one, and the two hold the same rows; a
restore over a database that is not empty is refused without --force.

Needs PostgreSQL (DATABASE_URL) and pg_dump/pg_restore of the server's major version; it
creates two scratch databases next to the test database and drops them at the end.
Locally it skips without them; in CI (CI=true) it must run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg2  # type: ignore[import-untyped]
import pytest
from django.db import connection
from psycopg2 import sql

from conftest import require_service

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
GROUPS = ["mentors", "Ünïcode ✓ group", "it's quoted"]


def _server() -> dict[str, str | None]:
    db = connection.settings_dict
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": str(db.get("PORT") or "5432"),
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }


def _url(name: str) -> str:
    server = _server()
    auth = quote(server["user"] or "", safe="")
    if server["password"]:
        auth += ":" + quote(server["password"], safe="")
    return f"postgres://{auth}{'@' if auth else ''}{server['host']}:{server['port']}/{name}"


def _connect(name: str):
    server = _server()
    return psycopg2.connect(
        dbname=name,
        host=server["host"],
        port=server["port"],
        user=server["user"],
        password=server["password"],
    )


def _admin(statement: sql.Composable) -> None:
    conn = _connect("postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
    finally:
        conn.close()


def _contents(name: str) -> dict[str, object]:
    """Every table's row count, and the groups' names."""
    conn = _connect(name)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
            tables = [row[0] for row in cursor.fetchall()]
            counts: dict[str, object] = {}
            for table in tables:
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                counts[table] = cursor.fetchone()[0]
            cursor.execute("SELECT name FROM auth_group ORDER BY name")
            counts["auth_group names"] = [row[0] for row in cursor.fetchall()]
            return counts
    finally:
        conn.close()


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.fixture
def scratch() -> Iterator[tuple[str, str]]:
    """Two new, empty databases on the test server (source and target), dropped after."""
    require_service(
        "PostgreSQL (DATABASE_URL)",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://... (backups are pg_dump/pg_restore)",
    )
    require_service(
        "pg_dump and pg_restore",
        bool(shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")),
        "install postgresql-client-15",
    )
    tag = uuid.uuid4().hex[:10]
    names = (f"backup_src_{tag}", f"backup_dst_{tag}")
    for name in names:
        _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield names
    finally:
        for name in names:
            _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_backup_restores_into_an_empty_database_with_the_same_rows(scratch, tmp_path):
    source, target = scratch
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("REDIS_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "mentoring.settings",
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": _url(source),
        }
    )
    migrate = _run([str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "--noinput"], env)
    assert migrate.returncode == 0, migrate.stderr
    conn = _connect(source)
    with conn, conn.cursor() as cursor:
        cursor.executemany("INSERT INTO auth_group (name) VALUES (%s)", [(g,) for g in GROUPS])
    conn.close()
    before = _contents(source)
    assert before["auth_group names"] == sorted(GROUPS)

    backup = _run(["/bin/bash", "scripts/backup.sh", str(tmp_path / "dumps")], env)
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.name.startswith(f"{source}-")
    assert dump.suffix == ".dump"
    assert dump.stat().st_size > 0
    assert dump.stat().st_mode & 0o077 == 0  # personal data: the owner's alone

    restore = _run(["/bin/bash", "scripts/restore.sh", str(dump), _url(target)], env)
    assert restore.returncode == 0, restore.stderr
    assert _contents(target) == before

    # A database with tables in it is not overwritten by mistake ...
    again = _run(["/bin/bash", "scripts/restore.sh", str(dump), _url(target)], env)
    assert again.returncode == 3
    assert "not empty" in again.stderr
    # ... but is on purpose, and ends up the same: tables the dump does not have are gone
    # too (the next migrate would trip on them), and so are their sequences and types.
    conn = _connect(target)
    with conn, conn.cursor() as cursor:
        cursor.execute("CREATE TABLE stray_table (id serial PRIMARY KEY, note text)")
        cursor.execute("INSERT INTO stray_table (note) VALUES ('left over')")
        cursor.execute("CREATE TYPE stray_mood AS ENUM ('a', 'b')")
    conn.close()
    forced = _run(["/bin/bash", "scripts/restore.sh", "--force", str(dump), _url(target)], env)
    assert forced.returncode == 0, forced.stderr
    assert _contents(target) == before
    conn = _connect(target)
    with conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_type WHERE typname = 'stray_mood'")
        assert cursor.fetchone()[0] == 0
    conn.close()
    # The restored database migrates (nothing to do) and is whole.
    env["DATABASE_URL"] = _url(target)
    migrate = _run([str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "--noinput"], env)
    assert migrate.returncode == 0, migrate.stderr


def test_a_forced_restore_that_fails_leaves_the_target_as_it_was(scratch, tmp_path):
    _, target = scratch
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    conn = _connect(target)
    with conn, conn.cursor() as cursor:
        cursor.execute("CREATE TABLE kept (id int)")
        cursor.execute("INSERT INTO kept VALUES (1)")
    conn.close()
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP" + b"\0" * 64)
    forced = _run(["/bin/bash", "scripts/restore.sh", "--force", str(broken), _url(target)], env)
    assert forced.returncode != 0
    conn = _connect(target)
    with conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM kept")
        assert cursor.fetchone()[0] == 1
    conn.close()


# --- No password on a command line (ps shows those to every user) ----------------------

FAKE_TOOL = """#!/bin/sh
# Records how it was called: its arguments and PGPASSWORD, one file each.
printf '%s\\n' "$0" "$@" >>"$RECORD_DIR/args"
printf '%s' "${PGPASSWORD-unset}" >"$RECORD_DIR/$(basename "$0").password"
case "$(basename "$0")" in
  psql) echo 0 ;;
  pg_dump) for a in "$@"; do case "$a" in --file=*) : >"${a#--file=}" ;; esac; done ;;
esac
"""


@pytest.fixture
def fake_tools(tmp_path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("pg_dump", "pg_restore", "psql"):
        path = bin_dir / tool
        path.write_text(FAKE_TOOL)
        path.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    env.update({"PATH": f"{bin_dir}:{env['PATH']}", "RECORD_DIR": str(tmp_path)})
    return env


PASSWORD = "s3cr:et@p/w%d"
URL = f"postgres://alice:{quote(PASSWORD, safe='')}@db.internal:5432/constellation"


@pytest.mark.parametrize("scheme", ["postgres", "pgsql"])
def test_backup_passes_the_password_in_the_environment_not_the_command_line(
    fake_tools, tmp_path, scheme
):
    env = {**fake_tools, "DATABASE_URL": URL.replace("postgres", scheme, 1)}
    backup = _run(["/bin/bash", "scripts/backup.sh", str(tmp_path / "dumps")], env)
    assert backup.returncode == 0, backup.stderr
    args = (tmp_path / "args").read_text()
    assert "--dbname=postgresql://alice@db.internal:5432/constellation" in args or (
        "--dbname=postgres://alice@db.internal:5432/constellation" in args
    )
    assert quote(PASSWORD, safe="") not in args
    assert "s3cr" not in args
    assert (tmp_path / "pg_dump.password").read_text() == PASSWORD


@pytest.mark.parametrize("force", [False, True])
def test_restore_passes_the_password_in_the_environment_not_the_command_line(
    fake_tools, tmp_path, force
):
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"PGDMP")
    command = ["/bin/bash", "scripts/restore.sh", *(["--force"] if force else []), str(dump), URL]
    restore = _run(command, fake_tools)
    assert restore.returncode == 0, restore.stderr
    args = (tmp_path / "args").read_text()
    assert "--dbname=postgres://alice@db.internal:5432/constellation" in args
    assert "s3cr" not in args
    for tool in ("psql", "pg_restore"):
        assert (tmp_path / f"{tool}.password").read_text() == PASSWORD


def test_a_failed_backup_leaves_no_partial_file(fake_tools, tmp_path):
    failing = tmp_path / "bin" / "pg_dump"
    failing.write_text(
        '#!/bin/sh\nfor a in "$@"; do case "$a" in --file=*) echo half >"${a#--file=}" ;; '
        "esac; done\nexit 1\n"
    )
    env = {**fake_tools, "DATABASE_URL": URL}
    backup = _run(["/bin/bash", "scripts/backup.sh", str(tmp_path / "dumps")], env)
    assert backup.returncode != 0
    assert list((tmp_path / "dumps").iterdir()) == []


def test_the_default_backup_directory_is_ignored_by_git():
    if not shutil.which("git") or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "backups/constellation-20260101T000000Z.dump"],  # noqa: S607
        cwd=ROOT,
        check=False,
    )
    assert ignored.returncode == 0
