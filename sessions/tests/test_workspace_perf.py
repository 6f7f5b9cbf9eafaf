"""The workspace overview's query budget, and the one read of facts it is built on.

The overview reads the workspace's meetings once (one aggregate with conditional
counts), its check-ins, reviews and agreement once each, and feeds the health, the
figures and the plan from that read: its query count is small, the same for every
persona whatever the workspace holds.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sessions import selectors
from sessions.models import (
    ActionItem,
    Agenda,
    Agreement,
    AgreementAcceptance,
    CheckIn,
    Meeting,
    Note,
    Review,
    RoadmapTopic,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]

# Session, user, program access and workspace, then the overview's own reads: meetings
# (aggregate, next), check-ins, reviews, agreement and its acceptances, goals, topics,
# action items (list, counts) and notes.
BUDGET = 15


def grow(world, meetings: int) -> None:
    """Add ``meetings`` meetings, with agendas, check-ins, actions, notes and topics."""
    ws = world.workspace
    now = timezone.now()
    start = Meeting.objects.filter(workspace=ws).count()
    statuses = (Meeting.Status.HELD, Meeting.Status.HELD, Meeting.Status.MISSED)
    for i in range(start, start + meetings):
        upcoming = i % 5 == 4
        m = Meeting.objects.create(
            workspace=ws,
            starts_at=now + (dt.timedelta(days=i + 1) if upcoming else dt.timedelta(days=i - 90)),
            duration_minutes=45,
            status=Meeting.Status.SCHEDULED if upcoming else statuses[i % 3],
        )
        Agenda.objects.create(
            meeting=m,
            author=world.mentee,
            topics=f"Topic {i}",
            status="submitted",
            submitted_at=m.starts_at - dt.timedelta(days=3),
            late=i % 2 == 0,
        )
        if m.status == Meeting.Status.HELD:
            for who in (world.mentor, world.mentee):
                CheckIn.objects.create(
                    meeting=m, author=who, useful="u", next_steps="n", before_next="b", rating=4
                )
        ActionItem.objects.create(
            workspace=ws,
            meeting=m,
            owner=world.mentee,
            description=f"Do {i}",
            created_by=world.mentor,
        )
        Note.objects.create(workspace=ws, author=world.mentor, body=f"N {i}", visibility="shared")
        RoadmapTopic.objects.create(workspace=ws, title=f"Topic {i}", position=i)


def agree(world) -> None:
    ws = world.workspace
    agreement = Agreement.objects.create(
        workspace=ws,
        purpose="p",
        mentee_success="s",
        mentor_success="s",
        cadence_days=14,
        meeting_minutes=60,
        confidentiality="c",
        planned_end_date=ws.end_date,
    )
    AgreementAcceptance.objects.create(
        agreement=agreement, version=agreement.version, user=world.mentor
    )


def overview_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("who", "content"),
    [("mentor", False), ("mentee", False), ("admin", False), ("admin", True)],
)
def test_the_overview_keeps_its_budget_however_many_meetings(request, who, content):
    world = request.getfixturevalue("content_world" if content else "world")
    agree(world)
    grow(world, 2)
    client = world.client(who)
    url = world.url("detail")
    client.get(url)
    small = overview_queries(client, url)
    grow(world, 38)
    large = overview_queries(client, url)
    assert small == large, f"{small} queries with 2 meetings, {large} with 40"
    assert large <= BUDGET


def test_the_overview_without_an_agreement_spares_the_acceptances(world):
    client = world.client("mentee")
    url = world.url("detail")
    client.get(url)
    assert overview_queries(client, url) <= BUDGET - 1


def _reference_facts(ws, participants: int) -> dict:
    """The facts as they were read before, one query each, to hold the single read to."""
    now = timezone.now()
    Status = Meeting.Status
    recent = list(
        ws.meetings.filter(starts_at__lte=now)
        .exclude(status=Status.CANCELLED)
        .order_by("-starts_at")
        .values_list("status", flat=True)[:2]
    )
    ratings = tuple(
        CheckIn.objects.filter(meeting__workspace=ws)
        .order_by("-meeting__starts_at", "-pk")
        .values_list("rating", flat=True)[:6]
    )
    upcoming = (
        ws.meetings.filter(status=Status.SCHEDULED, starts_at__gt=now)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    decisions = list(
        ws.reviews.filter(kind=Review.Kind.MIDPOINT).values_list("decision", flat=True)
    )
    return {
        "held": ws.meetings.filter(status=Status.HELD).count(),
        "last_two_missed": len(recent) == 2 and all(s == Status.MISSED for s in recent),
        "recent_ratings": ratings,
        "next_scheduled": timezone.localdate(upcoming, ws.program.tzinfo) if upcoming else None,
        "midpoint_reviews": len(decisions),
    }


@pytest.mark.parametrize(
    "history",
    [
        [],
        ["missed"],
        ["missed", "missed"],
        ["held", "missed", "missed"],
        ["missed", "missed", "held"],
        ["missed", "cancelled", "missed"],
        ["missed", "held", "missed"],
        ["missed", "scheduled", "missed"],
        ["held", "missed", "missed", "scheduled+"],
        ["missed", "missed", "cancelled"],
    ],
)
def test_one_read_gives_the_facts_as_separate_reads_did(world, history):
    ws = world.workspace
    now = timezone.now()
    for i, status in enumerate(history):
        future = status.endswith("+")
        m = Meeting.objects.create(
            workspace=ws,
            starts_at=now + dt.timedelta(days=3) if future else now - dt.timedelta(days=30 - i),
            duration_minutes=30,
            status=status.rstrip("+"),
            cancel_reason="ill" if status == "cancelled" else "",
        )
        CheckIn.objects.create(
            meeting=m,
            author=world.mentee,
            useful="u",
            next_steps="n",
            before_next="b",
            rating=i % 5 + 1,
        )
    reads = selectors.read_workspace(ws, 2)
    facts = reads.facts
    expected = _reference_facts(ws, 2)
    assert {k: getattr(facts, k) for k in expected} == expected
    assert reads.meetings["checkins"] == len(history)
    assert selectors.workspace_facts(ws, 2) == facts
