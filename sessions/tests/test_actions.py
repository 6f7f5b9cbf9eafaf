"""Action items: either participant adds them for anyone in the relationship; both close them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import Pairing
from mentoring.models import Notification
from mentoring.tests.test_templates_a11y import assert_accessible
from sessions.models import ActionItem, Meeting
from sessions.selectors_meetings import action_counts, open_actions_for
from sessions.services import actions as services
from sessions.services._common import TransitionError
from sessions.tests.conftest import NOW

pytestmark = pytest.mark.django_db

TODAY = NOW.date()  # 2026-11-20
NEXT_WEEK = TODAY + dt.timedelta(days=7)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def held(world, workspace=None):
    return Meeting.objects.create(
        workspace=workspace or world.workspace,
        starts_at=NOW - dt.timedelta(days=1),
        duration_minutes=60,
        status="held",
    )


def create(world, who="mentor", owner=None, workspace=None, **kw):
    fields = {
        "owner": owner or world.mentee,
        "kind": "task",
        "description": "Draft the promotion case",
        "due_date": NEXT_WEEK,
    }
    fields.update(kw)
    return services.action_create(wa=world.access(who, workspace), **fields)


def item(world, *, owner=None, status="open", due=NEXT_WEEK, workspace=None, **kw):
    return ActionItem.objects.create(
        workspace=workspace or world.workspace,
        owner=owner or world.mentee,
        description=kw.pop("description", "Read the leveling guide"),
        due_date=due,
        status=status,
        created_by=kw.pop("created_by", world.mentor),
        **kw,
    )


# --- Creating ---------------------------------------------------------------------------------


def test_the_mentor_logs_a_follow_up_for_the_mentee_who_is_told(
    world, django_capture_on_commit_callbacks
):
    m = held(world)
    with django_capture_on_commit_callbacks(execute=True):
        action = create(world, meeting=m)
    assert (action.owner, action.created_by, action.meeting, action.status) == (
        world.mentee,
        world.mentor,
        m,
        "open",
    )
    [notice] = Notification.objects.filter(user=world.mentee, kind="action_assigned")
    assert notice.url == world.url("actions")


def test_a_follow_up_the_mentor_owns_tells_nobody(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        action = create(world, owner=world.mentor, kind="introduction")
    assert action.kind == "introduction"
    assert not Notification.objects.filter(kind="action_assigned").exists()


def test_the_mentee_adds_action_items_too_for_either_side(world):
    assert create(world, who="mentee", owner=world.mentor).owner == world.mentor
    assert create(world, who="mentee", owner=world.mentee).owner == world.mentee


def test_the_owner_is_someone_in_the_relationship(world):
    with pytest.raises(ValidationError) as exc:
        create(world, owner=world.other_mentee)
    assert "owner" in exc.value.error_dict


def test_a_due_date_in_the_past_is_refused_today_is_fine(world):
    with pytest.raises(ValidationError) as exc:
        create(world, due_date=TODAY - dt.timedelta(days=1))
    assert "due_date" in exc.value.error_dict
    assert create(world, due_date=TODAY).due_date == TODAY
    assert create(world, due_date=None).due_date is None


def test_today_is_the_acting_persons_today(world):
    world.mentor.timezone = "Pacific/Kiritimati"  # UTC+14: already 21 November there
    world.mentor.save()
    with pytest.raises(ValidationError):
        create(world, due_date=TODAY)


def test_a_description_is_needed_and_at_most_2000_characters(world):
    with pytest.raises(ValidationError) as exc:
        create(world, description="   ")
    assert "description" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        create(world, description="x" * 2001)
    assert "description" in exc.value.error_dict
    assert len(create(world, description="x" * 2000).description) == 2000


def test_a_meeting_of_another_relationship_is_refused(world):
    with pytest.raises(ValidationError):
        create(world, meeting=held(world, world.other_workspace))
    assert not ActionItem.objects.exists()


def test_program_admins_do_not_add_action_items(world):
    with pytest.raises(PermissionDenied):
        create(world, who="admin")


def test_nothing_is_added_once_the_relationship_has_ended(world):
    Pairing.objects.filter(pk=world.pairing.pk).update(status=Pairing.Status.COMPLETED)
    with pytest.raises(TransitionError):
        create(world)


def test_circle_action_items_go_to_circle_participants(world):
    action = create(world, owner=world.member, workspace=world.circle_workspace)
    assert action.owner == world.member
    with pytest.raises(ValidationError):
        create(world, owner=world.mentee, workspace=world.circle_workspace)


# --- Status -----------------------------------------------------------------------------------


def test_done_then_reopened_by_either_participant(world):
    action = item(world)
    services.action_set_status(wa=world.access("mentor"), action=action, status="done")
    action.refresh_from_db()
    assert (action.status, action.done_at, action.updated_at) == ("done", NOW, NOW)
    services.action_set_status(wa=world.access("mentee"), action=action, status="open")
    action.refresh_from_db()
    assert (action.status, action.done_at) == ("open", None)
    services.action_set_status(wa=world.access("mentee"), action=action, status="dropped")
    action.refresh_from_db()
    assert (action.status, action.done_at) == ("dropped", None)


def test_a_closed_action_item_is_reopened_before_it_changes_again(world):
    action = item(world, status="done")
    with pytest.raises(TransitionError, match="Reopen"):
        services.action_set_status(wa=world.access("mentor"), action=action, status="dropped")
    with pytest.raises(TransitionError, match="already done"):
        services.action_set_status(wa=world.access("mentor"), action=action, status="done")


def test_program_admins_do_not_change_status(world):
    action = item(world)
    with pytest.raises(PermissionDenied):
        services.action_set_status(wa=world.access("admin"), action=action, status="done")


# --- Editing ----------------------------------------------------------------------------------


def edit(world, action, who, **kw):
    fields = {
        "owner": action.owner,
        "kind": action.kind,
        "description": action.description,
        "due_date": action.due_date,
    }
    fields.update(kw)
    return services.action_update(wa=world.access(who), action=action, **fields)


def test_the_creator_and_the_owner_edit_an_action_item(world):
    action = item(world, owner=world.mentee, created_by=world.mentor)
    edit(world, action, "mentor", description="Edited by the creator")
    edit(world, action, "mentee", description="Edited by the owner")
    action.refresh_from_db()
    assert action.description == "Edited by the owner"


def test_someone_who_neither_added_nor_owns_it_cannot_edit(world):
    action = item(world, owner=world.mentor, created_by=world.mentor)
    with pytest.raises(PermissionDenied):
        edit(world, action, "mentee", description="Not mine")
    response = world.client("mentee").get(world.url("action_edit", aid=action.pk))
    assert response.status_code == 403


def test_an_unchanged_due_date_that_has_passed_may_stay(world):
    action = item(world, due=TODAY - dt.timedelta(days=3))
    edit(world, action, "mentor", description="Still to do")
    with pytest.raises(ValidationError):
        edit(world, action, "mentor", due_date=TODAY - dt.timedelta(days=1))


def test_giving_it_to_someone_else_tells_them(world, django_capture_on_commit_callbacks):
    action = item(world, owner=world.mentee, created_by=world.mentee)
    with django_capture_on_commit_callbacks(execute=True):
        edit(world, action, "mentee", owner=world.mentor)
    assert Notification.objects.filter(user=world.mentor, kind="action_assigned").count() == 1


# --- Pages ------------------------------------------------------------------------------------


def form_data(world, **kw):
    data = {
        "owner": str(world.mentee.pk),
        "kind": "resource",
        "description": "Share the negotiation book",
        "due_date": NEXT_WEEK.isoformat(),
    }
    data.update(kw)
    return data


def test_log_follow_ups_from_a_held_meeting_links_them_to_it(world):
    m = held(world)
    client = world.client("mentor")
    url = world.url("action_create") + f"?meeting={m.pk}"
    html = assert_accessible(client.get(url))
    assert "Log follow-ups" in html
    assert "Introduction to make" in html
    response = client.post(url, form_data(world))
    assert response.status_code == 302
    assert response["Location"] == world.url("meeting", mid=m.pk)
    response = client.post(url, form_data(world, description="Second", add_another="1"))
    assert response["Location"] == url
    assert list(ActionItem.objects.values_list("meeting_id", flat=True)) == [m.pk, m.pk]


def test_a_meeting_of_another_relationship_in_the_address_is_404(world):
    m = held(world, world.other_workspace)
    url = world.url("action_create") + f"?meeting={m.pk}"
    assert world.client("mentor").get(url).status_code == 404
    assert world.client("mentor").get(world.url("action_create") + "?meeting=x").status_code == 404


def test_bad_input_is_shown_next_to_the_fields_and_saves_nothing(world):
    client = world.client("mentee")
    url = world.url("action_create")
    response = client.post(url, form_data(world, description=""))
    assert response.context["form"].errors["description"] == ["Say what is to be done."]
    assert_accessible(response)
    response = client.post(url, form_data(world, description="d" * 2001))
    assert "description" in response.context["form"].errors
    response = client.post(url, form_data(world, due_date="2026-11-01"))
    assert response.context["form"].errors["due_date"] == ["Choose today or a later date."]
    response = client.post(url, form_data(world, owner=str(world.other_mentee.pk)))
    assert "owner" in response.context["form"].errors
    response = client.post(url, form_data(world, due_date="0002-01-01"))
    assert "due_date" in response.context["form"].errors
    assert not ActionItem.objects.exists()


def test_the_edit_page_saves_and_returns_where_it_came_from(world):
    action = item(world)
    client = world.client("mentor")
    back = world.url("actions") + "?show=mine"
    url = world.url("action_edit", aid=action.pk) + f"?next={back}"
    assert_accessible(client.get(url))
    response = client.post(url, form_data(world, description="Edited", next=back))
    assert response["Location"] == back
    action.refresh_from_db()
    assert action.description == "Edited"


def test_the_edit_page_never_sends_people_off_the_site(world):
    action = item(world)
    url = world.url("action_edit", aid=action.pk)
    response = world.client("mentor").post(url, form_data(world, next="https://evil.example/"))
    assert response["Location"] == world.url("actions")


def test_the_status_buttons_post(world):
    action = item(world)
    client = world.client("mentee")
    url = world.url("action_status", aid=action.pk)
    assert client.get(url).status_code == 405
    client.post(url, {"status": "done"})
    action.refresh_from_db()
    assert action.status == "done"
    response = client.post(url, {"status": "done"}, follow=True)
    assert "already done" in response.content.decode()
    response = client.post(url, {"status": "bogus"}, follow=True)
    assert "Choose done, dropped or open." in response.content.decode()


def test_the_list_has_open_and_closed_items_marks_overdue_and_filters_mine(world):
    item(world, description="MENTEE-OPEN")
    item(world, description="MENTEE-OVERDUE", due=TODAY - dt.timedelta(days=2))
    item(world, description="MENTOR-OPEN", owner=world.mentor)
    item(world, description="MENTEE-DONE", status="done", done_at=NOW)
    client = world.client("mentee")
    response = client.get(world.url("actions"))
    html = assert_accessible(response)
    assert [a.description for a in response.context["open_items"]] == [
        "MENTEE-OVERDUE",
        "MENTEE-OPEN",
        "MENTOR-OPEN",
    ]
    assert [a.description for a in response.context["closed_items"]] == ["MENTEE-DONE"]
    assert "overdue" in html
    assert "3 open" in html
    response = client.get(world.url("actions") + "?show=mine")
    assert_accessible(response)
    assert "MENTOR-OPEN" not in [a.description for a in response.context["open_items"]]


def test_html_in_a_description_is_shown_escaped(world):
    item(world, description="<script>alert('x')</script>")
    html = world.client("mentor").get(world.url("actions")).content.decode()
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;" in html


def test_admins_without_content_rights_see_counts_only(world):
    item(world, description="SECRET-ACTION", due=TODAY - dt.timedelta(days=1))
    item(world, description="SECRET-DONE", status="done")
    client = world.client("admin")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(world.url("actions"))
    html = assert_accessible(response)
    assert "SECRET" not in html
    assert "1 open" in html
    assert "1 overdue" in html
    assert "1 done" in html
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert '"mentoring_sessions_actionitem"."description"' not in sql


def test_admins_with_content_rights_read_descriptions_without_buttons(content_world):
    w = content_world
    item(w, description="OPEN-ACTION")
    html = assert_accessible(w.client("admin").get(w.url("actions")))
    assert "OPEN-ACTION" in html
    assert "Reopen" not in html
    assert w.url("action_status", aid=ActionItem.objects.get().pk) not in html


PAGES = ["actions", "action_create", "action_edit"]


def page(world, name):
    if name == "action_edit":
        return world.url(name, aid=item(world, created_by=world.mentor, owner=world.mentee).pk)
    return world.url(name)


@pytest.mark.parametrize("name", PAGES)
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
def test_who_reaches_the_action_pages(world, name, who, status):
    assert world.client(who).get(page(world, name)).status_code == status


@pytest.mark.parametrize(
    ("name", "status"), [("actions", 200), ("action_create", 403), ("action_edit", 403)]
)
def test_program_admins_read_the_list_but_do_not_write(world, content_world, name, status):
    for w in (world, content_world):
        assert w.client("admin").get(page(w, name)).status_code == status


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(world, name):
    response = world.client("anonymous").get(page(world, name))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_an_action_item_of_another_pair_is_404_through_this_workspace(world):
    other = item(world, workspace=world.other_workspace, owner=world.other_mentee)
    client = world.client("mentor")
    assert client.get(world.url("action_edit", aid=other.pk)).status_code == 404
    assert (
        client.post(world.url("action_status", aid=other.pk), {"status": "done"}).status_code == 404
    )
    other.refresh_from_db()
    assert other.status == "open"


@pytest.mark.parametrize("who", ["mentor", "mentee", "admin"])
def test_the_list_runs_the_same_queries_with_3_or_50_items(world, who):
    client = world.client(who)
    for _ in range(3):
        item(world, meeting=held(world))
    client.get(world.url("actions"))
    with CaptureQueriesContext(connection) as small:
        client.get(world.url("actions"))
    for _ in range(47):
        item(world, meeting=held(world))
    with CaptureQueriesContext(connection) as large:
        client.get(world.url("actions"))
    assert len(small) == len(large)


# --- Selectors for the home page and the overview ---------------------------------------------


def test_open_actions_for_lists_my_open_items_due_soonest_first(world):
    later = item(world, due=NEXT_WEEK)
    undated = item(world, due=None)
    soon = item(world, due=TODAY)
    circle = item(world, workspace=world.circle_workspace, owner=world.member)
    item(world, status="done")
    item(world, owner=world.mentor)
    with CaptureQueriesContext(connection) as ctx:
        found = open_actions_for(world.mentee)
        labels = [(a.workspace.program.slug, str(a.workspace.pairing)) for a in found]
    assert found == [soon, later, undated]
    assert len(labels) == 3
    assert len(ctx) == 1
    assert open_actions_for(world.member) == [circle]
    assert open_actions_for(world.mentee, limit=1) == [soon]


def test_open_actions_for_leaves_out_ended_relationships(world):
    item(world)
    Pairing.objects.filter(pk=world.pairing.pk).update(status=Pairing.Status.COMPLETED)
    assert open_actions_for(world.mentee) == []


def test_action_counts(world):
    item(world)
    item(world, due=TODAY - dt.timedelta(days=1))
    item(world, status="done")
    item(world, status="dropped")
    item(world, workspace=world.other_workspace, owner=world.other_mentee)
    assert action_counts(world.workspace) == {"open": 2, "done": 1, "dropped": 1, "overdue": 1}
