"""Every workspace page meets our accessibility rules with something in it.

The pair's workspace gets one of each object (an agreement changed after
acceptance, a goal with progress, roadmap topics, an upcoming meeting with a
submitted and edited agenda, a held one with check-ins and follow-ups, a
cancelled one, notes, a mid-point review, an extension); then every GET page of
the ``workspace:`` namespace is rendered for the mentor, and the main pages for
the mentee and for a program admin who sees figures, not words. The home page's
workspace sections and the notification centre are checked too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from mentoring.tests.test_templates_a11y import assert_accessible
from sessions.models import ActionItem, Agreement, Goal, Meeting, Note, RoadmapTopic, Workspace
from sessions.services import (
    actions,
    agendas,
    agreements,
    checkins,
    closure,
    goals,
    meetings,
    notes,
    reviews,
    roadmap,
)

from .conftest import NOW, World

pytestmark = pytest.mark.django_db

TODAY = NOW.date()
# Words that only the pair may read; the admin of a metadata-only program never sees them.
AGENDA_WORDS = "How do I run my first planning meeting?"
CHECKIN_WORDS = "Practising the opening of the meeting"
ACTION_WORDS = "Send the facilitation checklist"
NOTE_WORDS = "Shared: the planning meeting went well"
PRIVATE_WORDS = "Private: ask about the reorganisation"
REVIEW_WORDS = "The fortnightly rhythm works"
GOAL_TITLE = "Lead the quarterly planning"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class Furnished:
    world: World
    upcoming: Meeting
    unprepared: Meeting
    held: Meeting
    cancelled: Meeting
    goal: Goal
    topic: RoadmapTopic
    action: ActionItem
    note: Note

    def ids(self) -> dict[str, int]:
        return {
            "upcoming": self.upcoming.pk,
            "unprepared": self.unprepared.pk,
            "held": self.held.pk,
            "cancelled": self.cancelled.pk,
            "goal": self.goal.pk,
            "topic": self.topic.pk,
            "action": self.action.pk,
            "note": self.note.pk,
        }


def _terms(**changes: Any) -> dict[str, Any]:
    return {
        "purpose": "Grow into a team lead within a year.",
        "mentee_success": "I run my first planning meeting on my own.",
        "mentor_success": "I see them lead with confidence.",
        "cadence_days": 14,
        "meeting_minutes": 60,
        "medium": "video",
        "scheduler": "mentee",
        "notice_hours": 24,
        "reschedule_rule": "Move within the same week.",
        "contact_channels": "Chat",
        "contact_hours": "Weekdays 9-17",
        "confidentiality": "What we say stays between us.",
        "shareable": "That we meet.",
        "feedback_preference": "Direct and written.",
        "planned_end_date": dt.date(2027, 3, 1),
        **changes,
    }


def _agenda(world: World, meeting: Meeting, *, submit: bool, topics: str = AGENDA_WORDS) -> None:
    agendas.agenda_save(
        wa=world.access("mentee"),
        meeting=meeting,
        did="Mapped who takes part in planning.",
        learned="Preparation is most of it.",
        topics=topics,
        needs=["feedback", "resources"],
        needs_detail="A checklist, if you have one.",
        links="https://example.org/my-plan",
        submit=submit,
    )


def furnish(world: World) -> Furnished:
    """One of each workspace object in the pair's workspace, made through the services."""
    mentor, mentee = world.access("mentor"), world.access("mentee")

    # The agreement: drafted, accepted by both, then changed (the mentee must accept again).
    agreements.agreement_save(wa=mentor, terms=_terms())
    for wa in (mentor, mentee):
        agreements.agreement_accept(wa=wa, version=1)
    agreements.agreement_save(wa=mentor, terms=_terms(cadence_days=21))
    agreements.agreement_accept(wa=mentor, version=2)
    assert Agreement.objects.get(workspace=world.workspace).version == 2

    goal = goals.goal_create(
        wa=mentee,
        title=GOAL_TITLE,
        specific="Run the Q1 planning session for my team.",
        measurable="The plan is agreed by the team (1 plan).",
        achievable="My manager has agreed to it.",
        relevant="Leading planning is part of a team lead's job.",
        target_date=dt.date(2027, 2, 1),
    )
    goals.goal_progress(wa=mentee, goal=goal, progress=40, note="Drafted the agenda.")

    held = meetings.meeting_create(
        wa=mentor,
        starts_at=NOW - dt.timedelta(days=7),
        duration_minutes=60,
        medium="video",
        location="https://meet.example.org/pair",
        held=True,
    )
    upcoming = meetings.meeting_create(
        wa=mentee,
        starts_at=NOW + dt.timedelta(days=5),
        duration_minutes=45,
        medium="in_person",
        location="Room 4.12",
    )
    unprepared = meetings.meeting_create(
        wa=mentor, starts_at=NOW + dt.timedelta(days=19), duration_minutes=60, medium="phone"
    )
    cancelled = meetings.meeting_create(
        wa=mentor, starts_at=NOW + dt.timedelta(days=12), duration_minutes=60, medium="video"
    )
    meetings.meeting_cancel(wa=mentor, meeting=cancelled, reason="I am travelling that week.")

    # The upcoming meeting's agenda: submitted, then edited (an earlier version is kept);
    # the meeting after it has a draft only.
    _agenda(world, upcoming, submit=True)
    _agenda(world, upcoming, submit=False, topics=AGENDA_WORDS + " And the retro?")
    _agenda(world, unprepared, submit=False, topics="Still thinking.")

    for wa in (mentor, mentee):
        checkins.checkin_save(
            wa=wa,
            meeting=held,
            useful=CHECKIN_WORDS,
            next_steps="Book the room.",
            before_next="Read the facilitation guide.",
            change="Start on time.",
            rating=4,
        )
    follow_up = actions.action_create(
        wa=mentor,
        meeting=held,
        owner=world.mentor,
        kind=ActionItem.Kind.RESOURCE,
        description=ACTION_WORDS,
        due_date=TODAY + dt.timedelta(days=3),
    )
    actions.action_create(
        wa=mentor,
        meeting=held,
        owner=world.mentee,
        kind=ActionItem.Kind.TASK,
        description="Draft the planning agenda",
        due_date=TODAY + dt.timedelta(days=6),
    )
    done = actions.action_create(
        wa=mentee,
        owner=world.mentee,
        kind=ActionItem.Kind.TASK,
        description="Book the room",
        due_date=None,
    )
    actions.action_set_status(wa=mentee, action=done, status=ActionItem.Status.DONE)

    topic = roadmap.roadmap_add(wa=mentee, title="Running a meeting", details="Openings, closings.")
    roadmap.roadmap_cover(wa=mentor, topic=topic, meeting=held)
    roadmap.roadmap_add(wa=mentor, title="Time management")

    note = notes.note_create(wa=mentor, body=PRIVATE_WORDS, visibility=Note.Visibility.PRIVATE)
    notes.note_create(wa=mentee, body=NOTE_WORDS, visibility=Note.Visibility.SHARED, meeting=held)

    # Past the pair's own mid-point: the mentee has reviewed, the mentor not yet.
    Workspace.objects.filter(pk=world.workspace.pk).update(
        midpoint_date=TODAY - dt.timedelta(days=2)
    )
    world.workspace.refresh_from_db()
    mentor, mentee = world.access("mentor"), world.access("mentee")
    reviews.review_submit(
        wa=mentee,
        kind="midpoint",
        value_received=5,
        value_given=3,
        working=REVIEW_WORDS,
        change="More practice.",
        decision="continue",
    )
    closure.workspace_extend(
        wa=mentor, new_end_date=dt.date(2027, 4, 1), reason="We started late after the holidays."
    )
    return Furnished(world, upcoming, unprepared, held, cancelled, goal, topic, follow_up, note)


