"""The .ics file of a meeting: one event, a stable UID, a SEQUENCE that goes up with each change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from icalendar import Calendar

from sessions.ics import meeting_calendar
from sessions.models import Meeting
from sessions.services import meetings as services
from sessions.tests.conftest import NOW

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 25, 14, 0, tzinfo=dt.UTC)
URL = "https://constellation.example/programs/p/workspaces/1/meetings/1/"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def scheduled(world, workspace=None, **kw):
    fields: dict[str, Any] = {
        "starts_at": START,
        "duration_minutes": 45,
        "medium": "video",
        "location": "",
    }
    fields.update(kw)
    return services.meeting_create(wa=world.access("mentor", workspace), **fields)


def parse(data: bytes):
    calendar = Calendar.from_ical(data)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return calendar, events[0]


def test_a_meeting_is_one_confirmed_event_in_utc(world):
    m = scheduled(world, location="https://meet.example.com/abc")
    calendar, event = parse(meeting_calendar(m, url=URL))
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(event["UID"]) == f"{m.uid}@constellation"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + dt.timedelta(minutes=45)
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert event.decoded("DTSTAMP") == NOW
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "https://meet.example.com/abc"
    assert URL in str(event["DESCRIPTION"])
    assert str(event["SUMMARY"]) == (
        f"Mentoring: {world.mentor.display_name} and {world.mentee.display_name}"
    )


def test_the_file_is_written_in_utc_not_in_anyones_local_time(world):
    m = scheduled(world)
    data = meeting_calendar(m, url=URL).decode()
    assert "DTSTART:20261125T140000Z" in data
    assert "DTEND:20261125T144500Z" in data


def test_the_participants_are_organizer_and_attendees_by_email(world):
    m = scheduled(world)
    _, event = parse(meeting_calendar(m, url=URL))
    assert str(event["ORGANIZER"]) == f"mailto:{world.mentor.email}"
    attendees = event["ATTENDEE"]
    assert sorted(str(a) for a in attendees) == sorted(
        [f"mailto:{world.mentor.email}", f"mailto:{world.mentee.email}"]
    )


def test_the_mentee_who_scheduled_is_the_organizer(world):
    m = services.meeting_create(
        wa=world.access("mentee"), starts_at=START, duration_minutes=30, medium="phone"
    )
    _, event = parse(meeting_calendar(m, url=URL))
    assert str(event["ORGANIZER"]) == f"mailto:{world.mentee.email}"
    assert str(event["LOCATION"]) == "Phone"


def test_moving_keeps_the_uid_and_raises_the_sequence(world):
    m = scheduled(world)
    _, before = parse(meeting_calendar(m, url=URL))
    services.meeting_reschedule(
        wa=world.access("mentee"),
        meeting=m,
        starts_at=START + dt.timedelta(days=1),
        duration_minutes=45,
        medium="video",
    )
    m.refresh_from_db()
    _, after = parse(meeting_calendar(m, url=URL))
    assert str(after["UID"]) == str(before["UID"])
    assert after["SEQUENCE"] == 1
    assert after.decoded("DTSTART") == START + dt.timedelta(days=1)


def test_a_cancelled_meeting_is_a_cancel_with_a_higher_sequence(world):
    m = scheduled(world)
    services.meeting_reschedule(
        wa=world.access("mentor"), meeting=m, starts_at=START, duration_minutes=60, medium="video"
    )
    services.meeting_cancel(wa=world.access("mentor"), meeting=Meeting.objects.get(), reason="Ill")
    m.refresh_from_db()
    calendar, event = parse(meeting_calendar(m, url=URL))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 2
    assert str(event["UID"]) == f"{m.uid}@constellation"


def test_a_circle_meeting_is_named_after_the_circle_and_invites_its_members(world):
    m = scheduled(world, world.circle_workspace)
    _, event = parse(meeting_calendar(m, url=URL))
    assert str(event["SUMMARY"]) == f"Mentoring: {world.circle.name}"
    assert sorted(str(a) for a in event["ATTENDEE"]) == sorted(
        [f"mailto:{world.mentor.email}", f"mailto:{world.member.email}"]
    )


def test_the_builder_needs_no_request_only_the_meeting_from_the_database(world):
    m = scheduled(world)
    fresh = Meeting.objects.get(pk=m.pk)
    assert b"BEGIN:VEVENT" in meeting_calendar(fresh, url=URL)


# --- The download -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mentor", "mentee", "admin"])
def test_everyone_who_sees_the_workspace_downloads_the_file(world, who):
    m = scheduled(world)
    response = world.client(who).get(world.url("meeting_ics", mid=m.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="meeting-2026-11-25-1400.ics"'
    _, event = parse(response.content)
    assert str(event["DESCRIPTION"]).endswith(world.url("meeting", mid=m.pk))
    assert "http://testserver/" in str(event["DESCRIPTION"])


def test_the_file_name_uses_the_viewers_time_zone(world):
    world.mentee.timezone = "Australia/Sydney"
    world.mentee.save()
    m = scheduled(world)
    response = world.client("mentee").get(world.url("meeting_ics", mid=m.pk))
    assert 'filename="meeting-2026-11-26-0100.ics"' in response["Content-Disposition"]


@pytest.mark.parametrize("who", ["other_mentor", "other_mentee", "member", "outsider"])
def test_anyone_else_gets_404_for_the_file(world, who):
    m = scheduled(world)
    assert world.client(who).get(world.url("meeting_ics", mid=m.pk)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_for_the_file(world):
    m = scheduled(world)
    response = world.client("anonymous").get(world.url("meeting_ics", mid=m.pk))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
