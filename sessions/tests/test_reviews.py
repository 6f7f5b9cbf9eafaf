"""The mid-point review: opens on the relationship's own mid-point, submitted once, then locked."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from matching.models import Pairing
from matching.tests.factories import PairingFactory
from mentoring.models import Notification
from mentoring.tests.test_templates_a11y import assert_accessible
from sessions.models import Review, Workspace
from sessions.selectors_reviews import review_state
from sessions.services import reviews as services
from sessions.services._common import TransitionError
from sessions.tests.conftest import STRANGERS

from .conftest import NOW

pytestmark = pytest.mark.django_db

# The pair's mid-point is 7 December 2026; NOW (20 November) is before it.
AFTER_MIDPOINT = dt.datetime(2026, 12, 8, 12, 0, tzinfo=dt.UTC)
WORKING = "Our fortnightly rhythm really works"
CHANGE = "More time on negotiation practice"


def answers(**changes: Any) -> dict[str, Any]:
    return {
        "value_received": 4,
        "value_given": 3,
        "working": WORKING,
        "change": CHANGE,
        "decision": "continue",
        **changes,
    }


def submit(world, who: str, workspace=None, **changes: Any) -> Review:
    data = answers(**changes)
    return services.review_submit(wa=world.access(who, workspace), kind="midpoint", **data)


def circle_on_the_pairs_dates(world) -> Workspace:
    """The circle's dates follow the day it was created; give it the pair's."""
    Workspace.objects.filter(pk=world.circle_workspace.pk).update(
        start_date=dt.date(2026, 9, 15),
        end_date=dt.date(2027, 3, 1),
        midpoint_date=dt.date(2026, 12, 7),
    )
    return world.circle_workspace


@pytest.fixture
def after_midpoint():
    with time_machine.travel(AFTER_MIDPOINT, tick=False):
        yield


# --- Who reaches the pages ----------------------------------------------------------------


@pytest.mark.usefixtures("after_midpoint")
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mentor", 200),
        ("mentee", 200),
        ("admin", 200),
        *STRANGERS,
    ],
)
def test_who_may_open_the_reviews_page(world, who, status):
    assert world.client(who).get(world.url("reviews")).status_code == status


@pytest.mark.usefixtures("after_midpoint")
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mentor", 200),
        ("mentee", 200),
        ("admin", 403),
        ("other_mentor", 404),
        ("other_mentee", 404),
        ("outsider", 404),
    ],
)
def test_only_the_participants_answer_the_mid_point_review(world, who, status):
    client = world.client(who)
    assert client.get(world.url("review_midpoint")).status_code == status
    response = client.post(world.url("review_midpoint"), answers())
    assert response.status_code == (302 if status == 200 else status)
    assert Review.objects.count() == (1 if status == 200 else 0)


@pytest.mark.usefixtures("after_midpoint")
def test_anonymous_is_sent_to_sign_in(world):
    review = submit(world, "mentee")
    for url in (
        world.url("reviews"),
        world.url("review_midpoint"),
        world.url("review_reopen", rid=review.pk),
    ):
        response = world.client("anonymous").post(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.usefixtures("after_midpoint")
def test_the_review_pages_are_accessible(world, content_world):
    client = world.client("mentee")
    assert_accessible(client.get(world.url("reviews")))
    assert_accessible(client.get(world.url("review_midpoint")))
    assert_accessible(client.post(world.url("review_midpoint"), answers(working="")))
    submit(world, "mentee")
    submit(world, "mentor")
    assert_accessible(client.get(world.url("reviews")))
    assert_accessible(world.client("admin").get(world.url("reviews")))
    submit(content_world, "mentee")
    assert_accessible(content_world.client("admin").get(content_world.url("reviews")))


# --- When it opens ------------------------------------------------------------------------


def test_before_the_mid_point_the_page_says_when_it_opens(world):
    with time_machine.travel(NOW, tick=False):
        response = world.client("mentee").get(world.url("reviews"))
        html = assert_accessible(response)
        assert "opens on <strong>Monday 7 December 2026</strong>" in html
        assert response.context["form"] is None
        get = world.client("mentee").get(world.url("review_midpoint"))
        assert get["Location"] == world.url("reviews")
        response = world.client("mentee").post(world.url("review_midpoint"), answers())
        assert response.status_code == 200
        assert "opens on 7 December 2026" in " ".join(response.context["form"].non_field_errors())
        with pytest.raises(TransitionError):
            submit(world, "mentor")
    assert not Review.objects.exists()


def test_it_opens_on_the_mid_point_date_in_the_programs_time_zone(world):
    world.program.timezone = "Pacific/Auckland"  # 13 hours ahead of UTC in December
    world.program.save(update_fields=["timezone"])
    with (
        time_machine.travel(dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC), tick=False),
        pytest.raises(TransitionError),
    ):
        submit(world, "mentee")
    with time_machine.travel(dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC), tick=False):
        assert submit(world, "mentee").pk


def test_a_flash_pairing_has_no_mid_point_review(world):
    flash = PairingFactory.create(
        program=world.program,
        mentor=world.pairing.mentor,
        kind=Pairing.Kind.FLASH,
        status=Pairing.Status.ACTIVE,
        started_at=NOW,
        respond_by=None,
    )
    ws = Workspace.objects.get(pairing=flash)
    with time_machine.travel(dt.datetime(2027, 2, 1, tzinfo=dt.UTC), tick=False):
        client = world.client("mentor")
        html = assert_accessible(client.get(world.url("reviews", workspace=ws)))
        assert "A flash session has no mid-point review" in html
        response = client.get(world.url("review_midpoint", workspace=ws))
        assert response["Location"] == world.url("reviews", workspace=ws)
        with pytest.raises(TransitionError):
            submit(world, "mentor", workspace=ws)


# --- Submitted once, then locked ----------------------------------------------------------


@pytest.mark.usefixtures("after_midpoint")
def test_a_participant_submits_and_it_locks(world):
    client = world.client("mentee")
    response = client.post(world.url("review_midpoint"), answers(decision="adjust"))
    assert response["Location"] == world.url("reviews")
    review = Review.objects.get()
    assert (review.author, review.kind, review.value_received, review.value_given) == (
        world.mentee,
        "midpoint",
        4,
        3,
    )
    assert (review.working, review.change, review.decision) == (WORKING, CHANGE, "adjust")
    html = client.get(world.url("reviews")).content.decode()
    assert "Your answers" in html
    assert "Submit my mid-point review" not in html

    again = client.post(world.url("review_midpoint"), answers(value_received=1), follow=True)
    assert "already submitted your mid-point review; it is locked" in again.content.decode()
    review.refresh_from_db()
    assert (review.value_received, review.submissions) == (4, 1)
    with pytest.raises(TransitionError):
        submit(world, "mentee", working="sneaky")
    review.refresh_from_db()
    assert review.working == WORKING


@pytest.mark.usefixtures("after_midpoint")
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("value_received", 6),
        ("value_given", 0),
        ("working", ""),
        ("working", "x" * 4001),
        ("change", "x" * 4001),
        ("decision", "maybe"),
        ("decision", ""),
    ],
)
def test_bad_answers_get_a_message_next_to_the_field(world, field, value):
    response = world.client("mentor").post(world.url("review_midpoint"), answers(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Review.objects.exists()
    with pytest.raises(ValidationError) as exc:
        submit(world, "mentor", **{field: value})
    assert field in exc.value.message_dict


@pytest.mark.usefixtures("after_midpoint")
def test_the_choices_are_labelled_radio_buttons(world):
    html = world.client("mentor").get(world.url("review_midpoint")).content.decode()
    for label in (
        "Continue as is",
        "Continue, with changes",
        "End the relationship",
        "5: a great deal",
    ):
        assert label in html
    assert html.count('type="radio"') == 5 + 5 + 3


@pytest.mark.usefixtures("after_midpoint")
def test_html_in_answers_is_shown_escaped(content_world):
    world = content_world
    submit(world, "mentee", working="<b>bold</b> claim")
    submit(world, "mentor")
    for who in ("mentee", "mentor", "admin"):
        html = world.client(who).get(world.url("reviews")).content.decode()
        assert "&lt;b&gt;bold&lt;/b&gt; claim" in html
        assert "<b>bold</b>" not in html


@pytest.mark.usefixtures("after_midpoint")
def test_an_ended_relationship_takes_no_review(world):
    Pairing.objects.filter(pk=world.pairing.pk).update(
        status=Pairing.Status.ENDED_EARLY, end_reason="Moved abroad"
    )
    response = world.client("mentee").post(world.url("review_midpoint"), answers(), follow=True)
    assert "read-only" in response.content.decode()
    with pytest.raises(TransitionError):
        submit(world, "mentee")
    assert not Review.objects.exists()


# --- No anchoring: the partner's answers once everyone has submitted ----------------------


@pytest.mark.usefixtures("after_midpoint")
def test_the_partners_answers_appear_once_both_have_submitted(world):
    submit(world, "mentor", working="Mentor sees progress", value_received=2)
    before = world.client("mentee").get(world.url("reviews")).content.decode()
    assert "Mentor sees progress" not in before
    assert "Shown once everyone has submitted" in before
    assert "2 / 5" not in before
    submit(world, "mentee")
    after = world.client("mentee").get(world.url("reviews")).content.decode()
    assert "Mentor sees progress" in after
    assert "2 / 5" in after
    assert WORKING in world.client("mentor").get(world.url("reviews")).content.decode()


@pytest.mark.usefixtures("after_midpoint")
def test_a_circle_shows_answers_once_every_member_has_submitted(world):
    ws = circle_on_the_pairs_dates(world)
    submit(world, "member", workspace=ws, working="Member view")
    assert (
        "Member view"
        not in world.client("mentor").get(world.url("reviews", workspace=ws)).content.decode()
    )
    submit(world, "mentor", workspace=ws)
    assert (
        "Member view"
        in world.client("mentor").get(world.url("reviews", workspace=ws)).content.decode()
    )


# --- What admins see ----------------------------------------------------------------------


@pytest.mark.usefixtures("after_midpoint")
def test_admins_see_values_always_and_words_only_where_the_policy_allows(world, content_world):
    for w in (world, content_world):
        submit(w, "mentee", value_received=5, value_given=2, decision="adjust")
    html = world.client("admin").get(world.url("reviews")).content.decode()
    assert "5 / 5" in html
    assert "2 / 5" in html
    assert "Continue, with changes" in html
    assert WORKING not in html
    assert CHANGE not in html
    html = content_world.client("admin").get(content_world.url("reviews")).content.decode()
    assert "5 / 5" in html
    assert WORKING in html
    assert CHANGE in html


@pytest.mark.usefixtures("after_midpoint")
def test_an_admin_page_without_content_does_not_even_load_the_words(world):
    submit(world, "mentee")
    response = world.client("admin").get(world.url("reviews"))
    for review in [response.context["midpoint"]["mine"], *response.context["midpoint"]["others"]]:
        if review is not None:
            assert "working" in review.get_deferred_fields()


# --- Reopening ----------------------------------------------------------------------------


@pytest.mark.usefixtures("after_midpoint")
def test_an_admin_reopens_a_review_for_one_more_submission(
    world, django_capture_on_commit_callbacks
):
    review = submit(world, "mentee", value_received=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("admin").post(world.url("review_reopen", rid=review.pk))
    assert response["Location"] == world.url("reviews")
    review.refresh_from_db()
    assert review.reopened_at is not None
    assert review.reopened_by == world.admin
    told = Notification.objects.get(user=world.mentee, kind="review_reopened")
    assert told.url == world.url("reviews")

    form = world.client("mentee").get(world.url("reviews")).context["form"]
    assert form.initial["value_received"] == 2  # starts from the earlier answers
    response = world.client("mentee").post(world.url("review_midpoint"), answers(value_received=4))
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.value_received, review.submissions) == (4, 2)
    assert review.reopened_at is None
    [earlier] = review.previous
    assert earlier["value_received"] == 2
    assert earlier["working"] == WORKING
    assert earlier["reopened_by"] == world.admin.pk

    # Locked again.
    response = world.client("mentee").post(world.url("review_midpoint"), answers(value_received=1))
    review.refresh_from_db()
    assert review.value_received == 4


@pytest.mark.usefixtures("after_midpoint")
@pytest.mark.parametrize(
    ("who", "status"), [("mentor", 403), ("mentee", 403), ("outsider", 404), ("other_mentor", 404)]
)
def test_only_program_admins_reopen_a_review(world, who, status):
    review = submit(world, "mentee")
    assert world.client(who).post(world.url("review_reopen", rid=review.pk)).status_code == status
    review.refresh_from_db()
    assert review.reopened_at is None


@pytest.mark.usefixtures("after_midpoint")
def test_reopen_is_post_only_and_refuses_a_review_already_reopened(world):
    review = submit(world, "mentee")
    client = world.client("admin")
    assert client.get(world.url("review_reopen", rid=review.pk)).status_code == 405
    client.post(world.url("review_reopen", rid=review.pk))
    response = client.post(world.url("review_reopen", rid=review.pk), follow=True)
    assert "already open for one more submission" in response.content.decode()


@pytest.mark.usefixtures("after_midpoint")
def test_a_review_of_another_relationship_cannot_be_reopened_through_this_one(world):
    theirs = submit(world, "other_mentee", workspace=world.other_workspace)
    assert world.client("admin").post(world.url("review_reopen", rid=theirs.pk)).status_code == 404


@pytest.mark.usefixtures("after_midpoint")
def test_an_admin_who_is_also_in_the_relationship_cannot_reopen_their_own_review(world):
    from programs.models import Membership

    Membership.objects.create(program=world.program, user=world.mentor, role=Membership.Role.ADMIN)
    review = submit(world, "mentor")
    with pytest.raises(PermissionDenied):
        services.review_reopen(wa=world.access("mentor"), review=review)


# --- "End" starts the early-closure flow --------------------------------------------------


@pytest.mark.usefixtures("after_midpoint")
def test_choosing_end_leads_to_ending_early_and_tells_the_partner_and_admins(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("mentee").post(
            world.url("review_midpoint"), answers(decision="end", change="We have drifted apart")
        )
    assert response["Location"] == world.url("end_early")
    page = world.client("mentee").get(world.url("end_early"))
    assert page.context["form"].initial["reason"] == "We have drifted apart"
    told = set(
        Notification.objects.filter(kind="review_end_requested").values_list("user", flat=True)
    )
    assert told == {world.mentor.pk, world.admin.pk}
    # Nothing ends until the reason is confirmed.
    world.pairing.refresh_from_db()
    assert world.pairing.status == Pairing.Status.ACTIVE


@pytest.mark.usefixtures("after_midpoint")
def test_a_circle_member_choosing_end_tells_the_mentor_instead(
    world, django_capture_on_commit_callbacks
):
    ws = circle_on_the_pairs_dates(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("member").post(
            world.url("review_midpoint", workspace=ws), answers(decision="end")
        )
    assert response["Location"] == world.url("reviews", workspace=ws)
    assert Notification.objects.filter(user=world.mentor, kind="review_end_requested").exists()


# --- The overview's figures ---------------------------------------------------------------


@pytest.mark.usefixtures("after_midpoint")
def test_review_state_reports_who_submitted_with_values_in_one_query(
    world, django_assert_num_queries
):
    submit(world, "mentee", value_received=5, value_given=4)
    wa = world.access("admin")
    with django_assert_num_queries(1):
        state = review_state(wa)
    assert state["midpoint_open"] is True
    assert state["midpoint"]["submitted"] == {world.mentee.pk}
    assert state["midpoint"]["waiting"] == [world.mentor]
    assert state["midpoint"]["all_in"] is False
    row = next(r for r in state["midpoint"]["rows"] if r["user"] == world.mentee)
    assert (row["value_received"], row["value_given"], row["decision"]) == (5, 4, "Continue as is")
    assert "working" not in row
    assert state["final"]["submitted"] == set()


def test_review_state_before_the_mid_point(world):
    with time_machine.travel(NOW, tick=False):
        state = review_state(world.access("mentor"))
    assert state["midpoint_open"] is False
    assert state["midpoint_date"] == dt.date(2026, 12, 7)
    assert state["closure_due"] is False


@pytest.mark.usefixtures("after_midpoint")
def test_two_first_submissions_at_once_keep_one_and_say_the_other_is_locked(world):
    wa = world.access("mentee")
    submit(world, "mentee", working="The first click")
    # The second click read "no review yet" before the first one committed.
    with (
        mock.patch.object(QuerySet, "first", return_value=None),
        pytest.raises(TransitionError, match="already submitted"),
    ):
        services.review_submit(wa=wa, kind="midpoint", **answers(working="The second"))
    [review] = Review.objects.filter(author=world.mentee)
    assert review.working == "The first click"
