"""The home page of someone in relationships: what needs them now, their relationships, goals.

Each person sees their own things only; the page costs the same number of queries
however many relationships, meetings, agendas, action items and goals there are, and
however many other pairs the program holds.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import CircleMember, Pairing
from matching.tests.factories import CircleMemberFactory, MenteeFactory, PairingFactory
from mentoring.models import User
from mentoring.tests.factories import UserFactory
from mentoring.tests.test_templates_a11y import problems_in
from programs.models import Membership
from sessions import selectors
from sessions.models import (
    ActionItem,
    Agenda,
    Agreement,
    CheckIn,
    Goal,
    Meeting,
    Review,
    Workspace,
)
from sessions.services import agendas, agreements, checkins, meetings, reviews
from sessions.tests.conftest import NOW, World

pytestmark = pytest.mark.django_db

# Session, user; memberships, unread notifications, proposals and requests (matching);
# the ids of my running relationships, what the page says about each, the meetings they
# point at, open action items, goals.
HOME_BUDGET = 10
TODAY = NOW.date()
HELD_AT = NOW - dt.timedelta(days=6)


TERMS = {
    "purpose": "Grow into a team lead.",
    "mentee_success": "I run planning on my own.",
    "mentor_success": "They lead with confidence.",
    "cadence_days": 14,
    "meeting_minutes": 60,
    "medium": "video",
    "scheduler": "mentee",
    "notice_hours": 24,
    "confidentiality": "What we say stays between us.",
    "planned_end_date": dt.date(2027, 3, 1),
}


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def page(client: Client) -> tuple[int, str]:
    """The home page: its query count (after a warm-up request) and its words."""
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def text(html: str) -> str:
    """The page's words, tags and runs of spaces taken out."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html: str, section_id: str) -> str:
    """The words of one home-page section (its <section> element)."""
    start = html.index(f'aria-labelledby="{section_id}"')
    return text(html[start : html.index("</section>", start)])


def furnish(workspace: Workspace, mentor: User, mentee: User, i: int = 0) -> None:
    """A relationship with a history: held meetings with check-ins, an upcoming meeting
    with a draft agenda, open action items on both sides, goals, a mid-point review."""
    for days in (20, 6):
        held = Meeting.objects.create(
            workspace=workspace,
            starts_at=NOW - dt.timedelta(days=days),
            duration_minutes=60,
            status=Meeting.Status.HELD,
        )
        for author in (mentor, mentee):
            CheckIn.objects.create(
                meeting=held, author=author, useful="u", next_steps="n", before_next="b", rating=4
            )
    Workspace.objects.filter(pk=workspace.pk).update(last_met_at=HELD_AT)
    for days in (3, 17):
        upcoming = Meeting.objects.create(
            workspace=workspace, starts_at=NOW + dt.timedelta(days=days), duration_minutes=60
        )
        Agenda.objects.create(meeting=upcoming, author=mentee, topics=f"Topics {i}")
    for owner, due in ((mentor, TODAY - dt.timedelta(days=1)), (mentee, TODAY)):
        for n in range(2):
            ActionItem.objects.create(
                workspace=workspace, owner=owner, description=f"Item {i}.{n}", due_date=due
            )
    for n in range(2):
        Goal.objects.create(
            workspace=workspace,
            title=f"Goal {i}.{n}",
            specific="s",
            measurable="m",
            achievable="a",
            relevant="r",
            target_date=TODAY + dt.timedelta(days=30 + n),
            progress=40,
        )
    Review.objects.create(
        workspace=workspace, author=mentee, kind=Review.Kind.MIDPOINT, value_received=4,
        value_given=4, working="w", decision=Review.Decision.CONTINUE,
    )  # fmt: skip


def more_mentees(world: World, n: int) -> None:
    """n more running relationships of the world's mentor, each with a history."""
    mentor = world.pairing.mentor
    Membership.objects.filter(pk=mentor.pk).update(capacity=20)
    for i in range(n):
        pairing = PairingFactory.create(
            program=world.program,
            mentor=mentor,
            mentee=MenteeFactory.create(program=world.program),
            status=Pairing.Status.ACTIVE,
            started_at=NOW - dt.timedelta(days=60),
            respond_by=None,
        )
        workspace = Workspace.objects.get(pairing=pairing)
        furnish(workspace, world.mentor, pairing.mentee.user, i)


