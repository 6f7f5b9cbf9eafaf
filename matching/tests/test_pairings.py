"""The pairing lifecycle: proposed -> active -> completed, or declined, expired, ended early."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from matching import services
from matching.models import MatchConstraint, Pairing
from matching.services import TransitionError
from matching.tests.factories import MenteeFactory, MentorFactory, PairingFactory
from mentoring.models import User
from programs.models import Membership
from programs.tests.factories import MembershipFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _contact_hours_always(monkeypatch):
    """Who is told, not when: e-mails wait for contact hours, tested with the pipeline."""
    monkeypatch.setattr(User, "may_be_contacted_at", lambda self, moment: True)


Status = Pairing.Status


@pytest.fixture
def proposal():
    program = ProgramFactory.create()
    MembershipFactory.create(program=program, role=Membership.Role.ADMIN)
    return PairingFactory.create(program=program)


def test_the_mentor_accepts_a_proposal_and_the_mentee_is_told(
    proposal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.pairing_accept(pairing=proposal, actor=proposal.mentor.user)
    proposal.refresh_from_db()
    assert proposal.status == Status.ACTIVE
    assert proposal.started_at is not None
    assert [m.to for m in mail.outbox] == [[proposal.mentee.user.email]]
    assert "is your mentor" in mail.outbox[0].subject


def test_only_the_proposed_mentor_can_accept(proposal):
    for someone in (proposal.mentee.user, MentorFactory.create(program=proposal.program).user):
        with pytest.raises(PermissionDenied):
            services.pairing_accept(pairing=proposal, actor=someone)


def test_a_decline_needs_a_reason_and_tells_the_admins(
    proposal, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError):
        services.pairing_decline(pairing=proposal, actor=proposal.mentor.user, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.pairing_decline(pairing=proposal, actor=proposal.mentor.user, reason="Too busy")
    proposal.refresh_from_db()
    assert proposal.status == Status.DECLINED
    assert proposal.decline_reason == "Too busy"
    admin_emails = set(
        Membership.objects.filter(program=proposal.program, role="admin").values_list(
            "user__email", flat=True
        )
    )
    assert {m.to[0] for m in mail.outbox} == admin_emails
    assert "Too busy" in mail.outbox[0].body
    assert MatchConstraint.objects.filter(
        mentee=proposal.mentee, mentor=proposal.mentor, kind="forbid"
    ).exists()


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.ACTIVE, "accept"),
        (Status.DECLINED, "accept"),
        (Status.EXPIRED, "decline"),
        (Status.COMPLETED, "decline"),
        (Status.PROPOSED, "complete"),
        (Status.DECLINED, "end_early"),
        (Status.COMPLETED, "end_early"),
        (Status.ENDED_EARLY, "complete"),
    ],
)
def test_an_illegal_transition_raises_a_clear_error(status, action):
    pairing = PairingFactory.create(
        status=status, end_reason="x" if status == Status.ENDED_EARLY else ""
    )
    actor = pairing.mentor.user
    calls = {
        "accept": lambda: services.pairing_accept(pairing=pairing, actor=actor),
        "decline": lambda: services.pairing_decline(pairing=pairing, actor=actor, reason="r"),
        "complete": lambda: services.pairing_complete(pairing=pairing, actor=actor),
        "end_early": lambda: services.pairing_end_early(pairing=pairing, actor=actor, reason="r"),
    }
    with pytest.raises(TransitionError) as caught:
        calls[action]()
    message = caught.value.messages[0]
    assert message.startswith("This pairing is ")
    assert "only" in message
    pairing.refresh_from_db()
    assert pairing.status == status


def test_completed_and_ended_early_stay_distinct():
    done = PairingFactory.create(status=Status.ACTIVE)
    services.pairing_complete(pairing=done, actor=done.mentee.user)
    early = PairingFactory.create(status=Status.ACTIVE)
    with pytest.raises(ValidationError):
        services.pairing_end_early(pairing=early, actor=early.mentor.user, reason="")
    services.pairing_end_early(pairing=early, actor=early.mentor.user, reason="Changed jobs")
    done.refresh_from_db()
    early.refresh_from_db()
    assert done.status == Status.COMPLETED
    assert done.ended_by == done.mentee.user
    assert early.status == Status.ENDED_EARLY
    assert early.end_reason == "Changed jobs"
    assert early.ended_by == early.mentor.user


def test_outsiders_to_the_pair_cannot_end_it_but_admins_can():
    pairing = PairingFactory.create(status=Status.ACTIVE)
    stranger = MenteeFactory.create(program=pairing.program).user
    with pytest.raises(PermissionDenied):
        services.pairing_complete(pairing=pairing, actor=stranger)
    admin = MembershipFactory.create(program=pairing.program, role=Membership.Role.ADMIN).user
    services.pairing_end_early(pairing=pairing, actor=admin, reason="The mentor left")
    pairing.refresh_from_db()
    assert pairing.status == Status.ENDED_EARLY


def test_one_open_pairing_per_mentor_and_mentee():
    pairing = PairingFactory.create(status=Status.ACTIVE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(
            program=pairing.program,
            mentor=pairing.mentor,
            mentee=pairing.mentee,
            status=Status.PROPOSED,
        )
    # Once it has ended, the same two may be paired again.
    services.pairing_complete(pairing=pairing, actor=pairing.mentor.user)
    with transaction.atomic():
        services.pairing_create(
            program=pairing.program,
            mentor=pairing.mentor,
            mentee=pairing.mentee,
            source=Pairing.Source.MATCHING,
        )


def test_pairing_create_checks_capacity_and_people():
    program = ProgramFactory.create()
    mentor = MentorFactory.create(program=program, capacity=1)
    first, second = MenteeFactory.create_batch(2, program=program)
    with transaction.atomic():
        services.pairing_create(
            program=program, mentor=mentor, mentee=first, source=Pairing.Source.MATCHING
        )
    with pytest.raises(ValidationError, match="no place left"), transaction.atomic():
        services.pairing_create(
            program=program, mentor=mentor, mentee=second, source=Pairing.Source.MATCHING
        )
    # Flash pairings do not take one of the mentor's places.
    with transaction.atomic():
        services.pairing_create(
            program=program,
            mentor=mentor,
            mentee=second,
            source=Pairing.Source.FLASH,
            kind=Pairing.Kind.FLASH,
            status=Status.ACTIVE,
        )
    with pytest.raises(ValidationError, match="mentor and a mentee"), transaction.atomic():
        services.pairing_create(
            program=program, mentor=first, mentee=second, source=Pairing.Source.MATCHING
        )
    other = MentorFactory.create()
    with pytest.raises(ValidationError, match="in this program"), transaction.atomic():
        services.pairing_create(
            program=program, mentor=other, mentee=second, source=Pairing.Source.MATCHING
        )


def test_a_person_cannot_be_their_own_mentor():
    program = ProgramFactory.create()
    mentor = MentorFactory.create(program=program)
    me_as_mentee = MenteeFactory.create(program=program, user=mentor.user)
    with pytest.raises(ValidationError, match="own mentor"), transaction.atomic():
        services.pairing_create(
            program=program, mentor=mentor, mentee=me_as_mentee, source=Pairing.Source.MATCHING
        )


def test_relationship_type_follows_seniority():
    program = ProgramFactory.create()
    cases = [((5, 2), "classic"), ((3, 3), "peer"), ((2, 5), "reverse"), ((None, 2), "classic")]
    for (mentor_level, mentee_level), expected in cases:
        mentor = MentorFactory.create(program=program, seniority=mentor_level)
        mentee = MenteeFactory.create(program=program, seniority=mentee_level)
        with transaction.atomic():
            p = services.pairing_create(
                program=program, mentor=mentor, mentee=mentee, source=Pairing.Source.MATCHING
            )
        assert p.relationship_type == expected


def test_a_proposal_past_its_deadline_expires_once_and_the_admins_are_told(
    proposal, django_capture_on_commit_callbacks
):
    later = proposal.respond_by + dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.pairings_expire_overdue(now=later) == [proposal.pk]
        assert services.pairings_expire_overdue(now=later) == []
    proposal.refresh_from_db()
    assert proposal.status == Status.EXPIRED
    recipients = sorted(m.to[0] for m in mail.outbox)
    admins = Membership.objects.filter(program=proposal.program, role="admin")
    assert recipients == sorted([proposal.mentor.user.email, *(a.user.email for a in admins)])


def test_a_proposal_cannot_be_accepted_after_its_deadline(proposal):
    with (
        time_machine.travel(proposal.respond_by + dt.timedelta(seconds=1)),
        pytest.raises(TransitionError, match="deadline"),
    ):
        services.pairing_accept(pairing=proposal, actor=proposal.mentor.user)


def test_expire_sweep_task_runs_both_sweeps(proposal):
    from matching.tasks import expire_overdue

    with time_machine.travel(proposal.respond_by + dt.timedelta(hours=1)):
        assert expire_overdue() >= 1
    proposal.refresh_from_db()
    assert proposal.status == Status.EXPIRED
