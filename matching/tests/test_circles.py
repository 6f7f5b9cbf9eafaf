"""Circles: the rules of creating, joining, deciding, leaving and ending, and their pages."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import require_service
from matching import services
from matching.models import Circle, CircleMember
from matching.services import TransitionError
from matching.tests.factories import (
    CircleFactory,
    CircleMemberFactory,
    MenteeFactory,
    MentorFactory,
)
from mentoring.models import User
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _contact_hours_always(monkeypatch):
    """Who is told, not when: e-mails wait for contact hours, tested with the pipeline."""
    monkeypatch.setattr(User, "may_be_contacted_at", lambda self, moment: True)


Seat = CircleMember.Status


@pytest.fixture
def program():
    return ProgramFactory.create(allow_circles=True)


@pytest.fixture
def admin(program):
    return MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user


@pytest.fixture
def mentor(program):
    return MentorFactory.create(program=program)


@pytest.fixture
def circle(program, mentor):
    return CircleFactory.create(program=program, mentor=mentor, max_mentees=3)


def create(program, admin, mentor, **overrides):
    fields = {
        "name": "New managers",
        "description": "We meet every other Tuesday.",
        "mentor": mentor,
        "topic": None,
        "max_mentees": 4,
        "open_to_requests": True,
        "mentees": (),
    }
    fields.update(overrides)
    return services.circle_create(program=program, actor=admin, **fields)


def fill(circle, n):
    return [
        CircleMemberFactory.create(
            circle=circle, mentee=MenteeFactory.create(program=circle.program)
        )
        for _ in range(n)
    ]


# --- Creating a circle ------------------------------------------------------------------------


def test_admin_creates_a_circle_with_its_first_mentees_and_they_are_told(
    program, admin, mentor, django_capture_on_commit_callbacks
):
    topic = TopicFactory.create(program=program)
    mentees = MenteeFactory.create_batch(2, program=program)
    with django_capture_on_commit_callbacks(execute=True):
        circle = create(program, admin, mentor, topic=topic, mentees=mentees)
    assert circle.status == Circle.Status.ACTIVE
    assert circle.created_by == admin
    assert sorted(circle.members.values_list("mentee_id", "status")) == sorted(
        (m.pk, Seat.MEMBER) for m in mentees
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [mentor.user.email] + [m.user.email for m in mentees]
    )
    assert "New managers" in mail.outbox[0].subject


def test_no_circle_in_a_program_that_does_not_offer_circles(admin, mentor, program):
    Program.objects.filter(pk=program.pk).update(allow_circles=False)
    program.refresh_from_db()
    with pytest.raises(ValidationError, match="does not offer mentoring circles"):
        create(program, admin, mentor)


def test_no_circle_in_a_closed_program(admin, mentor, program):
    Program.objects.filter(pk=program.pk).update(status=Program.Status.CLOSED)
    program.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        create(program, admin, mentor)


def test_only_admins_create_circles(program, mentor):
    with pytest.raises(PermissionDenied):
        create(program, mentor.user, mentor)


def test_circle_mentor_must_be_a_mentor_of_the_program(program, admin):
    with pytest.raises(ValidationError, match="mentor of this program"):
        create(program, admin, MenteeFactory.create(program=program))
    with pytest.raises(ValidationError, match="mentor of this program"):
        create(program, admin, MentorFactory.create())


def test_circle_mentor_must_have_enrolled(program, admin):
    with pytest.raises(ValidationError, match="not finished enrolling"):
        create(program, admin, MentorFactory.create(program=program, enrolled_at=None))


def test_circle_mentees_must_be_enrolled_mentees_of_the_program(program, admin, mentor):
    with pytest.raises(ValidationError, match="mentees of this program"):
        create(program, admin, mentor, mentees=[MenteeFactory.create()])
    with pytest.raises(ValidationError, match="mentees of this program"):
        create(program, admin, mentor, mentees=[MentorFactory.create(program=program)])
    with pytest.raises(ValidationError, match="not finished enrolling"):
        create(
            program,
            admin,
            mentor,
            mentees=[MenteeFactory.create(program=program, enrolled_at=None)],
        )


def test_circle_cannot_start_with_more_mentees_than_places(program, admin, mentor):
    with pytest.raises(ValidationError, match="3 mentees for 2 places"):
        create(
            program,
            admin,
            mentor,
            max_mentees=2,
            mentees=MenteeFactory.create_batch(3, program=program),
        )


def test_circle_places_are_between_2_and_30(program, admin, mentor):
    with pytest.raises(ValidationError):
        create(program, admin, mentor, max_mentees=1)
    with pytest.raises(ValidationError):
        create(program, admin, mentor, max_mentees=31)


def test_the_circle_mentor_cannot_also_be_its_mentee(program, admin, mentor):
    same_person = MenteeFactory.create(program=program, user=mentor.user)
    with pytest.raises(ValidationError, match="leads this circle"):
        create(program, admin, mentor, mentees=[same_person])


# --- Asking to join ---------------------------------------------------------------------------


def test_mentee_asks_to_join_an_open_circle_and_its_mentor_is_told(
    circle, django_capture_on_commit_callbacks
):
    mentee = MenteeFactory.create(program=circle.program)
    with django_capture_on_commit_callbacks(execute=True):
        seat = services.circle_request_join(circle=circle, actor=mentee.user, note=" Keen! ")
    assert seat.status == Seat.REQUESTED
    assert seat.note == "Keen!"
    assert [m.to[0] for m in mail.outbox] == [circle.mentor.user.email]
    assert "Keen!" in mail.outbox[0].body


def test_only_mentees_of_the_program_ask_to_join(circle):
    with pytest.raises(PermissionDenied):
        services.circle_request_join(
            circle=circle, actor=MentorFactory.create(program=circle.program).user, note=""
        )
    with pytest.raises(PermissionDenied):
        services.circle_request_join(circle=circle, actor=MenteeFactory.create().user, note="")


def test_no_join_request_when_the_program_does_not_offer_circles(circle):
    Program.objects.filter(pk=circle.program_id).update(allow_circles=False)
    circle.refresh_from_db()
    mentee = MenteeFactory.create(program=circle.program)
    with pytest.raises(ValidationError, match="does not offer mentoring circles"):
        services.circle_request_join(circle=circle, actor=mentee.user, note="")


def test_no_join_request_to_a_circle_closed_to_requests(circle):
    Circle.objects.filter(pk=circle.pk).update(open_to_requests=False)
    mentee = MenteeFactory.create(program=circle.program)
    with pytest.raises(ValidationError, match="does not take requests"):
        services.circle_request_join(circle=circle, actor=mentee.user, note="")


def test_no_join_request_to_a_full_circle(circle):
    fill(circle, 3)
    mentee = MenteeFactory.create(program=circle.program)
    with pytest.raises(ValidationError, match="is full"):
        services.circle_request_join(circle=circle, actor=mentee.user, note="")


def test_no_second_join_request_while_the_first_waits(circle):
    mentee = MenteeFactory.create(program=circle.program)
    services.circle_request_join(circle=circle, actor=mentee.user, note="")
    with pytest.raises(ValidationError, match="already asked"):
        services.circle_request_join(circle=circle, actor=mentee.user, note="")
    assert circle.members.count() == 1


def test_a_member_cannot_ask_to_join_again(circle):
    seat = CircleMemberFactory.create(circle=circle)
    with pytest.raises(ValidationError, match="already in this circle"):
        services.circle_request_join(circle=circle, actor=seat.mentee.user, note="")


def test_a_declined_mentee_cannot_ask_again(circle):
    seat = CircleMemberFactory.create(circle=circle, status=Seat.DECLINED)
    with pytest.raises(ValidationError, match="was declined"):
        services.circle_request_join(circle=circle, actor=seat.mentee.user, note="")


def test_a_mentee_who_left_may_ask_again(circle):
    seat = CircleMemberFactory.create(circle=circle, status=Seat.LEFT)
    again = services.circle_request_join(circle=circle, actor=seat.mentee.user, note="Back")
    assert again.pk == seat.pk
    assert again.status == Seat.REQUESTED


def test_no_join_request_to_an_ended_circle(circle):
    Circle.objects.filter(pk=circle.pk).update(status=Circle.Status.COMPLETED)
    mentee = MenteeFactory.create(program=circle.program)
    with pytest.raises(TransitionError, match="completed"):
        services.circle_request_join(circle=circle, actor=mentee.user, note="")


# --- Deciding a request -----------------------------------------------------------------------


@pytest.fixture
def request_seat(circle):
    return CircleMemberFactory.create(circle=circle, status=Seat.REQUESTED)


def test_the_circles_mentor_accepts_a_request_and_the_mentee_is_told(
    request_seat, django_capture_on_commit_callbacks
):
    mentor = request_seat.circle.mentor.user
    with django_capture_on_commit_callbacks(execute=True):
        seat = services.circle_decide(member=request_seat, actor=mentor, accept=True)
    assert seat.status == Seat.MEMBER
    assert seat.joined_at is not None
    assert [m.to[0] for m in mail.outbox] == [request_seat.mentee.user.email]
    assert "welcome" in mail.outbox[0].subject


def test_an_admin_declines_a_request_and_the_mentee_is_told(
    request_seat, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        seat = services.circle_decide(member=request_seat, actor=admin, accept=False)
    assert seat.status == Seat.DECLINED
    assert "declined" in mail.outbox[0].subject


def test_another_mentor_cannot_decide(request_seat):
    other = MentorFactory.create(program=request_seat.circle.program)
    with pytest.raises(PermissionDenied):
        services.circle_decide(member=request_seat, actor=other.user, accept=True)


def test_the_mentee_cannot_decide_their_own_request(request_seat):
    with pytest.raises(PermissionDenied):
        services.circle_decide(member=request_seat, actor=request_seat.mentee.user, accept=True)


def test_a_request_is_decided_once(request_seat):
    mentor = request_seat.circle.mentor.user
    services.circle_decide(member=request_seat, actor=mentor, accept=False)
    with pytest.raises(TransitionError, match="not waiting for an answer"):
        services.circle_decide(member=request_seat, actor=mentor, accept=True)


def test_accepting_rechecks_room_in_the_circle(request_seat):
    fill(request_seat.circle, 3)
    with pytest.raises(ValidationError, match="is full"):
        services.circle_decide(
            member=request_seat, actor=request_seat.circle.mentor.user, accept=True
        )
    request_seat.refresh_from_db()
    assert request_seat.status == Seat.REQUESTED


def test_declining_is_possible_even_when_full(request_seat):
    fill(request_seat.circle, 3)
    seat = services.circle_decide(
        member=request_seat, actor=request_seat.circle.mentor.user, accept=False
    )
    assert seat.status == Seat.DECLINED


# --- Adding and leaving -----------------------------------------------------------------------


def test_admin_adds_a_mentee_and_both_people_are_told(
    circle, admin, django_capture_on_commit_callbacks
):
    mentee = MenteeFactory.create(program=circle.program)
    with django_capture_on_commit_callbacks(execute=True):
        seat = services.circle_add_member(circle=circle, actor=admin, mentee=mentee)
    assert seat.status == Seat.MEMBER
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [mentee.user.email, circle.mentor.user.email]
    )


def test_only_admins_add_mentees(circle):
    mentee = MenteeFactory.create(program=circle.program)
    with pytest.raises(PermissionDenied):
        services.circle_add_member(circle=circle, actor=circle.mentor.user, mentee=mentee)


def test_admin_cannot_overfill_a_circle(circle, admin):
    fill(circle, 3)
    with pytest.raises(ValidationError, match="is full"):
        services.circle_add_member(
            circle=circle, actor=admin, mentee=MenteeFactory.create(program=circle.program)
        )


def test_admin_cannot_add_a_member_twice(circle, admin):
    seat = CircleMemberFactory.create(circle=circle)
    with pytest.raises(ValidationError, match="already in this circle"):
        services.circle_add_member(circle=circle, actor=admin, mentee=seat.mentee)


def test_adding_a_mentee_who_asked_accepts_their_request(request_seat, admin):
    seat = services.circle_add_member(
        circle=request_seat.circle, actor=admin, mentee=request_seat.mentee
    )
    assert seat.pk == request_seat.pk
    assert seat.status == Seat.MEMBER


def test_mentee_leaves_a_circle(circle):
    seat = CircleMemberFactory.create(circle=circle)
    services.circle_leave(member=seat, actor=seat.mentee.user)
    seat.refresh_from_db()
    assert seat.status == Seat.LEFT
    assert seat.left_at is not None


def test_mentee_withdraws_a_request(request_seat):
    services.circle_leave(member=request_seat, actor=request_seat.mentee.user)
    request_seat.refresh_from_db()
    assert request_seat.status == Seat.LEFT


def test_admin_removes_a_mentee_who_is_told(circle, admin, django_capture_on_commit_callbacks):
    seat = CircleMemberFactory.create(circle=circle)
    with django_capture_on_commit_callbacks(execute=True):
        services.circle_leave(member=seat, actor=admin)
    assert [m.to[0] for m in mail.outbox] == [seat.mentee.user.email]


def test_the_circles_mentor_cannot_remove_a_mentee(circle):
    seat = CircleMemberFactory.create(circle=circle)
    with pytest.raises(PermissionDenied):
        services.circle_leave(member=seat, actor=circle.mentor.user)


def test_leaving_twice_is_a_transition_error(circle):
    seat = CircleMemberFactory.create(circle=circle)
    services.circle_leave(member=seat, actor=seat.mentee.user)
    with pytest.raises(TransitionError, match="not in this circle"):
        services.circle_leave(member=seat, actor=seat.mentee.user)


# --- Editing and ending -----------------------------------------------------------------------


def test_the_circles_mentor_edits_its_name_and_openness(circle):
    services.circle_update(
        circle=circle, actor=circle.mentor.user, name="  Tuesday   club ", open_to_requests=False
    )
    circle.refresh_from_db()
    assert circle.name == "Tuesday club"
    assert not circle.open_to_requests


def test_the_circles_mentor_cannot_change_its_places_or_mentor(circle):
    with pytest.raises(PermissionDenied):
        services.circle_update(circle=circle, actor=circle.mentor.user, max_mentees=10)


def test_a_mentee_cannot_edit_a_circle(circle):
    seat = CircleMemberFactory.create(circle=circle)
    with pytest.raises(PermissionDenied):
        services.circle_update(circle=circle, actor=seat.mentee.user, name="Mine")


def test_places_cannot_drop_below_the_members_in_the_circle(circle, admin):
    fill(circle, 3)
    with pytest.raises(ValidationError, match="keep at least 3"):
        services.circle_update(circle=circle, actor=admin, max_mentees=2)


def test_admin_gives_the_circle_another_mentor(circle, admin):
    other = MentorFactory.create(program=circle.program)
    services.circle_update(circle=circle, actor=admin, mentor=other)
    circle.refresh_from_db()
    assert circle.mentor == other


def test_the_circles_mentor_completes_it_and_everyone_is_told(
    circle, django_capture_on_commit_callbacks
):
    seat = CircleMemberFactory.create(circle=circle)
    with django_capture_on_commit_callbacks(execute=True):
        services.circle_end(circle=circle, actor=circle.mentor.user, completed=True, reason="")
    circle.refresh_from_db()
    assert circle.status == Circle.Status.COMPLETED
    assert circle.ended_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [circle.mentor.user.email, seat.mentee.user.email]
    )


def test_ending_a_circle_early_needs_a_reason(circle, admin):
    with pytest.raises(ValidationError, match="Say why"):
        services.circle_end(circle=circle, actor=admin, completed=False, reason="  ")


def test_ending_early_declines_the_waiting_requests(request_seat, admin):
    circle = request_seat.circle
    services.circle_end(circle=circle, actor=admin, completed=False, reason="Mentor left")
    circle.refresh_from_db()
    request_seat.refresh_from_db()
    assert circle.status == Circle.Status.ENDED_EARLY
    assert circle.end_reason == "Mentor left"
    assert request_seat.status == Seat.DECLINED


def test_a_mentee_cannot_end_a_circle(circle):
    seat = CircleMemberFactory.create(circle=circle)
    with pytest.raises(PermissionDenied):
        services.circle_end(circle=circle, actor=seat.mentee.user, completed=True, reason="")


def test_an_ended_circle_cannot_end_again_or_change(circle, admin):
    services.circle_end(circle=circle, actor=admin, completed=True, reason="")
    with pytest.raises(TransitionError, match="completed"):
        services.circle_end(circle=circle, actor=admin, completed=False, reason="Again")
    with pytest.raises(TransitionError):
        services.circle_update(circle=circle, actor=admin, name="Renamed")


# --- Two acceptances at once (PostgreSQL) -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_at_once_never_overfill_a_circle():
    require_service("PostgreSQL", connection.vendor == "postgresql")
    program = ProgramFactory.create(allow_circles=True)
    circle = CircleFactory.create(
        program=program, mentor=MentorFactory.create(program=program), max_mentees=2
    )
    fill(circle, 1)
    seats = [CircleMemberFactory.create(circle=circle, status=Seat.REQUESTED) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(seat):
        try:
            barrier.wait()
            services.circle_decide(member=seat, actor=circle.mentor.user, accept=True)
            outcomes.append("accepted")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(s,)) for s in seats]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("accepted") == 1
    assert circle.members.filter(status=Seat.MEMBER).count() == 2


# --- Pages ------------------------------------------------------------------------------------


@pytest.fixture
def site(personas):
    """The personas' program, offering circles, with its mentor and mentee enrolled."""
    Program.objects.filter(pk=personas.program.pk).update(allow_circles=True)
    Membership.objects.filter(program=personas.program).update(enrolled_at=timezone.now())
    personas.program.refresh_from_db()
    return personas


