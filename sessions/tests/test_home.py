"""The home page of someone in relationships: what needs them now, their relationships.

Its query count stays flat however many relationships, meetings, agendas and action
items they have.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.models import Pairing
from matching.tests.factories import MenteeFactory, PairingFactory
from sessions.models import ActionItem, Agenda, Meeting, Workspace

pytestmark = pytest.mark.django_db

# Session, user, program cards, notifications, proposals, my relationships, then what
# needs me (agreements, agendas due, action items, reviews) and the next meetings.
HOME_BUDGET = 12


def count(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def grow(world, n: int) -> None:
    """n more upcoming meetings with draft agendas, open action items, and mentees."""
    now = timezone.now()
    for i in range(n):
        meeting = Meeting.objects.create(
            workspace=world.workspace,
            starts_at=now + dt.timedelta(days=i + 1),
            duration_minutes=30,
        )
        Agenda.objects.create(meeting=meeting, author=world.mentee, topics=f"Draft {i}")
        for owner in (world.mentor, world.mentee):
            ActionItem.objects.create(
                workspace=world.workspace, owner=owner, description=f"Item {i}"
            )
        pairing = PairingFactory.create(
            program=world.program,
            mentor=world.pairing.mentor,
            mentee=MenteeFactory.create(program=world.program),
            status=Pairing.Status.ACTIVE,
            started_at=now,
            respond_by=None,
        )
        Meeting.objects.create(
            workspace=Workspace.objects.get(pairing=pairing),
            starts_at=now + dt.timedelta(days=2, hours=i),
            duration_minutes=30,
        )


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_the_home_page_does_not_grow_with_relationships_and_meetings(world, who):
    client = world.client(who)
    grow(world, 2)
    client.get(reverse("home"))
    small, _ = count(client)
    grow(world, 18)
    large, html = count(client)
    assert small == large, (small, large)
    assert large <= HOME_BUDGET
    assert "Your relationships" in html
    assert "What needs you now" in html


def test_the_mentee_sees_agendas_due_and_their_own_action_items(world):
    grow(world, 2)
    _, html = count(world.client("mentee"))
    assert html.count("File your agenda") == 2
    assert html.count("(draft saved)") == 2
    assert "Item 0" in html
    items = ActionItem.objects.filter(owner=world.mentor)
    assert items.exists()
    # The mentor's items are not the mentee's to do.
    assert html.count("Item 0") == 1
