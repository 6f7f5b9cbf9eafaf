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
    # ... but is on purpose, and ends up the same.
    forced = _run(["/bin/bash", "scripts/restore.sh", "--force", str(dump), _url(target)], env)
    assert forced.returncode == 0, forced.stderr
    assert _contents(target) == before
