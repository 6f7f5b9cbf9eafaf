"""Meetings: schedule, log, move, cancel, mark held or missed; overlaps; pages and who sees them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import Pairing
from mentoring.models import Notification
from mentoring.tests.test_templates_a11y import assert_accessible
from sessions.forms.meetings import MeetingForm
from sessions.models import ActionItem, Agenda, CheckIn, Meeting, RoadmapTopic
from sessions.selectors_meetings import (
    agenda_due_for,
    meeting_stats,
    next_meeting,
)
from sessions.services import meetings as services
from sessions.services._common import TransitionError
from sessions.tests.conftest import NOW

pytestmark = pytest.mark.django_db

UTC = dt.UTC
TOMORROW = NOW + dt.timedelta(days=1)  # Sat 21 Nov 2026, 12:00 UTC
YESTERDAY = NOW - dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def meeting(world, workspace=None, *, start=TOMORROW, minutes=60, status="scheduled", **kw):
    return Meeting.objects.create(
        workspace=workspace or world.workspace,
        starts_at=start,
        duration_minutes=minutes,
        status=status,
        cancel_reason="Ill" if status == "cancelled" else "",
        **kw,
    )


def schedule(world, who="mentor", workspace=None, **kw):
    fields: dict[str, Any] = {
        "starts_at": TOMORROW,
        "duration_minutes": 60,
        "medium": "video",
        "location": "https://meet.example.com/abc",
    }
    fields.update(kw)
    return services.meeting_create(wa=world.access(who, workspace), **fields)


def form(day="2026-11-25", start="14:00", end="15:00", medium="video", location="", **extra):
    data = {"date": day, "start_time": start, "end_time": end, "medium": medium}
    data["location"] = location
    data.update(extra)
    return data


def told(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind))


def end_pairing(world):
    Pairing.objects.filter(pk=world.pairing.pk).update(status=Pairing.Status.COMPLETED)


# --- Scheduling and logging -------------------------------------------------------------------


def test_the_mentor_schedules_a_meeting_and_the_mentee_is_told(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        m = schedule(world)
    assert m.status == Meeting.Status.SCHEDULED
    assert (m.starts_at, m.duration_minutes, m.sequence) == (TOMORROW, 60, 0)
    assert m.created_by == world.mentor
    assert [n.url for n in told(world.mentee, "meeting_scheduled")] == [m.get_absolute_url()]
    assert told(world.mentor, "meeting_scheduled") == []


def test_the_mentee_schedules_too_whoever_the_agreement_says_schedules(world):
    m = schedule(world, "mentee")
    assert m.created_by == world.mentee


def test_a_circle_member_schedules_and_everyone_else_in_the_circle_is_told(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        schedule(world, "member", world.circle_workspace)
    assert len(told(world.mentor, "meeting_scheduled")) == 1
    assert told(world.member, "meeting_scheduled") == []


def test_scheduling_needs_a_future_start(world):
    with pytest.raises(ValidationError, match="in the future"):
        schedule(world, starts_at=YESTERDAY)
    assert not Meeting.objects.exists()


def test_logging_needs_a_past_start_and_records_the_meeting_as_held(world):
    with pytest.raises(ValidationError, match="already happened"):
        schedule(world, starts_at=TOMORROW, held=True)
    m = schedule(world, starts_at=YESTERDAY, held=True)
    assert m.status == Meeting.Status.HELD
    assert (m.status_changed_by, m.status_changed_at) == (world.mentor, NOW)


def test_a_video_link_must_be_a_web_address(world):
    with pytest.raises(ValidationError) as exc:
        schedule(world, location="javascript:alert(1)")
    assert "location" in exc.value.error_dict
    m = schedule(world, medium="in_person", location="The café on Rue Oberkampf")
    assert m.location == "The café on Rue Oberkampf"


def test_program_admins_and_outsiders_to_the_relationship_cannot_schedule(world):
    with pytest.raises(PermissionDenied):
        schedule(world, "admin")


def test_nothing_is_scheduled_once_the_relationship_has_ended(world):
    end_pairing(world)
    with pytest.raises(TransitionError, match="read-only"):
        schedule(world)


# --- Overlaps ---------------------------------------------------------------------------------


def test_an_overlap_with_my_own_other_meeting_is_named_and_refused_unless_scheduled_anyway(world):
    meeting(world, world.circle_workspace, start=TOMORROW + dt.timedelta(minutes=30))
    with pytest.raises(ValidationError) as exc:
        schedule(world)
    message = " ".join(exc.value.error_dict[services.OVERLAP_FIELD][0].messages)
    assert "You already have a meeting" in message
    assert world.circle.name in message
    assert "12:30" in message
    m = schedule(world, allow_overlap=True)
    assert m.pk


def test_a_partners_clash_says_they_are_busy_without_naming_their_other_relationship(world):
    meeting(world, world.circle_workspace, start=TOMORROW)
    with pytest.raises(ValidationError) as exc:
        schedule(world, "mentee")
    message = exc.value.messages[0]
    assert f"{world.mentor.display_name} already has a meeting" in message
    assert world.circle.name not in message


def test_the_clash_is_told_in_the_viewers_time_zone(world):
    world.mentee.timezone = "Asia/Tokyo"
    world.mentee.save()
    meeting(world, start=TOMORROW)
    with pytest.raises(ValidationError) as exc:
        schedule(world, "mentee")
    assert "21:00–22:00 (Asia/Tokyo)" in exc.value.messages[0]


def test_cancelled_and_missed_meetings_and_back_to_back_ones_do_not_clash(world):
    meeting(world, start=TOMORROW, status="cancelled")
    meeting(world, start=TOMORROW - dt.timedelta(hours=1))  # ends as the new one starts
    meeting(world, start=TOMORROW + dt.timedelta(hours=1))  # starts as the new one ends
    assert schedule(world).pk


def test_other_peoples_meetings_do_not_clash(world):
    meeting(world, world.other_workspace, start=TOMORROW)
    assert schedule(world).pk


def test_the_form_comes_back_with_the_warning_and_schedule_anyway_saves(world):
    meeting(world, world.circle_workspace, start=dt.datetime(2026, 11, 25, 14, 30, tzinfo=UTC))
    client = world.client("mentor")
    url = world.url("meeting_create")
    response = client.post(url, form())
    assert response.status_code == 200
    html = assert_accessible(response)
    assert "Schedule anyway" in html
    assert "14:30" in html
    assert Meeting.objects.filter(workspace=world.workspace).count() == 0
    response = client.post(url, form(schedule_anyway="on"))
    assert response.status_code == 302
    assert Meeting.objects.filter(workspace=world.workspace).count() == 1


# --- The form: time zones and bad input -------------------------------------------------------


def test_the_form_reads_times_in_the_viewers_time_zone(world):
    world.mentee.timezone = "America/New_York"
    world.mentee.save()
    response = world.client("mentee").post(world.url("meeting_create"), form(start="10:00"))
    assert response.status_code == 302
    m = Meeting.objects.get()
    assert m.starts_at == dt.datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert m.duration_minutes == 300


def test_the_form_says_which_time_zone_its_times_are_in(world):
    world.mentor.timezone = "Europe/Paris"
    world.mentor.save()
    html = assert_accessible(world.client("mentor").get(world.url("meeting_create")))
    assert "In your time zone, Europe/Paris." in html


def test_an_end_not_after_the_start_is_an_error_on_the_end_and_saves_nothing(world):
    response = world.client("mentor").post(world.url("meeting_create"), form(end="14:00"))
    assert response.status_code == 200
    assert response.context["form"].errors["end_time"] == ["The meeting must end after it starts."]
    assert_accessible(response)
    assert not Meeting.objects.exists()


def test_a_past_start_on_the_schedule_form_is_an_error_next_to_the_date(world):
    response = world.client("mentor").post(world.url("meeting_create"), form(day="2026-11-01"))
    assert "in the future" in response.context["form"].errors["date"][0]
    assert not Meeting.objects.exists()


def test_logging_through_the_page_saves_a_held_meeting(world):
    response = world.client("mentee").post(
        world.url("meeting_create") + "?log=1", form(day="2026-11-18", medium="phone")
    )
    assert response.status_code == 302
    assert Meeting.objects.get().status == Meeting.Status.HELD


def test_oversized_and_unsafe_input_gets_messages_next_to_the_fields(world):
    client = world.client("mentor")
    response = client.post(
        world.url("meeting_create"), form(location="https://x.example/" + "a" * 600)
    )
    assert "location" in response.context["form"].errors
    response = client.post(world.url("meeting_create"), form(location="<b>zoom</b>"))
    assert "web address" in response.context["form"].errors["location"][0]
    response = client.post(world.url("meeting_create"), form(day="0001-01-01"))
    assert "date" in response.context["form"].errors
    response = client.post(world.url("meeting_create"), form(medium="carrier pigeon"))
    assert "medium" in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_html_in_the_place_is_shown_escaped(world):
    m = meeting(world, medium="in_person", location="<script>alert(1)</script>")
    html = world.client("mentee").get(world.url("meeting", mid=m.pk)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_only_a_web_address_becomes_a_link(world):
    m = meeting(world, medium="video", location="javascript:alert(1)")
    html = world.client("mentee").get(world.url("meeting", mid=m.pk)).content.decode()
    assert 'href="javascript:' not in html
    assert "javascript:alert(1)" in html


# --- Rescheduling and cancelling --------------------------------------------------------------


def test_moving_a_meeting_raises_its_sequence_and_tells_the_partner(
    world, django_capture_on_commit_callbacks
):
    m = meeting(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_reschedule(
            wa=world.access("mentee"),
            meeting=m,
            starts_at=TOMORROW + dt.timedelta(days=2),
            duration_minutes=45,
            medium="phone",
            location="",
        )
    m.refresh_from_db()
    assert (m.starts_at, m.duration_minutes, m.medium, m.sequence) == (
        TOMORROW + dt.timedelta(days=2),
        45,
        "phone",
        1,
    )
    assert m.updated_at == NOW
    assert len(told(world.mentor, "meeting_rescheduled")) == 1
    assert told(world.mentee, "meeting_rescheduled") == []


def test_moving_it_does_not_clash_with_itself(world):
    m = meeting(world)
    services.meeting_reschedule(
        wa=world.access("mentor"),
        meeting=m,
        starts_at=TOMORROW + dt.timedelta(minutes=30),
        duration_minutes=60,
        medium="video",
    )
    m.refresh_from_db()
    assert m.sequence == 1


@pytest.mark.parametrize("status", ["held", "missed", "cancelled"])
def test_only_a_scheduled_meeting_can_be_moved(world, status):
    m = meeting(world, start=YESTERDAY, status=status)
    with pytest.raises(TransitionError, match="only a scheduled"):
        services.meeting_reschedule(
            wa=world.access("mentor"),
            meeting=m,
            starts_at=TOMORROW,
            duration_minutes=60,
            medium="video",
        )


def test_a_meeting_cannot_be_moved_into_the_past(world):
    m = meeting(world)
    with pytest.raises(ValidationError, match="in the future"):
        services.meeting_reschedule(
            wa=world.access("mentor"),
            meeting=m,
            starts_at=YESTERDAY,
            duration_minutes=60,
            medium="video",
        )


def test_the_edit_page_moves_the_meeting_in_the_viewers_time_zone(world):
    world.mentor.timezone = "Europe/Paris"
    world.mentor.save()
    m = meeting(world)
    client = world.client("mentor")
    url = world.url("meeting_edit", mid=m.pk)
    response = client.get(url)
    assert response.context["form"].initial["start_time"] == dt.time(13, 0)
    assert_accessible(response)
    response = client.post(url, form(day="2026-11-26", start="09:00", end="10:00"))
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.starts_at == dt.datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert m.sequence == 1


def test_cancelling_needs_a_reason_raises_the_sequence_and_tells_the_partner(
    world, django_capture_on_commit_callbacks
):
    m = meeting(world)
    with pytest.raises(ValidationError, match="why"):
        services.meeting_cancel(wa=world.access("mentor"), meeting=m, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(wa=world.access("mentor"), meeting=m, reason="Travelling")
    m.refresh_from_db()
    assert (m.status, m.cancel_reason, m.sequence) == ("cancelled", "Travelling", 1)
    assert (m.status_changed_by, m.status_changed_at, m.updated_at) == (world.mentor, NOW, NOW)
    assert len(told(world.mentee, "meeting_cancelled")) == 1


def test_a_meeting_whose_time_has_passed_is_marked_not_cancelled(world):
    m = meeting(world, start=YESTERDAY)
    with pytest.raises(TransitionError, match="held or missed"):
        services.meeting_cancel(wa=world.access("mentor"), meeting=m, reason="Oops")


def test_the_cancel_page_asks_for_a_reason_and_cancels(world):
    m = meeting(world)
    client = world.client("mentee")
    url = world.url("meeting_cancel", mid=m.pk)
    assert_accessible(client.get(url))
    response = client.post(url, {"reason": ""})
    assert response.context["form"].errors["reason"] == ["Say why the meeting is cancelled."]
    assert_accessible(response)
    response = client.post(url, {"reason": "x" * 1001})
    assert "reason" in response.context["form"].errors
    m.refresh_from_db()
    assert m.status == "scheduled"
    response = client.post(url, {"reason": "Sick <b>today</b>"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == "cancelled"
    html = client.get(world.url("meeting", mid=m.pk)).content.decode()
    assert "Sick &lt;b&gt;today&lt;/b&gt;" in html


# --- Held and missed --------------------------------------------------------------------------


def test_a_meeting_is_marked_held_or_missed_only_once_its_time_has_come(world):
    m = meeting(world)
    with pytest.raises(TransitionError, match="not started"):
        services.meeting_mark_held(wa=world.access("mentor"), meeting=m)
    with pytest.raises(TransitionError, match="not started"):
        services.meeting_mark_missed(wa=world.access("mentor"), meeting=m)


def test_marking_held_records_who_and_when(world):
    m = meeting(world, start=YESTERDAY)
    services.meeting_mark_held(wa=world.access("mentee"), meeting=m)
    m.refresh_from_db()
    assert (m.status, m.status_changed_by, m.status_changed_at, m.updated_at) == (
        "held",
        world.mentee,
        NOW,
        NOW,
    )


def test_a_missed_meeting_can_be_corrected_to_held_but_not_the_other_way(world):
    m = meeting(world, start=YESTERDAY)
    services.meeting_mark_missed(wa=world.access("mentor"), meeting=m)
    services.meeting_mark_held(wa=world.access("mentor"), meeting=m)
    m.refresh_from_db()
    assert m.status == "held"
    with pytest.raises(TransitionError, match="already held"):
        services.meeting_mark_missed(wa=world.access("mentor"), meeting=m)
    with pytest.raises(TransitionError, match="already held"):
        services.meeting_mark_held(wa=world.access("mentor"), meeting=m)


def test_a_cancelled_meeting_cannot_be_marked(world):
    m = meeting(world, start=YESTERDAY, status="cancelled")
    with pytest.raises(TransitionError):
        services.meeting_mark_held(wa=world.access("mentor"), meeting=m)


def test_the_held_and_missed_buttons_post_and_report_refusals(world):
    m = meeting(world, start=YESTERDAY)
    client = world.client("mentor")
    assert client.get(world.url("meeting_held", mid=m.pk)).status_code == 405
    response = client.post(world.url("meeting_missed", mid=m.pk), follow=True)
    assert "marked missed" in response.content.decode()
    response = client.post(world.url("meeting_missed", mid=m.pk), follow=True)
    assert "already missed" in response.content.decode()
    client.post(world.url("meeting_held", mid=m.pk))
    m.refresh_from_db()
    assert m.status == "held"


@pytest.mark.parametrize("name", ["meeting_held", "meeting_missed"])
def test_program_admins_cannot_mark_meetings(world, name):
    m = meeting(world, start=YESTERDAY)
    assert world.client("admin").post(world.url(name, mid=m.pk)).status_code == 403
    m.refresh_from_db()
    assert m.status == "scheduled"


# --- Who reaches the pages --------------------------------------------------------------------

READ_PAGES = ["meetings", "meeting", "meeting_ics"]
WRITE_PAGES = ["meeting_create", "meeting_edit", "meeting_cancel"]


def page_url(world, name, m):
    return world.url(name) if name in ("meetings", "meeting_create") else world.url(name, mid=m.pk)


@pytest.mark.parametrize("name", READ_PAGES + WRITE_PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mentor", 200),
        ("mentee", 200),
        ("other_mentor", 404),
        ("other_mentee", 404),
        ("member", 404),
        ("outsider", 404),
    ],
)
def test_who_reaches_the_meeting_pages(world, name, who, status):
    m = meeting(world)
    assert world.client(who).get(page_url(world, name, m)).status_code == status


@pytest.mark.parametrize("name", READ_PAGES + WRITE_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(world, name):
    m = meeting(world)
    response = world.client("anonymous").get(page_url(world, name, m))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("name", "status"), [(n, 200) for n in READ_PAGES] + [(n, 403) for n in WRITE_PAGES]
)
def test_program_admins_see_meetings_but_do_not_change_them(world, content_world, name, status):
    for w in (world, content_world):
        m = meeting(w)
        assert w.client("admin").get(page_url(w, name, m)).status_code == status


def test_a_meeting_of_another_pair_is_404_through_this_workspace(world):
    other = meeting(world, world.other_workspace)
    assert world.client("mentor").get(world.url("meeting", mid=other.pk)).status_code == 404
    assert world.client("mentor").post(world.url("meeting_held", mid=other.pk)).status_code == 404


def test_the_pages_of_an_ended_relationship_are_read_only(world):
    m = meeting(world)
    end_pairing(world)
    client = world.client("mentor")
    html = assert_accessible(client.get(world.url("meeting_create")))
    assert "read-only" in html
    html = client.get(world.url("meeting", mid=m.pk)).content.decode()
    assert "Move the meeting" not in html


# --- The list and the meeting page ------------------------------------------------------------


def test_the_list_shows_upcoming_and_earlier_meetings_with_agenda_and_check_in_state(world):
    soon = meeting(world)
    Agenda.objects.create(meeting=soon, author=world.mentee, status="submitted", late=True)
    past = meeting(world, start=YESTERDAY, status="held")
    CheckIn.objects.create(
        meeting=past, author=world.mentee, useful="u", next_steps="n", before_next="b", rating=5
    )
    meeting(world, start=TOMORROW + dt.timedelta(days=3), status="cancelled")
    response = world.client("mentor").get(world.url("meetings"))
    html = assert_accessible(response)
    assert [m.pk for m in response.context["upcoming"]] == [soon.pk]
    assert len(response.context["earlier"]) == 2
    assert "Agenda late" in html
    assert "1 of 2 check-ins filed" in html
    assert "File your check-in" in html


def test_the_list_asks_the_mentee_for_the_agenda(world):
    meeting(world)
    html = world.client("mentee").get(world.url("meetings")).content.decode()
    assert "File the agenda" in html


def add_meetings(world, n):
    for i in range(n):
        m = meeting(world, start=NOW + dt.timedelta(days=i - n // 2, hours=1), status="held")
        Agenda.objects.create(meeting=m, author=world.mentee, topics="t", status="submitted")
        CheckIn.objects.create(
            meeting=m, author=world.mentee, useful="u", next_steps="n", before_next="b", rating=4
        )
        ActionItem.objects.create(
            workspace=world.workspace, meeting=m, owner=world.mentee, description="d"
        )


@pytest.mark.parametrize("who", ["mentor", "mentee", "admin"])
def test_the_list_runs_the_same_queries_with_3_or_50_meetings(world, who):
    client = world.client(who)
    add_meetings(world, 3)
    client.get(world.url("meetings"))
    with CaptureQueriesContext(connection) as small:
        client.get(world.url("meetings"))
    add_meetings(world, 47)
    with CaptureQueriesContext(connection) as large:
        client.get(world.url("meetings"))
    assert len(small) == len(large)


def test_the_meeting_page_shows_the_time_in_the_viewers_time_zone_and_every_action(world):
    world.mentee.timezone = "Asia/Kolkata"
    world.mentee.save()
    m = meeting(world, location="https://meet.example.com/x")
    html = assert_accessible(world.client("mentee").get(world.url("meeting", mid=m.pk)))
    assert "Sat 21 Nov 2026, 17:30" in html
    assert "Asia/Kolkata" in html
    for name in ("meeting_ics", "meeting_edit", "meeting_cancel", "agenda_edit"):
        assert world.url(name, mid=m.pk) in html
    assert 'href="https://meet.example.com/x"' in html


def test_a_held_meeting_offers_check_ins_and_follow_ups(world):
    m = meeting(world, start=YESTERDAY, status="held")
    html = assert_accessible(world.client("mentor").get(world.url("meeting", mid=m.pk)))
    assert world.url("checkin", mid=m.pk) in html
    assert f"{world.url('action_create')}?meeting={m.pk}" in html
    assert "Log follow-ups" in html
    assert world.url("meeting_edit", mid=m.pk) not in html


def test_a_past_scheduled_meeting_offers_held_and_missed(world):
    m = meeting(world, start=YESTERDAY)
    html = world.client("mentor").get(world.url("meeting", mid=m.pk)).content.decode()
    assert world.url("meeting_held", mid=m.pk) in html
    assert world.url("meeting_missed", mid=m.pk) in html


def furnish(world, w=None):
    """A held meeting with an agenda, check-ins, an action item and a covered topic."""
    w = w or world
    m = meeting(w, start=YESTERDAY, status="held")
    Agenda.objects.create(
        meeting=m, author=w.mentee, topics="AGENDA-WORDS", status="submitted", submitted_at=NOW
    )
    for who, rating in ((w.mentor, 4), (w.mentee, 2)):
        CheckIn.objects.create(
            meeting=m,
            author=who,
            useful="CHECKIN-WORDS",
            next_steps="n",
            before_next="b",
            rating=rating,
        )
    ActionItem.objects.create(
        workspace=w.workspace, meeting=m, owner=w.mentee, description="ACTION-WORDS"
    )
    RoadmapTopic.objects.create(workspace=w.workspace, title="TOPIC-WORDS", covered_in=m)
    return m


def test_the_pair_sees_everything_said_about_a_meeting(world):
    m = furnish(world)
    for who in ("mentor", "mentee"):
        html = assert_accessible(world.client(who).get(world.url("meeting", mid=m.pk)))
        for words in ("AGENDA-WORDS", "CHECKIN-WORDS", "ACTION-WORDS", "TOPIC-WORDS"):
            assert words in html


def test_admins_without_content_rights_see_states_ratings_and_counts_only(world):
    m = furnish(world)
    html = assert_accessible(world.client("admin").get(world.url("meeting", mid=m.pk)))
    for words in ("AGENDA-WORDS", "CHECKIN-WORDS", "ACTION-WORDS", "TOPIC-WORDS"):
        assert words not in html
    assert "Agenda on time" in html
    assert "Rated 4 of 5" in html
    assert "Rated 2 of 5" in html
    assert "1 open, 0 done, 0 dropped" in html
    assert "1 topic" in html


def test_admins_with_content_rights_read_what_was_said(content_world):
    m = furnish(content_world)
    html = assert_accessible(
        content_world.client("admin").get(content_world.url("meeting", mid=m.pk))
    )
    for words in ("AGENDA-WORDS", "CHECKIN-WORDS", "ACTION-WORDS", "TOPIC-WORDS"):
        assert words in html
    assert "Move the meeting" not in html


def test_admins_without_content_rights_do_not_even_query_the_words(world):
    m = furnish(world)
    client = world.client("admin")
    with CaptureQueriesContext(connection) as ctx:
        client.get(world.url("meeting", mid=m.pk))
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    for column in (
        '"mentoring_sessions_checkin"."useful"',
        '"mentoring_sessions_agenda"."topics"',
        '"mentoring_sessions_agenda"."did"',
        '"mentoring_sessions_actionitem"."description"',
        '"mentoring_sessions_roadmaptopic"."title"',
    ):
        assert column not in sql, column
    assert '"mentoring_sessions_checkin"."rating"' in sql


# --- Selectors for the overview and the home page ---------------------------------------------


def test_next_meeting_is_the_earliest_upcoming_scheduled_one_with_its_agenda_state(world):
    assert next_meeting(world.workspace) is None
    later = meeting(world, start=TOMORROW + dt.timedelta(days=7))
    soon = meeting(world)
    meeting(world, start=TOMORROW - dt.timedelta(hours=1), status="cancelled")
    meeting(world, start=YESTERDAY)
    Agenda.objects.create(meeting=soon, author=world.mentee, status="draft")
    workspace = world.access("mentor").workspace  # as the overview has it, program loaded
    with CaptureQueriesContext(connection) as ctx:
        found = next_meeting(workspace)
        assert found is not None
        url = found.get_absolute_url()
    assert found == soon
    assert found.agenda_state == "draft"  # type: ignore[attr-defined]
    assert url == world.url("meeting", mid=soon.pk)
    assert len(ctx) == 1
    assert later.pk


def test_meeting_stats_counts_meetings_agendas_and_ratings(world):
    held = meeting(world, start=YESTERDAY, status="held")
    meeting(world, start=YESTERDAY - dt.timedelta(days=14), status="held")
    meeting(world, start=YESTERDAY - dt.timedelta(days=7), status="missed")
    meeting(world, start=TOMORROW, status="cancelled")
    meeting(world, start=TOMORROW)
    meeting(world, start=YESTERDAY + dt.timedelta(hours=2))
    Agenda.objects.create(meeting=held, author=world.mentee, status="submitted", late=True)
    CheckIn.objects.create(
        meeting=held, author=world.mentee, useful="u", next_steps="n", before_next="b", rating=5
    )
    CheckIn.objects.create(
        meeting=held, author=world.mentor, useful="u", next_steps="n", before_next="b", rating=2
    )
    with CaptureQueriesContext(connection) as ctx:
        stats = meeting_stats(world.workspace)
    assert len(ctx) <= 2
    assert stats["held"] == 2
    assert stats["missed"] == 1
    assert stats["cancelled"] == 1
    assert stats["scheduled"] == 1
    assert stats["to_mark"] == 1
    assert stats["last_held"] == YESTERDAY
    assert (stats["agendas_on_time"], stats["agendas_late"]) == (0, 1)
    assert stats["average_rating"] == pytest.approx(3.5)


def test_agenda_due_for_lists_the_mentees_upcoming_meetings_without_a_submitted_agenda(world):
    none = meeting(world)
    draft = meeting(world, start=TOMORROW + dt.timedelta(days=1))
    Agenda.objects.create(meeting=draft, author=world.mentee)
    done = meeting(world, start=TOMORROW + dt.timedelta(days=2))
    Agenda.objects.create(meeting=done, author=world.mentee, status="submitted")
    meeting(world, start=YESTERDAY)
    meeting(world, start=TOMORROW + dt.timedelta(days=3), status="cancelled")
    meeting(world, world.other_workspace)
    with CaptureQueriesContext(connection) as ctx:
        due = agenda_due_for(world.mentee)
        urls = [m.get_absolute_url() for m in due]
    assert due == [none, draft]
    assert [m.agenda_state for m in due] == ["none", "draft"]  # type: ignore[attr-defined]
    assert len(urls) == 2
    assert len(ctx) == 1
    assert agenda_due_for(world.mentor) == []


def test_agenda_due_for_leaves_out_ended_relationships(world):
    meeting(world)
    end_pairing(world)
    assert agenda_due_for(world.mentee) == []


@pytest.mark.parametrize(
    ("day", "start", "end", "minutes"),
    [
        ("2027-03-28", "01:30", "03:30", 60),  # Paris springs forward at 02:00
        ("2027-10-31", "01:30", "03:30", 180),  # and falls back at 03:00
        ("2027-01-12", "09:00", "10:30", 90),
    ],
)
def test_a_meetings_length_is_real_time_across_a_clock_change(day, start, end, minutes):
    form = MeetingForm(
        {"date": day, "start_time": start, "end_time": end, "medium": "video", "location": ""},
        tz=zoneinfo.ZoneInfo("Europe/Paris"),
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["duration_minutes"] == minutes
