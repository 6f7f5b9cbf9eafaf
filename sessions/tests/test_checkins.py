"""Check-ins: one per participant per held meeting, its author's own; the pair reads both."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from matching.models import Pairing
from mentoring.tests.test_templates_a11y import assert_accessible
from sessions.models import CheckIn, Meeting
from sessions.services import checkins as services
from sessions.services._common import TransitionError
from sessions.tests.conftest import NOW

pytestmark = pytest.mark.django_db

YESTERDAY = NOW - dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def meeting(world, workspace=None, *, status="held", start=YESTERDAY):
    return Meeting.objects.create(
        workspace=workspace or world.workspace,
        starts_at=start,
        duration_minutes=60,
        status=status,
        cancel_reason="Ill" if status == "cancelled" else "",
    )


def answers(**kw):
    fields = {
        "useful": "The framing of my promotion case",
        "next_steps": "Draft the case",
        "before_next": "Read the leveling guide",
        "change": "",
        "rating": 4,
    }
    fields.update(kw)
    return fields


def file(world, m, who="mentee", **kw):
    return services.checkin_save(wa=world.access(who, m.workspace), meeting=m, **answers(**kw))


# --- Filing and editing -----------------------------------------------------------------------


def test_each_participant_files_one_check_in_per_held_meeting(world):
    m = meeting(world)
    mine = file(world, m)
    theirs = file(world, m, who="mentor", rating=5)
    assert (mine.author, mine.rating) == (world.mentee, 4)
    assert (theirs.author, theirs.rating) == (world.mentor, 5)
    assert CheckIn.objects.count() == 2


def test_filing_again_edits_my_own_check_in_and_leaves_my_partners_alone(world):
    m = meeting(world)
    file(world, m, who="mentor", useful="MENTOR-WORDS")
    first = file(world, m)
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        again = file(world, m, useful="Changed my mind", rating=2)
    assert again.pk == first.pk
    assert (again.useful, again.rating) == ("Changed my mind", 2)
    assert again.created_at == NOW
    assert again.updated_at == NOW + dt.timedelta(hours=2)
    assert CheckIn.objects.get(author=world.mentor).useful == "MENTOR-WORDS"


@pytest.mark.parametrize(
    ("status", "words"),
    [("scheduled", "mark it held first"), ("missed", "missed"), ("cancelled", "cancelled")],
)
def test_check_ins_are_only_for_held_meetings(world, status, words):
    m = meeting(world, status=status)
    with pytest.raises(TransitionError, match=words):
        file(world, m)
    assert not CheckIn.objects.exists()


def test_the_first_three_answers_and_a_rating_from_1_to_5_are_needed(world):
    m = meeting(world)
    with pytest.raises(ValidationError) as exc:
        file(world, m, useful=" ", next_steps="", before_next="", rating=6)
    assert set(exc.value.error_dict) == {"useful", "next_steps", "before_next", "rating"}
    with pytest.raises(ValidationError):
        file(world, m, rating=0)
    assert not CheckIn.objects.exists()


def test_program_admins_do_not_file_check_ins(world):
    with pytest.raises(PermissionDenied):
        file(world, meeting(world), who="admin")


def test_no_check_in_once_the_relationship_has_ended(world):
    m = meeting(world)
    Pairing.objects.filter(pk=world.pairing.pk).update(status=Pairing.Status.COMPLETED)
    with pytest.raises(TransitionError, match="read-only"):
        file(world, m)


def test_circle_members_and_their_mentor_each_file_one(world):
    m = meeting(world, world.circle_workspace)
    file(world, m, who="member")
    file(world, m, who="mentor")
    assert CheckIn.objects.filter(meeting=m).count() == 2


# --- The page ---------------------------------------------------------------------------------


def form_data(**kw):
    data = answers(**kw)
    data["rating"] = str(data["rating"])
    return data


def test_the_form_has_four_questions_and_labelled_rating_buttons(world):
    m = meeting(world)
    html = assert_accessible(world.client("mentee").get(world.url("checkin", mid=m.pk)))
    for question in (
        "What was useful today?",
        "What are your next steps?",
        "What will you do or learn before next time?",
        "What should change for next time?",
    ):
        assert question in html
    assert len(re.findall(r'<input type="radio"[^>]*name="rating"', html)) == 5
    assert "5 – Extremely useful" in html
    assert "1 – Not useful" in html


def test_filing_through_the_page_then_editing_it(world):
    m = meeting(world)
    client = world.client("mentee")
    url = world.url("checkin", mid=m.pk)
    response = client.post(url, form_data())
    assert response.status_code == 302
    response = client.get(url)
    assert response.context["form"].initial["useful"] == "The framing of my promotion case"
    assert "Save changes" in response.content.decode()
    client.post(url, form_data(rating=3))
    assert CheckIn.objects.get().rating == 3


def test_bad_input_is_shown_next_to_the_fields_and_saves_nothing(world):
    m = meeting(world)
    url = world.url("checkin", mid=m.pk)
    response = world.client("mentee").post(
        url, form_data(useful="", rating="9", before_next="q" * 4001)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["useful"] == ["Say what was useful today."]
    assert "rating" in errors
    assert "before_next" in errors
    assert_accessible(response)
    assert not CheckIn.objects.exists()


def test_the_page_of_a_meeting_not_held_says_so(world):
    m = meeting(world, status="scheduled", start=NOW + dt.timedelta(days=1))
    client = world.client("mentee")
    html = assert_accessible(client.get(world.url("checkin", mid=m.pk)))
    assert "mark it held first" in html
    response = client.post(world.url("checkin", mid=m.pk), form_data())
    assert response.status_code == 200
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mentor", 200),
        ("mentee", 200),
        ("admin", 403),
        ("other_mentor", 404),
        ("other_mentee", 404),
        ("member", 404),
        ("outsider", 404),
    ],
)
def test_who_reaches_the_check_in_page(world, who, status):
    m = meeting(world)
    assert world.client(who).get(world.url("checkin", mid=m.pk)).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(world):
    m = meeting(world)
    assert world.client("anonymous").get(world.url("checkin", mid=m.pk)).status_code == 302


# --- Who reads them ---------------------------------------------------------------------------


def test_the_pair_reads_each_others_check_ins_escaped(world):
    m = meeting(world)
    file(world, m, useful="<em>MENTEE-WORDS</em>")
    file(world, m, who="mentor", useful="MENTOR-WORDS")
    for who in ("mentor", "mentee"):
        html = world.client(who).get(world.url("meeting", mid=m.pk)).content.decode()
        assert "&lt;em&gt;MENTEE-WORDS&lt;/em&gt;" in html
        assert "MENTOR-WORDS" in html


def test_admins_without_content_rights_see_ratings_only(world):
    m = meeting(world)
    file(world, m, useful="MENTEE-WORDS", rating=2)
    html = assert_accessible(world.client("admin").get(world.url("meeting", mid=m.pk)))
    assert "MENTEE-WORDS" not in html
    assert "Rated 2 of 5" in html
    assert "average rating 2.0" in html


def test_admins_with_content_rights_read_the_answers(content_world):
    w = content_world
    m = meeting(w)
    file(w, m, useful="MENTEE-WORDS")
    html = w.client("admin").get(w.url("meeting", mid=m.pk)).content.decode()
    assert "MENTEE-WORDS" in html
