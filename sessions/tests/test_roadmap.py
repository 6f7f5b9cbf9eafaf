"""The roadmap: ordered topics, reordered by either side, each linked to where it was covered."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import Pairing
from mentoring.tests.test_templates_a11y import assert_accessible
from sessions.models import Meeting, RoadmapTopic, Workspace
from sessions.selectors_plan import upcoming_topics
from sessions.services._common import TransitionError
from sessions.services.roadmap import (
    roadmap_add,
    roadmap_cover,
    roadmap_delete,
    roadmap_move,
    roadmap_update,
)
from sessions.tests.conftest import NOW, World

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PERSONAS_404 = ["other_mentor", "other_mentee", "outsider"]


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def add(world: World, *titles: str, who: str = "mentee") -> list[RoadmapTopic]:
    return [roadmap_add(wa=world.access(who), title=t, details="") for t in titles]


def titles(world: World) -> list[str]:
    return list(
        RoadmapTopic.objects.filter(workspace=world.workspace)
        .order_by("position", "pk")
        .values_list("title", flat=True)
    )


def positions(world: World) -> list[int]:
    return list(
        RoadmapTopic.objects.filter(workspace=world.workspace)
        .order_by("position", "pk")
        .values_list("position", flat=True)
    )


def meeting(
    world: World, days: int, status: str = "held", workspace: Workspace | None = None
) -> Meeting:
    return Meeting.objects.create(
        workspace=workspace or world.workspace,
        starts_at=NOW + dt.timedelta(days=days),
        duration_minutes=60,
        status=status,
        cancel_reason="Ill" if status == "cancelled" else "",
    )


def end_pairing(world: World) -> None:
    Pairing.objects.filter(pk=world.pairing.pk).update(status=Pairing.Status.COMPLETED)


# --- Services ---------------------------------------------------------------------------------


def test_topics_are_added_at_the_end_by_either_side(world):
    add(world, "Industry trends", who="mentee")
    add(world, "Time management", who="mentor")
    assert titles(world) == ["Industry trends", "Time management"]
    assert positions(world) == [0, 1]
    assert RoadmapTopic.objects.get(title="Time management").created_by == world.mentor


def test_an_admin_cannot_change_the_roadmap(content_world):
    with pytest.raises(PermissionDenied):
        add(content_world, "Taken over", who="admin")


def test_a_topic_needs_a_title_of_reasonable_length(world):
    with pytest.raises(ValidationError) as excinfo:
        add(world, "   ")
    assert "title" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        add(world, "x" * 201)
    assert "title" in excinfo.value.message_dict
    assert not RoadmapTopic.objects.exists()


def test_moving_swaps_with_the_neighbour(world):
    a, _b, c = add(world, "A", "B", "C")
    roadmap_move(wa=world.access("mentor"), topic=c, direction="up")
    assert titles(world) == ["A", "C", "B"]
    roadmap_move(wa=world.access("mentee"), topic=a, direction="down")
    assert titles(world) == ["C", "A", "B"]
    assert positions(world) == [0, 1, 2]


@pytest.mark.parametrize(("index", "direction"), [(0, "up"), (2, "down")])
def test_the_ends_do_not_move_further(world, index, direction):
    topics = add(world, "A", "B", "C")
    with pytest.raises(TransitionError):
        roadmap_move(wa=world.access("mentee"), topic=topics[index], direction=direction)
    assert titles(world) == ["A", "B", "C"]


def test_moving_steps_over_covered_topics(world):
    _a, b, c = add(world, "A", "B", "C")
    roadmap_cover(wa=world.access("mentee"), topic=b, meeting=meeting(world, -7))
    roadmap_move(wa=world.access("mentee"), topic=c, direction="up")
    assert titles(world) == ["C", "B", "A"]
    with pytest.raises(TransitionError):
        roadmap_move(wa=world.access("mentee"), topic=b, direction="up")


def test_deleting_closes_the_gap(world):
    _a, b, _c = add(world, "A", "B", "C")
    roadmap_delete(wa=world.access("mentor"), topic=b)
    assert titles(world) == ["A", "C"]
    assert positions(world) == [0, 1]
    add(world, "D")
    assert positions(world) == [0, 1, 2]


def test_editing_a_topic(world):
    [topic] = add(world, "Trends")
    roadmap_update(wa=world.access("mentor"), topic=topic, title="Industry trends", details="AI")
    topic.refresh_from_db()
    assert (topic.title, topic.details) == ("Industry trends", "AI")


def test_a_topic_is_linked_to_the_meeting_where_it_was_covered_and_unlinked(world):
    [topic] = add(world, "Trends")
    held = meeting(world, -3)
    roadmap_cover(wa=world.access("mentor"), topic=topic, meeting=held)
    topic.refresh_from_db()
    assert topic.covered_in == held
    roadmap_cover(wa=world.access("mentee"), topic=topic, meeting=None)
    topic.refresh_from_db()
    assert topic.covered_in is None


def test_a_scheduled_meeting_can_be_chosen(world):
    [topic] = add(world, "Trends")
    upcoming = meeting(world, 3, status="scheduled")
    roadmap_cover(wa=world.access("mentor"), topic=topic, meeting=upcoming)
    assert RoadmapTopic.objects.get().covered_in == upcoming


def test_a_cancelled_meeting_or_another_pairs_meeting_cannot_be_chosen(world):
    [topic] = add(world, "Trends")
    for wrong in (
        meeting(world, -3, status="cancelled"),
        meeting(world, -3, workspace=world.other_workspace),
    ):
        with pytest.raises(ValidationError) as excinfo:
            roadmap_cover(wa=world.access("mentor"), topic=topic, meeting=wrong)
        assert "meeting" in excinfo.value.message_dict
    assert RoadmapTopic.objects.get().covered_in is None


def test_the_roadmap_is_read_only_once_the_relationship_ended(world):
    [topic] = add(world, "Trends")
    end_pairing(world)
    with pytest.raises(TransitionError):
        add(world, "More")
    with pytest.raises(TransitionError):
        roadmap_delete(wa=world.access("mentee"), topic=topic)


def test_planned_topics_are_numbered_by_the_meeting_they_are_for(world):
    meeting(world, -14)
    meeting(world, -7)
    meeting(world, -10, status="missed")
    meeting(world, 7, status="scheduled")
    _a, b, _c = add(world, "Industry trends", "Networking", "Time management")
    roadmap_cover(wa=world.access("mentee"), topic=b, meeting=Meeting.objects.first())
    planned = upcoming_topics(world.workspace)
    # Two meetings held so far: the first planned topic is for meeting 3.
    assert [(p.number, p.topic.title) for p in planned] == [
        (3, "Industry trends"),
        (4, "Time management"),
    ]


def test_upcoming_topics_runs_two_queries_however_many_topics(world, django_assert_num_queries):
    add(world, *[f"Topic {n}" for n in range(12)])
    with django_assert_num_queries(2):
        planned = upcoming_topics(world.workspace, limit=3)
    assert [p.number for p in planned] == [1, 2, 3]


# --- Pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mentor", "mentee", "admin", *PERSONAS_404])
@pytest.mark.parametrize("policy", ["world", "content_world"])
def test_who_sees_the_roadmap(request, policy, who):
    world = request.getfixturevalue(policy)
    add(world, "Our secret topic", "Another")
    response = world.client(who).get(world.url("roadmap"))
    if who in PERSONAS_404:
        assert response.status_code == 404
        return
    html = assert_accessible(response)
    sees_words = who != "admin" or policy == "content_world"
    assert ("Meeting 1: Our secret topic" in html) is sees_words
    assert ("Add a topic" in html) is (who != "admin")
    if not sees_words:
        assert "2 topics on the roadmap, 0 covered so far." in html


def test_an_admin_without_content_rights_gets_no_topic_words_from_the_database(world):
    add(world, "Trends")
    with CaptureQueriesContext(connection) as queries:
        world.client("admin").get(world.url("roadmap"))
    assert not any('"title"' in q["sql"] and "roadmaptopic" in q["sql"] for q in queries)


@pytest.mark.parametrize("policy", ["world", "content_world"])
@pytest.mark.parametrize("who", ["admin", *PERSONAS_404])
def test_only_the_relationship_changes_the_roadmap(request, policy, who):
    world = request.getfixturevalue(policy)
    [topic] = add(world, "Trends")
    held = meeting(world, -2)
    expected = 404 if who in PERSONAS_404 or policy == "world" else 403
    client = world.client(who)
    urls = {
        "roadmap_edit": {"title": "Hijacked"},
        "roadmap_move": {"direction": "up"},
        "roadmap_cover": {"meeting": held.pk},
        "roadmap_delete": {},
    }
    for name, data in urls.items():
        response = client.post(world.url(name, tid=topic.pk), data)
        assert response.status_code == expected, name
    response = client.post(world.url("roadmap"), {"title": "Hijacked"})
    assert response.status_code == (404 if who in PERSONAS_404 else 403)
    topic.refresh_from_db()
    assert (topic.title, topic.covered_in) == ("Trends", None)
    assert RoadmapTopic.objects.count() == 1


@pytest.mark.parametrize(
    "name", ["roadmap", "roadmap_edit", "roadmap_move", "roadmap_delete", "roadmap_cover"]
)
def test_anonymous_visitors_are_sent_to_sign_in(world, name):
    [topic] = add(world, "Trends")
    kwargs = {} if name == "roadmap" else {"tid": topic.pk}
    response = world.client("anonymous").post(world.url(name, **kwargs), {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert RoadmapTopic.objects.get().title == "Trends"


@pytest.mark.parametrize("name", ["roadmap_move", "roadmap_delete", "roadmap_cover"])
def test_actions_are_posts(world, name):
    [topic] = add(world, "Trends")
    assert world.client("mentee").get(world.url(name, tid=topic.pk)).status_code == 405


def test_adding_a_topic_through_the_page(world):
    response = world.client("mentor").post(
        world.url("roadmap"), {"title": "Time management", "details": "Bring a week's calendar"}
    )
    assert response["Location"] == world.url("roadmap")
    html = world.client("mentee").get(world.url("roadmap")).content.decode()
    assert "Meeting 1: Time management" in html
    assert "Bring a week&#x27;s calendar" in html


@pytest.mark.parametrize(("title", "details"), [("", ""), ("x" * 201, ""), ("Ok", "y" * 4001)])
def test_bad_input_gets_a_message_next_to_the_field(world, title, details):
    response = world.client("mentor").post(
        world.url("roadmap"), {"title": title, "details": details}
    )
    assert_accessible(response)
    field = "title" if title in ("", "x" * 201) else "details"
    assert response.context["form"].errors[field]
    assert not RoadmapTopic.objects.exists()


def test_html_in_a_topic_is_shown_escaped(world):
    add(world, "<img src=x onerror=alert(1)>")
    html = world.client("mentor").get(world.url("roadmap")).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_moving_and_deleting_through_the_page(world):
    a, _b, c = add(world, "A", "B", "C")
    client = world.client("mentor")
    client.post(world.url("roadmap_move", tid=c.pk), {"direction": "up"})
    assert titles(world) == ["A", "C", "B"]
    response = client.post(world.url("roadmap_move", tid=a.pk), {"direction": "up"}, follow=True)
    assert "already the first planned topic" in response.content.decode()
    response = client.post(world.url("roadmap_move", tid=a.pk), {"direction": "sideways"})
    assert titles(world) == ["A", "C", "B"]
    client.post(world.url("roadmap_delete", tid=c.pk))
    assert titles(world) == ["A", "B"]
    assert positions(world) == [0, 1]


def test_editing_a_topic_through_the_page(world):
    [topic] = add(world, "Trends")
    page = world.client("mentee").get(world.url("roadmap_edit", tid=topic.pk))
    assert_accessible(page)
    response = world.client("mentee").post(
        world.url("roadmap_edit", tid=topic.pk), {"title": "x" * 300, "details": ""}
    )
    assert response.context["form"].errors["title"]
    world.client("mentee").post(
        world.url("roadmap_edit", tid=topic.pk), {"title": "Industry trends", "details": ""}
    )
    assert titles(world) == ["Industry trends"]


def test_covering_through_the_page_links_the_topic_to_its_meeting(world):
    a, _b = add(world, "Trends", "Networking")
    held = meeting(world, -2)
    meeting(world, -1, status="cancelled")
    page = world.client("mentor").get(world.url("roadmap"))
    html = assert_accessible(page)
    assert "Wed 18 Nov 2026, 12:00" in html  # the held meeting, in the viewer's time
    assert "(cancelled)" not in html
    assert "Meeting 2: Trends" in html  # one meeting held so far
    world.client("mentor").post(world.url("roadmap_cover", tid=a.pk), {"meeting": held.pk})
    html = assert_accessible(world.client("mentee").get(world.url("roadmap")))
    assert held.get_absolute_url() in html
    assert "Meeting 2: Networking" in html
    assert "Meeting 2: Trends" not in html
    world.client("mentor").post(world.url("roadmap_cover", tid=a.pk), {"meeting": ""})
    assert RoadmapTopic.objects.get(pk=a.pk).covered_in is None


@pytest.mark.parametrize("value", ["cancelled", "other", "999999", "abc"])
def test_covering_with_a_meeting_not_on_offer_is_refused(world, value):
    [topic] = add(world, "Trends")
    choices = {
        "cancelled": meeting(world, -1, status="cancelled").pk,
        "other": meeting(world, -1, workspace=world.other_workspace).pk,
    }
    response = world.client("mentor").post(
        world.url("roadmap_cover", tid=topic.pk),
        {"meeting": choices.get(value, value)},
        follow=True,
    )
    assert "Choose a meeting of this relationship" in response.content.decode()
    assert RoadmapTopic.objects.get().covered_in is None


def test_an_ended_relationship_shows_its_roadmap_without_controls(world):
    add(world, "Trends")
    end_pairing(world)
    html = assert_accessible(world.client("mentee").get(world.url("roadmap")))
    assert "Meeting 1: Trends" in html
    assert "Add a topic" not in html
    response = world.client("mentee").post(world.url("roadmap"), {"title": "More"}, follow=True)
    assert "read-only" in response.content.decode()
    assert RoadmapTopic.objects.count() == 1


def test_the_roadmap_page_keeps_its_queries_however_many_topics_and_meetings(world):
    add(world, "First")
    meeting(world, -1)
    client = world.client("mentor")
    with CaptureQueriesContext(connection) as few:
        client.get(world.url("roadmap"))
    topics = add(world, *[f"Topic {n}" for n in range(10)])
    for n, topic in enumerate(topics[:5]):
        roadmap_cover(wa=world.access("mentor"), topic=topic, meeting=meeting(world, -n - 2))
    with CaptureQueriesContext(connection) as many:
        client.get(world.url("roadmap"))
    assert len(many) == len(few)