def url(name, site, *args):
    return reverse(f"matching:{name}", args=[site.program.slug, *args])


@pytest.fixture
def led(site):
    """A circle led by the personas' mentor, on a topic."""
    return CircleFactory.create(
        program=site.program,
        mentor=site.membership("mentor"),
        topic=TopicFactory.create(program=site.program, name="Negotiation"),
        max_mentees=4,
    )


def test_admin_sees_every_circle_and_a_new_circle_button(site, led):
    CircleFactory.create(program=site.program, name="Another")
    page = site.client("admin").get(url("circles", site)).content.decode()
    assert led.name in page
    assert "Another" in page
    assert "New circle" in page


def test_mentee_sees_circles_to_join_with_places_left_and_topic(site, led):
    fill(led, 1)
    closed = CircleFactory.create(
        program=site.program, name="Invitation only", open_to_requests=False
    )
    full = CircleFactory.create(program=site.program, name="Full house", max_mentees=2)
    fill(full, 2)
    page = site.client("mentee").get(url("circles", site)).content.decode()
    assert "Circles you could join" in page
    assert led.name in page
    assert "Negotiation" in page
    assert "3 places left of 4" in page
    assert closed.name not in page
    assert "Full house" not in page
    assert "New circle" not in page


def test_mentee_sees_their_own_circle_with_their_status(site, led):
    CircleMemberFactory.create(circle=led, mentee=site.membership("mentee"), status=Seat.REQUESTED)
    page = site.client("mentee").get(url("circles", site)).content.decode()
    assert "Your circles" in page
    assert "Asked to join" in page