@pytest.fixture
def furnished(world, django_capture_on_commit_callbacks) -> Furnished:
    # Run the on-commit notifications, so the notification centre has something in it.
    with django_capture_on_commit_callbacks(execute=True):
        return furnish(world)


# (URL name, its object kwargs as ids() keys, query string, words the mentor must see).
Page = tuple[str, dict[str, str], str, str]
MENTOR_PAGES: list[Page] = [
    ("detail", {}, "", "Time management"),
    ("agreement", {}, "", "Grow into a team lead"),
    ("agreement_edit", {}, "", "Grow into a team lead"),
    ("goals", {}, "", GOAL_TITLE),
    ("goal_create", {}, "", ""),
    ("goal", {"gid": "goal"}, "", "Drafted the agenda."),
    ("goal_edit", {"gid": "goal"}, "", GOAL_TITLE),
    ("roadmap", {}, "", "Time management"),
    ("roadmap_edit", {"tid": "topic"}, "", "Running a meeting"),
    ("meetings", {}, "", "2 of 2 check-ins filed"),
    ("meeting_create", {}, "", ""),
    ("meeting_create", {}, "?log=1", ""),
    ("meeting", {"mid": "upcoming"}, "", AGENDA_WORDS),
    ("meeting", {"mid": "unprepared"}, "", "drafting the agenda"),
    ("meeting", {"mid": "held"}, "", CHECKIN_WORDS),
    ("meeting", {"mid": "cancelled"}, "", "I am travelling that week."),
    ("meeting_edit", {"mid": "upcoming"}, "", "Room 4.12"),
    ("meeting_cancel", {"mid": "upcoming"}, "", ""),
    ("checkin", {"mid": "held"}, "", CHECKIN_WORDS),
    ("actions", {}, "", ACTION_WORDS),
    ("actions", {}, "?show=mine", ACTION_WORDS),
    ("action_create", {}, "", ""),
    ("action_create", {}, "?meeting={held}", "Log follow-ups"),
    ("action_edit", {"aid": "action"}, "", ACTION_WORDS),
    ("notes", {}, "", PRIVATE_WORDS),
    ("note_create", {}, "", ""),
    ("note_edit", {"nid": "note"}, "", PRIVATE_WORDS),
    ("reviews", {}, "", "Your mid-point review"),
    ("review_midpoint", {}, "", "Submit my mid-point review"),
    ("closure", {}, "", GOAL_TITLE),
    ("extend", {}, "", "We started late after the holidays."),
    ("end_early", {}, "", ""),
]
# The pages every role has: the mentee and a metadata-only admin get them too.
SHARED_PAGES: list[Page] = [
    ("detail", {}, "", ""),
    ("meetings", {}, "", ""),
    ("meeting", {"mid": "upcoming"}, "", ""),
    ("meeting", {"mid": "held"}, "", ""),
    ("goals", {}, "", ""),
    ("reviews", {}, "", ""),
]
MENTEE_PAGES: list[Page] = [
    *SHARED_PAGES,
    ("agreement", {}, "", "Grow into a team lead"),
    ("agenda_edit", {"mid": "upcoming"}, "", AGENDA_WORDS),
    ("agenda_edit", {"mid": "unprepared"}, "", "Still thinking."),
    ("actions", {}, "", ACTION_WORDS),
    ("notes", {}, "", NOTE_WORDS),
]
ADMIN_PAGES: list[Page] = [*SHARED_PAGES, ("actions", {}, "", ""), ("notes", {}, "", "")]