def other_pairs(world: World, n: int) -> None:
    """n more pairs in the program, none of them the viewer's, each with a history."""
    for i in range(n):
        pairing = PairingFactory.create(
            program=world.program, status=Pairing.Status.ACTIVE, respond_by=None
        )
        workspace = Workspace.objects.get(pairing=pairing)
        if i % 10 == 0:  # a history for some: enough rows for an N+1 to show
            furnish(workspace, pairing.mentor.user, pairing.mentee.user, 1000 + i)


# --- The same number of queries, whatever the numbers -------------------------------------------


def test_a_mentors_home_costs_the_same_with_2_and_20_mentees(world):
    furnish(world.workspace, world.mentor, world.mentee)
    more_mentees(world, 1)
    client = world.client("mentor")
    small, html = page(client)
    assert text(html).count("You mentor ") == 2
    more_mentees(world, 18)
    large, html = page(client)
    assert text(html).count("You mentor ") == 20
    assert small == large <= HOME_BUDGET, (small, large)


def test_a_mentees_home_costs_the_same_with_10_and_500_pairs_in_the_program(world):
    furnish(world.workspace, world.mentor, world.mentee)
    other_pairs(world, 9)
    client = world.client("mentee")
    small, html = page(client)
    assert f"{world.mentor.display_name} is your mentor" in html
    other_pairs(world, 490)
    assert Pairing.objects.filter(program=world.program).count() >= 500
    large, html = page(client)
    assert small == large <= HOME_BUDGET, (small, large)
    assert "Topics 1000" not in html
    assert "Item 1000" not in html


def test_a_circle_members_home_costs_the_same_with_2_and_12_circle_mates(world):
    circle = world.circle_workspace
    for days in (4, 11):
        Meeting.objects.create(
            workspace=circle, starts_at=NOW + dt.timedelta(days=days), duration_minutes=60
        )
    client = world.client("member")
    small, html = page(client)
    assert f"Circle: {world.circle.name}" in html
    for i in range(10):
        mate = CircleMemberFactory.create(
            circle=world.circle, status=CircleMember.Status.MEMBER, joined_at=NOW
        )
        ActionItem.objects.create(
            workspace=circle, owner=mate.mentee.user, description=f"Mate {i}", due_date=TODAY
        )
    large, html = page(client)
    assert small == large <= HOME_BUDGET, (small, large)


@pytest.mark.usefixtures("page_cache_off")
def test_someone_without_relationships_pays_for_none(world):
    client = Client()
    client.force_login(MenteeFactory.create(program=world.program).user)
    queries, html = page(client)
    # Session, user, memberships, notifications, proposals and requests, relationships.
    assert queries == 6
    assert "Your relationships" not in html


# --- Personas ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(world):
    response = world.client("anonymous").get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["mentee", "mentor", "member", "admin", "outsider"])
def test_every_persona_gets_an_accessible_home_page(world, who):
    furnish(world.workspace, world.mentor, world.mentee)
    response = world.client(who).get(reverse("home"))
    assert response.status_code == 200
    assert problems_in(response.content.decode()) == []


def test_a_program_admin_without_relationships_sees_their_programs_only(world):
    _, html = page(world.client("admin"))
    assert world.program.name in html
    assert "Program admin" in html
    for absent in ("What needs you now", "Your relationships", "Goals and progress"):
        assert absent not in html


@pytest.mark.usefixtures("page_cache_off")
def test_someone_in_no_program_is_told_how_to_join_one(world):
    client = Client()
    client.force_login(UserFactory.create())
    queries, html = page(client)
    assert "You are not in any program yet" in html
    assert queries == 4  # session, user, memberships, notifications


@pytest.mark.parametrize("who", ["mentee", "mentor"])
def test_nobody_sees_another_pairs_agenda_action_items_or_goals(world, who):
    furnish(world.workspace, world.mentor, world.mentee, i=1)
    furnish(world.other_workspace, world.other_mentor, world.other_mentee, i=2)
    _, html = page(world.client(who))
    assert "Item 1.0" in html or "Item 1.1" in html
    assert "Goal 1.0" in html
    for words in ("Item 2.", "Goal 2.", world.other_mentee.display_name):
        assert words not in html, words


def test_outsiders_see_nothing_of_the_program(world):
    furnish(world.workspace, world.mentor, world.mentee)
    _, html = page(world.client("outsider"))
    for words in ("Item 0", "Goal 0", world.mentee.display_name, world.program.name):
        assert words not in html


# --- What needs you now --------------------------------------------------------------------------


def test_the_mentee_is_asked_for_the_next_agenda_and_a_draft_one(world):
    furnish(world.workspace, world.mentor, world.mentee)
    _, html = page(world.client("mentee"))
    needs = section(html, "home-needs-you")
    assert needs.count("File your agenda for the meeting on") == 2
    assert "draft saved, not sent yet" in needs
    # Their own action items, the overdue ones marked in words; not the mentor's.
    assert "Item 0.0" in needs
    assert "Item 0.1" in needs