def test_mentor_sees_the_circle_they_lead(site, led):
    page = site.client("mentor").get(url("circles", site)).content.decode()
    assert led.name in page
    assert "You lead it" in page


def test_circle_pages_say_when_the_program_does_not_offer_circles(personas):
    response = personas.client("admin").get(
        reverse("matching:circles", args=[personas.program.slug])
    )
    assert "does not offer mentoring circles" in response.content.decode()
    response = personas.client("admin").get(
        reverse("matching:circle_create", args=[personas.program.slug])
    )
    assert response.status_code == 200
    assert "does not offer mentoring circles" in response.content.decode()
    assert 'name="name"' not in response.content.decode()


def test_admin_creates_a_circle_from_the_form(site):
    topic = TopicFactory.create(program=site.program)
    mentee = site.membership("mentee")
    response = site.client("admin").post(
        url("circle_create", site),
        {
            "name": "Women in engineering",
            "description": "",
            "mentor": site.membership("mentor").pk,
            "topic": topic.pk,
            "max_mentees": "5",
            "open_to_requests": "on",
            "mentees": [mentee.pk],
        },
    )
    circle = Circle.objects.get(name="Women in engineering")
    assert response.status_code == 302
    assert response["Location"] == circle.get_absolute_url()
    assert circle.members.get().mentee == mentee


