"""Time the reminder sweeps on 10,000 and on 1,000,000 meetings, with the same number due.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench-sweeps
    DATABASE_URL=... REDIS_URL=redis://127.0.0.1:6379/0 make bench-sweeps   # a real broker
    .venv/bin/python bench/sweeps_bench.py 10000 100000 --explain          # other sizes, plans

PostgreSQL only. The benchmark creates its own database, ``constellation_bench_sweeps``,
on the server DATABASE_URL names (its role needs CREATEDB), migrates it and drops it at
the end; it never touches the database the URL names, nor any other.

What it seeds (COPY in batches, then VACUUM ANALYZE). Time stands at ``AT``, Monday
16 November 2026, 10:00 UTC (the admin digest's day, inside everyone's contact hours):

- four running programs (UTC, default reminder hours 24 and 1, agenda due 48 hours
  ahead, a fortnightly cadence), two admins each;
- the due set, the same at both sizes, about 1,000 notices per sweep: meetings starting
  within the 24-hour and the 1-hour reminder windows, agendas due (48 hours ahead, and the
  final nudge 12 hours ahead; some drafts, and some submitted agendas that are not due),
  meetings that just ended (held, or still scheduled), action items due tomorrow or
  overdue since yesterday, workspaces at their mid-point (today, a week ago, two weeks
  ago), three weeks before their end or just past it, fading pairs (two and four
  cadences without a meeting, and never met), proposals and mentor requests expiring
  within a day;
- background up to the size: pairs with ten meetings each, 70% running and 30% completed
  in the last year and a half. A running pair meets about once a cadence: its last
  meeting was held 1 to 20 days ago (80%), 33 to 54 days ago (12%, nudged already) or
  longer (8%), the ones before it a cadence apart (held, cancelled or missed), and the
  next is booked within 30 days; ``last_met_at`` is its last held meeting. Per pair also
  five action items (done, dropped or open, due before or after this week), the
  mid-point reviews (both written for 85% of the pairs past their mid-point), an
  accepted mentor request, and for one running pair in a hundred a pending request and
  an open proposal answering next week.
  Background rows sit anywhere nothing is due, also inside the ranges the sweeps read:
  held meetings up to 15 hours ago, scheduled ones between the reminder and agenda
  windows, pairs quiet for any silence except the two that fall due now. What grows is
  what exists, not what is due. Workspaces carry what the services store for them
  (``sessions.rhythm``: when a silence turns worrying, whether a mid-point review is
  awaited, only while the pair runs); at the small size the benchmark checks that
  recomputing it changes nothing.

For each sweep at each size: ``sweeps.find(name, AT)`` and then
``notifications.record(notices, at=AT, enqueue=True)`` with Celery not eager, so each
e-mail due is handed to the broker; three runs (the recorded notifications deleted and
the queue emptied between runs), the median. ``ratio`` is large / small; ``find_*``
is the finding alone, ``queries`` what one find asks. Then 5,000 meetings (10,000
participants) are booked 18 to 24 hours after ``AT2`` (13 weeks later) on the large
database, and their 10,000 reminders are recorded and handed to the broker: median of
three.

Broker: with REDIS_URL, deliveries go to that Redis server, database ``BENCH_REDIS_DB``
(15 unless set), queue ``constellation-bench-sweeps``; only that queue's keys are
deleted, nothing is flushed. Without REDIS_URL, Celery's in-memory broker. No worker
runs: the point is recording and handing over, not e-mailing.

Targets: ``ratio`` at most 2 for every sweep (the cost follows what is due, not what
exists); 10,000 reminders recorded and handed to the broker in under 30 s. Exits 1 if
one is missed, 2 if it cannot run.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings_test")
# Production mode: with debug on, Django keeps the SQL of every query it runs.
os.environ["DJANGO_DEBUG"] = "false"

BENCH_DB = "constellation_bench_sweeps"
QUEUE = "constellation-bench-sweeps"
SHARED_REDIS = os.environ.get("REDIS_URL", "")


def _own_redis_db(url: str, db: int) -> str:
    """The same Redis server, another database number: the shared one is left alone."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


BROKER_URL = (
    _own_redis_db(SHARED_REDIS, int(os.environ.get("BENCH_REDIS_DB", "15")))
    if SHARED_REDIS
    else "memory://localhost/"
)
if SHARED_REDIS:
    # The cache follows REDIS_URL too; point it at the bench's own database as well.
    os.environ["REDIS_URL"] = BROKER_URL

import django  # noqa: E402

django.setup()

from celery.signals import after_task_publish  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.postgres.aggregates import ArrayAgg  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import Max, Model, Q  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from matching.models import MentorRequest, Pairing  # noqa: E402
from mentoring import notifications, sweeps  # noqa: E402
from mentoring.celery import app as celery_app  # noqa: E402
from mentoring.models import Notification, User  # noqa: E402
from programs.models import Membership, Program  # noqa: E402
from sessions import rhythm  # noqa: E402
from sessions.models import ActionItem, Agenda, Meeting, Review, Workspace  # noqa: E402