def url_of(furnished: Furnished, page: Page) -> str:
    name, objects, query, _ = page
    ids = furnished.ids()
    kwargs: dict[str, object] = {key: ids[which] for key, which in objects.items()}
    return furnished.world.url(name, None, **kwargs) + query.format(**ids)


def page_id(page: Page) -> str:
    name, objects, query, _ = page
    return "-".join([name, *objects.values()]) + query.replace("?", "-").split("=")[0]


def get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    return assert_accessible(response)


def test_every_get_page_of_the_workspace_is_named_in_this_module():
    """A new page of the namespace must be added to the lists above (or to NOT_PAGES)."""
    from sessions import urls

    not_pages = {
        "meeting_held",  # POST-only buttons
        "meeting_missed",
        "meeting_ics",  # a calendar file, not HTML
        "agreement_accept",
        "goal_progress",
        "goal_status",
        "roadmap_move",
        "roadmap_delete",
        "roadmap_cover",
        "agenda_item_add",
        "action_status",
        "note_delete",
        "review_reopen",
        "complete",
    }
    covered = {p[0] for p in (*MENTOR_PAGES, *MENTEE_PAGES)}
    named = {p.name for p in urls.urlpatterns}
    assert named - not_pages - covered == set()


@pytest.mark.parametrize("page", MENTOR_PAGES, ids=page_id)
def test_the_mentors_pages_are_accessible(furnished, page):
    html = get(furnished.world.client("mentor"), url_of(furnished, page))
    words = page[3]
    if words:
        assert words in html


@pytest.mark.parametrize("page", MENTEE_PAGES, ids=page_id)
def test_the_mentees_pages_are_accessible(furnished, page):
    html = get(furnished.world.client("mentee"), url_of(furnished, page))
    assert PRIVATE_WORDS not in html
    words = page[3]
    if words:
        assert words in html