def test_circle_form_lists_only_enrolled_mentors(site):
    MentorFactory.create(program=site.program, enrolled_at=None, user__name="Not Yet")
    page = site.client("admin").get(url("circle_create", site)).content.decode()
    assert site.mentor.display_name in page
    assert "Not Yet" not in page


def test_the_mentor_sees_requests_to_join_with_accept_and_decline(site, led):
    seat = CircleMemberFactory.create(circle=led, status=Seat.REQUESTED, note="Please let me in")
    page = site.client("mentor").get(url("circle", site, led.pk)).content.decode()
    assert "Asking to join" in page
    assert seat.mentee.user.display_name in page
    assert "Please let me in" in page
    assert url("circle_member_decide", site, seat.pk) in page


def test_a_mentee_outside_the_circle_sees_ask_to_join_but_not_who_is_in(site, led):
    (seat,) = fill(led, 1)
    page = site.client("mentee").get(url("circle", site, led.pk)).content.decode()
    assert "Ask to join" in page
    assert url("circle_join", site, led.pk) in page
    assert seat.mentee.user.display_name not in page
    assert "Asking to join" not in page


def test_a_member_sees_who_else_is_in_and_can_leave(site, led):
    (other,) = fill(led, 1)
    CircleMemberFactory.create(circle=led, mentee=site.membership("mentee"))
    page = site.client("mentee").get(url("circle", site, led.pk)).content.decode()
    assert other.mentee.user.display_name in page
    assert "Leave the circle" in page
    assert "Ask to join" not in page


