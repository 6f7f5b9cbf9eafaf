"""The dashboard, its pair list and every export cost the same queries with 10 and 500 pairs.

Each page is asked for with an empty cache (the figures are worked out) and again with
the cache filled; each export is read to its end. The counts with 10 pairs and with 500
must be equal, and the dashboard read from the cache costs only the request's own
queries (session, user, program access). ``grow`` is shared with ``test_exports.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from itertools import cycle
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.models import Pairing
from mentoring.models import User
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory
from sessions.models import ActionItem, Agenda, CheckIn, Meeting, Note, Review, Workspace

pytestmark = pytest.mark.django_db

STATUSES = [Pairing.Status.ACTIVE] * 6 + [
    Pairing.Status.PROPOSED,
    Pairing.Status.COMPLETED,
    Pairing.Status.ENDED_EARLY,
    Pairing.Status.DECLINED,
    Pairing.Status.EXPIRED,
]
STARTED = (Pairing.Status.ACTIVE, Pairing.Status.COMPLETED, Pairing.Status.ENDED_EARLY)


def grow(program: Program, n: int, *, meetings: int = 3, words: str = "") -> list[Pairing]:
    """Add ``n`` pairings to ``program`` in bulk (most running, with meetings, agendas,
    check-ins, reviews, action items and notes), as fast as a test needs."""
    now = timezone.now()
    tag = uuid.uuid4().hex[:8]
    users = User.objects.bulk_create(
        [User(email=f"bulk-{tag}-{i}@example.org", name=f"Bulk {tag} {i}") for i in range(2 * n)]
    )
    cohorts = cycle(["Spring", "Autumn", ""])
    departments = cycle(["Sales", "Engineering", "Finance", ""])
    members = Membership.objects.bulk_create(
        [
            Membership(
                program=program,
                user=u,
                role=Membership.Role.MENTOR if i % 2 == 0 else Membership.Role.MENTEE,
                enrolled_at=now,
                cohort=next(cohorts),
                department=next(departments),
            )
            for i, u in enumerate(users)
        ]
    )
    statuses = cycle(STATUSES)
    pairings = Pairing.objects.bulk_create(
        [
            Pairing(
                program=program,
                mentor=members[2 * i],
                mentee=members[2 * i + 1],
                status=(status := next(statuses)),
                kind=Pairing.Kind.FLASH if i % 13 == 12 else Pairing.Kind.ONE_TO_ONE,
                relationship_type=Pairing.RelationshipType.PEER
                if i % 5 == 4
                else Pairing.RelationshipType.CLASSIC,
                started_at=now - dt.timedelta(days=60) if status in STARTED else None,
                respond_by=now - dt.timedelta(days=i % 3) if status == "proposed" else None,
                end_reason="Moved away" if status == Pairing.Status.ENDED_EARLY else "",
                ended_at=now - dt.timedelta(days=5) if status in STARTED[1:] else None,
            )
            for i in range(n)
        ]
    )
    start = program.local_date(now) - dt.timedelta(days=60)
    workspaces = Workspace.objects.bulk_create(
        [
            Workspace(
                program=program,
                pairing=p,
                start_date=start,
                end_date=start + dt.timedelta(days=120),
                midpoint_date=start + dt.timedelta(days=50),
            )
            for p in pairings
            if p.status in STARTED
        ]
    )
    by_pk: dict[Any, Pairing] = {p.pk: p for p in pairings}
    rows = []
    for ws in workspaces:
        for j in range(meetings):
            rows.append(
                Meeting(
                    workspace=ws,
                    starts_at=now - dt.timedelta(days=7 + 14 * j),
                    duration_minutes=60,
                    status=Meeting.Status.HELD if j else Meeting.Status.MISSED,
                )
            )
        rows.append(
            Meeting(workspace=ws, starts_at=now + dt.timedelta(days=7), duration_minutes=60)
        )
    meeting_rows = Meeting.objects.bulk_create(rows)
    held = [m for m in meeting_rows if m.status == Meeting.Status.HELD]
    ws_by_pk = {ws.pk: ws for ws in workspaces}

    def mentee(m: Meeting) -> User:
        pairing = by_pk[ws_by_pk[m.workspace_id].pairing_id]
        return users[members.index(pairing.mentee)]

    Agenda.objects.bulk_create(
        [
            Agenda(
                meeting=m,
                author=mentee(m),
                topics=words or "t",
                status=Agenda.Status.SUBMITTED,
                submitted_at=m.starts_at - dt.timedelta(days=1),
                late=k % 3 == 0,
            )
            for k, m in enumerate(held)
        ]
    )
    CheckIn.objects.bulk_create(
        [
            CheckIn(
                meeting=m,
                author=mentee(m),
                useful=words or "u",
                next_steps="n",
                before_next="b",
                rating=1 + k % 5,
            )
            for k, m in enumerate(held)
        ]
    )
    mentee_of = {ws.pk: users[members.index(by_pk[ws.pairing_id].mentee)] for ws in workspaces}
    Review.objects.bulk_create(
        [
            Review(
                workspace=ws,
                author=mentee_of[ws.pk],
                kind=Review.Kind.MIDPOINT,
                value_received=4,
                value_given=3,
                working=words or "w",
            )
            for ws in workspaces
        ]
    )
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                workspace=ws,
                owner=mentee_of[ws.pk],
                description=words or "d",
                due_date=start + dt.timedelta(days=30 + k),
                status=ActionItem.Status.DONE if k else ActionItem.Status.OPEN,
                done_at=now - dt.timedelta(days=20) if k else None,
            )
            for ws in workspaces
            for k in range(2)
        ]
    )
    Note.objects.bulk_create(
        [Note(workspace=ws, author=mentee_of[ws.pk], body=words or "note") for ws in workspaces]
    )
    return pairings


def fresh_cache(settings) -> None:
    """An empty cache namespace (never a flush: Redis may be shared)."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response: Any = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            body = b"".join(response.streaming_content)
            assert body.count(b"\n") >= 2
    return len(ctx.captured_queries)


