"""Closure: the closing checklist, the final review, completing, extending, ending early."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string

from matching.models import Circle, Pairing
from matching.tests.factories import PairingFactory
from mentoring.models import Notification
from mentoring.tests.test_templates_a11y import assert_accessible
from sessions.models import ActionItem, DateChange, Goal, GoalUpdate, Review, Workspace
from sessions.selectors_reviews import closure_checklist, review_state
from sessions.services import closure as services
from sessions.services import reviews
from sessions.services._common import TransitionError
from sessions.tests.conftest import STRANGERS

from .conftest import NOW

pytestmark = pytest.mark.django_db

WENT_WELL = "We built a real habit of reflection"
DIFFERENTLY = "Start the roadmap in the first week"


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


def final(**changes: Any) -> dict[str, Any]:
    return {
        "value_received": 5,
        "value_given": 4,
        "working": WENT_WELL,
        "remains": "Public speaking",
        "differently": DIFFERENTLY,
        **changes,
    }


def submit_final(world, who: str, workspace=None, **changes: Any) -> Review:
    return reviews.review_submit(wa=world.access(who, workspace), kind="final", **final(**changes))


def goal(world, title: str, status: str = Goal.Status.OPEN, workspace=None) -> Goal:
    g = Goal.objects.create(
        workspace=workspace or world.workspace,
        title=title,
        specific="s",
        measurable="m",
        achievable="a",
        relevant="r",
        target_date=dt.date(2027, 1, 15),
        status=status,
        progress=100 if status == Goal.Status.ACHIEVED else 40,
        created_by=world.mentee,
    )
    GoalUpdate.objects.create(goal=g, kind="created", author=world.mentee)
    GoalUpdate.objects.create(
        goal=g, kind="progress", author=world.mentor, progress=40, note="Halfway there"
    )
    return g


def flash_workspace(world) -> Workspace:
    flash = PairingFactory.create(
        program=world.program,
        mentor=world.pairing.mentor,
        kind=Pairing.Kind.FLASH,
        status=Pairing.Status.ACTIVE,
        started_at=NOW,
        respond_by=None,
    )
    return Workspace.objects.get(pairing=flash)


def status_of(world) -> str:
    world.pairing.refresh_from_db()
    return world.pairing.status


# --- Who reaches the pages ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["closure", "extend", "end_early"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mentor", 200),
        ("mentee", 200),
        ("admin", 200),
        *STRANGERS,
    ],
)
def test_who_may_open_the_closure_pages(world, name, who, status):
    assert world.client(who).get(world.url(name)).status_code == status


@pytest.mark.parametrize("name", ["closure", "complete", "extend", "end_early"])
def test_anonymous_is_sent_to_sign_in(world, name):
    response = world.client("anonymous").post(world.url(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["other_mentor", "other_mentee", "outsider"])
def test_outsiders_change_nothing(world, who):
    client = world.client(who)
    assert client.post(world.url("closure"), final()).status_code == 404
    assert client.post(world.url("complete")).status_code == 404
    assert (
        client.post(world.url("extend"), {"new_end_date": "2027-04-01", "reason": "x"}).status_code
        == 404
    )
    assert client.post(world.url("end_early"), {"reason": "x"}).status_code == 404
    assert status_of(world) == Pairing.Status.ACTIVE
    assert not Review.objects.exists()
    assert not DateChange.objects.exists()


def test_the_closure_pages_are_accessible(world, content_world):
    goal(world, "Lead a meeting", Goal.Status.ACHIEVED)
    goal(world, "Public speaking")
    client = world.client("mentee")
    assert_accessible(client.get(world.url("closure")))
    assert_accessible(client.post(world.url("closure"), final(working="")))
    assert_accessible(client.get(world.url("extend")))
    assert_accessible(
        client.post(world.url("extend"), {"new_end_date": "2020-01-01", "reason": ""})
    )
    assert_accessible(client.get(world.url("end_early")))
    assert_accessible(client.post(world.url("end_early"), {"reason": ""}))
    submit_final(world, "mentee")
    submit_final(world, "mentor")
    assert_accessible(client.get(world.url("closure")))
    assert_accessible(world.client("admin").get(world.url("closure")))
    goal(content_world, "Lead a meeting", Goal.Status.ACHIEVED)
    assert_accessible(content_world.client("admin").get(content_world.url("closure")))


# --- The checklist ------------------------------------------------------------------------


def test_the_checklist_celebrates_wins_with_their_history_and_lists_what_remains(world):
    goal(world, "Lead a team meeting", Goal.Status.ACHIEVED)
    goal(world, "Speak at the all-hands")
    goal(world, "Dropped idea", Goal.Status.DROPPED)
    ActionItem.objects.create(
        workspace=world.workspace, owner=world.mentee, description="Send the deck to Sam"
    )
    ActionItem.objects.create(
        workspace=world.workspace, owner=world.mentor, description="Done thing", status="done"
    )
    html = world.client("mentor").get(world.url("closure")).content.decode()
    wins = html[html.index("Wins to celebrate") : html.index("What remains")]
    assert "Lead a team meeting" in wins
    assert "Halfway there" in wins
    assert "40%" in wins
    assert "Speak at the all-hands" not in wins
    remains = html[html.index("What remains") : html.index('id="final-review-heading"')]
    assert "Speak at the all-hands" in remains
    assert "Send the deck to Sam" in remains
    assert "Dropped idea" not in remains
    assert "Done thing" not in remains


def test_admins_see_counts_not_words_unless_the_policy_allows(world, content_world):
    for w in (world, content_world):
        goal(w, "Lead a team meeting", Goal.Status.ACHIEVED)
        goal(w, "Speak at the all-hands")
        ActionItem.objects.create(workspace=w.workspace, owner=w.mentee, description="Send deck")
    html = world.client("admin").get(world.url("closure")).content.decode()
    assert "1 goal achieved" in html
    assert "1 open goal, 1 open action item" in html
    for words in ("Lead a team meeting", "Halfway there", "Speak at the all-hands", "Send deck"):
        assert words not in html
    html = content_world.client("admin").get(content_world.url("closure")).content.decode()
    assert "Lead a team meeting" in html
    assert "Send deck" in html


def test_the_checklist_runs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    wa = world.access("mentor")
    goal(world, "One", Goal.Status.ACHIEVED)
    with django_assert_max_num_queries(6) as first:
        closure_checklist(wa)
    for n in range(5):
        goal(world, f"More {n}", Goal.Status.ACHIEVED)
        goal(world, f"Open {n}")
        ActionItem.objects.create(workspace=world.workspace, owner=world.mentee, description="x")
    with django_assert_max_num_queries(len(first.captured_queries)):
        checklist = closure_checklist(wa)
    assert len(checklist["wins"]) == 6


# --- The final review ---------------------------------------------------------------------


def test_each_participant_submits_a_final_review_once(world):
    client = world.client("mentee")
    response = client.post(world.url("closure"), final())
    assert response["Location"] == world.url("closure")
    review = Review.objects.get(kind="final")
    assert (review.author, review.working, review.remains, review.differently) == (
        world.mentee,
        WENT_WELL,
        "Public speaking",
        DIFFERENTLY,
    )
    again = client.post(world.url("closure"), final(value_received=1), follow=True)
    assert "already submitted your final review; it is locked" in again.content.decode()
    review.refresh_from_db()
    assert (review.value_received, review.submissions) == (5, 1)
    with pytest.raises(TransitionError):
        submit_final(world, "mentee")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("value_received", 9),
        ("working", ""),
        ("differently", ""),
        ("remains", "x" * 4001),
        ("differently", "x" * 4001),
    ],
)
def test_bad_final_answers_get_a_message_next_to_the_field(world, field, value):
    response = world.client("mentor").post(world.url("closure"), final(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Review.objects.exists()


def test_the_partners_final_answers_appear_once_both_have_submitted(world):
    submit_final(world, "mentor", differently="Mentor hindsight")
    assert (
        "Mentor hindsight" not in world.client("mentee").get(world.url("closure")).content.decode()
    )
    submit_final(world, "mentee", working="<em>html</em> went well")
    html = world.client("mentee").get(world.url("closure")).content.decode()
    assert "Mentor hindsight" in html
    assert "&lt;em&gt;html&lt;/em&gt; went well" in html


def test_admins_reopen_a_final_review(world, django_capture_on_commit_callbacks):
    review = submit_final(world, "mentee")
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("admin").post(world.url("review_reopen", rid=review.pk))
    assert response["Location"] == world.url("closure")
    assert Notification.objects.filter(user=world.mentee, kind="review_reopened").exists()
    world.client("mentee").post(world.url("closure"), final(value_given=1))
    review.refresh_from_db()
    assert (review.value_given, review.submissions, len(review.previous)) == (1, 2, 1)


# --- Completing ---------------------------------------------------------------------------


NEAR_THE_END = dt.datetime(2027, 2, 20, 12, 0, tzinfo=dt.UTC)  # 9 days before the end


@pytest.fixture
def near_the_end():
    with time_machine.travel(NEAR_THE_END, tick=False):
        yield


def test_participants_complete_only_as_the_end_date_nears(world):
    submit_final(world, "mentee")
    submit_final(world, "mentor")
    with time_machine.travel(dt.datetime(2027, 2, 7, 12, 0, tzinfo=dt.UTC), tick=False):
        page = world.client("mentee").get(world.url("closure"))
        assert page.context["can_complete"] is False
        assert "can be completed from 8 February 2027" in page.content.decode()
        with pytest.raises(TransitionError, match="end it early"):
            services.workspace_complete(wa=world.access("mentee"))
    assert status_of(world) == Pairing.Status.ACTIVE
    with time_machine.travel(dt.datetime(2027, 2, 8, 12, 0, tzinfo=dt.UTC), tick=False):
        services.workspace_complete(wa=world.access("mentee"))
    assert status_of(world) == Pairing.Status.COMPLETED


@pytest.mark.usefixtures("near_the_end")
def test_complete_waits_for_every_final_review(world):
    client = world.client("mentee")
    page = client.get(world.url("closure"))
    assert page.context["can_complete"] is False
    assert f"Waiting for: {world.mentor.display_name}, you." in page.content.decode()
    response = client.post(world.url("complete"), follow=True)
    assert "still waiting for" in response.content.decode()
    assert status_of(world) == Pairing.Status.ACTIVE
    submit_final(world, "mentee")
    submit_final(world, "mentor")
    assert client.get(world.url("closure")).context["can_complete"] is True
    assert client.post(world.url("complete"))["Location"] == world.url("closure")
    assert status_of(world) == Pairing.Status.COMPLETED
    assert world.pairing.ended_by == world.mentee


@pytest.mark.usefixtures("near_the_end")
def test_a_reopened_final_review_holds_completion_back(world):
    submit_final(world, "mentee")
    review = submit_final(world, "mentor")
    reviews.review_reopen(wa=world.access("admin"), review=review)
    with pytest.raises(TransitionError):
        services.workspace_complete(wa=world.access("mentee"))


def test_a_program_admin_may_complete_regardless(world):
    response = world.client("admin").post(world.url("complete"))
    assert response.status_code == 302
    assert status_of(world) == Pairing.Status.COMPLETED


def test_a_flash_pairing_completes_without_a_final_review(world):
    ws = flash_workspace(world)
    response = world.client("mentor").post(world.url("complete", workspace=ws))
    assert response.status_code == 302
    assert Pairing.objects.get(workspace=ws).status == Pairing.Status.COMPLETED


@pytest.mark.usefixtures("near_the_end")
def test_only_the_circles_mentor_or_admins_complete_a_circle(world):
    ws = world.circle_workspace
    assert world.client("member").post(world.url("complete", workspace=ws)).status_code == 403
    html = world.client("member").get(world.url("closure", workspace=ws)).content.decode()
    assert "The circle's mentor completes the circle." in html
    submit_final(world, "member", workspace=ws)
    submit_final(world, "mentor", workspace=ws)
    assert world.client("mentor").post(world.url("complete", workspace=ws)).status_code == 302
    world.circle.refresh_from_db()
    assert world.circle.status == Circle.Status.COMPLETED


def test_complete_is_post_only_and_an_ended_relationship_cannot_complete_again(world):
    assert world.client("admin").get(world.url("complete")).status_code == 405
    services.workspace_complete(wa=world.access("admin"))
    response = world.client("admin").post(world.url("complete"), follow=True)
    assert "already ended" in response.content.decode()
    html = world.client("mentee").get(world.url("closure")).content.decode()
    assert "Completed on" in html
    assert world.url("complete") not in html


# --- Ending early -------------------------------------------------------------------------


def test_ending_early_records_who_when_and_why(world):
    response = world.client("mentee").post(world.url("end_early"), {"reason": "I changed roles"})
    assert response["Location"] == world.url("closure")
    world.pairing.refresh_from_db()
    assert world.pairing.status == Pairing.Status.ENDED_EARLY  # distinct from completed
    assert (world.pairing.ended_by, world.pairing.end_reason) == (world.mentee, "I changed roles")
    assert world.pairing.ended_at == NOW
    html = world.client("mentor").get(world.url("closure")).content.decode()
    assert "Ended early on" in html
    assert "I changed roles" in html


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_ending_early_needs_a_reason_of_reasonable_length(world, reason):
    response = world.client("mentor").post(world.url("end_early"), {"reason": reason})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert status_of(world) == Pairing.Status.ACTIVE
    with pytest.raises(ValidationError):
        services.workspace_end_early(wa=world.access("mentor"), reason=reason)


def test_a_program_admin_may_end_a_relationship_early(world):
    world.client("admin").post(world.url("end_early"), {"reason": "Mentor left the company"})
    assert status_of(world) == Pairing.Status.ENDED_EARLY
    assert world.pairing.ended_by == world.admin


def test_a_circle_member_cannot_end_the_circle(world):
    ws = world.circle_workspace
    client = world.client("member")
    assert client.get(world.url("end_early", workspace=ws)).status_code == 403
    assert client.post(world.url("end_early", workspace=ws), {"reason": "bored"}).status_code == 403
    world.client("mentor").post(world.url("end_early", workspace=ws), {"reason": "Too few members"})
    world.circle.refresh_from_db()
    assert (world.circle.status, world.circle.end_reason, world.circle.ended_by) == (
        Circle.Status.ENDED_EARLY,
        "Too few members",
        world.mentor,
    )
    html = world.client("member").get(world.url("closure", workspace=ws)).content.decode()
    assert f"by {world.mentor.display_name}" in html


def test_an_ended_relationship_cannot_end_again(world):
    services.workspace_end_early(wa=world.access("mentor"), reason="Moved abroad")
    page = world.client("mentee").get(world.url("end_early"))
    assert page.context["form"] is None
    assert "already ended" in page.content.decode()
    response = world.client("mentee").post(world.url("end_early"), {"reason": "again"}, follow=True)
    world.pairing.refresh_from_db()
    assert world.pairing.end_reason == "Moved abroad"
    assert "already ended" in response.content.decode()
    with pytest.raises(TransitionError):
        services.workspace_end_early(wa=world.access("mentee"), reason="again")


# --- Extending ----------------------------------------------------------------------------


def test_an_extension_moves_this_relationships_dates_and_is_recorded(
    world, django_capture_on_commit_callbacks
):
    program_dates = (world.program.start_date, world.program.end_date)
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("mentee").post(
            world.url("extend"), {"new_end_date": "2027-05-15", "reason": "Project ran late"}
        )
    assert response["Location"] == world.url("closure")
    ws = Workspace.objects.get(pk=world.workspace.pk)
    assert ws.end_date == dt.date(2027, 5, 15)
    assert ws.midpoint_date == Workspace.midpoint_between(ws.start_date, dt.date(2027, 5, 15))
    world.pairing.refresh_from_db()
    assert world.pairing.planned_end_date == dt.date(2027, 5, 15)
    world.program.refresh_from_db()
    assert (world.program.start_date, world.program.end_date) == program_dates
    change = DateChange.objects.get()
    assert (change.old_end_date, change.new_end_date) == (dt.date(2027, 3, 1), dt.date(2027, 5, 15))
    assert (change.old_midpoint_date, change.new_midpoint_date) == (
        dt.date(2026, 12, 7),
        ws.midpoint_date,
    )
    assert (change.reason, change.changed_by, change.changed_at) == (
        "Project ran late",
        world.mentee,
        NOW,
    )
    told = set(
        Notification.objects.filter(kind="workspace_extended").values_list("user", flat=True)
    )
    assert told == {world.mentor.pk, world.admin.pk}
    html = world.client("mentor").get(world.url("closure")).content.decode()
    assert "Project ran late" in html
    assert "1 Mar 2027 → 15 May 2027" in html


def test_a_mid_point_already_reached_stays_where_it_is(world):
    with time_machine.travel(dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        change = services.workspace_extend(
            wa=world.access("admin"), new_end_date=dt.date(2027, 6, 1), reason="More time"
        )
    assert change.new_midpoint_date == change.old_midpoint_date == dt.date(2026, 12, 7)
    assert Workspace.objects.get(pk=world.workspace.pk).midpoint_date == dt.date(2026, 12, 7)


@pytest.mark.parametrize(
    ("new_end", "message"),
    [
        ("2027-03-01", "after the current end date"),
        ("2027-02-01", "after the current end date"),
        ("", "This field is required"),
        ("not a date", "Enter a valid date"),
    ],
)
def test_a_bad_extension_date_gets_a_message_next_to_the_field(world, new_end, message):
    response = world.client("mentor").post(
        world.url("extend"), {"new_end_date": new_end, "reason": "x"}
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["new_end_date"])
    assert Workspace.objects.get(pk=world.workspace.pk).end_date == dt.date(2027, 3, 1)
    assert not DateChange.objects.exists()


def test_an_extension_must_end_after_today(world):
    Workspace.objects.filter(pk=world.workspace.pk).update(
        end_date=dt.date(2026, 11, 1), midpoint_date=dt.date(2026, 10, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.workspace_extend(
            wa=world.access("mentor"), new_end_date=dt.date(2026, 11, 20), reason="x"
        )
    assert exc.value.message_dict["new_end_date"] == ["Choose a date after today."]


@pytest.mark.parametrize("reason", ["", "x" * 1001])
def test_an_extension_needs_a_reason(world, reason):
    response = world.client("mentor").post(
        world.url("extend"), {"new_end_date": "2027-04-01", "reason": reason}
    )
    assert response.context["form"].errors["reason"]
    assert not DateChange.objects.exists()


def test_a_circle_extension_moves_only_the_circles_workspace(world):
    ws = world.circle_workspace
    old_end = ws.end_date
    services.workspace_extend(
        wa=world.access("member", ws), new_end_date=old_end + dt.timedelta(days=30), reason="More"
    )
    assert Workspace.objects.get(pk=ws.pk).end_date == old_end + dt.timedelta(days=30)
    assert Workspace.objects.get(pk=world.workspace.pk).end_date == dt.date(2027, 3, 1)


def test_an_ended_relationship_cannot_be_extended(world):
    services.workspace_complete(wa=world.access("admin"))
    assert world.client("mentor").get(world.url("extend")).context["form"] is None
    with pytest.raises(TransitionError):
        services.workspace_extend(
            wa=world.access("mentor"), new_end_date=dt.date(2027, 6, 1), reason="x"
        )
    assert not DateChange.objects.exists()


def test_the_services_refuse_anyone_neither_in_it_nor_an_admin(world):
    # A view never builds such an access (get_workspace 404s first); the services check anyway.
    admin = world.access("admin")
    stranger = dataclasses.replace(
        admin, role="other", access=dataclasses.replace(admin.access, memberships={})
    )
    with pytest.raises(PermissionDenied):
        services.workspace_extend(wa=stranger, new_end_date=dt.date(2027, 6, 1), reason="x")
    with pytest.raises(PermissionDenied):
        services.workspace_complete(wa=stranger)
    with pytest.raises(PermissionDenied):
        services.workspace_end_early(wa=stranger, reason="x")


# --- The closure prompt for the overview --------------------------------------------------


@pytest.mark.parametrize(
    ("end", "shown"),
    [
        (dt.date(2027, 3, 1), False),
        (dt.date(2026, 12, 12), False),
        (dt.date(2026, 12, 10), True),
        (dt.date(2026, 11, 25), True),
        (dt.date(2026, 11, 19), True),
    ],
)
def test_the_closure_prompt_shows_within_21_days_of_the_end(world, end, shown):
    Workspace.objects.filter(pk=world.workspace.pk).update(
        end_date=end, midpoint_date=min(end, dt.date(2026, 11, 1))
    )
    wa = world.access("mentee")
    html = render_to_string(
        "sessions/partials/_closure_prompt.html",
        {"wa": wa, "workspace": wa.workspace, "state": review_state(wa)},
    )
    assert ("Open the closing checklist" in html) is shown
    if end < NOW.date():
        assert "has passed" in html
    assert review_state(wa)["closure_due"] is shown


def test_the_closure_prompt_hides_once_the_relationship_has_ended(world):
    Workspace.objects.filter(pk=world.workspace.pk).update(
        end_date=dt.date(2026, 11, 25), midpoint_date=dt.date(2026, 10, 20)
    )
    services.workspace_complete(wa=world.access("admin"))
    wa = world.access("mentee")
    html = render_to_string(
        "sessions/partials/_closure_prompt.html",
        {"wa": wa, "workspace": wa.workspace, "state": review_state(wa)},
    )
    assert html.strip() == ""


def test_the_reviews_page_shows_the_closure_prompt_near_the_end(world):
    Workspace.objects.filter(pk=world.workspace.pk).update(
        end_date=dt.date(2026, 12, 1), midpoint_date=dt.date(2026, 10, 20)
    )
    html = assert_accessible(world.client("mentee").get(world.url("reviews")))
    assert "This relationship ends on Tuesday 1 December" in html
    assert world.url("closure") in html
