"""The workspace's reminder sweeps find what is due, once, and the pipeline delivers it.

Every sweep is run through the same six situations (due, not yet due, run twice,
quiet hours, digest reader, unsubscribed), then through what is particular to it.
``Workspace.last_met_at``, which the fading-pair sweep reads, is tested at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Circle, Pairing
from matching.tests.factories import PairingFactory
from mentoring import notifications, sweeps
from mentoring.models import Category, Notification, User
from mentoring.notifications import Notice
from sessions import rhythm
from sessions import sweeps as workspace_sweeps
from sessions.models import ActionItem, Agenda, Agreement, CheckIn, Meeting, Review, Workspace
from sessions.services import meetings as meeting_services
from sessions.tests.conftest import World

pytestmark = pytest.mark.django_db

State = Notification.EmailState
H = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
MIN = dt.timedelta(minutes=1)
# A Wednesday, 10:00 UTC: inside everyone's default contact hours (weekdays 9-18, London).
WED_10 = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)
WED = WED_10.date()
LONG_AGO = WED_10 - dt.timedelta(days=30)


@pytest.fixture(autouse=True)
def _plain_dates(world):
    """Every workspace of the world runs 15 Sep 2026 - 1 Mar 2027, mid-point 7 Dec, never met."""
    Workspace.objects.filter(program=world.program).update(
        start_date=dt.date(2026, 9, 15),
        end_date=dt.date(2027, 3, 1),
        midpoint_date=dt.date(2026, 12, 7),
        last_met_at=None,
    )
    for ws in (world.workspace, world.other_workspace, world.circle_workspace):
        ws.refresh_from_db()


@pytest.fixture
def run(django_capture_on_commit_callbacks) -> Callable[[str, dt.datetime], int]:
    """Run a sweep as the beat would at ``at``: record, then deliver after the commit."""

    def run(name: str, at: dt.datetime) -> int:
        with (
            time_machine.travel(at, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return sweeps.run(name, at)

    return run


def find(name: str, at: dt.datetime, *, user: User | None = None, kind: str = "") -> list[Notice]:
    return [
        n
        for n in sweeps.find(name, at)
        if (user is None or n.user.pk == user.pk) and (not kind or n.kind == kind)
    ]


def mails_to(user: User) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [user.email]]


def meeting(
    ws: Workspace, start: dt.datetime, *, minutes: int = 60, status: str = "scheduled", **kw
) -> Meeting:
    """A meeting booked long ago (its ``updated_at`` does not make it look just booked)."""
    fields = {"created_at": LONG_AGO, "updated_at": LONG_AGO, **kw}
    return Meeting.objects.create(
        workspace=ws, starts_at=start, duration_minutes=minutes, status=status, **fields
    )


def mentee_of(world: World, ws: Workspace) -> User:
    if ws.pk == world.workspace.pk:
        return world.mentee
    if ws.pk == world.other_workspace.pk:
        return world.other_mentee
    return world.member


def dates(ws: Workspace, **fields: object) -> None:
    Workspace.objects.filter(pk=ws.pk).update(**fields)
    rhythm.refresh([ws.pk])  # as the services that move these do
    ws.refresh_from_db()


def agreement(ws: Workspace, *, cadence_days: int, accepted: bool = True) -> Agreement:
    terms = Agreement.objects.create(
        workspace=ws,
        purpose="Grow as a manager",
        mentee_success="Lead a team",
        mentor_success="See them lead",
        cadence_days=cadence_days,
        meeting_minutes=60,
        confidentiality="Everything stays between us",
        planned_end_date=dt.date(2027, 3, 1),
        accepted_at=LONG_AGO if accepted else None,
    )
    rhythm.refresh([ws.pk])  # as the agreement services do
    return terms


# --- One due situation per sweep ------------------------------------------------------------


@dataclass
class Case:
    name: str  # the sweep
    kind: str  # what the mentee of the workspace is sent
    category: str
    at: dt.datetime  # when it is due
    not_yet: dt.datetime  # a moment before, when nothing is due


def reminder_due(world: World, ws: Workspace) -> Case:
    meeting(ws, WED_10 + 24 * H)
    return Case("meeting_reminders", "meeting_reminder", Category.MEETINGS, WED_10, WED_10 - H)


def agenda_due(world: World, ws: Workspace) -> Case:
    meeting(ws, WED_10 + 48 * H)  # the program's agenda lead time: 48 hours
    return Case("agenda_due", "agenda_due", Category.MEETINGS, WED_10, WED_10 - H)


def meeting_ended(world: World, ws: Workspace) -> Case:
    meeting(ws, WED_10 - 2 * H, status="held")  # 08:00-09:00
    return Case("after_meeting", "checkin_prompt", Category.FOLLOW_UPS, WED_10, WED_10 - 90 * MIN)


def action_due_tomorrow(world: World, ws: Workspace) -> Case:
    ActionItem.objects.create(
        workspace=ws,
        owner=mentee_of(world, ws),
        description="Draft the team charter",
        due_date=WED + DAY,
    )
    return Case("action_items", "action_due_soon", Category.FOLLOW_UPS, WED_10, WED_10 - DAY)


def midpoint_today(world: World, ws: Workspace) -> Case:
    dates(ws, midpoint_date=WED)
    return Case(
        "midpoint_reviews", "midpoint_review_open", Category.RELATIONSHIP, WED_10, WED_10 - DAY
    )


def three_weeks_to_go(world: World, ws: Workspace) -> Case:
    dates(ws, end_date=WED + 21 * DAY)
    return Case("closure", "closure_prompt", Category.RELATIONSHIP, WED_10, WED_10 - DAY)


def silent_for_two_cadences(world: World, ws: Workspace) -> Case:
    dates(ws, last_met_at=WED_10 - 28 * DAY)  # the program meets every 14 days
    return Case("fading_pairs", "fading_nudge", Category.RELATIONSHIP, WED_10, WED_10 - H)


SCENARIOS = [
    reminder_due,
    agenda_due,
    meeting_ended,
    action_due_tomorrow,
    midpoint_today,
    three_weeks_to_go,
    silent_for_two_cadences,
]


def test_every_sweep_of_the_workspace_is_registered():
    assert {
        "meeting_reminders",
        "agenda_due",
        "after_meeting",
        "action_items",
        "midpoint_reviews",
        "closure",
        "fading_pairs",
    } <= set(sweeps.names())


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_what_is_due_is_found_recorded_and_e_mailed(world, run, scenario):
    case = scenario(world, world.workspace)
    [notice] = find(case.name, case.at, user=world.mentee, kind=case.kind)
    assert notice.category == case.category
    assert notice.title
    assert notice.url.startswith(f"/programs/{world.program.slug}/")
    assert 1 <= len(notice.lines) <= 3
    assert notice.action
    assert len(notice.key) <= 200
    assert str(world.mentee.pk) in notice.key
    assert run(case.name, case.at) >= 1
    [message] = [m for m in mails_to(world.mentee) if m.subject == notice.title]
    assert notice.lines[0] in message.body
    note = Notification.objects.get(key=notice.key)
    assert (note.email_state, note.read_at) == (State.SENT, None)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_nothing_is_found_before_it_is_due(world, run, scenario):
    case = scenario(world, world.workspace)
    assert sweeps.find(case.name, case.not_yet) == []
    assert run(case.name, case.not_yet) == 0
    assert mail.outbox == []


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_second_run_or_a_later_beat_records_and_sends_nothing(world, run, scenario):
    case = scenario(world, world.workspace)
    first = run(case.name, case.at)
    sent = len(mail.outbox)
    assert first >= 1
    assert sent >= 1
    assert run(case.name, case.at) == 0
    assert run(case.name, case.at + 10 * MIN) == 0  # the next beat
    assert len(mail.outbox) == sent
    assert Notification.objects.count() == first


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_in_quiet_hours_it_is_recorded_and_the_e_mail_waits(world, run, scenario):
    case = scenario(world, world.workspace)
    User.objects.filter(pk=world.mentee.pk).update(contact_hours_start=dt.time(14, 0))
    run(case.name, case.at)
    note = Notification.objects.get(user=world.mentee, kind=case.kind)
    opening = case.at.replace(hour=14, minute=0)
    assert (note.email_state, note.send_after) == (State.PENDING, opening)
    assert mails_to(world.mentee) == []
    notifications.deliver_due(at=opening - H)
    assert mails_to(world.mentee) == []
    notifications.deliver_due(at=opening)
    assert [m.subject for m in mails_to(world.mentee)] == [note.title]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_digest_reader_gets_it_in_the_daily_digest(world, run, scenario):
    case = scenario(world, world.workspace)
    notifications.preferences_set(user=world.mentee, modes={case.category: "digest"})
    run(case.name, case.at)
    note = Notification.objects.get(user=world.mentee, kind=case.kind)
    assert note.email_state == State.DIGEST
    assert mails_to(world.mentee) == []
    assert notifications.send_digests(at=case.at) >= 1
    [digest] = mails_to(world.mentee)
    assert note.title in digest.body


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_after_unsubscribing_it_is_in_the_app_only(world, run, client, scenario):
    case = scenario(world, world.workspace)
    token = notifications.unsubscribe_token(world.mentee, case.category)
    client.post(reverse("notifications_unsubscribe", kwargs={"token": token}))
    run(case.name, case.at)
    note = Notification.objects.get(user=world.mentee, kind=case.kind)
    assert (note.email_state, note.read_at) == (State.NONE, None)
    assert note in notifications.unread_for(world.mentee)
    assert mails_to(world.mentee) == []


# The most queries each sweep may run, however many rows are due.
QUERY_BUDGET = {
    "meeting_reminders": 3,  # programs' reminder hours, meetings, circle members
    "agenda_due": 2,  # programs' lead times, meetings
    "after_meeting": 3,  # meetings, circle members, check-ins
    "action_items": 1,
    "midpoint_reviews": 3,  # workspaces, circle members + admins, reviews
    "closure": 2,  # workspaces, circle members + admins
    "fading_pairs": 2,  # workspaces, circle members + admins
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_sweep_runs_a_fixed_number_of_queries_however_much_is_due(world, scenario):
    cases = [scenario(world, ws) for ws in Workspace.objects.filter(program=world.program)]
    case = cases[0]
    with CaptureQueriesContext(connection) as queries:
        found = sweeps.find(case.name, case.at)
    assert len({n.user.pk for n in found}) >= 2  # several rows, several people
    assert len(queries.captured_queries) <= QUERY_BUDGET[case.name]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_nothing_for_a_relationship_that_has_ended(world, scenario):
    case = scenario(world, world.workspace)
    Pairing.objects.filter(pk=world.pairing.pk).update(status=Pairing.Status.COMPLETED)
    assert find(case.name, case.at, user=world.mentee) == []


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_nothing_for_a_closed_account(world, scenario):
    case = scenario(world, world.workspace)
    User.objects.filter(pk=world.mentee.pk).update(is_active=False)
    assert find(case.name, case.at, user=world.mentee) == []


# --- Meeting reminders ----------------------------------------------------------------------


def test_reminders_go_24_hours_and_1_hour_before_to_both_with_the_calendar_file(world, run):
    m = meeting(world.workspace, WED_10 + 24 * H, location="https://meet.example.com/x")
    assert run("meeting_reminders", WED_10) == 2
    assert run("meeting_reminders", WED_10 + 12 * H) == 0
    assert run("meeting_reminders", WED_10 + 23 * H) == 2
    assert run("meeting_reminders", WED_10 + 23 * H + 30 * MIN) == 0
    keys = set(Notification.objects.values_list("key", flat=True))
    assert keys == {
        f"meeting_reminder:{m.pk}:{m.starts_at:%Y%m%dT%H%M}:h{h}:u{u.pk}"
        for h in (24, 1)
        for u in (world.mentor, world.mentee)
    }
    message = mails_to(world.mentee)[0]
    assert "Reminder: meeting with" in message.subject
    assert world.mentor.display_name in message.subject
    assert "https://meet.example.com/x" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename.endswith(".ics"), mimetype.startswith("text/calendar")) == (True, True)
    assert "BEGIN:VCALENDAR" in str(content)


def test_a_meeting_booked_late_gets_only_the_nearest_reminder(world):
    # Booked 30 minutes before it starts: the 24 h and the 1 h moments have both passed.
    soon = meeting(world.workspace, WED_10 + 30 * MIN, updated_at=WED_10 - H)
    # Booked 5 hours before: only the 24 h moment has passed.
    later = meeting(world.other_workspace, WED_10 + 5 * H, updated_at=WED_10 - H)
    keys = {n.key.rsplit(":", 1)[0] for n in sweeps.find("meeting_reminders", WED_10)}
    assert keys == {
        f"meeting_reminder:{soon.pk}:{soon.starts_at:%Y%m%dT%H%M}:h1",
        f"meeting_reminder:{later.pk}:{later.starts_at:%Y%m%dT%H%M}:h24",
    }


def test_an_edit_that_keeps_the_time_does_not_remind_twice(world, run):
    m = meeting(world.workspace, WED_10 + 24 * H)
    assert run("meeting_reminders", WED_10) == 2
    Meeting.objects.filter(pk=m.pk).update(location="Room 4", sequence=1, updated_at=WED_10 + H)
    assert run("meeting_reminders", WED_10 + 2 * H) == 0


def test_a_moved_meeting_gets_fresh_reminders(world, run):
    m = meeting(world.workspace, WED_10 + 24 * H)
    run("meeting_reminders", WED_10)
    Meeting.objects.filter(pk=m.pk).update(
        starts_at=WED_10 + 26 * H, sequence=1, updated_at=WED_10 + H
    )
    assert run("meeting_reminders", WED_10 + 2 * H) == 2
    moved = WED_10 + 26 * H
    assert Notification.objects.filter(key__contains=f"{m.pk}:{moved:%Y%m%dT%H%M}:h24").count() == 2


def test_reminder_hours_are_the_programs(world):
    world.program.meeting_reminder_hours = [48]
    world.program.save()
    m = meeting(world.workspace, WED_10 + 48 * H)
    meeting(world.workspace, WED_10 + 24 * H)
    assert {n.key for n in find("meeting_reminders", WED_10, user=world.mentee)} == {
        f"meeting_reminder:{m.pk}:{m.starts_at:%Y%m%dT%H%M}:h48:u{world.mentee.pk}"
    }
    world.program.meeting_reminder_hours = []
    world.program.save()
    assert sweeps.find("meeting_reminders", WED_10) == []


def test_everyone_in_a_circle_is_reminded(world):
    meeting(world.circle_workspace, WED_10 + H)
    found = sweeps.find("meeting_reminders", WED_10)
    assert {n.user.pk for n in found} == {world.mentor.pk, world.member.pk}
    [to_member] = [n for n in found if n.user.pk == world.member.pk]
    assert world.circle.name in to_member.title


def test_cancelled_and_held_meetings_get_no_reminder(world):
    meeting(world.workspace, WED_10 + H, status="cancelled", cancel_reason="Ill")
    meeting(world.other_workspace, WED_10 + H, status="held")
    assert sweeps.find("meeting_reminders", WED_10) == []


def test_a_reminder_shows_the_time_in_the_recipients_time_zone(world):
    User.objects.filter(pk=world.mentee.pk).update(timezone="America/New_York")
    meeting(world.workspace, WED_10 + 24 * H)
    [notice] = find("meeting_reminders", WED_10, user=world.mentee)
    assert "Thu 19 Nov, 05:00" in notice.title
    assert "05:00–06:00 (America/New_York)" in notice.lines[0]


def test_a_reminder_whose_moment_passed_long_ago_is_not_sent_late(world):
    # The beat was stopped for more than the catch-up: the 24 h reminder is skipped,
    # the 1 h reminder still comes.
    m = meeting(world.workspace, WED_10 + 24 * H)
    late = WED_10 + workspace_sweeps.CATCH_UP + H
    assert sweeps.find("meeting_reminders", late) == []
    keys = {n.key for n in sweeps.find("meeting_reminders", m.starts_at - H)}
    assert all(":h1:" in k for k in keys)
    assert len(keys) == 2


# --- Agenda due -----------------------------------------------------------------------------


def test_the_agenda_nudge_then_a_final_one_at_a_quarter_of_the_lead_time(world, run):
    m = meeting(world.workspace, WED_10 + 48 * H)
    assert run("agenda_due", WED_10) == 1
    assert run("agenda_due", WED_10 + 35 * H) == 0
    assert run("agenda_due", WED_10 + 36 * H) == 1  # 12 hours before
    assert list(Notification.objects.order_by("pk").values_list("user", "kind", "key")) == [
        (
            world.mentee.pk,
            "agenda_due",
            f"agenda_due:{m.pk}:{m.starts_at:%Y%m%dT%H%M}:u{world.mentee.pk}",
        ),
        (
            world.mentee.pk,
            "agenda_final",
            f"agenda_final:{m.pk}:{m.starts_at:%Y%m%dT%H%M}:u{world.mentee.pk}",
        ),
    ]
    # 12 hours before a 10:00 meeting is 22:00: that e-mail waits for the morning.
    notifications.deliver_due(at=WED_10 + 2 * DAY - H)
    [first, final] = mails_to(world.mentee)
    assert "Your agenda is due" in first.subject
    assert "Last reminder" in final.subject
    assert "/agenda/" in first.body


def test_no_agenda_nudge_once_it_is_submitted_but_a_draft_is_nudged(world):
    submitted = meeting(world.workspace, WED_10 + 48 * H)
    Agenda.objects.create(meeting=submitted, status="submitted", submitted_at=WED_10 - DAY)
    draft = meeting(world.other_workspace, WED_10 + 48 * H)
    Agenda.objects.create(meeting=draft, status="draft")
    assert [n.key for n in sweeps.find("agenda_due", WED_10)] == [
        f"agenda_due:{draft.pk}:{draft.starts_at:%Y%m%dT%H%M}:u{world.other_mentee.pk}"
    ]


def test_circles_get_no_agenda_nudge_but_flash_sessions_do(world):
    meeting(world.circle_workspace, WED_10 + 48 * H)
    flash = PairingFactory.create(
        program=world.program,
        kind=Pairing.Kind.FLASH,
        status=Pairing.Status.ACTIVE,
        started_at=LONG_AGO,
        respond_by=None,
    )
    meeting(flash.workspace, WED_10 + 48 * H)
    assert [n.user.pk for n in sweeps.find("agenda_due", WED_10)] == [flash.mentee.user.pk]


def test_the_agenda_lead_time_is_the_programs(world):
    world.program.agenda_lead_hours = 24
    world.program.save()
    meeting(world.workspace, WED_10 + 48 * H)
    assert sweeps.find("agenda_due", WED_10) == []
    assert len(sweeps.find("agenda_due", WED_10 + 24 * H)) == 1
    [final] = sweeps.find("agenda_due", WED_10 + 42 * H)  # 6 hours before
    assert final.kind == "agenda_final"


def test_an_agenda_booked_late_gets_only_the_final_nudge(world):
    meeting(world.workspace, WED_10 + 5 * H, updated_at=WED_10 - H)
    [notice] = sweeps.find("agenda_due", WED_10)
    assert notice.kind == "agenda_final"


# --- After a meeting ------------------------------------------------------------------------


def test_after_a_meeting_each_gets_a_check_in_prompt_and_the_mentor_a_follow_up_prompt(world):
    m = meeting(world.workspace, WED_10 - 2 * H, status="held")
    found = sweeps.find("after_meeting", WED_10)
    assert sorted((n.user.pk, n.kind) for n in found) == sorted(
        [
            (world.mentor.pk, "checkin_prompt"),
            (world.mentee.pk, "checkin_prompt"),
            (world.mentor.pk, "followup_prompt"),
        ]
    )
    [checkin] = [n for n in found if n.user.pk == world.mentee.pk]
    assert checkin.url.endswith(f"/meetings/{m.pk}/check-in/")
    [follow_up] = [n for n in found if n.kind == "followup_prompt"]
    assert "follow-ups" in follow_up.title


def test_who_has_checked_in_is_not_prompted(world):
    m = meeting(world.workspace, WED_10 - 2 * H, status="held")
    CheckIn.objects.create(
        meeting=m, author=world.mentee, useful="a", next_steps="b", before_next="c", rating=4
    )
    assert find("after_meeting", WED_10, user=world.mentee) == []
    assert len(find("after_meeting", WED_10, user=world.mentor)) == 2


def test_a_meeting_still_scheduled_asks_to_be_marked_held_or_missed(world):
    m = meeting(world.workspace, WED_10 - 2 * H)
    [follow_up] = find("after_meeting", WED_10, user=world.mentor, kind="followup_prompt")
    assert "held" in follow_up.title
    assert "Mark it held or missed" in follow_up.lines[1]
    [checkin] = find("after_meeting", WED_10, user=world.mentee)
    assert checkin.url.endswith(f"/meetings/{m.pk}/")  # where it is marked held


def test_a_meeting_logged_days_later_still_prompts_but_not_after_a_week(world):
    meeting(world.workspace, WED_10 - 3 * DAY, status="held", created_at=WED_10 - H)
    meeting(world.other_workspace, WED_10 - 8 * DAY, status="held", created_at=WED_10 - H)
    assert {n.user.pk for n in sweeps.find("after_meeting", WED_10)} == {
        world.mentor.pk,
        world.mentee.pk,
    }


def test_missed_and_cancelled_meetings_and_circles_prompt_accordingly(world):
    meeting(world.workspace, WED_10 - 2 * H, status="missed")
    meeting(world.other_workspace, WED_10 - 2 * H, status="cancelled", cancel_reason="Ill")
    meeting(world.circle_workspace, WED_10 - 2 * H, status="held")
    found = sweeps.find("after_meeting", WED_10)
    assert sorted((n.user.pk, n.kind) for n in found) == sorted(
        [
            (world.mentor.pk, "checkin_prompt"),
            (world.member.pk, "checkin_prompt"),
            (world.mentor.pk, "followup_prompt"),
        ]
    )


# --- Action items ---------------------------------------------------------------------------


def test_an_action_item_is_due_tomorrow_then_overdue_each_once(world, run):
    item = ActionItem.objects.create(
        workspace=world.workspace,
        owner=world.mentor,
        description="Introduce Sam to Ana",
        due_date=WED + DAY,
    )
    assert run("action_items", WED_10) == 1
    assert run("action_items", WED_10 + DAY) == 0  # due today: nothing new
    assert run("action_items", WED_10 + 2 * DAY) == 1  # Friday: overdue
    assert run("action_items", WED_10 + 3 * DAY) == 0
    assert list(Notification.objects.order_by("pk").values_list("kind", "key")) == [
        ("action_due_soon", f"action_due_soon:{item.pk}:d2026-11-19:u{world.mentor.pk}"),
        ("action_overdue", f"action_overdue:{item.pk}:d2026-11-19:u{world.mentor.pk}"),
    ]
    assert [m.subject for m in mails_to(world.mentor)] == [
        "Due tomorrow: Introduce Sam to Ana",
        "Overdue: Introduce Sam to Ana",
    ]


def test_done_items_and_items_without_a_date_are_left_alone(world):
    ActionItem.objects.create(
        workspace=world.workspace,
        owner=world.mentee,
        description="Done",
        status="done",
        due_date=WED + DAY,
    )
    ActionItem.objects.create(workspace=world.workspace, owner=world.mentee, description="Open")
    assert sweeps.find("action_items", WED_10) == []


def test_tomorrow_is_the_programs_tomorrow(world):
    world.program.timezone = "Pacific/Auckland"  # 13 hours ahead of UTC in November
    world.program.save()
    ActionItem.objects.create(
        workspace=world.workspace,
        owner=world.mentee,
        description="Read the book",
        due_date=WED + 2 * DAY,
    )
    at = WED_10 + 2 * H  # Wednesday 12:00 UTC is Thursday 01:00 in Auckland
    [notice] = sweeps.find("action_items", at)
    assert notice.kind == "action_due_soon"
    assert sweeps.find("action_items", WED_10 - 2 * H) == []  # Wednesday 21:00 there


def test_a_moved_due_date_is_a_new_occurrence(world):
    item = ActionItem.objects.create(
        workspace=world.workspace, owner=world.mentee, description="Write", due_date=WED + DAY
    )
    [before] = sweeps.find("action_items", WED_10)
    ActionItem.objects.filter(pk=item.pk).update(due_date=WED + 2 * DAY)
    [after] = sweeps.find("action_items", WED_10 + DAY)
    assert before.key != after.key


# --- Mid-point reviews ----------------------------------------------------------------------


def test_the_mid_point_review_opens_reminds_then_escalates_to_the_admins(world, run):
    dates(world.workspace, midpoint_date=WED)
    assert run("midpoint_reviews", WED_10) == 2
    assert run("midpoint_reviews", WED_10 + 6 * DAY) == 0
    Review.objects.create(
        workspace=world.workspace,
        author=world.mentor,
        kind="midpoint",
        value_received=4,
        value_given=4,
        working="Good",
    )
    assert run("midpoint_reviews", WED_10 + 7 * DAY) == 1  # the mentee only
    assert run("midpoint_reviews", WED_10 + 14 * DAY) == 1  # the admin
    kinds = list(Notification.objects.order_by("pk").values_list("user", "kind", "category"))
    assert kinds[2:] == [
        (world.mentee.pk, "midpoint_review_reminder", Category.RELATIONSHIP),
        (world.admin.pk, "midpoint_review_escalation", Category.ADMIN),
    ]
    escalation = Notification.objects.get(kind="midpoint_review_escalation")
    assert escalation.attachment == ""
    assert world.mentee.display_name in escalation.lines[0]
    assert world.mentor.display_name not in escalation.lines[0]
    assert world.outsider.pk not in set(Notification.objects.values_list("user", flat=True))


def test_no_mid_point_reminder_once_both_reviewed(world):
    dates(world.workspace, midpoint_date=WED)
    for who in (world.mentor, world.mentee):
        Review.objects.create(
            workspace=world.workspace,
            author=who,
            kind="midpoint",
            value_received=4,
            value_given=4,
            working="Good",
        )
    assert sweeps.find("midpoint_reviews", WED_10) == []
    assert sweeps.find("midpoint_reviews", WED_10 + 14 * DAY) == []


def test_a_flash_session_has_no_mid_point_review_but_a_circle_has(world):
    flash = PairingFactory.create(
        program=world.program,
        kind=Pairing.Kind.FLASH,
        status=Pairing.Status.ACTIVE,
        started_at=LONG_AGO,
        respond_by=None,
    )
    for ws in (flash.workspace, world.circle_workspace):
        dates(ws, start_date=dt.date(2026, 9, 15), end_date=dt.date(2027, 3, 1), midpoint_date=WED)
    assert {n.user.pk for n in sweeps.find("midpoint_reviews", WED_10)} == {
        world.mentor.pk,
        world.member.pk,
    }


# --- Closure --------------------------------------------------------------------------------


def test_closure_is_prompted_three_weeks_ahead_then_overdue_to_everyone(world, run):
    dates(world.workspace, end_date=WED + 21 * DAY)
    assert run("closure", WED_10) == 2
    assert run("closure", WED_10 + 21 * DAY) == 0  # the last day
    assert run("closure", WED_10 + 22 * DAY) == 3  # the day after: both, and the admin
    overdue = Notification.objects.filter(kind__startswith="closure_overdue")
    assert sorted(overdue.values_list("user", "category")) == sorted(
        [
            (world.mentor.pk, Category.RELATIONSHIP),
            (world.mentee.pk, Category.RELATIONSHIP),
            (world.admin.pk, Category.ADMIN),
        ]
    )
    assert Pairing.objects.get(pk=world.pairing.pk).status == Pairing.Status.ACTIVE


def test_an_extension_brings_a_new_closure_prompt(world):
    dates(world.workspace, end_date=WED + 21 * DAY)
    [before] = find("closure", WED_10, user=world.mentee)
    dates(world.workspace, end_date=WED + 21 * DAY + 30 * DAY)
    [after] = find("closure", WED_10 + 30 * DAY, user=world.mentee)
    assert before.key != after.key


def test_a_completed_circle_gets_no_closure_notice(world):
    dates(world.circle_workspace, midpoint_date=WED - 60 * DAY, end_date=WED - DAY)
    assert {n.user.pk for n in sweeps.find("closure", WED_10)} == {
        world.mentor.pk,
        world.member.pk,
        world.admin.pk,
    }
    Circle.objects.filter(pk=world.circle.pk).update(status=Circle.Status.COMPLETED)
    assert sweeps.find("closure", WED_10) == []


# --- Fading pairs ---------------------------------------------------------------------------


def test_a_silent_pair_is_nudged_and_flagged_then_the_admin_is_asked_to_step_in(world, run):
    dates(world.workspace, last_met_at=WED_10 - 28 * DAY)
    assert run("fading_pairs", WED_10) == 3  # both nudged, the admin told it is at risk
    assert run("fading_pairs", WED_10 + 13 * DAY) == 0
    assert run("fading_pairs", WED_10 + 28 * DAY) == 1  # four cadences: the admin steps in
    rows = list(Notification.objects.order_by("pk").values_list("user", "kind", "category"))
    assert rows[2:] == [
        (world.admin.pk, "fading_at_risk", Category.ADMIN),
        (world.admin.pk, "fading_intervene", Category.ADMIN),
    ]
    assert Notification.objects.filter(kind="fading_nudge").count() == 2
    since = (WED - 28 * DAY).isoformat()
    assert Notification.objects.filter(key__contains=f":{since}:").count() == 4
    assert Pairing.objects.get(pk=world.pairing.pk).status == Pairing.Status.ACTIVE


def test_the_agreed_cadence_counts_over_the_programs(world):
    agreement(world.workspace, cadence_days=7)
    dates(world.workspace, last_met_at=WED_10 - 14 * DAY)
    assert len(find("fading_pairs", WED_10, user=world.mentee)) == 1
    agreement(world.other_workspace, cadence_days=7, accepted=False)  # not agreed yet
    dates(world.other_workspace, last_met_at=WED_10 - 14 * DAY)
    assert find("fading_pairs", WED_10, user=world.other_mentee) == []
    assert len(find("fading_pairs", WED_10 + 14 * DAY, user=world.other_mentee)) == 1


def test_a_pair_that_never_met_counts_from_its_start_date(world):
    dates(world.workspace, start_date=WED - 28 * DAY)
    [notice] = find("fading_pairs", WED_10, user=world.mentee)
    assert f":{(WED - 28 * DAY).isoformat()}:" in notice.key
    assert "not met since" in notice.lines[0]


def test_a_new_meeting_starts_a_new_silence(world, run):
    dates(world.workspace, last_met_at=WED_10 - 28 * DAY)
    run("fading_pairs", WED_10)
    dates(world.workspace, last_met_at=WED_10 + DAY)
    assert run("fading_pairs", WED_10 + 28 * DAY) == 0  # not silent long enough yet
    assert run("fading_pairs", WED_10 + 29 * DAY) == 3


def test_a_recent_meeting_and_a_flash_session_are_not_fading(world):
    dates(world.workspace, last_met_at=WED_10 - 2 * DAY)
    flash = PairingFactory.create(
        program=world.program,
        kind=Pairing.Kind.FLASH,
        status=Pairing.Status.ACTIVE,
        started_at=LONG_AGO,
        respond_by=None,
    )
    dates(flash.workspace, last_met_at=WED_10 - 28 * DAY)
    assert sweeps.find("fading_pairs", WED_10) == []


# --- Workspace.last_met_at ------------------------------------------------------------------


@pytest.fixture
def at_now():
    with time_machine.travel(WED_10, tick=False):
        yield


def last_met(world: World) -> dt.datetime | None:
    return Workspace.objects.get(pk=world.workspace.pk).last_met_at


@pytest.mark.usefixtures("at_now")
def test_marking_a_meeting_held_sets_when_they_last_met(world):
    wa = world.access("mentor")
    m = meeting(wa.workspace, WED_10 - 2 * DAY)  # as sessions.access.get_meeting gives it
    meeting_services.meeting_mark_held(wa=wa, meeting=m)
    assert last_met(world) == m.starts_at
    assert wa.workspace.last_met_at == m.starts_at


@pytest.mark.usefixtures("at_now")
def test_an_older_meeting_marked_held_later_does_not_move_it_back(world):
    wa = world.access("mentor")
    recent = meeting(world.workspace, WED_10 - 2 * DAY)
    older = meeting(world.workspace, WED_10 - 9 * DAY)
    meeting_services.meeting_mark_held(wa=wa, meeting=recent)
    meeting_services.meeting_mark_held(wa=wa, meeting=older)
    assert last_met(world) == recent.starts_at


@pytest.mark.usefixtures("at_now")
def test_logging_a_held_meeting_sets_it_and_a_missed_one_does_not(world):
    wa = world.access("mentee")
    missed = meeting(world.workspace, WED_10 - DAY)
    meeting_services.meeting_mark_missed(wa=wa, meeting=missed)
    assert last_met(world) is None
    logged = meeting_services.meeting_create(
        wa=wa, starts_at=WED_10 - 3 * DAY, duration_minutes=60, medium="phone", held=True
    )
    assert last_met(world) == logged.starts_at
    meeting_services.meeting_mark_held(wa=wa, meeting=missed)  # corrected
    assert last_met(world) == missed.starts_at


@pytest.mark.usefixtures("at_now")
def test_a_held_meeting_that_stops_being_held_is_recomputed_from_the_held_ones(world):
    wa = world.access("mentor")
    first = meeting(world.workspace, WED_10 - 9 * DAY)
    second = meeting(world.workspace, WED_10 - 2 * DAY)
    for m in (first, second):
        meeting_services.meeting_mark_held(wa=wa, meeting=m)
    # The services do not let a held meeting become missed today; should one ever,
    # the same helper recomputes the date from what is still held.
    Meeting.objects.filter(pk=second.pk).update(status="missed")
    second.refresh_from_db()
    second.workspace = wa.workspace
    meeting_services._keep_last_met(second, was_held=True)
    assert last_met(world) == first.starts_at
    Meeting.objects.filter(pk=first.pk).update(status="missed")
    first.refresh_from_db()
    first.workspace = wa.workspace
    meeting_services._keep_last_met(first, was_held=True)
    assert last_met(world) is None


def test_the_last_meeting_is_told_on_the_programs_own_day(world):
    # 23:30 on Wednesday 21 October in New York is already Thursday in UTC.
    world.program.timezone = "America/New_York"
    world.program.save()
    late = dt.datetime(2026, 10, 22, 3, 30, tzinfo=dt.UTC)
    dates(world.workspace, last_met_at=late)
    [notice] = find("fading_pairs", late + 28 * DAY, user=world.mentee)
    assert "Wednesday 21 October 2026" in notice.lines[0]