PAGES = [
    ("health:dashboard", ""),
    ("health:dashboard", "?cohort=Spring&kind=one_to_one"),
    ("health:pairs", ""),
    ("health:pairs", "?label=needs_check_in&department=Sales"),
    ("health:pairs", "?figure=agendas&page=2"),
]
EXPORTS = [
    ("exports:participants", ""),
    ("exports:participants", "?cohort=Autumn&relationship=peer"),
    ("exports:pairings", ""),
    ("exports:pairings", "?department=Finance"),
    ("exports:engagement", ""),
    ("exports:engagement", "?kind=one_to_one&cohort=Spring"),
]


@pytest.fixture
def program(db):
    program: Any = ProgramFactory.create(status=Program.Status.RUNNING)
    program.admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    return program


def _client(program) -> Client:
    client = Client()
    client.force_login(program.admin)
    return client


def _measure(program, settings, name: str, query: str) -> tuple[int, int]:
    client = _client(program)
    url = reverse(name, kwargs={"slug": program.slug}) + query
    client.get(url)  # the session, warmed
    fresh_cache(settings)
    cold = queries(client, url)
    warm = queries(client, url)
    return cold, warm


@pytest.mark.parametrize(("name", "query"), PAGES)
def test_health_pages_do_not_grow_with_pairs(program, settings, name, query):
    grow(program, 10)
    small = _measure(program, settings, name, query)
    grow(program, 490)
    large = _measure(program, settings, name, query)
    print(  # noqa: T201  (the figures for the closing note)
        f"{connection.vendor} {name}{query}: cold {small[0]}/{large[0]}, "
        f"cached {small[1]}/{large[1]} queries with 10/500 pairs"
    )
    assert small == large
    cold, warm = large
    assert cold <= 16
    # From the cache: the session, the user and the program access, nothing more.
    assert warm <= 4


@pytest.mark.parametrize(("name", "query"), EXPORTS)
def test_exports_do_not_grow_with_pairs(program, settings, name, query):
    grow(program, 10)
    small = _measure(program, settings, name, query)
    grow(program, 490)
    large = _measure(program, settings, name, query)
    print(  # noqa: T201  (the figures for the closing note)
        f"{connection.vendor} {name}{query}: {small[0]}/{large[0]} queries with 10/500 pairs"
    )
    assert small == large
    # 12 to read and write the file, and one insert: the export's audit event.
    assert large[0] <= 13
