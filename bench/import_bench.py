"""Time the CSV participant import on 1,000 and 10,000 rows.

    make bench-import                       # SQLite (a throwaway file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/constellation make bench-import

The benchmark builds a throwaway database with Django's test-database machinery
(``test_<name>`` on PostgreSQL, a temporary file on SQLite), migrates it, and
drops it at the end, so it never touches the real data. For each size it times:

- ``rejected``: the file with 3 bad rows (everything is checked, nothing written);
- ``import``: the fixed file into an empty program (every row creates a participant);
- ``reimport``: the same file again (must create 0 and leave every row unchanged);
- ``manager-chain``: a file where each person is managed by the next and the
  last row is bad, so the bad manager invalidates every row (rejected).

Pass sizes as arguments to time others: ``bench/import_bench.py 500 20000``.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

SIZES = (1000, 10000)
TOPICS = ("Leadership", "Public speaking", "Data", "Negotiation", "Career change", "Writing")
DEPARTMENTS = ("Finance", "Engineering", "Sales", "Legal", "People", "Operations")


def make_csv(rows: int, *, bad_lines: tuple[int, ...] = ()) -> bytes:
    """A realistic file: a few managers, mentors with capacity, topics in mixed case."""
    rng = random.Random(rows)
    lines = ["email,name,role,department,manager_email,topics,capacity"]
    for i in range(rows):
        role = "mentor" if i % 4 == 0 else "mentee"
        # Every tenth person manages the nine after them, who all appear later in the file.
        manager = "" if i % 10 == 0 else f"person{i - i % 10}@bench.example.org"
        topics = ";".join(t.lower() if rng.random() < 0.3 else t for t in rng.sample(TOPICS, 2))
        capacity = str(rng.randint(1, 4)) if role == "mentor" else ""
        email = f"person{i}@bench.example.org"
        line = len(lines) + 1
        if line in bad_lines:
            # One of each kind of mistake an admin makes.
            email, role, topics = {
                0: ("person-at-bench.example.org", role, topics),
                1: (email, "mentoor", topics),
                2: (email, role, "Astrology"),
            }[bad_lines.index(line) % 3]
        lines.append(
            f'{email},"Person {i}",{role},{rng.choice(DEPARTMENTS)},{manager},"{topics}",{capacity}'
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def run(rows: int, backend: str) -> None:
    from mentoring.models import User
    from programs.imports import participant_import_create
    from programs.models import Membership, Program, Topic

    slug = f"bench-{rows}"
    program = Program.objects.create(
        name=f"Bench {rows}",
        slug=slug,
        start_date="2026-09-01",
        end_date="2027-03-01",
    )
    admin = User.objects.create_user(f"admin-{rows}@bench.example.org")
    Membership.objects.create(program=program, user=admin, role=Membership.Role.ADMIN)
    Topic.objects.bulk_create(Topic(program=program, name=name) for name in TOPICS)

    # Lines 2 and 3 are managers of later rows, so one bad row also shows the cascade.
    bad = make_csv(rows, bad_lines=(2, rows // 2, rows + 1))
    good = make_csv(rows)
    for label, raw, expect_status, expect_created in (
        ("rejected", bad, "rejected", 0),
        ("import", good, "imported", rows),
        ("reimport", good, "imported", 0),
    ):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            record = participant_import_create(
                program=program, actor=admin, filename=f"{slug}.csv", raw=raw
            )
            seconds = time.perf_counter() - start
        print(
            f"{label} rows={rows} backend={backend} seconds={seconds:.2f} "
            f"rows_per_s={rows / seconds:.0f} queries={len(queries)} status={record.status} "
            f"created={record.created_count} unchanged={record.unchanged_count} "
            f"errors={len(record.errors)}",
            flush=True,
        )
        if record.status != expect_status or record.created_count != expect_created:
            raise SystemExit(
                f"{label}: expected status {expect_status} and {expect_created} created, "
                f"got {record.status} and {record.created_count}: {record.errors[:5]}"
            )
        if label == "reimport" and record.unchanged_count != rows:
            raise SystemExit(f"reimport: {record.unchanged_count} of {rows} rows unchanged")
        if label == "rejected" and record.rows_invalid < 3:
            raise SystemExit(f"rejected: only {record.rows_invalid} bad rows reported")
    participants = Membership.objects.filter(program=program).exclude(role="admin").count()
    if participants != rows:
        raise SystemExit(f"{participants} participants in the program, expected {rows}")

    # The worst case for the manager check: everyone is managed by the next
    # person in the file, and the last row is bad, so every row is reported.
    chain = [
        f"chain{i}@bench.example.org,mentee,chain{i + 1}@bench.example.org" for i in range(rows)
    ]
    chain[-1] = f"chain{rows - 1}@bench.example.org,mentoor,"
    raw = ("email,role,manager_email\n" + "\n".join(chain) + "\n").encode()
    start = time.perf_counter()
    record = participant_import_create(program=program, actor=admin, filename="chain.csv", raw=raw)
    seconds = time.perf_counter() - start
    print(
        f"manager-chain rows={rows} backend={backend} seconds={seconds:.2f} "
        f"rows_per_s={rows / seconds:.0f} status={record.status} "
        f"rows_invalid={record.rows_invalid}",
        flush=True,
    )
    if record.status != "rejected" or record.rows_invalid != rows:
        raise SystemExit(f"manager-chain: {record.rows_invalid} of {rows} rows reported")


def main(argv: list[str]) -> int:
    sizes = tuple(int(a) for a in argv) or SIZES
    db = settings.DATABASES["default"]
    backend = connection.vendor
    tmp = None
    if backend == "sqlite":
        # A file, as in production, rather than the test runner's in-memory database.
        tmp = tempfile.TemporaryDirectory(prefix="constellation-bench-")
        db.setdefault("TEST", {})["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    else:
        db.setdefault("TEST", {})["NAME"] = "constellation_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        for rows in sizes:
            run(rows, backend)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
