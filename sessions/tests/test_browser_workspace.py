"""The workspace's core loop in a real browser (issue 4's acceptance).

The mentee files and submits the agenda for the upcoming meeting; the mentor
reads it, marks the meeting held once its time has passed, files a check-in and
logs two follow-ups (one for each of them); the mentee finds their action item
on their home page; then both submit the mid-point review, and neither can
submit it a second time.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from mentoring.models import Notification
from mentoring.tests.factories import PASSWORD
from mentoring.tests.test_browser_enrolment import sign_in
from programs.models import Program
from sessions.models import ActionItem, Agenda, CheckIn, Meeting, Review, Workspace
from sessions.services.reviews import program_today
from sessions.tests.conftest import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOPICS = "How do I pitch the data platform migration to my director?"
LEARNED = "Stakeholder maps make the politics visible."
USEFUL = "Role-playing the pitch with objections."
FOR_MENTOR = "Send the negotiation reading list"
FOR_MENTEE = "Draft the one-page migration proposal"
WORKING = "We always leave with a concrete next step."


def _running_pair_around_today():
    """The conftest world, moved so that today sits inside the relationship, whenever it runs."""
    world = make_world()
    today = timezone.localdate()
    Program.objects.filter(pk=world.program.pk).update(
        start_date=today - dt.timedelta(days=70), end_date=today + dt.timedelta(days=120)
    )
    Workspace.objects.filter(pk=world.workspace.pk).update(
        start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=110),
        midpoint_date=today + dt.timedelta(days=25),
    )
    return world


def _midpoint_review(page, decision: str = "Continue as is") -> None:
    """Fill the mid-point review form on ``page`` (the radio groups are named fieldsets)."""
    page.get_by_role("group", name="Value I receive").get_by_label("4: a lot").check()
    page.get_by_role("group", name="Value I give").get_by_label("3: some").check()
    page.get_by_label("What is working").fill(WORKING)
    page.get_by_label("What should change").fill("Shorter gaps between meetings.")
    page.get_by_role("group", name="From here on").get_by_label(decision).check()


def _submit_midpoint_twice(page, base: str, workspace_url: str) -> None:
    """Submit the review, then the same form again from a second tab opened before."""
    page.get_by_role("link", name="Your mid-point review is open").click()
    page.get_by_role("heading", name="Mid-point review", exact=True).wait_for()
    stale = page.context.new_page()
    stale.goto(f"{base}{workspace_url}reviews/")
    _midpoint_review(stale)

    _midpoint_review(page)
    page.get_by_role("button", name="Submit my mid-point review").click()
    page.get_by_text("Your mid-point review is in, and now locked.").wait_for()
    # Locked: the page shows the answers, no form.
    assert page.get_by_role("button", name="Submit my mid-point review").count() == 0
    assert page.get_by_text(WORKING).count() >= 1

    # The second submission, from the form opened before the first, is refused.
    stale.get_by_role("button", name="Submit my mid-point review").click()
    stale.get_by_role("alert").filter(
        has_text="You have already submitted your mid-point review; it is locked"
    ).wait_for()
    assert stale.get_by_role("button", name="Submit my mid-point review").count() == 0
    # Asking for the form again says it is locked, and shows none.
    stale.goto(f"{base}{workspace_url}reviews/mid-point/")
    stale.get_by_text("You have submitted your mid-point review; it is locked.").wait_for()
    assert stale.get_by_role("button", name="Submit my mid-point review").count() == 0
    stale.close()


def test_agenda_meeting_check_in_follow_ups_and_the_midpoint_review_in_a_browser(
    live_server, new_page
):
    world = _running_pair_around_today()
    base = live_server.url
    ws = world.workspace
    workspace_url = f"/programs/{world.program.slug}/workspaces/{ws.pk}/"
    mentor_name = world.mentor.display_name
    mentee_name = world.mentee.display_name
    meeting = Meeting.objects.create(
        workspace=ws,
        starts_at=timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=4),
        duration_minutes=60,
        medium="video",
        location="https://meet.example.org/pitch",
        created_by=world.mentor,
    )

    # The mentee goes from their home page to the workspace and files the agenda.
    mentee = new_page()
    mentee.set_default_timeout(15_000)
    sign_in(mentee, base, world.mentee.email, PASSWORD)
    relationships = mentee.get_by_role("region", name="Your relationships")
    relationships.get_by_role("link", name=f"{mentor_name} is your mentor").click()
    mentee.get_by_role("heading", name="Next meeting").wait_for()
    mentee.get_by_role("link", name="File the agenda").click()
    mentee.get_by_role("heading", name=re.compile("Your agenda for")).wait_for()
    mentee.get_by_label("What I did since last time").fill("Mapped the stakeholders.")
    mentee.get_by_label("What I learned").fill(LEARNED)
    mentee.get_by_label("Topics and questions").fill(TOPICS)
    mentee.get_by_role("group", name="What I need").get_by_label("Feedback").check()
    mentee.get_by_role("button", name="Save draft").click()
    mentee.get_by_text("Your draft is saved.").wait_for()
    assert Agenda.objects.get(meeting=meeting).status == "draft"
    mentee.get_by_role("link", name="Finish and submit the agenda").click()
    mentee.get_by_role("button", name=f"Submit to {mentor_name}").click()
    mentee.get_by_text("The agenda is submitted; your mentor is told.").wait_for()
    agenda = Agenda.objects.get(meeting=meeting)
    assert agenda.status == "submitted"
    assert agenda.topics == TOPICS
    assert agenda.needs == ["feedback"]
    assert not agenda.late

    # The mentor is told, and reads the agenda's words on the meeting page.
    mentor = new_page()
    mentor.set_default_timeout(15_000)
    sign_in(mentor, base, world.mentor.email, PASSWORD)
    assert Notification.objects.filter(user=world.mentor, kind="agenda_submitted").exists()
    relationships = mentor.get_by_role("region", name="Your relationships")
    assert relationships.get_by_text("arrived").is_visible()
    relationships.get_by_role("link", name=f"You mentor {mentee_name}").click()
    mentor.get_by_role("link", name="Meeting page").click()
    agenda_section = mentor.get_by_role("region", name="Agenda", exact=True)
    agenda_section.get_by_text(TOPICS).wait_for()
    assert agenda_section.get_by_text(LEARNED).is_visible()
    assert agenda_section.get_by_text("Feedback").is_visible()
    # Before its time the meeting cannot be marked held.
    assert mentor.get_by_role("button", name="Mark held").count() == 0

    # The meeting's time comes and goes (it is still "scheduled").
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=70)
    )
    mentor.reload()
    mentor.get_by_role("button", name="Mark held").click()
    mentor.get_by_text("The meeting is marked held.").wait_for()
    meeting.refresh_from_db()
    assert meeting.status == "held"
    assert meeting.status_changed_by == world.mentor

    # The mentor's check-in.
    mentor.get_by_role("link", name="File your check-in").click()
    mentor.get_by_label("What was useful today?").fill(USEFUL)
    mentor.get_by_label("What are your next steps?").fill("Share the reading list.")
    mentor.get_by_label("What will you do or learn before next time?").fill(
        "Ask my own mentor about pitching upwards."
    )
    mentor.get_by_role("group", name="How useful was this meeting?").get_by_label(
        "4 – Very useful"
    ).check()
    mentor.get_by_role("button", name="File my check-in").click()
    mentor.get_by_text("Thank you: your check-in is filed.").wait_for()
    mentor.get_by_role("region", name="Check-ins").get_by_text(USEFUL).wait_for()
    checkin = CheckIn.objects.get(meeting=meeting)
    assert (checkin.author, checkin.rating) == (world.mentor, 4)

    # Two follow-ups: a resource the mentor promised, and a task for the mentee.
    due = timezone.localdate() + dt.timedelta(days=7)
    mentor.get_by_role("link", name="Log follow-ups").click()
    mentor.get_by_role("heading", name="Log follow-ups").wait_for()
    mentor.get_by_label("Who will do it").select_option(label=f"{mentor_name} (you)")
    mentor.get_by_role("group", name="Kind").get_by_label("Resource to share").check()
    mentor.get_by_label("What is to be done").fill(FOR_MENTOR)
    mentor.get_by_role("button", name="Add and write another").click()
    mentor.get_by_text("The action item is added.").wait_for()
    mentor.get_by_label("Who will do it").select_option(label=mentee_name)
    mentor.get_by_role("group", name="Kind").get_by_label("Task").check()
    mentor.get_by_label("What is to be done").fill(FOR_MENTEE)
    mentor.get_by_label("Due date").fill(due.isoformat())
    mentor.get_by_role("button", name="Add", exact=True).click()
    mentor.get_by_text(f"The action item is added. {mentee_name} is told.").wait_for()
    follow_ups = mentor.get_by_role("region", name="Action items from this meeting")
    follow_ups.get_by_text(FOR_MENTOR, exact=True).wait_for()
    follow_ups.get_by_text(FOR_MENTEE, exact=True).wait_for()
    items = {a.description: a for a in ActionItem.objects.filter(meeting=meeting)}
    assert items[FOR_MENTOR].owner == world.mentor
    assert items[FOR_MENTOR].kind == "resource"
    assert items[FOR_MENTEE].owner == world.mentee
    assert items[FOR_MENTEE].due_date == due
    assert {a.created_by for a in items.values()} == {world.mentor}

    # The mentee finds their action item (and only theirs) on their home page.
    mentee.goto(f"{base}/")
    needs_you = mentee.get_by_role("region", name="What needs you now")
    needs_you.get_by_role("link", name=FOR_MENTEE).wait_for()
    assert needs_you.get_by_text(FOR_MENTOR).count() == 0

    # The relationship reaches its mid-point: both review it, once.
    Workspace.objects.filter(pk=ws.pk).update(midpoint_date=program_today(world.program))
    mentee.reload()
    _submit_midpoint_twice(mentee, base, workspace_url)
    mentor.goto(f"{base}/")
    _submit_midpoint_twice(mentor, base, workspace_url)

    reviews = Review.objects.filter(workspace=ws, kind="midpoint")
    assert {r.author for r in reviews} == {world.mentor, world.mentee}
    assert all(r.submissions == 1 and r.working == WORKING for r in reviews)
    # Both are in, so each now sees the other's answers too.
    mentor.get_by_role("article", name=f"{mentee_name}'s answers").wait_for()