def test_mentee_asks_to_join_from_the_page(site, led):
    response = site.client("mentee").post(url("circle_join", site, led.pk), {"note": "Hello"})
    assert response.status_code == 302
    seat = led.members.get()
    assert (seat.mentee, seat.status, seat.note) == (
        site.membership("mentee"),
        Seat.REQUESTED,
        "Hello",
    )


def test_a_refused_join_says_why_on_the_page(site, led):
    Circle.objects.filter(pk=led.pk).update(open_to_requests=False)
    response = site.client("mentee").post(
        url("circle_join", site, led.pk), {"note": ""}, follow=True
    )
    assert "does not take requests" in response.content.decode()
    assert not led.members.exists()


def test_mentor_accepts_from_the_page(site, led):
    seat = CircleMemberFactory.create(circle=led, status=Seat.REQUESTED)
    response = site.client("mentor").post(
        url("circle_member_decide", site, seat.pk), {"decision": "accept"}
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.status == Seat.MEMBER


def test_deciding_an_answered_request_shows_why_not_an_error_page(site, led):
    seat = CircleMemberFactory.create(circle=led, status=Seat.DECLINED)
    response = site.client("mentor").post(
        url("circle_member_decide", site, seat.pk), {"decision": "accept"}, follow=True
    )
    assert response.status_code == 200
    assert "not waiting for an answer" in response.content.decode()


def test_admin_adds_a_mentee_from_the_page(site, led):
    mentee = site.membership("mentee")
    page = site.client("admin").get(url("circle", site, led.pk)).content.decode()
    assert "Add a mentee" in page
    response = site.client("admin").post(
        url("circle_member_add", site, led.pk), {"mentee": mentee.pk}
    )
    assert response.status_code == 302
    assert led.members.get().mentee == mentee


def test_mentee_leaves_from_the_page(site, led):
    seat = CircleMemberFactory.create(circle=led, mentee=site.membership("mentee"))
    response = site.client("mentee").post(url("circle_member_remove", site, seat.pk), follow=True)
    assert "You left the circle" in response.content.decode()
    seat.refresh_from_db()
    assert seat.status == Seat.LEFT


def test_the_mentor_edits_the_circle_without_its_places_or_mentor(site, led):
    page = site.client("mentor").get(url("circle_edit", site, led.pk)).content.decode()
    assert 'name="name"' in page
    assert 'name="max_mentees"' not in page
    assert 'name="mentor"' not in page
    response = site.client("mentor").post(
        url("circle_edit", site, led.pk),
        {"name": "Negotiators", "description": "", "topic": "", "open_to_requests": ""},
    )
    assert response.status_code == 302
    led.refresh_from_db()
    assert led.name == "Negotiators"
    assert led.max_mentees == 4
    assert not led.open_to_requests


def test_ending_early_without_a_reason_shows_the_form_again(site, led):
    response = site.client("mentor").post(
        url("circle_end", site, led.pk), {"outcome": "ended_early", "reason": ""}
    )
    assert response.status_code == 200
    assert "Say why the circle ends early" in response.content.decode()
    led.refresh_from_db()
    assert led.status == Circle.Status.ACTIVE


def test_admin_completes_a_circle_from_the_page(site, led):
    assert site.client("admin").get(url("circle_end", site, led.pk)).status_code == 200
    response = site.client("admin").post(
        url("circle_end", site, led.pk), {"outcome": "completed", "reason": ""}
    )
    assert response.status_code == 302
    led.refresh_from_db()
    assert led.status == Circle.Status.COMPLETED
    page = site.client("mentee").get(url("circle", site, led.pk)).content.decode()
    assert "This circle has ended" in page


def queries_for(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def add_circles(site, n):
    """Circles led by the personas' mentor, each with the personas' mentee and another in it,
    and as many led by someone else, open to requests."""
    for _ in range(n):
        circle = CircleFactory.create(program=site.program, mentor=site.membership("mentor"))
        CircleMemberFactory.create(circle=circle, mentee=site.membership("mentee"))
        fill(circle, 1)
        fill(CircleFactory.create(program=site.program), 1)


@pytest.mark.parametrize("who", ["admin", "mentee", "mentor"])
def test_the_circle_list_keeps_a_constant_number_of_queries(site, who):
    client = site.client(who)
    add_circles(site, 2)
    few = queries_for(client, url("circles", site))
    add_circles(site, 15)
    assert queries_for(client, url("circles", site)) == few


def test_times_are_shown_as_dates_on_the_detail_page(site, led):
    """The joined date of a member is rendered (and does not break on a missing time)."""
    CircleMemberFactory.create(circle=led, joined_at=dt.datetime(2026, 10, 2, 12, tzinfo=dt.UTC))
    page = site.client("admin").get(url("circle", site, led.pk)).content.decode()
    assert "since 2 Oct 2026" in page