SIZES = (10_000, 1_000_000)
AT = dt.datetime(2026, 11, 16, 10, 0, tzinfo=dt.UTC)
TODAY = AT.date()
AT2 = AT + dt.timedelta(weeks=13)  # Monday 15 February 2027, 10:00 UTC
REMINDER_MEETINGS = 5_000  # two participants each: 10,000 reminders
RUNS = 3
RATIO_TARGET = 2.0
RECORD_TARGET_S = 30.0
PROGRAMS = 4
ADMINS = 2
CADENCE_DAYS = 14
MEETINGS_PER_PAIR = 10
ACTIONS_PER_PAIR = 5
CHUNK = 10_000  # background pairs generated and copied at a time
COPY_BATCH = 50_000
TIMEZONES = ("UTC", "Europe/London", "Europe/Berlin", "Asia/Kolkata")  # all in hours at AT
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)
NULL = r"\N"

# Background scheduled meetings keep out of the moments a reminder or an agenda falls due
# (start less 1 h, 12 h, 24 h or 48 h within the 6-hour catch-up), with a margin.
DUE_FUTURE = (
    (0 * H, 70 * MINUTE),
    (5 * H + 50 * MINUTE, 12 * H + 10 * MINUTE),
    (17 * H + 50 * MINUTE, 24 * H + 10 * MINUTE),
    (41 * H + 50 * MINUTE, 48 * H + 10 * MINUTE),
)


# --- Copying rows ---------------------------------------------------------------------------


def _csv_value(value: object) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def _batches(rows: Iterable[Sequence[object]], size: int) -> Iterator[list[Sequence[object]]]:
    batch: list[Sequence[object]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Copier:
    """COPY rows into a model's table with ids chosen here; the sequences follow after."""

    def __init__(self) -> None:
        self.next_id: dict[type[Model], int] = {}

    def take(self, model: type[Model], n: int) -> int:
        """The first of ``n`` fresh ids for ``model``."""
        if model not in self.next_id:
            self.next_id[model] = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
        first = self.next_id[model]
        self.next_id[model] += n
        return first

    def copy(
        self, model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[object]]
    ) -> int:
        """Copy ``rows`` (values for ``columns``, attnames, ``id`` first); every other
        NOT NULL column gets its field's default, so a new required field fails loudly."""
        assert columns[0] == "id"
        fields = {f.attname: f for f in model._meta.concrete_fields}
        fixed: dict[str, str] = {}
        for name, f in fields.items():
            if name in columns:
                continue
            if f.unique and not f.null:
                raise ValueError(f"{model.__name__}.{name} is unique: give each row a value")
            if f.has_default() or (not f.null and f.empty_strings_allowed):
                fixed[f.column] = _csv_value(f.get_default())
            elif not f.null:
                raise ValueError(f"{model.__name__}.{name} has no default: give a value")
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in [fields[c].column for c in columns] + list(fixed))
        # Table and column names come from the models, not from input.
        sql = (
            f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN "
            f"WITH (FORMAT csv, NULL '{NULL}')"
        )
        tail = list(fixed.values())
        copied = 0
        with connection.cursor() as cursor:
            for batch in _batches(rows, COPY_BATCH):
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\n")
                for row in batch:
                    writer.writerow([_csv_value(v) for v in row] + tail)
                buffer.seek(0)
                cursor.copy_expert(sql, buffer)
                copied += len(batch)
        return copied

    def sync_sequences(self) -> None:
        """Move each table's id sequence past the ids copied."""
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in self.next_id:
                table = model._meta.db_table
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 1) FROM {quote(table)}))",
                    [table],
                )


# --- Pairs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairSpec:
    program: int
    start: dt.date
    end: dt.date
    midpoint: dt.date
    last_met: dt.datetime | None
    running: bool = True


@dataclass(frozen=True)
class Pair:
    workspace: int
    pairing: int
    program: int
    mentor: int  # membership ids
    mentee: int
    mentor_user: int
    mentee_user: int


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC)