@pytest.mark.parametrize("page", ADMIN_PAGES, ids=page_id)
def test_a_metadata_only_admins_pages_are_accessible_and_wordless(furnished, page):
    html = get(furnished.world.client("admin"), url_of(furnished, page))
    for words in (AGENDA_WORDS, CHECKIN_WORDS, ACTION_WORDS, NOTE_WORDS, PRIVATE_WORDS):
        assert words not in html


def test_a_circle_meeting_page_with_its_shared_agenda_form_is_accessible(world):
    circle = world.circle_workspace
    meeting = meetings.meeting_create(
        wa=world.access("mentor", circle),
        starts_at=NOW + dt.timedelta(days=3),
        duration_minutes=60,
        medium="video",
    )
    agendas.agenda_item_add(
        wa=world.access("member", circle), meeting=meeting, kind="question", text="Delegation?"
    )
    for who in ("mentor", "member"):
        html = get(world.client(who), world.url("meeting", workspace=circle, mid=meeting.pk))
        assert "Delegation?" in html
        assert "Add to the agenda" in html


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("mentee", ["File your agenda for the meeting", "Read and accept the terms", "Draft the"]),
        ("mentor", ["Your mid-point review is open", ACTION_WORDS, "You mentor "]),
    ],
)
def test_the_home_page_with_relationships_is_accessible(furnished, who, expected):
    html = get(furnished.world.client(who), reverse("home"))
    assert "What needs you now" in html
    assert "Your relationships" in html
    for words in expected:
        assert words in html


def test_the_notification_centre_with_notifications_is_accessible(furnished):
    html = get(furnished.world.client("mentor"), reverse("notifications"))
    assert "submitted the agenda" in html
    html = get(furnished.world.client("mentee"), reverse("notifications"))
    assert "gave you an action item" in html


HTML = "<b>bold</b>"
TOO_LONG = "x" * 4001
# (who, URL name, its object kwargs as ids() keys, what is posted): each is refused with
# messages next to the fields, and the page that says so is accessible too.
BAD_POSTS: list[tuple[str, str, dict[str, str], dict[str, str]]] = [
    ("mentor", "agreement_edit", {}, {"purpose": HTML, "cadence_days": "0"}),
    ("mentor", "goal_create", {}, {"title": HTML, "target_date": "2030-01-01"}),
    ("mentor", "goal_edit", {"gid": "goal"}, {"title": HTML, "specific": ""}),
    ("mentor", "roadmap", {}, {"title": "", "details": HTML}),
    ("mentor", "roadmap_edit", {"tid": "topic"}, {"title": "x" * 201, "details": HTML}),
    (
        "mentor",
        "meeting_create",
        {},
        {"date": "2026-11-25", "start_time": "15:00", "end_time": "14:00", "location": HTML},
    ),
    (
        "mentor",
        "meeting_edit",
        {"mid": "upcoming"},
        {"date": "2026-11-25", "start_time": "15:00", "end_time": "14:00", "location": HTML},
    ),
    ("mentor", "meeting_cancel", {"mid": "upcoming"}, {"reason": TOO_LONG}),
    ("mentor", "checkin", {"mid": "held"}, {"useful": HTML, "rating": "9"}),
    ("mentee", "agenda_edit", {"mid": "upcoming"}, {"topics": TOO_LONG, "did": HTML}),
    ("mentor", "action_create", {}, {"description": HTML, "owner": "0", "kind": "task"}),
    ("mentor", "action_edit", {"aid": "action"}, {"description": "", "due_date": "1999-01-01"}),
    ("mentor", "note_create", {}, {"body": "", "visibility": "private"}),
    ("mentor", "note_edit", {"nid": "note"}, {"body": "", "visibility": "private"}),
    ("mentor", "review_midpoint", {}, {"working": HTML, "value_given": "7"}),
    ("mentor", "closure", {}, {"working": HTML, "value_given": "7"}),
    ("mentor", "extend", {}, {"new_end_date": "2026-01-01", "reason": HTML}),
    ("mentor", "end_early", {}, {"reason": ""}),
]


@pytest.mark.parametrize(
    ("who", "name", "objects", "data"),
    BAD_POSTS,
    ids=[f"{p[0]}-{p[1]}" for p in BAD_POSTS],
)
def test_refused_forms_show_their_errors_accessibly(furnished, who, name, objects, data):
    ids = furnished.ids()
    url = furnished.world.url(name, None, **{key: ids[which] for key, which in objects.items()})
    response = furnished.world.client(who).post(url, data)
    assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    html = assert_accessible(response)
    assert "invalid-feedback" in html, "no message next to a field"
    assert HTML not in html
