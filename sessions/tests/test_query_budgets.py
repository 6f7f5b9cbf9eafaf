"""Workspace pages keep the same number of queries with 3 and with 50 meetings.

Each page is rendered for the mentor after a warm-up request, with a small
workspace and again after it has grown (meetings with agendas, check-ins, action
items, notes, goals and topics); the counts must be equal and under a ceiling.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sessions.models import (
    ActionItem,
    Agenda,
    CheckIn,
    Goal,
    GoalUpdate,
    Meeting,
    Note,
    RoadmapTopic,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]

# The most queries a workspace page may make (session, user, program access, workspace,
# then the page's own reads), whatever the size of the workspace.
CEILING = 30


def grow(world, meetings: int) -> None:
    """Add ``meetings`` meetings (most held, with everything that hangs off a meeting)."""
    ws = world.workspace
    now = timezone.now()
    start = len(Meeting.objects.filter(workspace=ws))
    for i in range(start, start + meetings):
        held = i % 5 != 4
        m = Meeting.objects.create(
            workspace=ws,
            starts_at=now + dt.timedelta(days=(-60 + i) if held else (i + 1)),
            duration_minutes=45,
            status=Meeting.Status.HELD if held else Meeting.Status.SCHEDULED,
        )
        Agenda.objects.create(
            meeting=m,
            author=world.mentee,
            topics=f"Topic {i}",
            status="submitted",
            submitted_at=m.starts_at - dt.timedelta(days=3),
        )
        if held:
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
        Note.objects.create(
            workspace=ws, author=world.mentor, body=f"Note {i}", visibility="shared", meeting=m
        )
        goal = Goal.objects.create(
            workspace=ws,
            title=f"Goal {i}",
            specific="s",
            measurable="m 1",
            achievable="a",
            relevant="r",
            target_date=ws.end_date,
        )
        GoalUpdate.objects.create(goal=goal, kind="created", author=world.mentee)
        RoadmapTopic.objects.create(
            workspace=ws, title=f"Topic {i}", position=i, covered_in=m if held else None
        )


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


PAGES: list[tuple[str, dict[str, int]]] = [
    ("detail", {}),
    ("agreement", {}),
    ("goals", {}),
    ("roadmap", {}),
    ("meetings", {}),
    ("actions", {}),
    ("notes", {}),
    ("reviews", {}),
    ("closure", {}),
]


# The closing checklist is the participants' page; admins see every other one.
CASES = [(who, name, kwargs) for who in ("mentor", "admin") for name, kwargs in PAGES]
CASES = [c for c in CASES if c[:2] != ("admin", "closure")]


@pytest.mark.parametrize(("who", "name", "kwargs"), CASES)
def test_workspace_pages_do_not_grow_with_meetings(world, who, name, kwargs):
    grow(world, 3)
    client = world.client(who)
    url = world.url(name, **kwargs)
    client.get(url)
    small = count(client, url)
    grow(world, 47)
    large = count(client, url)
    print(f"workspace page={name} viewer={who} queries_3={small} queries_50={large}")  # noqa: T201  (the figures for the closing note)
    assert small == large, f"{name}: {small} queries with 3 meetings, {large} with 50"
    assert large <= CEILING


def test_a_meeting_page_does_not_grow_with_the_workspace(world):
    grow(world, 3)
    client = world.client("mentor")
    meeting = Meeting.objects.filter(workspace=world.workspace, status="held")[0]
    url = world.url("meeting", mid=meeting.pk)
    client.get(url)
    small = count(client, url)
    grow(world, 47)
    large = count(client, url)
    print(f"workspace page=meeting viewer=mentor queries_3={small} queries_50={large}")  # noqa: T201  (the figures for the closing note)
    assert small == large
    assert large <= CEILING