def make_pairs(copier: Copier, specs: Sequence[PairSpec], rng: random.Random) -> list[Pair]:
    """Users, memberships, pairings and workspaces for ``specs`` (one pair each)."""
    n = len(specs)
    user0 = copier.take(User, 2 * n)
    member0 = copier.take(Membership, 2 * n)
    pairing0 = copier.take(Pairing, n)
    ws0 = copier.take(Workspace, n)
    joined = _midnight(TODAY - dt.timedelta(days=500))
    copier.copy(
        User,
        ["id", "email", "name", "timezone", "date_joined"],
        (
            (
                user0 + i,
                f"person{user0 + i}@bench.example.org",
                f"{'Mentor' if i % 2 == 0 else 'Mentee'} {user0 + i}",
                rng.choice(TIMEZONES),
                joined,
            )
            for i in range(2 * n)
        ),
    )
    copier.copy(
        Membership,
        ["id", "program_id", "user_id", "role", "created_at", "enrolled_at"],
        (
            (
                member0 + i,
                specs[i // 2].program,
                user0 + i,
                Membership.Role.MENTOR if i % 2 == 0 else Membership.Role.MENTEE,
                joined,
                joined,
            )
            for i in range(2 * n)
        ),
    )
    copier.copy(
        Pairing,
        [
            "id",
            "program_id",
            "mentor_id",
            "mentee_id",
            "status",
            "created_at",
            "respond_by",
            "responded_at",
            "started_at",
            "planned_end_date",
            "ended_at",
        ],
        (
            (
                pairing0 + i,
                s.program,
                member0 + 2 * i,
                member0 + 2 * i + 1,
                Pairing.Status.ACTIVE if s.running else Pairing.Status.COMPLETED,
                _midnight(s.start) - 10 * D,
                _midnight(s.start) - 3 * D,
                _midnight(s.start) - 5 * D,
                _midnight(s.start),
                s.end,
                None if s.running else _midnight(s.end) + 17 * H,
            )
            for i, s in enumerate(specs)
        ),
    )
    copier.copy(
        Workspace,
        [
            "id",
            "program_id",
            "pairing_id",
            "start_date",
            "end_date",
            "midpoint_date",
            "last_met_at",
            "at_risk_from",
            "step_in_from",
            "awaiting_midpoint_reviews",
            "created_at",
        ],
        (
            (
                ws0 + i,
                s.program,
                pairing0 + i,
                s.start,
                s.end,
                s.midpoint,
                s.last_met,
                # As the services store them (no agreements here: the program's cadence),
                # only while the pair runs; copy_reviews clears "awaiting" once both wrote.
                *(rhythm.moments(s.last_met, s.start, CADENCE_DAYS) if s.running else (None, None)),
                s.running,
                _midnight(s.start),
            )
            for i, s in enumerate(specs)
        ),
    )
    return [
        Pair(
            workspace=ws0 + i,
            pairing=pairing0 + i,
            program=s.program,
            mentor=member0 + 2 * i,
            mentee=member0 + 2 * i + 1,
            mentor_user=user0 + 2 * i,
            mentee_user=user0 + 2 * i + 1,
        )
        for i, s in enumerate(specs)
    ]


def copy_reviews(copier: Copier, written: Sequence[tuple[Pair, int]]) -> None:
    """Mid-point reviews: for each pair, the first ``n`` of its mentor and mentee."""
    reviews = [
        (pair, author) for pair, n in written for author in (pair.mentor_user, pair.mentee_user)[:n]
    ]
    first = copier.take(Review, len(reviews))
    copier.copy(
        Review,
        [
            "id",
            "workspace_id",
            "author_id",
            "kind",
            "value_received",
            "value_given",
            "working",
            "decision",
            "submitted_at",
        ],
        (
            (
                first + i,
                pair.workspace,
                author,
                Review.Kind.MIDPOINT,
                4,
                4,
                "We meet regularly and set goals.",
                Review.Decision.CONTINUE,
                AT - 60 * D,
            )
            for i, (pair, author) in enumerate(reviews)
        ),
    )
    both = [pair.workspace for pair, n in written if n >= 2]
    for batch in _batches(((pk,) for pk in both), 10_000):
        Workspace.objects.filter(pk__in=[pk for (pk,) in batch]).update(
            awaiting_midpoint_reviews=False
        )


MEETING_COLUMNS = [
    "id",
    "workspace_id",
    "starts_at",
    "duration_minutes",
    "status",
    "cancel_reason",
    "uid",
    "created_at",
    "updated_at",
    "status_changed_at",
]


def meeting_rows(
    copier: Copier, meetings: Sequence[tuple[int, dt.datetime, int, str]]
) -> Iterator[tuple[object, ...]]:
    """Rows of (workspace, start, minutes, status): booked well ahead, marked when held."""
    first = copier.take(Meeting, len(meetings))
    for i, (ws, start, minutes, status) in enumerate(meetings):
        booked = min(start - 14 * D, AT - 2 * D)
        marked = start + (minutes + 10) * MINUTE if status != Meeting.Status.SCHEDULED else None
        reason = "Something came up." if status == Meeting.Status.CANCELLED else ""
        yield (
            first + i,
            ws,
            start,
            minutes,
            status,
            reason,
            uuid.UUID(int=first + i),
            booked,
            marked or booked,
            marked,
        )


# --- Programs and the due set ---------------------------------------------------------------


def seed_programs() -> list[int]:
    """The programs, with their admins (the ORM: a handful of rows)."""
    ids = []
    for p in range(PROGRAMS):
        program = Program.objects.create(
            name=f"Bench program {p + 1}",
            slug=f"bench-{p + 1}",
            start_date=dt.date(2025, 1, 6),
            end_date=dt.date(2027, 12, 31),
            status=Program.Status.RUNNING,
            cadence_days=CADENCE_DAYS,
        )
        for a in range(ADMINS):
            admin = User.objects.create_user(
                f"admin{a + 1}@bench-{p + 1}.example.org", name=f"Admin {a + 1} of {p + 1}"
            )
            Membership.objects.create(program=program, user=admin, role=Membership.Role.ADMIN)
        ids.append(program.pk)
    return ids


def _due_pairs(
    copier: Copier, programs: list[int], n: int, rng: random.Random, **changes: Any
) -> list[Pair]:
    """``n`` running pairs that met six days ago, mid-point (reviewed) and end far from today."""
    base = {
        "start": dt.date(2026, 3, 2),
        "end": dt.date(2027, 3, 1),
        "midpoint": dt.date(2026, 9, 1),
        "last_met": AT - 6 * D,
    }
    specs = []
    for i in range(n):
        fields: dict[str, Any] = {
            **base,
            **{k: (v(i) if callable(v) else v) for k, v in changes.items()},
        }
        specs.append(PairSpec(program=programs[i % len(programs)], **fields))
    pairs = make_pairs(copier, specs, rng)
    # Both wrote their mid-point review, unless it is the mid-point sweep's to ask for.
    copy_reviews(
        copier,
        [
            (pair, 2 if spec.midpoint < TODAY - 30 * D else 0)
            for pair, spec in zip(pairs, specs, strict=True)
        ],
    )
    return pairs


def seed_due(copier: Copier, programs: list[int], rng: random.Random) -> int:
    """What is due at ``AT``, the same at both sizes; returns how many meetings it has."""
    meetings: list[tuple[int, dt.datetime, int, str]] = []
    scheduled = Meeting.Status.SCHEDULED

    # Meeting reminders: 250 in the 24-hour window, 250 in the 1-hour one (x 2 people).
    remind = _due_pairs(copier, programs, 500, rng)
    for i, pair in enumerate(remind):
        if i < 250:
            start = AT + 18 * H + (5 + (i % 70) * 5) * MINUTE
        else:
            start = AT + (5 + i % 50) * MINUTE
        meetings.append((pair.workspace, start, 60, scheduled))

    # Agendas: 500 due (48 h ahead; 100 of them drafts), 500 final nudges (12 h ahead),
    # and 200 meetings 44 h ahead whose agenda is submitted (not due, but read).
    agenda = _due_pairs(copier, programs, 1200, rng)
    for i, pair in enumerate(agenda):
        if i < 500:
            start = AT + 42 * H + (5 + (i % 70) * 5) * MINUTE
        elif i < 1000:
            start = AT + 6 * H + (5 + (i % 70) * 5) * MINUTE
        else:
            start = AT + 44 * H
        meetings.append((pair.workspace, start, 45, scheduled))

    # After a meeting: 333 ended within the last two hours, half marked held (x 3 notices).
    after = _due_pairs(copier, programs, 333, rng, last_met=lambda i: AT - 3 * H + i % 60 * MINUTE)
    for i, pair in enumerate(after):
        status = Meeting.Status.HELD if i % 2 == 0 else scheduled
        meetings.append((pair.workspace, AT - 3 * H + i % 60 * MINUTE, 60, status))

    rows = list(meeting_rows(copier, meetings))
    copier.copy(Meeting, MEETING_COLUMNS, rows)
    meeting_of = {ws: row[0] for ws, row in zip((m[0] for m in meetings), rows, strict=True)}
    agenda_rows = []
    first = copier.take(Agenda, 300)
    for i, pair in enumerate(agenda[:100] + agenda[1000:]):
        submitted = i >= 100
        agenda_rows.append(
            (
                first + i,
                meeting_of[pair.workspace],
                pair.mentee_user,
                "Where to go next.",
                Agenda.Status.SUBMITTED if submitted else Agenda.Status.DRAFT,
                AT - 5 * H if submitted else None,
                AT - 2 * D,
                AT - 5 * H,
            )
        )
    copier.copy(
        Agenda,
        [
            "id",
            "meeting_id",
            "author_id",
            "topics",
            "status",
            "submitted_at",
            "created_at",
            "updated_at",
        ],
        agenda_rows,
    )

    # Action items: one due tomorrow and one overdue since yesterday per reminder pair.
    first = copier.take(ActionItem, 2 * len(remind))
    copier.copy(
        ActionItem,
        ["id", "workspace_id", "owner_id", "description", "due_date", "status", "created_at"],
        (
            (
                first + 2 * i + j,
                pair.workspace,
                pair.mentee_user,
                "Send the draft of the talk",
                TODAY + D if j == 0 else TODAY - D,
                ActionItem.Status.OPEN,
                AT - 10 * D,
            )
            for i, pair in enumerate(remind)
            for j in (0, 1)
        ),
    )

    # Mid-point reviews: opening today (200), a week on (200), two weeks on (100, admins).
    _due_pairs(
        copier,
        programs,
        500,
        rng,
        midpoint=lambda i: TODAY - (0 if i < 200 else 7 if i < 400 else 14) * D,
    )
    # Closure: three weeks to go (300), past the end date (100, also the admins).
    _due_pairs(
        copier, programs, 400, rng, end=lambda i: TODAY + 19 * D if i < 300 else TODAY - 2 * D
    )
    # Fading: two cadences (150), four cadences (50), never met since starting (50).
    _due_pairs(
        copier,
        programs,
        250,
        rng,
        last_met=lambda i: AT - (29 if i < 150 else 57) * D + i * MINUTE if i < 200 else None,
        start=lambda i: dt.date(2026, 10, 18) if i >= 200 else dt.date(2026, 3, 2),
        end=lambda i: dt.date(2027, 4, 18) if i >= 200 else dt.date(2027, 3, 1),
        midpoint=lambda i: dt.date(2027, 1, 15) if i >= 200 else dt.date(2026, 9, 1),
    )

    # Proposals (1,000) and mentor requests (900 to the mentor, 50 decided by the admins)
    # answering within a day, between people of the agenda pairs (same program).
    first = copier.take(Pairing, 1000)
    copier.copy(
        Pairing,
        ["id", "program_id", "mentor_id", "mentee_id", "status", "created_at", "respond_by"],
        (
            (
                first + i,
                agenda[i].program,
                agenda[i].mentor,
                agenda[(i + PROGRAMS) % len(agenda)].mentee,
                Pairing.Status.PROPOSED,
                AT - 2 * D,
                AT + (1 + i % 23) * H,
            )
            for i in range(1000)
        ),
    )
    first = copier.take(MentorRequest, 950)
    copier.copy(
        MentorRequest,
        [
            "id",
            "program_id",
            "mentee_id",
            "mentor_id",
            "decided_by_admin",
            "status",
            "created_at",
            "respond_by",
        ],
        (
            (
                first + i,
                agenda[i].program,
                agenda[i].mentee,
                agenda[(i + 2 * PROGRAMS) % len(agenda)].mentor,
                i >= 900,
                MentorRequest.Status.PENDING,
                AT - 3 * D,
                AT + (2 + i % 22) * H,
            )
            for i in range(950)
        ),
    )
    copier.sync_sequences()
    return len(meetings)


# --- Background -----------------------------------------------------------------------------


def _quarter_hour(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def _future_meeting(rng: random.Random, due: dt.datetime) -> dt.datetime:
    """The next meeting, at ``due`` or later, never at a moment a reminder falls due."""
    start = max(due, AT + 30 * D * rng.random())
    while any(AT + lo < start <= AT + hi for lo, hi in DUE_FUTURE):
        start = AT + 30 * D * rng.random()
    return start


def _silence(rng: random.Random) -> dt.timedelta:
    """Since a running pair last met: mostly within its cadence, some quiet for a while
    (nudged already), a few long gone; never a silence that falls due today (two or four
    cadences, 28 or 56 days, within the 3-day catch-up)."""
    r = rng.random()
    days = rng.uniform(1, 20) if r < 0.8 else rng.uniform(33, 54) if r < 0.92 else 61 + 120 * r
    return days * D


def _status(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.85:
        return Meeting.Status.HELD
    return Meeting.Status.CANCELLED if r < 0.92 else Meeting.Status.MISSED


@dataclass
class Plan:
    spec: PairSpec
    meetings: list[tuple[dt.datetime, int, str]]  # start, minutes, status
    actions: list[tuple[dt.date, str]]  # due date, status
    reviews: int  # mid-point reviews written (mentor first)


def _plan(rng: random.Random, program: int, meetings: int) -> Plan:
    """One background pair, meeting about once a cadence, owing nobody anything at ``AT``."""
    running = rng.random() < 0.7
    if running:
        end = TODAY + rng.randint(40, 300) * D
        last = _quarter_hour(AT - _silence(rng))
        quiet = last < AT - 30 * D
    else:
        end = TODAY - rng.randint(45, 500) * D
        last = _midnight(end) - rng.randint(1, 14) * D + 14 * H
        quiet = True
    # The latest past meeting was held; those before it came a cadence apart, give or take.
    plan = [(last, rng.choice((30, 45, 60, 90)), str(Meeting.Status.HELD))]
    moment = last
    for _ in range(meetings - (1 if quiet else 2)):
        moment = _quarter_hour(moment - CADENCE_DAYS * D * rng.uniform(0.7, 1.3))
        plan.append((moment, rng.choice((30, 45, 60, 90)), _status(rng)))
    if not quiet and meetings > 1:
        upcoming = _future_meeting(rng, last + CADENCE_DAYS * D * rng.uniform(0.8, 1.2))
        plan.append((upcoming, 60, Meeting.Status.SCHEDULED))
    first = min(m[0] for m in plan).date()
    if running:
        start = min(TODAY - rng.randint(200, 420) * D, first)
    else:
        start = min(end - rng.randint(180, 365) * D, first)
    midpoint = start + (end - start) * rng.uniform(0.35, 0.65)
    if TODAY - 21 * D <= midpoint <= TODAY + 4 * D:  # out of the mid-point sweep's days
        midpoint -= 30 * D
    r = rng.random()
    reviews = 0 if midpoint >= TODAY else 2 if r < 0.85 else 1 if r < 0.93 else 0
    actions = []
    latest_due = TODAY + 60 * D if running else end
    for _ in range(meetings * ACTIONS_PER_PAIR // MEETINGS_PER_PAIR):
        due = start + (latest_due - start) * rng.random()
        if TODAY - 8 * D <= due <= TODAY + 4 * D:  # out of the action-item sweep's days
            due -= 14 * D
        if due >= TODAY:
            state: str = ActionItem.Status.OPEN
        else:
            r = rng.random()
            state = (
                ActionItem.Status.DONE
                if r < 0.8
                else ActionItem.Status.OPEN
                if running and r < 0.95
                else ActionItem.Status.DROPPED
            )
        actions.append((due, state))
    spec = PairSpec(program, start, end, midpoint, last, running)
    return Plan(spec=spec, meetings=plan, actions=actions, reviews=reviews)


def _background_chunk(
    copier: Copier, programs: list[int], counts: list[int], rng: random.Random
) -> None:
    plans = [_plan(rng, programs[i % len(programs)], k) for i, k in enumerate(counts)]
    pairs = make_pairs(copier, [p.spec for p in plans], rng)
    copier.copy(
        Meeting,
        MEETING_COLUMNS,
        meeting_rows(
            copier,
            [
                (pair.workspace, start, minutes, status)
                for pair, plan in zip(pairs, plans, strict=True)
                for start, minutes, status in plan.meetings
            ],
        ),
    )
    actions = [
        (pair, due, status)
        for pair, plan in zip(pairs, plans, strict=True)
        for due, status in plan.actions
    ]
    first = copier.take(ActionItem, len(actions))
    copier.copy(
        ActionItem,
        [
            "id",
            "workspace_id",
            "owner_id",
            "description",
            "due_date",
            "status",
            "created_at",
            "done_at",
        ],
        (
            (
                first + i,
                pair.workspace,
                pair.mentee_user if i % 3 else pair.mentor_user,
                "Read the chapter on negotiation",
                due,
                status,
                _midnight(due) - 10 * D,
                _midnight(due) if status == ActionItem.Status.DONE else None,
            )
            for i, (pair, due, status) in enumerate(actions)
        ),
    )
    copy_reviews(copier, [(pair, plan.reviews) for pair, plan in zip(pairs, plans, strict=True)])
    # Every pair began with an accepted request; one in a hundred running pairs has a
    # pending request and an open proposal with another pair of its program, due next week.
    requests: list[tuple[object, ...]] = []
    proposals: list[tuple[object, ...]] = []
    for i, (pair, plan) in enumerate(zip(pairs, plans, strict=True)):
        begun = _midnight(plan.spec.start)
        accepted = (pair.mentee, pair.mentor, MentorRequest.Status.ACCEPTED)
        requests.append((pair.program, *accepted, begun - 14 * D, begun - 7 * D, begun - 10 * D))
        other = i + len(programs)
        if i % 100 == 0 and plan.spec.running and other < len(pairs):
            answer_by = AT + 30 * H + 8 * D * rng.random()
            mentor, pending = pairs[other].mentor, MentorRequest.Status.PENDING
            requests.append(
                (pair.program, pair.mentee, mentor, pending, AT - 2 * D, answer_by, None)
            )
            proposed = Pairing.Status.PROPOSED
            proposals.append((pair.program, mentor, pair.mentee, proposed, AT - 2 * D, answer_by))
    first = copier.take(MentorRequest, len(requests))
    copier.copy(
        MentorRequest,
        [
            "id",
            "program_id",
            "mentee_id",
            "mentor_id",
            "status",
            "created_at",
            "respond_by",
            "decided_at",
        ],
        ((first + i, *row) for i, row in enumerate(requests)),
    )
    first = copier.take(Pairing, len(proposals))
    copier.copy(
        Pairing,
        ["id", "program_id", "mentor_id", "mentee_id", "status", "created_at", "respond_by"],
        ((first + i, *row) for i, row in enumerate(proposals)),
    )


def seed_background(copier: Copier, programs: list[int], meetings: int, rng: random.Random) -> int:
    """Background pairs with ``meetings`` meetings in all; returns how many pairs."""
    pairs = math.ceil(meetings / MEETINGS_PER_PAIR)
    counts = [MEETINGS_PER_PAIR] * pairs
    if pairs:
        counts[-1] = meetings - MEETINGS_PER_PAIR * (pairs - 1)
    for i in range(0, pairs, CHUNK):
        _background_chunk(copier, programs, counts[i : i + CHUNK], rng)
    copier.sync_sequences()
    return pairs


def seed_reminders(copier: Copier, programs: list[int], rng: random.Random) -> None:
    """5,000 meetings starting 18 to 24 hours after ``AT2``: 10,000 reminders due then."""
    pairs = _due_pairs(copier, programs, REMINDER_MEETINGS, rng, end=dt.date(2027, 6, 30))
    meetings = [
        (pair.workspace, AT2 + 18 * H + (1 + i % 359) * MINUTE, 60, Meeting.Status.SCHEDULED)
        for i, pair in enumerate(pairs)
    ]
    copier.copy(Meeting, MEETING_COLUMNS, meeting_rows(copier, meetings))
    copier.sync_sequences()


def check_stored_rhythm() -> None:
    """The seeded rows hold what the services would have stored: recomputing moves none."""
    moved = rhythm.refresh(Workspace.objects.all())
    if moved:
        raise SystemExit(f"seed: {moved} workspaces' stored rhythm differs from sessions.rhythm")
    reviewed = {
        ws: set(authors)
        for ws, authors in Review.objects.filter(kind=Review.Kind.MIDPOINT)
        .values_list("workspace_id")
        .annotate(authors=ArrayAgg("author_id"))
    }
    rows = Workspace.objects.annotate(running=Q(pairing__status=Pairing.Status.ACTIVE)).only(
        "pk", "awaiting_midpoint_reviews"
    )
    for ws in rows.iterator():
        awaited = ws.running and len(reviewed.get(ws.pk, ())) < 2
        if ws.awaiting_midpoint_reviews != awaited:
            raise SystemExit(f"seed: workspace {ws.pk} awaiting_midpoint_reviews is wrong")


def vacuum_analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


# --- Measuring ------------------------------------------------------------------------------

handed: list[int] = []  # notification ids published to the broker


@after_task_publish.connect
def _count_handed(sender: str | None = None, body: Any = None, **kwargs: Any) -> None:
    if sender == "mentoring.deliver_notifications":
        args = body[0]  # task protocol 2: (args, kwargs, embed)
        handed.extend(args[0])


def purge_queue() -> None:
    celery_app.control.purge()  # the app's queues: only QUEUE


def reset() -> None:
    """Forget what the last run recorded and handed over."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {connection.ops.quote_name(Notification._meta.db_table)}")
    purge_queue()
    handed.clear()


def explain(queries: list[dict[str, str]]) -> None:
    with connection.cursor() as cursor:
        for q in queries:
            if not q["sql"].lstrip().upper().startswith("SELECT"):
                continue
            print(f"#   {q['sql'][:300]}")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            for (line,) in cursor.fetchall():
                print(f"#     {line}")


@dataclass
class Timing:
    due: int
    total_s: float
    find_s: float
    queries: int


def _check_handed(name: str, recorded: int, at: dt.datetime) -> None:
    """Every notice recorded is an e-mail due now, and each went to the broker once."""
    due = sorted(
        Notification.objects.filter(
            email_state=Notification.EmailState.PENDING, send_after__lte=at
        ).values_list("pk", flat=True)
    )
    if len(due) != recorded or sorted(handed) != due:
        raise SystemExit(
            f"{name}: {recorded} recorded, {len(due)} e-mails due now, {len(handed)} handed "
            "to the broker: they should be equal (is the broker up?)"
        )


def measure(name: str, at: dt.datetime, *, show_plans: bool) -> Timing:
    """The median of three runs of finding, recording and handing over what is due."""
    reset()
    with CaptureQueriesContext(connection) as captured:
        sweeps.find(name, at)  # warm-up, and the queries it asks
    if show_plans:
        print(f"# {name}")
        explain(captured.captured_queries)
    totals, finds, counts = [], [], []
    for _ in range(RUNS):
        reset()
        start = time.perf_counter()
        notices = sweeps.find(name, at)
        found = time.perf_counter()
        recorded = notifications.record(notices, at=at, enqueue=True)
        done = time.perf_counter()
        _check_handed(name, recorded, at)
        totals.append(done - start)
        finds.append(found - start)
        counts.append(recorded)
    if len(set(counts)) != 1:
        raise SystemExit(f"{name}: runs recorded {counts}; each run should record the same")
    return Timing(
        due=counts[0],
        total_s=statistics.median(totals),
        find_s=statistics.median(finds),
        queries=len(captured.captured_queries),
    )


# --- The run --------------------------------------------------------------------------------


def run(sizes: Sequence[int], *, show_plans: bool) -> int:
    rng = random.Random(20261116)
    copier = Copier()
    programs = seed_programs()
    started = time.perf_counter()
    due_meetings = seed_due(copier, programs, rng)
    print(
        f"seed due_meetings={due_meetings} seconds={time.perf_counter() - started:.1f}",
        flush=True,
    )
    results: dict[int, dict[str, Timing]] = {}
    meetings = due_meetings
    for size in sizes:
        started = time.perf_counter()
        if size < meetings:
            raise SystemExit(f"size {size}: the due set alone has {meetings} meetings")
        seed_background(copier, programs, size - meetings, rng)
        if size == sizes[0]:
            check_stored_rhythm()
        meetings = size
        vacuum_analyze()
        print(
            f"seed meetings={Meeting.objects.count()} workspaces={Workspace.objects.count()} "
            f"action_items={ActionItem.objects.count()} "
            f"seconds={time.perf_counter() - started:.1f}",
            flush=True,
        )
        started = time.perf_counter()
        results[size] = {name: measure(name, AT, show_plans=show_plans) for name in sweeps.names()}
        print(f"measure meetings={size} seconds={time.perf_counter() - started:.1f}", flush=True)

    small, large = results[sizes[0]], results[sizes[-1]]
    missed = []
    for name in sweeps.names():
        s, big = small[name], large[name]
        if s.due != big.due:
            raise SystemExit(f"{name}: {s.due} due at {sizes[0]}, {big.due} at {sizes[-1]}")
        ratio = big.total_s / s.total_s
        find_ratio = big.find_s / s.find_s
        print(
            f"sweeps sweep={name} due={s.due} small_s={s.total_s:.3f} large_s={big.total_s:.3f} "
            f"ratio={ratio:.2f} find_small_s={s.find_s:.3f} find_large_s={big.find_s:.3f} "
            f"find_ratio={find_ratio:.2f} queries={big.queries}",
            flush=True,
        )
        if ratio > RATIO_TARGET:
            missed.append(f"{name} ratio {ratio:.2f} > {RATIO_TARGET:g}")

    # 10,000 reminders due at once, on the large database.
    seed_reminders(copier, programs, rng)
    vacuum_analyze()
    reset()
    sweeps.find("meeting_reminders", AT2)  # warm-up
    seconds, finds = [], []
    for _ in range(RUNS):
        reset()
        start = time.perf_counter()
        notices = sweeps.find("meeting_reminders", AT2)
        found = time.perf_counter()
        recorded = notifications.record(notices, at=AT2, enqueue=True)
        seconds.append(time.perf_counter() - found)
        finds.append(found - start)
        _check_handed("reminders", recorded, AT2)
        if recorded != 2 * REMINDER_MEETINGS:
            raise SystemExit(f"reminders: {recorded} recorded, {2 * REMINDER_MEETINGS} expected")
    took = statistics.median(seconds)
    print(
        f"sweeps reminders={2 * REMINDER_MEETINGS} record_and_enqueue_s={took:.2f} "
        f"target_s={RECORD_TARGET_S:g} find_s={statistics.median(finds):.2f} "
        f"handed={len(handed)}",
        flush=True,
    )
    if took >= RECORD_TARGET_S:
        missed.append(f"10,000 reminders took {took:.1f} s, target {RECORD_TARGET_S:g} s")
    for miss in missed:
        print(f"missed: {miss}", file=sys.stderr)
    return 1 if missed else 0


def _drop_database() -> None:
    connections.close_all()
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(BENCH_DB)} WITH (FORCE)")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument(
        "sizes", nargs="*", type=int, default=list(SIZES), help="small and large meeting counts"
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each query")
    args = parser.parse_args(argv)
    if len(args.sizes) != 2 or args.sizes[0] >= args.sizes[1]:
        parser.error("give two sizes, the small one first")
    db = settings.DATABASES["default"]
    if not os.environ.get("DATABASE_URL") or connection.vendor != "postgresql":
        print(
            "bench-sweeps runs on PostgreSQL: set DATABASE_URL to a server whose role may "
            "create databases, e.g.\n"
            "    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench-sweeps\n"
            f"It creates and drops its own database, {BENCH_DB}; add REDIS_URL to hand the "
            "e-mails to a real broker.",
            file=sys.stderr,
        )
        return 2
    if db["NAME"] == BENCH_DB:
        print(f"DATABASE_URL names {BENCH_DB}, which the benchmark drops: name another.")
        return 2
    celery_app.conf.update(task_always_eager=False, broker_url=BROKER_URL, task_default_queue=QUEUE)
    print(
        f"sweeps sizes={args.sizes[0]},{args.sizes[1]} at={AT.isoformat()} runs={RUNS} "
        f"database={BENCH_DB} broker={BROKER_URL} queue={QUEUE}",
        flush=True,
    )
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(BENCH_DB)} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quote(BENCH_DB)}")
    connection.close()
    db["NAME"] = BENCH_DB
    connection.settings_dict["NAME"] = BENCH_DB
    try:
        call_command("migrate", verbosity=0, interactive=False)
        return run(args.sizes, show_plans=args.explain)
    finally:
        try:
            purge_queue()
            if SHARED_REDIS:
                import redis

                # The queue and kombu's bindings of it: keys named after QUEUE, nothing else.
                client = redis.Redis.from_url(BROKER_URL)
                ours = list(client.scan_iter(match=f"*{QUEUE}*"))
                if ours:
                    client.delete(*ours)
        finally:
            _drop_database()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
