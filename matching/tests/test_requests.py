"""Mentee-choice and hybrid requests: each rule of the issue has its own test."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from matching import services
from matching.models import MatchConstraint, MatchingSettings, MentorRequest, Pairing
from matching.services import TransitionError
from matching.tests.factories import (
    MenteeFactory,
    MentorFactory,
    MentorRequestFactory,
    PairingFactory,
)
from mentoring.models import User
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _contact_hours_always(monkeypatch):
    """Who is told, not when: e-mails wait for contact hours, tested with the pipeline."""
    monkeypatch.setattr(User, "may_be_contacted_at", lambda self, moment: True)


Status = MentorRequest.Status
Role = Membership.Role


@pytest.fixture
def program() -> Program:
    return ProgramFactory.create(matching_mode=Program.MatchingMode.MENTEE_CHOICE)


@pytest.fixture
def admin(program) -> Membership:
    return MembershipFactory.create(program=program, role=Role.ADMIN)


@pytest.fixture
def mentor(program) -> Membership:
    return MentorFactory.create(program=program, capacity=2)


@pytest.fixture
def mentee(program) -> Membership:
    return MenteeFactory.create(program=program)


def ask(mentee: Membership, mentor: Membership, note: str = "Please?") -> MentorRequest:
    return services.request_create(mentee=mentee, mentor=mentor, actor=mentee.user, note=note)


def refused(match: str):
    return pytest.raises(ValidationError, match=match)


def subjects_to(user) -> list[str]:
    return [str(m.subject) for m in mail.outbox if user.email in m.to]


# --- Creating a request ----------------------------------------------------------------------


def test_request_is_pending_with_deadline_score_and_explanation(program, mentee, mentor):
    topic = TopicFactory.create(program=program, name="Negotiation")
    mentee.topics.add(topic)
    mentor.topics.add(topic)
    request = ask(mentee, mentor, note="  I would like to learn negotiation.  ")
    assert request.status == Status.PENDING
    assert request.note == "I would like to learn negotiation."
    assert request.decided_by_admin is False
    assert request.respond_by is not None
    days = MatchingSettings.for_program(program).response_days
    assert request.respond_by > timezone.now() + dt.timedelta(days=days - 1)
    assert request.score is not None
    assert request.explanation, "the fit explanation is stored with the request"
    assert {"criterion", "label", "points", "text"} <= set(request.explanation[0])


def test_request_tells_the_mentor(program, mentee, mentor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(mentee, mentor, note="Your talk inspired me.")
    assert subjects_to(mentor.user) == [
        f"{program.name}: {mentee.user} would like you as their mentor"
    ]
    assert "Your talk inspired me." in mail.outbox[0].body


def test_only_the_mentee_can_send_their_own_request(mentee, mentor):
    with pytest.raises(PermissionDenied):
        services.request_create(mentee=mentee, mentor=mentor, actor=mentor.user, note="")


def test_rule1_no_request_to_oneself(program, mentee):
    both = MentorFactory.create(program=program, user=mentee.user)
    with refused("your own mentor"):
        ask(mentee, both)
    assert not MentorRequest.objects.exists()


def test_rule2_no_request_to_a_mentor_who_has_not_enrolled(program, mentee):
    mentor = MentorFactory.create(program=program, enrolled_at=None)
    with refused("has not finished enrolling"):
        ask(mentee, mentor)


def test_rule2_no_request_to_a_mentor_who_takes_no_new_mentees(program, mentee):
    mentor = MentorFactory.create(program=program, accepting_mentees=False)
    with refused("not taking new mentees"):
        ask(mentee, mentor)


def test_rule2_no_request_to_a_mentor_at_capacity(program, mentee):
    mentor = MentorFactory.create(program=program, capacity=1)
    PairingFactory.create(program=program, mentor=mentor, status=Pairing.Status.ACTIVE)
    with refused("no place left"):
        ask(mentee, mentor)


def test_rule2_places_held_by_ended_pairings_are_free_again(program, mentee):
    mentor = MentorFactory.create(program=program, capacity=1)
    PairingFactory.create(program=program, mentor=mentor, status=Pairing.Status.COMPLETED)
    assert ask(mentee, mentor).is_pending


def test_rule2_no_request_to_a_mentor_of_another_program(mentee):
    elsewhere = MentorFactory.create(program=ProgramFactory.create())
    with refused("not a mentor in this program"):
        ask(mentee, elsewhere)


def test_rule2_no_request_to_a_membership_that_is_not_a_mentor(program, mentee, admin):
    other_mentee = MenteeFactory.create(program=program)
    for membership in (other_mentee, admin):
        with refused("not a mentor in this program"):
            ask(mentee, membership)


def test_rule3_no_duplicate_open_request_to_the_same_mentor(mentee, mentor):
    ask(mentee, mentor)
    with refused("already asked"):
        ask(mentee, mentor)
    assert MentorRequest.objects.count() == 1


def test_rule3_a_withdrawn_request_can_be_sent_again(mentee, mentor):
    first = ask(mentee, mentor)
    services.request_withdraw(request=first, actor=mentee.user)
    assert ask(mentee, mentor).is_pending


def test_a_mentor_who_declined_cannot_be_asked_again(mentee, mentor):
    first = ask(mentee, mentor)
    services.request_decline(request=first, actor=mentor.user, reason="No time this term.")
    with refused("was declined"):
        ask(mentee, mentor)


def test_rule4_at_most_three_open_requests_by_default(program, mentee):
    mentors = MentorFactory.create_batch(4, program=program)
    for m in mentors[:3]:
        ask(mentee, m)
    with refused("at most 3 open requests"):
        ask(mentee, mentors[3])


def test_rule4_the_limit_is_the_programs_setting(program, mentee):
    MatchingSettings.objects.create(program=program, max_open_requests=1)
    first, second = MentorFactory.create_batch(2, program=program)
    request = ask(mentee, first)
    with refused("at most 1 open request at a time"):
        ask(mentee, second)
    # Closed requests do not count.
    services.request_withdraw(request=request, actor=mentee.user)
    assert ask(mentee, second).is_pending


def test_rule10_no_requests_when_the_admins_match(program, mentee, mentor):
    Program.objects.filter(pk=program.pk).update(matching_mode=Program.MatchingMode.ADMIN)
    mentee.refresh_from_db()
    with refused("admins match mentors and mentees"):
        ask(mentee, mentor)


def test_rule10_no_requests_without_one_to_one_mentoring(program, mentee, mentor):
    Program.objects.filter(pk=program.pk).update(allow_one_to_one=False, allow_circles=True)
    mentee.refresh_from_db()
    with refused("no one-to-one mentoring"):
        ask(mentee, mentor)


@pytest.mark.parametrize("status", [Program.Status.DRAFT, Program.Status.CLOSED])
def test_rule10_no_requests_unless_the_program_is_enrolling_matching_or_running(
    program, mentee, mentor, status
):
    Program.objects.filter(pk=program.pk).update(status=status)
    mentee.refresh_from_db()
    with refused("Requests are closed"):
        ask(mentee, mentor)


@pytest.mark.parametrize(
    "status", [Program.Status.ENROLLING, Program.Status.MATCHING, Program.Status.RUNNING]
)
def test_rule10_requests_are_open_while_enrolling_matching_or_running(
    program, mentee, mentor, status
):
    Program.objects.filter(pk=program.pk).update(status=status)
    mentee.refresh_from_db()
    assert ask(mentee, mentor).is_pending


def test_rule10_the_mentee_must_have_enrolled(program, mentor):
    mentee = MenteeFactory.create(program=program, enrolled_at=None)
    with refused("Finish your enrolment"):
        ask(mentee, mentor)


def test_rule10_a_mentee_with_an_open_pairing_cannot_request(program, mentee, mentor):
    PairingFactory.create(program=program, mentee=mentee, status=Pairing.Status.PROPOSED)
    with refused("already have a mentor"):
        ask(mentee, mentor)


def test_rule10_only_mentees_send_requests(program, mentor):
    other_mentor = MentorFactory.create(program=program)
    with refused("Only mentees"):
        services.request_create(
            mentee=other_mentor, mentor=mentor, actor=other_mentor.user, note=""
        )


def test_a_forbidden_pair_cannot_be_requested_and_the_reason_is_given(program, mentee, mentor):
    Membership.objects.filter(pk=mentee.pk).update(manager_email=mentor.user.email)
    mentee.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        ask(mentee, mentor)
    assert "manager" in " ".join(exc.value.messages).lower()


def test_an_admin_exclusion_forbids_the_request(program, mentee, mentor):
    MatchConstraint.objects.create(
        program=program, mentee=mentee, mentor=mentor, kind=MatchConstraint.Kind.FORBID
    )
    with refused(f"You cannot request {mentor.user}"):
        ask(mentee, mentor)


# --- Answering -------------------------------------------------------------------------------


def test_accepting_creates_an_active_pairing_from_the_request(
    program, mentee, mentor, django_capture_on_commit_callbacks
):
    request = ask(mentee, mentor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_accept(request=request, actor=mentor.user)
    assert request.status == Status.ACCEPTED
    assert request.decided_by == mentor.user
    pairing = request.pairing
    assert pairing is not None
    assert pairing.status == Pairing.Status.ACTIVE
    assert pairing.source == Pairing.Source.REQUEST
    assert (pairing.mentor, pairing.mentee) == (mentor, mentee)
    assert pairing.score == request.score
    assert pairing.explanation == request.explanation
    assert subjects_to(mentee.user) == [f"{program.name}: {mentor.user} is your mentor"]


def test_rule5_only_the_mentor_asked_can_accept_or_decline(program, mentee, mentor, admin):
    request = ask(mentee, mentor)
    other_mentor = MentorFactory.create(program=program)
    for person in (mentee.user, other_mentor.user, admin.user):
        with pytest.raises(PermissionDenied):
            services.request_accept(request=request, actor=person)
        with pytest.raises(PermissionDenied):
            services.request_decline(request=request, actor=person, reason="No.")
    request.refresh_from_db()
    assert request.status == Status.PENDING


@pytest.mark.parametrize(
    "status", [Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN, Status.EXPIRED]
)
def test_rule5_only_a_pending_request_can_be_accepted_or_declined(program, mentee, mentor, status):
    request = MentorRequestFactory.create(
        program=program, mentee=mentee, mentor=mentor, status=status
    )
    with pytest.raises(TransitionError, match="only a request that is waiting"):
        services.request_accept(request=request, actor=mentor.user)
    with pytest.raises(TransitionError, match="only a request that is waiting"):
        services.request_decline(request=request, actor=mentor.user, reason="No.")
    assert not Pairing.objects.exists()


def test_declining_needs_a_reason_and_tells_the_mentee(
    program, mentee, mentor, django_capture_on_commit_callbacks
):
    request = ask(mentee, mentor)
    with pytest.raises(ValidationError) as exc:
        services.request_decline(request=request, actor=mentor.user, reason="   ")
    assert "reason" in exc.value.message_dict
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_decline(
            request=request, actor=mentor.user, reason="I am full this term."
        )
    assert request.status == Status.DECLINED
    assert request.decline_reason == "I am full this term."
    assert subjects_to(mentee.user) == [
        f"{program.name}: your request to {mentor.user} was declined"
    ]
    assert "I am full this term." in mail.outbox[0].body


def test_rule6_accepting_rechecks_the_mentors_capacity(program, mentor):
    Membership.objects.filter(pk=mentor.pk).update(capacity=1)
    first, second = MenteeFactory.create_batch(2, program=program)
    r1, r2 = ask(first, mentor), ask(second, mentor)
    services.request_accept(request=r1, actor=mentor.user)
    with refused("no place left"):
        services.request_accept(request=r2, actor=mentor.user)
    r2.refresh_from_db()
    assert r2.status == Status.PENDING
    assert Pairing.objects.filter(mentor=mentor).count() == 1


def test_rule6_a_mentor_who_stopped_taking_requests_can_still_accept_pending_ones(mentee, mentor):
    request = ask(mentee, mentor)
    services.mentor_set_accepting(membership=mentor, actor=mentor.user, accepting=False)
    assert services.request_accept(request=request, actor=mentor.user).pairing is not None


def test_rule7_accepting_withdraws_the_mentees_other_requests_and_tells_those_mentors(
    program, mentee, django_capture_on_commit_callbacks
):
    chosen, other1, other2 = MentorFactory.create_batch(3, program=program)
    accepted = ask(mentee, chosen)
    o1, o2 = ask(mentee, other1), ask(mentee, other2)
    someone_else = ask(MenteeFactory.create(program=program), other1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_accept(request=accepted, actor=chosen.user)
    for r in (o1, o2):
        r.refresh_from_db()
        assert r.status == Status.WITHDRAWN
    someone_else.refresh_from_db()
    assert someone_else.status == Status.PENDING
    for m in (other1, other2):
        assert subjects_to(m.user) == [f"{program.name}: {mentee.user} has found a mentor"]


def test_rule8_the_sender_can_withdraw_while_pending(
    program, mentee, mentor, django_capture_on_commit_callbacks
):
    request = ask(mentee, mentor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_withdraw(request=request, actor=mentee.user)
    assert request.status == Status.WITHDRAWN
    assert subjects_to(mentor.user) == [f"{program.name}: {mentee.user} withdrew their request"]


def test_rule8_nobody_else_can_withdraw(program, mentee, mentor, admin):
    request = ask(mentee, mentor)
    for person in (mentor.user, admin.user):
        with pytest.raises(PermissionDenied):
            services.request_withdraw(request=request, actor=person)


@pytest.mark.parametrize(
    "status", [Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN, Status.EXPIRED]
)
def test_rule8_the_sender_cannot_withdraw_after_an_answer(program, mentee, mentor, status):
    request = MentorRequestFactory.create(
        program=program, mentee=mentee, mentor=mentor, status=status
    )
    with pytest.raises(TransitionError, match="only a request that is waiting"):
        services.request_withdraw(request=request, actor=mentee.user)


# --- Hybrid mode -----------------------------------------------------------------------------


@pytest.fixture
def hybrid(program) -> Program:
    Program.objects.filter(pk=program.pk).update(matching_mode=Program.MatchingMode.HYBRID)
    program.refresh_from_db()
    return program


def test_rule9_in_hybrid_mode_the_request_goes_to_the_admins(
    hybrid, admin, mentee, mentor, django_capture_on_commit_callbacks
):
    mentee.refresh_from_db()
    co_admin = MembershipFactory.create(program=hybrid, role=Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(mentee, mentor)
    assert request.decided_by_admin is True
    expected = f"{hybrid.name}: {mentee.user} asks to be mentored by {mentor.user}"
    assert subjects_to(admin.user) == [expected]
    assert subjects_to(co_admin.user) == [expected]
    assert subjects_to(mentor.user) == []


def test_rule9_in_hybrid_mode_the_mentor_cannot_accept_or_decline(hybrid, mentee, mentor):
    mentee.refresh_from_db()
    request = ask(mentee, mentor)
    with pytest.raises(PermissionDenied, match="admins"):
        services.request_accept(request=request, actor=mentor.user)
    with pytest.raises(PermissionDenied, match="admins"):
        services.request_decline(request=request, actor=mentor.user, reason="No.")


def test_rule9_in_hybrid_mode_an_admin_accepts_and_both_people_are_told(
    hybrid, admin, mentee, mentor, django_capture_on_commit_callbacks
):
    mentee.refresh_from_db()
    request = ask(mentee, mentor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_accept(request=request, actor=admin.user)
    assert request.pairing is not None
    assert request.pairing.status == Pairing.Status.ACTIVE
    assert request.decided_by == admin.user
    assert subjects_to(mentee.user) == [f"{hybrid.name}: {mentor.user} is your mentor"]
    assert subjects_to(mentor.user) == [f"{hybrid.name}: you are now mentoring {mentee.user}"]


def test_rule9_in_hybrid_mode_withdrawing_tells_the_admins(
    hybrid, admin, mentee, mentor, django_capture_on_commit_callbacks
):
    mentee.refresh_from_db()
    request = ask(mentee, mentor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_withdraw(request=request, actor=mentee.user)
    assert subjects_to(admin.user) == [f"{hybrid.name}: {mentee.user} withdrew their request"]
    assert subjects_to(mentor.user) == []


def test_rule9_an_admin_of_another_program_cannot_decide(hybrid, mentee, mentor):
    mentee.refresh_from_db()
    request = ask(mentee, mentor)
    stranger = MembershipFactory.create(program=ProgramFactory.create(), role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.request_accept(request=request, actor=stranger.user)


# --- Deadlines -------------------------------------------------------------------------------


def test_rule11_a_request_past_its_deadline_cannot_be_accepted(program, mentee, mentor):
    request = MentorRequestFactory.create(
        program=program,
        mentee=mentee,
        mentor=mentor,
        respond_by=timezone.now() - dt.timedelta(minutes=1),
    )
    with pytest.raises(TransitionError, match="expired"):
        services.request_accept(request=request, actor=mentor.user)
    assert not Pairing.objects.exists()


def test_rule11_the_sweep_expires_overdue_requests_once_and_tells_the_mentee(
    program, mentee, mentor, django_capture_on_commit_callbacks
):
    now = timezone.now()
    overdue = MentorRequestFactory.create(
        program=program, mentee=mentee, mentor=mentor, respond_by=now - dt.timedelta(hours=1)
    )
    on_time = MentorRequestFactory.create(program=program, respond_by=now + dt.timedelta(hours=1))
    answered = MentorRequestFactory.create(
        program=program, status=Status.DECLINED, respond_by=now - dt.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requests_expire_overdue(now=now) == [overdue.pk]
        assert services.requests_expire_overdue(now=now) == []
    overdue.refresh_from_db()
    assert overdue.status == Status.EXPIRED
    on_time.refresh_from_db()
    answered.refresh_from_db()
    assert (on_time.status, answered.status) == (Status.PENDING, Status.DECLINED)
    assert subjects_to(mentee.user) == [f"{program.name}: your request to {mentor.user} expired"]
    assert len(mail.outbox) == 1


def test_the_sweep_task_expires_requests_too(program, mentee, mentor):
    from matching import tasks

    MentorRequestFactory.create(
        program=program,
        mentee=mentee,
        mentor=mentor,
        respond_by=timezone.now() - dt.timedelta(hours=1),
    )
    assert tasks.expire_overdue() == 1


# --- The mentor's own switch -----------------------------------------------------------------


def test_a_mentor_closes_and_reopens_themself_to_requests(mentee, mentor):
    services.mentor_set_accepting(membership=mentor, actor=mentor.user, accepting=False)
    mentor.refresh_from_db()
    assert mentor.accepting_mentees is False
    with refused("not taking new mentees"):
        ask(mentee, mentor)
    services.mentor_set_accepting(membership=mentor, actor=mentor.user, accepting=True)
    assert ask(mentee, mentor).is_pending


def test_only_the_mentor_sets_whether_they_take_mentees(mentor, mentee, admin):
    with pytest.raises(PermissionDenied):
        services.mentor_set_accepting(membership=mentor, actor=admin.user, accepting=False)
    with pytest.raises(ValidationError, match="Only mentors"):
        services.mentor_set_accepting(membership=mentee, actor=mentee.user, accepting=False)