def test_a_filed_agenda_turns_into_the_next_meeting_with_its_state(world):
    meeting = Meeting.objects.create(
        workspace=world.workspace, starts_at=NOW + dt.timedelta(days=2), duration_minutes=45
    )
    agendas.agenda_save(
        wa=world.access("mentee"), meeting=meeting, did="d", learned="l", topics="t",
        needs=[], needs_detail="", links="", submit=True,
    )  # fmt: skip
    _, html = page(world.client("mentee"))
    needs = section(html, "home-needs-you")
    assert "File your agenda" not in needs
    assert "Next meeting: Sun 22 Nov, 12:00" in needs
    assert "your agenda is filed (20 Nov, 12:00)" in needs
    _, html = page(world.client("mentor"))
    assert "agenda arrived 20 Nov, 12:00" in section(html, "home-needs-you")


def test_the_mentor_sees_each_mentees_last_and_next_meeting_and_whether_the_agenda_arrived(world):
    furnish(world.workspace, world.mentor, world.mentee)
    more_mentees(world, 1)
    submitted = Agenda.objects.filter(meeting__workspace=world.workspace).order_by(
        "meeting__starts_at"
    )[0]
    Agenda.objects.filter(pk=submitted.pk).update(
        status=Agenda.Status.SUBMITTED, submitted_at=NOW - dt.timedelta(hours=3)
    )
    _, html = page(world.client("mentor"))
    rows = section(html, "home-relationships")
    assert rows.count("Last meeting Sat 14 Nov") == 2
    assert rows.count("Next meeting Mon 23 Nov, 12:00") == 2
    assert rows.count("agenda arrived 20 Nov, 09:00") == 1
    assert rows.count("agenda not in yet") == 1


def test_the_mentors_own_action_items_come_first_and_the_mentees_due_soon_are_waiting(world):
    furnish(world.workspace, world.mentor, world.mentee)
    ActionItem.objects.create(
        workspace=world.workspace, owner=world.mentee, description="Later on", due_date=None
    )
    _, html = page(world.client("mentor"))
    needs = section(html, "home-needs-you")
    assert "Item 0.0 Task · with" in needs
    assert "was due Thu 19 Nov Overdue" in needs
    waiting = section(html, "home-waiting")
    assert f"{world.mentee.display_name}: Item 0.0" in waiting
    assert "Later on" not in html  # someone else's, with no date: theirs to track


def test_overdue_things_come_first(world):
    furnish(world.workspace, world.mentor, world.mentee)
    _, html = page(world.client("mentor"))
    needs = section(html, "home-needs-you")
    assert needs.index("Overdue") < needs.index("Next meeting")


def test_terms_to_draft_and_to_accept(world):
    _, html = page(world.client("mentee"))
    assert "Agree the terms of your relationship: nothing is drafted yet" in html
    # A circle's members leave the drafting to its mentor.
    _, html = page(world.client("member"))
    assert "Agree the terms" not in html
    agreements.agreement_save(wa=world.access("mentor"), terms=TERMS)
    _, html = page(world.client("mentee"))
    assert "Read and accept the terms of your relationship" in html
    agreements.agreement_accept(wa=world.access("mentee"), version=1)
    _, html = page(world.client("mentee"))
    assert "the terms of your relationship" not in html
    assert Agreement.objects.get(workspace=world.workspace).version == 1


def test_reviews_open_at_the_mid_point_and_near_the_end(world):
    Workspace.objects.filter(pk=world.workspace.pk).update(
        midpoint_date=TODAY - dt.timedelta(days=20), end_date=TODAY + dt.timedelta(days=10)
    )
    _, html = page(world.client("mentor"))
    needs = section(html, "home-needs-you")
    assert "Your mid-point review is open" in needs
    assert "please file it by 14 Nov Overdue" in needs
    assert "Your final review is open" in needs
    reviews.review_submit(
        wa=world.access("mentor"), kind="midpoint", value_received=4, value_given=4,
        working="w", change="", decision="continue",
    )  # fmt: skip
    _, html = page(world.client("mentor"))
    assert "Your mid-point review is open" not in html


