"""Agendas: the mentee drafts and submits, late ones are marked, edits kept; circles share one."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from mentoring.models import Notification
from mentoring.tests.test_templates_a11y import assert_accessible
from programs.models import Program
from sessions.models import Agenda, AgendaItem, AgendaRevision, Meeting
from sessions.services import agendas as services
from sessions.services._common import TransitionError
from sessions.tests.conftest import NOW

pytestmark = pytest.mark.django_db

IN_A_WEEK = NOW + dt.timedelta(days=7)
SOON = NOW + dt.timedelta(hours=20)  # inside the default 48-hour lead time


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def meeting(world, workspace=None, *, start=IN_A_WEEK, status="scheduled"):
    return Meeting.objects.create(
        workspace=workspace or world.workspace,
        starts_at=start,
        duration_minutes=60,
        status=status,
        cancel_reason="Ill" if status == "cancelled" else "",
    )


def content(**kw):
    fields = {
        "did": "Shipped the report",
        "learned": "Stakeholders want less detail",
        "topics": "How to run my first 1:1s",
        "needs": ["feedback"],
        "needs_detail": "",
        "links": "https://docs.example.com/report",
    }
    fields.update(kw)
    return fields


def save(world, m, who="mentee", submit=False, **kw):
    return services.agenda_save(
        wa=world.access(who, m.workspace), meeting=m, submit=submit, **content(**kw)
    )


def told(user):
    return list(Notification.objects.filter(user=user, kind="agenda_submitted"))


# --- Draft and submit -------------------------------------------------------------------------


def test_a_draft_is_saved_without_telling_the_mentor(world, django_capture_on_commit_callbacks):
    m = meeting(world)
    with django_capture_on_commit_callbacks(execute=True):
        agenda = save(world, m)
    assert agenda.status == Agenda.Status.DRAFT
    assert agenda.submitted_at is None
    assert agenda.author == world.mentee
    assert told(world.mentor) == []


def test_submitting_stamps_the_time_and_tells_the_mentor_once(
    world, django_capture_on_commit_callbacks
):
    m = meeting(world)
    save(world, m)
    with django_capture_on_commit_callbacks(execute=True):
        agenda = save(world, m, submit=True)
    assert agenda.status == Agenda.Status.SUBMITTED
    assert agenda.submitted_at == NOW
    assert agenda.late is False
    [notice] = told(world.mentor)
    assert notice.key == f"agenda_submitted:{agenda.pk}:u{world.mentor.pk}"
    assert notice.url == m.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        save(world, m, submit=True, topics="Changed")
    assert len(told(world.mentor)) == 1


def test_an_agenda_submitted_inside_the_programs_lead_time_is_late(world):
    agenda = save(world, meeting(world, start=SOON), submit=True)
    assert agenda.late is True


def test_the_lead_time_is_the_programs(world):
    Program.objects.filter(pk=world.program.pk).update(agenda_lead_hours=10)
    agenda = save(world, meeting(world, start=SOON), submit=True)
    assert agenda.late is False


def test_submitting_needs_topics_and_changes_nothing_without_them(world):
    m = meeting(world)
    with pytest.raises(ValidationError) as exc:
        save(world, m, submit=True, topics="  ")
    assert "topics" in exc.value.error_dict
    assert not Agenda.objects.exists()


def test_edits_after_submitting_keep_the_earlier_version(world):
    m = meeting(world)
    save(world, m, submit=True)
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        agenda = save(world, m, topics="A better question")
    assert agenda.topics == "A better question"
    assert agenda.submitted_at == NOW
    [revision] = AgendaRevision.objects.all()
    assert revision.content["topics"] == "How to run my first 1:1s"
    assert revision.content["needs"] == ["feedback"]
    assert revision.edited_by == world.mentee
    assert revision.edited_at == NOW + dt.timedelta(hours=1)


def test_saving_the_same_words_again_keeps_no_revision(world):
    m = meeting(world)
    save(world, m, submit=True)
    save(world, m)
    assert not AgendaRevision.objects.exists()


def test_drafts_before_submitting_keep_no_revisions(world):
    m = meeting(world)
    save(world, m)
    save(world, m, topics="Another draft")
    assert not AgendaRevision.objects.exists()


def test_unknown_needs_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        save(world, meeting(world), needs=["a pony"])
    assert "needs" in exc.value.error_dict


def test_oversized_text_is_refused_field_by_field(world):
    with pytest.raises(ValidationError) as exc:
        save(world, meeting(world), did="x" * 4001)
    assert list(exc.value.error_dict) == ["did"]


# --- Who may write it, and when ---------------------------------------------------------------


def test_only_the_mentee_writes_the_agenda(world):
    m = meeting(world)
    with pytest.raises(PermissionDenied, match="Only the mentee"):
        save(world, m, who="mentor")
    with pytest.raises(PermissionDenied):
        save(world, m, who="admin")


@pytest.mark.parametrize(
    ("status", "words"),
    [("cancelled", "cancelled"), ("missed", "missed"), ("held", "has happened")],
)
def test_no_agenda_for_a_meeting_that_is_cancelled_missed_or_over(world, status, words):
    m = meeting(world, status=status)
    with pytest.raises(TransitionError, match=words):
        save(world, m)
    assert not Agenda.objects.exists()


def test_the_page_says_why_there_is_no_agenda_and_a_post_changes_nothing(world):
    m = meeting(world, status="cancelled")
    client = world.client("mentee")
    html = assert_accessible(client.get(world.url("agenda_edit", mid=m.pk)))
    assert "was cancelled, so it takes no agenda" in html
    assert "Save draft" not in html
    response = client.post(
        world.url("agenda_edit", mid=m.pk), {**content(needs="feedback"), "action": "submit"}
    )
    assert response.status_code == 200
    assert "was cancelled" in response.content.decode()
    assert not Agenda.objects.exists()


# --- The page ---------------------------------------------------------------------------------


def post(world, m, action="save", who="mentee", **kw):
    data = {**content(**kw), "action": action}
    return world.client(who).post(world.url("agenda_edit", mid=m.pk), data)


def test_the_mentee_drafts_then_submits_through_the_page(world):
    m = meeting(world)
    client = world.client("mentee")
    html = assert_accessible(client.get(world.url("agenda_edit", mid=m.pk)))
    assert "Save draft" in html
    assert "Wed 25 Nov 2026, 12:00" in html  # due 48 hours before the meeting
    response = post(world, m, needs=["feedback", "resources"])
    assert response.status_code == 302
    assert Agenda.objects.get().needs == ["feedback", "resources"]
    assert Agenda.objects.get().status == "draft"
    post(world, m, action="submit")
    assert Agenda.objects.get().status == "submitted"


def test_the_page_says_when_the_agenda_is_due_in_the_viewers_time_zone(world):
    world.mentee.timezone = "Europe/Berlin"
    world.mentee.save()
    m = meeting(world)
    html = world.client("mentee").get(world.url("agenda_edit", mid=m.pk)).content.decode()
    assert "Wed 25 Nov 2026, 13:00" in html


def test_bad_input_on_the_page_is_shown_next_to_the_field_and_saves_nothing(world):
    m = meeting(world)
    response = post(world, m, action="submit", topics="", did="y" * 4001)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "did" in errors
    assert_accessible(response)
    response = post(world, m, action="submit", topics="")
    assert "topics" in response.context["form"].errors
    assert not Agenda.objects.exists()


def test_the_mentor_reads_the_submitted_agenda_on_the_meeting_page_escaped(world):
    m = meeting(world)
    save(world, m, submit=True, topics="<img src=x onerror=alert(1)>")
    html = assert_accessible(world.client("mentor").get(world.url("meeting", mid=m.pk)))
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html
    assert "Agenda on time" in html
    assert "Feedback" in html


def test_the_mentor_does_not_see_a_draft(world):
    m = meeting(world)
    save(world, m, topics="DRAFT-WORDS")
    html = world.client("mentor").get(world.url("meeting", mid=m.pk)).content.decode()
    assert "DRAFT-WORDS" not in html
    assert "is drafting the agenda" in html


def test_the_meeting_page_says_the_agenda_was_edited_and_lists_earlier_versions(world):
    m = meeting(world)
    save(world, m, submit=True, topics="FIRST-VERSION")
    save(world, m, topics="SECOND-VERSION")
    html = assert_accessible(world.client("mentor").get(world.url("meeting", mid=m.pk)))
    assert "Edited after it was submitted" in html
    assert "Earlier versions (1)" in html
    assert "FIRST-VERSION" in html
    assert "SECOND-VERSION" in html


def test_the_agenda_form_says_when_the_lead_time_has_passed(world):
    client = world.client("mentee")
    html = client.get(world.url("agenda_edit", mid=meeting(world, start=SOON).pk)).content
    assert b"that time has passed, so it will be marked late" in html
    html = client.get(world.url("agenda_edit", mid=meeting(world, start=IN_A_WEEK).pk)).content
    assert b"that time has passed" not in html


def test_a_late_agenda_is_marked_late_on_the_meeting_page(world):
    m = meeting(world, start=SOON)
    save(world, m, submit=True)
    html = world.client("mentor").get(world.url("meeting", mid=m.pk)).content.decode()
    assert "Agenda late" in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mentee", 200),
        ("mentor", 403),
        ("admin", 403),
        ("other_mentor", 404),
        ("other_mentee", 404),
        ("member", 404),
        ("outsider", 404),
    ],
)
def test_who_reaches_the_agenda_page(world, who, status):
    m = meeting(world)
    assert world.client(who).get(world.url("agenda_edit", mid=m.pk)).status_code == status


def test_the_mentor_cannot_post_an_agenda(world):
    m = meeting(world)
    assert post(world, m, who="mentor").status_code == 403
    assert not Agenda.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(world):
    m = meeting(world)
    response = world.client("anonymous").get(world.url("agenda_edit", mid=m.pk))
    assert response.status_code == 302


# --- Privacy ----------------------------------------------------------------------------------


def test_admins_without_content_rights_see_the_agenda_state_not_its_words(world):
    m = meeting(world)
    save(world, m, submit=True, topics="SECRET-TOPIC")
    save(world, m, topics="SECRET-TOPIC-2")
    html = assert_accessible(world.client("admin").get(world.url("meeting", mid=m.pk)))
    assert "SECRET-TOPIC" not in html
    assert "Agenda on time" in html
    assert "Edited after it was submitted" in html


def test_admins_with_content_rights_read_the_agenda(content_world):
    w = content_world
    m = meeting(w)
    save(w, m, submit=True, topics="OPEN-TOPIC")
    html = w.client("admin").get(w.url("meeting", mid=m.pk)).content.decode()
    assert "OPEN-TOPIC" in html


# --- Circles: one shared agenda ---------------------------------------------------------------


def add(world, m, who="member", text="How do I give hard feedback?", kind="question"):
    return services.agenda_item_add(
        wa=world.access(who, world.circle_workspace), meeting=m, kind=kind, text=text
    )


def test_every_circle_participant_adds_items_to_one_shared_agenda(world):
    m = meeting(world, world.circle_workspace)
    add(world, m)
    add(world, m, who="mentor", text="Bring one example each", kind="need")
    agenda = Agenda.objects.get()
    assert [(i.author, i.kind) for i in agenda.items.all()] == [
        (world.member, "question"),
        (world.mentor, "need"),
    ]


def test_the_shared_agenda_counts_as_submitted_at_the_first_item(
    world, django_capture_on_commit_callbacks
):
    m = meeting(world, world.circle_workspace, start=SOON)
    with django_capture_on_commit_callbacks(execute=True):
        add(world, m)
    agenda = Agenda.objects.get()
    assert (agenda.status, agenda.submitted_at, agenda.late) == ("submitted", NOW, True)
    assert len(told(world.mentor)) == 1
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        add(world, m, text="Second")
    agenda.refresh_from_db()
    assert agenda.submitted_at == NOW


def test_a_circle_has_no_single_mentee_agenda_and_a_pair_no_items(world):
    with pytest.raises(TransitionError, match="shared agenda"):
        save(world, meeting(world, world.circle_workspace), who="member")
    with pytest.raises(TransitionError, match="circle"):
        services.agenda_item_add(
            wa=world.access("mentee"), meeting=meeting(world), kind="question", text="x"
        )


def test_no_items_for_a_cancelled_circle_meeting(world):
    m = meeting(world, world.circle_workspace, status="cancelled")
    with pytest.raises(TransitionError, match="cancelled"):
        add(world, m)
    assert not AgendaItem.objects.exists()


def test_items_are_added_on_the_circle_meeting_page(world):
    m = meeting(world, world.circle_workspace)
    client = world.client("member")
    page = world.url("meeting", world.circle_workspace, mid=m.pk)
    html = assert_accessible(client.get(page))
    assert "Add to the agenda" in html
    url = world.url("agenda_item_add", world.circle_workspace, mid=m.pk)
    response = client.post(url, {"kind": "question", "text": "<b>bold</b> question"})
    assert response.status_code == 302
    html = world.client("mentor").get(page).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt; question" in html


def test_a_bad_item_comes_back_next_to_its_field(world):
    m = meeting(world, world.circle_workspace)
    url = world.url("agenda_item_add", world.circle_workspace, mid=m.pk)
    response = world.client("member").post(url, {"kind": "question", "text": "z" * 4001})
    assert response.status_code == 200
    assert "text" in response.context["item_form"].errors
    assert_accessible(response)
    response = world.client("member").post(url, {"kind": "question", "text": ""})
    assert response.context["item_form"].errors["text"] == ["Write the item."]
    assert not AgendaItem.objects.exists()


def test_the_agenda_page_of_a_circle_leads_to_the_meeting_page(world):
    m = meeting(world, world.circle_workspace)
    response = world.client("member").get(
        world.url("agenda_edit", world.circle_workspace, mid=m.pk)
    )
    assert response.status_code == 302
    assert response["Location"] == world.url("meeting", world.circle_workspace, mid=m.pk)


@pytest.mark.parametrize(("who", "status"), [("admin", 403), ("mentee", 404), ("outsider", 404)])
def test_only_circle_participants_add_items(world, who, status):
    m = meeting(world, world.circle_workspace)
    url = world.url("agenda_item_add", world.circle_workspace, mid=m.pk)
    assert world.client(who).post(url, {"kind": "question", "text": "x"}).status_code == status
    assert not AgendaItem.objects.exists()


def test_admins_without_content_rights_see_how_many_items_not_what_they_say(world):
    m = meeting(world, world.circle_workspace)
    add(world, m, text="CIRCLE-SECRET")
    html = world.client("admin").get(world.url("meeting", world.circle_workspace, mid=m.pk))
    html = html.content.decode()
    assert "CIRCLE-SECRET" not in html
    assert "1 item." in html
