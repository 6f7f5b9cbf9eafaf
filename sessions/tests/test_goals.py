"""SMART goals: each part checked, progress by either side, statuses, history, privacy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import Pairing
from mentoring.tests.test_templates_a11y import assert_accessible
from sessions.models import Goal, GoalUpdate
from sessions.selectors_plan import goal_summary
from sessions.services._common import TransitionError
from sessions.services.goals import (
    goal_create,
    goal_progress,
    goal_set_status,
    goal_update,
    smart_errors,
)
from sessions.tests.conftest import NOW, World

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def smart(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Speak at the all-hands",
        "specific": "Give a ten-minute talk about our migration at the all-hands.",
        "measurable": "The talk is given and at least 3 colleagues ask follow-up questions.",
        "achievable": "I have presented to my team twice already.",
        "relevant": "Visibility is what my promotion case lacks.",
        "target_date": dt.date(2027, 2, 1),
    }
    values.update(changes)
    return values


def post_data(**changes: Any) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in smart(**changes).items()}


def make_goal(world: World, who: str = "mentee", **changes: Any) -> Goal:
    return goal_create(wa=world.access(who), **smart(**changes))


def end_pairing(world: World) -> None:
    Pairing.objects.filter(pk=world.pairing.pk).update(status=Pairing.Status.COMPLETED)


# --- SMART ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "measure",
    [
        "3 talks given",
        "80% of the course done",
        "At least twice a month",
        "Every week, one pull request reviewed",
        "Complete the certification",
        "I finish the first draft",
        "The article is published on the blog",
        "Two mock interviews",
    ],
)
def test_a_measure_with_a_number_a_rate_or_a_finish_line_is_measurable(world, measure):
    errors = smart_errors(world.workspace, smart(measurable=measure), today=TODAY)
    assert errors == {}


@pytest.mark.parametrize(
    "measure", ["Feel more confident", "Get better at presentations", "Be passionate", "   "]
)
def test_a_vague_measure_says_how_to_make_it_measurable(world, measure):
    errors = smart_errors(world.workspace, smart(measurable=measure), today=TODAY)
    assert list(errors) == ["measurable"]
    assert errors["measurable"].startswith("Measurable:")


def test_a_goal_that_is_not_specific_says_so(world):
    errors = smart_errors(world.workspace, smart(specific="Public speaking"), today=TODAY)
    assert list(errors) == ["specific"]
    assert "what exactly" in errors["specific"]


@pytest.mark.parametrize("part", ["achievable", "relevant", "title"])
def test_every_smart_part_is_needed(world, part):
    errors = smart_errors(world.workspace, smart(**{part: "  "}), today=TODAY)
    assert list(errors) == [part]


@pytest.mark.parametrize(
    "target",
    [
        dt.date(2026, 9, 15),  # the day the relationship started
        dt.date(2026, 9, 1),
        dt.date(2027, 3, 2),  # the day after it ends
        dt.date(2030, 1, 1),
    ],
)
def test_the_target_date_must_be_inside_the_relationship(world, target):
    errors = smart_errors(world.workspace, smart(target_date=target), today=TODAY)
    assert list(errors) == ["target_date"]
    assert "inside the relationship" in errors["target_date"]


def test_the_last_day_of_the_relationship_is_a_valid_target(world):
    assert smart_errors(world.workspace, smart(target_date=dt.date(2027, 3, 1)), today=TODAY) == {}


def test_a_new_goal_cannot_target_the_past(world):
    with pytest.raises(ValidationError) as excinfo:
        make_goal(world, target_date=dt.date(2026, 11, 19))
    assert "in the past" in excinfo.value.message_dict["target_date"][0]
    assert not Goal.objects.exists()


def test_all_missing_parts_are_reported_at_once(world):
    data = smart(specific="Talk", measurable="Better", achievable="", relevant="")
    assert set(smart_errors(world.workspace, data, today=TODAY)) == {
        "specific",
        "measurable",
        "achievable",
        "relevant",
    }


# --- Services ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_either_side_sets_a_goal_and_its_history_starts(world, who):
    goal = make_goal(world, who)
    assert (goal.status, goal.progress, goal.created_by) == ("open", 0, getattr(world, who))
    [update] = goal.updates.all()
    assert (update.kind, update.author) == ("created", getattr(world, who))


def test_an_admin_cannot_set_goals(content_world):
    with pytest.raises(PermissionDenied):
        make_goal(content_world, "admin")


def test_progress_is_recorded_by_either_side(world):
    goal = make_goal(world)
    goal_progress(wa=world.access("mentee"), goal=goal, progress=40, note="Outline written")
    goal_progress(wa=world.access("mentor"), goal=goal, progress=55, note="")
    goal.refresh_from_db()
    assert goal.progress == 55
    latest, first, _created = goal.updates.all()
    assert (first.kind, first.progress, first.note, first.author) == (
        "progress",
        40,
        "Outline written",
        world.mentee,
    )
    assert (latest.progress, latest.author) == (55, world.mentor)


@pytest.mark.parametrize("progress", [-1, 101])
def test_progress_is_a_percentage(world, progress):
    goal = make_goal(world)
    with pytest.raises(ValidationError) as excinfo:
        goal_progress(wa=world.access("mentee"), goal=goal, progress=progress, note="x")
    assert "progress" in excinfo.value.message_dict
    assert goal.updates.count() == 1


def test_progress_without_change_or_note_is_refused(world):
    goal = make_goal(world)
    with pytest.raises(ValidationError) as excinfo:
        goal_progress(wa=world.access("mentee"), goal=goal, progress=0, note=" ")
    assert "note" in excinfo.value.message_dict


def test_achieving_a_goal_sets_progress_to_100_and_closes_it(world):
    goal = make_goal(world)
    goal = goal_set_status(wa=world.access("mentor"), goal=goal, action="achieved")
    goal.refresh_from_db()
    assert (goal.status, goal.progress, goal.closed_at) == ("achieved", 100, NOW)
    update, *_ = goal.updates.all()
    assert (update.kind, update.status, update.progress) == ("status", "achieved", 100)


def test_dropping_a_goal_needs_a_note(world):
    goal = make_goal(world)
    with pytest.raises(ValidationError) as excinfo:
        goal_set_status(wa=world.access("mentee"), goal=goal, action="dropped", note="")
    assert "note" in excinfo.value.message_dict
    goal_set_status(wa=world.access("mentee"), goal=goal, action="dropped", note="Changed teams")
    goal.refresh_from_db()
    assert (goal.status, goal.closed_at) == ("dropped", NOW)
    assert goal.updates.all()[0].note == "Changed teams"


def test_a_closed_goal_can_be_reopened(world):
    goal = make_goal(world)
    goal_set_status(wa=world.access("mentee"), goal=goal, action="achieved")
    goal = goal_set_status(wa=world.access("mentee"), goal=goal, action="reopen")
    goal.refresh_from_db()
    assert (goal.status, goal.closed_at) == ("open", None)
    assert [u.kind for u in goal.updates.all()] == ["status", "status", "created"]


def test_status_changes_that_make_no_sense_are_refused(world):
    goal = make_goal(world)
    with pytest.raises(TransitionError):
        goal_set_status(wa=world.access("mentee"), goal=goal, action="reopen")
    goal_set_status(wa=world.access("mentee"), goal=goal, action="achieved")
    with pytest.raises(TransitionError):
        goal_set_status(wa=world.access("mentee"), goal=goal, action="dropped", note="x")
    with pytest.raises(TransitionError):
        goal_progress(wa=world.access("mentee"), goal=goal, progress=20, note="x")


def test_editing_records_what_changed(world):
    goal = make_goal(world)
    goal_update(
        wa=world.access("mentor"),
        goal=goal,
        **smart(title="Speak at the summit", target_date=dt.date(2027, 2, 20)),
    )
    goal.refresh_from_db()
    assert (goal.title, goal.target_date) == ("Speak at the summit", dt.date(2027, 2, 20))
    update, *_ = goal.updates.all()
    assert (update.kind, update.author) == ("edited", world.mentor)
    assert update.note == "Changed title, target date (1 Feb 2027 → 20 Feb 2027)."


def test_editing_nothing_records_nothing(world):
    goal = make_goal(world)
    goal_update(wa=world.access("mentor"), goal=goal, **smart())
    assert goal.updates.count() == 1


def test_an_edit_is_checked_like_a_new_goal(world):
    goal = make_goal(world)
    with pytest.raises(ValidationError) as excinfo:
        goal_update(wa=world.access("mentee"), goal=goal, measurable="Feel better")
    assert "measurable" in excinfo.value.message_dict
    goal.refresh_from_db()
    assert goal.measurable.startswith("The talk is given")


def test_a_target_date_that_has_passed_may_stay_when_other_parts_change(world):
    goal = make_goal(world, target_date=dt.date(2026, 12, 1))
    with time_machine.travel(dt.datetime(2026, 12, 20, 12, tzinfo=dt.UTC), tick=False):
        goal_update(
            wa=world.access("mentee"),
            goal=goal,
            **smart(target_date=dt.date(2026, 12, 1), title="New title"),
        )
        with pytest.raises(ValidationError):
            goal_update(wa=world.access("mentee"), goal=goal, target_date=dt.date(2026, 12, 5))


def test_goals_are_read_only_once_the_relationship_ended(world):
    goal = make_goal(world)
    end_pairing(world)
    with pytest.raises(TransitionError):
        goal_progress(wa=world.access("mentee"), goal=goal, progress=50, note="")
    with pytest.raises(TransitionError):
        make_goal(world)


def test_goal_summary_counts_by_status_in_one_query(world, django_assert_num_queries):
    for n in range(5):
        goal = make_goal(world, title=f"Goal {n}")
        goal_progress(wa=world.access("mentee"), goal=goal, progress=10 * n, note="step")
    goals = list(Goal.objects.order_by("pk"))
    goal_set_status(wa=world.access("mentee"), goal=goals[0], action="achieved")
    goal_set_status(wa=world.access("mentee"), goal=goals[1], action="dropped", note="No")
    with django_assert_num_queries(1):
        summary = goal_summary(world.workspace)
    assert summary == {
        "total": 5,
        "open": 3,
        "achieved": 1,
        "dropped": 1,
        "average_progress": 30,  # (20 + 30 + 40) / 3
    }


def test_goal_summary_without_goals(world):
    assert goal_summary(world.workspace)["average_progress"] is None


# --- Pages ------------------------------------------------------------------------------------


PERSONAS_404 = ["other_mentor", "other_mentee", "outsider"]


@pytest.mark.parametrize("who", ["mentor", "mentee", "admin", *PERSONAS_404])
@pytest.mark.parametrize("policy", ["world", "content_world"])
def test_who_sees_the_goals_page(request, policy, who):
    world = request.getfixturevalue(policy)
    make_goal(world, title="Our secret goal")
    response = world.client(who).get(world.url("goals"))
    if who in PERSONAS_404:
        assert response.status_code == 404
        return
    html = assert_accessible(response)
    assert "1 goal: 1 open, 0 achieved, 0 dropped" in html
    sees_words = who != "admin" or policy == "content_world"
    assert ("Our secret goal" in html) is sees_words


@pytest.mark.parametrize("policy", ["world", "content_world"])
@pytest.mark.parametrize(
    "who", ["mentor", "mentee", "admin", "other_mentor", "other_mentee", "outsider"]
)
def test_who_sees_a_goal(request, policy, who):
    world = request.getfixturevalue(policy)
    goal = make_goal(world)
    response = world.client(who).get(world.url("goal", gid=goal.pk))
    if who in PERSONAS_404 or (who == "admin" and policy == "world"):
        assert response.status_code == 404
        return
    html = assert_accessible(response)
    assert "Speak at the all-hands" in html
    assert ("Record progress" in html) is (who != "admin")


@pytest.mark.parametrize(
    ("name", "needs_goal"),
    [
        ("goals", False),
        ("goal_create", False),
        ("goal", True),
        ("goal_edit", True),
        ("goal_progress", True),
        ("goal_status", True),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(world, name, needs_goal):
    kwargs = {"gid": make_goal(world).pk} if needs_goal else {}
    response = world.client("anonymous").post(world.url(name, **kwargs), {"progress": 50})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize(
    ("who", "policy", "status"),
    [
        ("admin", "world", 404),
        ("admin", "content_world", 403),
        ("other_mentee", "content_world", 404),
        ("other_mentor", "content_world", 404),
        ("outsider", "content_world", 404),
    ],
)
@pytest.mark.parametrize("name", ["goal_edit", "goal_progress", "goal_status"])
def test_only_the_relationship_changes_a_goal(request, who, policy, status, name):
    world = request.getfixturevalue(policy)
    goal = make_goal(world)
    data = {**post_data(title="Taken over"), "progress": 90, "action": "achieved", "note": "x"}
    response = world.client(who).post(world.url(name, gid=goal.pk), data)
    assert response.status_code == status
    goal.refresh_from_db()
    assert (goal.title, goal.progress, goal.status) == ("Speak at the all-hands", 0, "open")


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 403), ("other_mentee", 404), ("other_mentor", 404), ("outsider", 404)],
)
def test_only_the_relationship_sets_goals(content_world, who, status):
    response = content_world.client(who).post(content_world.url("goal_create"), post_data())
    assert response.status_code == status
    assert not Goal.objects.exists()


def test_setting_a_goal_through_the_page(world):
    response = world.client("mentee").get(world.url("goal_create"))
    assert_accessible(response)
    response = world.client("mentee").post(world.url("goal_create"), post_data())
    goal = Goal.objects.get()
    assert response["Location"] == world.url("goal", gid=goal.pk)
    assert goal.created_by == world.mentee


def test_a_goal_that_is_not_smart_gets_a_message_next_to_each_missing_part(world):
    data = post_data(
        specific="Talk",
        measurable="Feel better",
        achievable="",
        relevant=" ",
        target_date="2027-06-01",
    )
    response = world.client("mentee").post(world.url("goal_create"), data)
    html = assert_accessible(response)
    errors = response.context["form"].errors
    assert set(errors) == {"specific", "measurable", "achievable", "relevant", "target_date"}
    assert "Measurable: add a number" in html
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "x" * 201),
        ("specific", "word " * 1000),
        ("target_date", "2026-02-30"),
        ("target_date", "2026-09-10"),
        ("target_date", "2026-11-01"),
    ],
)
def test_bad_input_changes_nothing(world, field, value):
    goal = make_goal(world)
    response = world.client("mentor").post(
        world.url("goal_edit", gid=goal.pk), {**post_data(), field: value}
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert_accessible(response)
    goal.refresh_from_db()
    assert goal.title == "Speak at the all-hands"
    assert goal.updates.count() == 1


def test_html_in_a_goal_is_shown_escaped(world):
    goal = make_goal(world, title="<b>bold</b>", relevant="<script>alert(1)</script>")
    html = world.client("mentor").get(world.url("goal", gid=goal.pk)).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    assert "<b>bold</b>" not in html
    listing = world.client("mentor").get(world.url("goals")).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in listing


def test_editing_through_the_page_shows_in_the_history(world):
    goal = make_goal(world)
    page = world.client("mentor").get(world.url("goal_edit", gid=goal.pk))
    assert_accessible(page)
    world.client("mentor").post(
        world.url("goal_edit", gid=goal.pk), post_data(relevant="It is what my team needs.")
    )
    html = world.client("mentee").get(world.url("goal", gid=goal.pk)).content.decode()
    assert "edited the goal" in html
    assert "Changed relevant." in html


def test_recording_progress_through_the_page(world):
    goal = make_goal(world)
    response = world.client("mentor").post(
        world.url("goal_progress", gid=goal.pk), {"progress": "35", "note": "Slides drafted"}
    )
    assert response["Location"] == world.url("goal", gid=goal.pk)
    html = world.client("mentee").get(world.url("goal", gid=goal.pk)).content.decode()
    assert "recorded progress: 35%" in html
    assert "Slides drafted" in html


@pytest.mark.parametrize("value", ["101", "-5", "abc", ""])
def test_progress_out_of_range_is_shown_next_to_the_field(world, value):
    goal = make_goal(world)
    response = world.client("mentee").post(
        world.url("goal_progress", gid=goal.pk), {"progress": value, "note": "x"}
    )
    html = assert_accessible(response)
    assert response.context["progress_form"].errors["progress"]
    assert "Record progress" in html
    assert GoalUpdate.objects.count() == 1


def test_dropping_without_a_note_through_the_page_says_why(world):
    goal = make_goal(world)
    response = world.client("mentee").post(
        world.url("goal_status", gid=goal.pk), {"action": "dropped", "note": ""}
    )
    assert_accessible(response)
    assert response.context["status_form"].errors["note"] == ["Say why the goal is dropped."]
    goal.refresh_from_db()
    assert goal.status == "open"


def test_achieving_and_reopening_through_the_page(world):
    goal = make_goal(world)
    client = world.client("mentee")
    response = client.post(
        world.url("goal_status", gid=goal.pk), {"action": "achieved"}, follow=True
    )
    html = assert_accessible(response)
    assert "well done" in html
    assert "Record progress" not in html  # only open goals take progress
    goal.refresh_from_db()
    assert goal.progress == 100
    response = client.post(world.url("goal_status", gid=goal.pk), {"action": "achieved"})
    assert response.status_code == 200
    assert response.context["status_form"].errors["action"]
    assert "Open it again" in response.content.decode()
    client.post(world.url("goal_status", gid=goal.pk), {"action": "reopen"})
    goal.refresh_from_db()
    assert goal.status == "open"


def test_an_ended_relationship_shows_goals_without_forms(world):
    goal = make_goal(world)
    end_pairing(world)
    html = assert_accessible(world.client("mentee").get(world.url("goal", gid=goal.pk)))
    assert "Record progress" not in html
    html = assert_accessible(world.client("mentee").get(world.url("goal_edit", gid=goal.pk)))
    assert "can no longer change" in html


def test_the_goals_page_reads_no_goal_words_for_an_admin_without_content_rights(world):
    make_goal(world)
    with CaptureQueriesContext(connection) as queries:
        world.client("admin").get(world.url("goals"))
    assert not any('"measurable"' in q["sql"] for q in queries)


def test_the_goals_page_keeps_its_queries_however_many_goals(world, django_assert_max_num_queries):
    make_goal(world)
    client = world.client("mentee")
    with CaptureQueriesContext(connection) as few:
        client.get(world.url("goals"))
    for n in range(10):
        make_goal(world, title=f"Goal {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(world.url("goals"))
    assert len(many) == len(few)