def test_a_meeting_past_its_time_asks_to_be_marked_and_a_held_one_for_a_check_in(world):
    Meeting.objects.create(
        workspace=world.workspace, starts_at=NOW - dt.timedelta(days=2), duration_minutes=30
    )
    held = meetings.meeting_create(
        wa=world.access("mentor"),
        starts_at=NOW - dt.timedelta(days=5),
        duration_minutes=30,
        medium="video",
        location="https://meet.example.org/x",
        held=True,
    )
    _, html = page(world.client("mentee"))
    needs = section(html, "home-needs-you")
    assert "Did your meeting on Wed 18 Nov, 12:00 happen? Mark it held or missed" in needs
    assert "File your check-in on the meeting of Sun 15 Nov" in needs
    checkins.checkin_save(
        wa=world.access("mentee"), meeting=held, useful="u", next_steps="n",
        before_next="b", change="", rating=4,
    )  # fmt: skip
    _, html = page(world.client("mentee"))
    assert "File your check-in" not in html


def test_times_are_in_the_viewers_time_zone(world):
    User.objects.filter(pk=world.mentee.pk).update(timezone="Asia/Tokyo")
    Meeting.objects.create(
        workspace=world.workspace, starts_at=NOW + dt.timedelta(days=1), duration_minutes=30
    )
    _, html = page(world.client("mentee"))
    assert "File your agenda for the meeting on Sat 21 Nov, 21:00" in html


# --- Relationships and their health --------------------------------------------------------------


def workspace_health(world: World, workspace: Workspace) -> selectors.Health:
    """The health the workspace's own page derives, in its own (per-workspace) way."""
    wa = world.access("mentor", workspace)
    facts = selectors.workspace_facts(wa.workspace, len(wa.participants))
    return selectors.derive_health(facts, selectors.today_in(wa.workspace))


@pytest.mark.parametrize(
    "story", ["new", "on_track", "silent", "low_ratings", "two_missed", "review_overdue"]
)
def test_the_health_shown_is_the_workspaces_own(world, story):
    ws = world.workspace
    mentor, mentee = world.access("mentor"), world.access("mentee")
    if story != "new":
        agreements.agreement_save(wa=mentor, terms=TERMS)
        for wa in (mentor, mentee):
            agreements.agreement_accept(wa=wa, version=1)
    ratings = {"low_ratings": (1, 2, 2)}.get(story, (4, 5, 4))
    if story in ("on_track", "low_ratings", "two_missed", "review_overdue"):
        for days, rating in zip((40, 26, 12), ratings, strict=True):
            held = meetings.meeting_create(
                wa=mentor, starts_at=NOW - dt.timedelta(days=days), duration_minutes=30,
                medium="phone", held=True,
            )  # fmt: skip
            checkins.checkin_save(
                wa=mentee, meeting=held, useful="u", next_steps="n", before_next="b",
                change="", rating=rating,
            )  # fmt: skip
    if story == "silent":
        Workspace.objects.filter(pk=ws.pk).update(start_date=TODAY - dt.timedelta(days=60))
    if story == "two_missed":
        for days in (8, 4):
            missed = Meeting.objects.create(
                workspace=ws, starts_at=NOW - dt.timedelta(days=days), duration_minutes=30
            )
            meetings.meeting_mark_missed(wa=mentor, meeting=missed)
    if story == "review_overdue":
        Workspace.objects.filter(pk=ws.pk).update(midpoint_date=TODAY - dt.timedelta(days=30))
    expected = workspace_health(world, ws)
    _, html = page(world.client("mentor"))
    row = section(html, "home-relationships")
    row = row[row.index(f"You mentor {world.mentee.display_name}") :]
    assert str(expected.label) in row[:200]
    for reason in expected.reasons:
        assert reason in row, (story, expected)


def test_a_circle_member_sees_the_circle_and_its_mentor(world):
    _, html = page(world.client("member"))
    rows = section(html, "home-relationships")
    assert f"Circle: {world.circle.name} Circle member" in rows
    assert "none scheduled" in rows


def test_goals_show_their_status_and_progress(world):
    furnish(world.workspace, world.mentor, world.mentee)
    Goal.objects.filter(title="Goal 0.1").update(
        status=Goal.Status.ACHIEVED, progress=100, closed_at=NOW
    )
    Goal.objects.create(
        workspace=world.workspace, title="Late goal", specific="s", measurable="m",
        achievable="a", relevant="r", target_date=TODAY - dt.timedelta(days=1), progress=10,
    )  # fmt: skip
    _, html = page(world.client("mentee"))
    goals = section(html, "home-goals")
    assert goals.index("Late goal") < goals.index("Goal 0.0") < goals.index("Goal 0.1")
    assert "Late goal Open Past its target date" in goals
    assert "Goal 0.1 Achieved" in goals
    assert 'value="40"' in html
    assert "40%" in goals
