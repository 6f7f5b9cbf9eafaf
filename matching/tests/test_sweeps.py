"""Matching through the notification pipeline: events and the sweeps of deadlines to come.

Events (``notify.event``) are recorded with the change that caused them and e-mailed as
each person prefers. The sweeps remind whoever must answer a proposal or a request that
expires within a day: found, recorded and sent once, in the recipient's contact hours,
as a digest or in the app only when they chose so.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from matching import notify, services, tasks
from matching.models import MentorRequest, Pairing
from matching.tests.factories import (
    CircleFactory,
    MenteeFactory,
    MentorFactory,
    MentorRequestFactory,
    PairingFactory,
)
from mentoring import notifications, sweeps
from mentoring.models import Category, Notification
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory

pytestmark = pytest.mark.django_db
State = Notification.EmailState

# Everyone here lives in London (the factories' zone): 10:00 on a Wednesday is inside
# the default contact hours (weekdays 09:00-18:00), 22:00 is not.
WEDNESDAY_10 = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)
WEDNESDAY_22 = dt.datetime(2026, 11, 18, 22, 0, tzinfo=dt.UTC)
THURSDAY_9 = dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def program():
    return ProgramFactory.create(status=Program.Status.MATCHING)


@pytest.fixture
def admin(program):
    return MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user


def proposal_due_at(program, at, **fields):
    """A proposal made three days before ``at`` whose answer is due 20 hours after it."""
    values = {
        "program": program,
        "created_at": at - dt.timedelta(days=3),
        "respond_by": at + dt.timedelta(hours=20),
    }
    return PairingFactory.create(**{**values, **fields})


def request_due_at(program, at, **fields):
    values = {
        "program": program,
        "created_at": at - dt.timedelta(days=3),
        "respond_by": at + dt.timedelta(hours=20),
    }
    return MentorRequestFactory.create(**{**values, **fields})


def run(name, at, callbacks):
    """Run a sweep as the beat would, with the e-mails it queues sent after the commit."""
    with time_machine.travel(at, tick=False), callbacks(execute=True):
        return sweeps.run(name, at)


def to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


# --- Events go through the pipeline ---------------------------------------------------------


def test_an_event_is_recorded_in_the_app_and_e_mailed_once_with_an_unsubscribe_link(
    program, django_capture_on_commit_callbacks
):
    proposal = PairingFactory.create(program=program)
    mentee = proposal.mentee.user
    with time_machine.travel(WEDNESDAY_10, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.pairing_accept(pairing=proposal, actor=proposal.mentor.user)
        # A replay of the old task (queued before the change) records nothing more.
        assert tasks.send_event("pairing_accepted", proposal.pk) == 0
        assert notifications.deliver_due() == 0
    note = Notification.objects.get(user=mentee)
    assert note.key == f"pairing_accepted:{proposal.pk}:u{mentee.pk}"
    assert note.kind == "pairing_accepted"
    assert note.category == Category.MATCHING
    assert note.title == f"{program.name}: {proposal.mentor.user} is your mentor"
    assert note.url == proposal.get_absolute_url()
    assert note.action == "Meet your mentor"
    assert note.email_state == State.SENT
    assert note.read_at is None  # in the notification centre, unread
    [message] = mail.outbox
    assert message.to == [mentee.email]
    assert message.subject == note.title
    assert "Start by agreeing how you will work together" in message.body
    assert "/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    token = message.extra_headers["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[-1]
    assert notifications.read_unsubscribe_token(token) == (mentee.pk, Category.MATCHING)


def test_an_event_is_recorded_with_its_change_and_not_when_the_change_is_undone(program):
    proposal = PairingFactory.create(program=program)

    def accept_then_fail():
        with transaction.atomic():
            services.pairing_accept(pairing=proposal, actor=proposal.mentor.user)
            assert Notification.objects.filter(kind="pairing_accepted").exists()
            raise RuntimeError("the request failed after the service")

    with time_machine.travel(WEDNESDAY_10, tick=False), pytest.raises(RuntimeError):
        accept_then_fail()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_in_app_only_for_matching_means_no_e_mail_but_the_notification_is_there(
    program, django_capture_on_commit_callbacks
):
    proposal = PairingFactory.create(program=program)
    mentee = proposal.mentee.user
    notifications.preferences_set(user=mentee, modes={Category.MATCHING: "in_app"})
    with time_machine.travel(WEDNESDAY_10, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.pairing_accept(pairing=proposal, actor=proposal.mentor.user)
        assert notifications.deliver_due() == 0
    assert Notification.objects.get(user=mentee).email_state == State.NONE
    assert mail.outbox == []


def test_an_event_in_quiet_hours_waits_for_the_recipients_contact_hours(
    program, django_capture_on_commit_callbacks
):
    proposal = PairingFactory.create(program=program)
    with (
        time_machine.travel(WEDNESDAY_22, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.pairing_accept(pairing=proposal, actor=proposal.mentor.user)
    assert mail.outbox == []
    assert Notification.objects.get().send_after == THURSDAY_9
    assert notifications.deliver_due(at=THURSDAY_9) == 1
    assert [m.to for m in mail.outbox] == [[proposal.mentee.user.email]]


def test_a_broker_that_is_down_loses_no_event(program, django_capture_on_commit_callbacks):
    proposal = PairingFactory.create(program=program)
    with (
        time_machine.travel(WEDNESDAY_10, tick=False),
        mock.patch(
            "mentoring.tasks.deliver_notifications.apply_async",
            side_effect=ConnectionError("broker down"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.pairing_accept(pairing=proposal, actor=proposal.mentor.user)
    assert mail.outbox == []
    assert notifications.deliver_due(at=WEDNESDAY_10 + dt.timedelta(minutes=1)) == 1
    assert len(mail.outbox) == 1


def test_an_event_that_happens_again_to_the_same_object_is_told_again(
    django_capture_on_commit_callbacks,
):
    program = ProgramFactory.create(allow_circles=True)
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    circle = CircleFactory.create(program=program, max_mentees=3)
    mentee = MenteeFactory.create(program=program)
    with time_machine.travel(WEDNESDAY_10, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            seat = services.circle_add_member(circle=circle, actor=admin, mentee=mentee)
            services.circle_leave(member=seat, actor=admin)
            services.circle_add_member(circle=circle, actor=admin, mentee=mentee)
        # A replay of the first one is still recognised.
        assert notify.record("circle_added", seat.pk) == 0
    keys = set(Notification.objects.filter(user=mentee.user).values_list("key", flat=True))
    assert keys == {
        f"circle_added:{seat.pk}:u{mentee.user.pk}",
        f"circle_member_removed:{seat.pk}:u{mentee.user.pk}",
        f"circle_added:{seat.pk}:n2:u{mentee.user.pk}",
    }
    assert len(to(mentee.user)) == 3
    assert len(to(circle.mentor.user)) == 2  # told of each joining


def test_a_closed_account_gets_no_notification(program, django_capture_on_commit_callbacks):
    proposal = PairingFactory.create(program=program)
    proposal.mentee.user.is_active = False
    proposal.mentee.user.save(update_fields=["is_active"])
    with (
        time_machine.travel(WEDNESDAY_10, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.pairing_accept(pairing=proposal, actor=proposal.mentor.user)
    assert not Notification.objects.exists()
    assert mail.outbox == []


# --- proposals_expiring ---------------------------------------------------------------------


def test_a_proposal_expiring_within_a_day_reminds_its_mentor(
    program, django_capture_on_commit_callbacks
):
    proposal = proposal_due_at(program, WEDNESDAY_10)
    mentor = proposal.mentor.user
    [notice] = sweeps.find("proposals_expiring", WEDNESDAY_10)
    assert notice.user == mentor
    assert notice.key == f"proposal_expiring:{proposal.pk}:u{mentor.pk}"
    assert notice.category == Category.MATCHING
    # The deadline in the mentor's own time zone (London is on UTC in November).
    assert "Thu 19 Nov, 06:00 (Europe/London)" in notice.lines[0]
    assert notice.url == proposal.get_absolute_url()
    assert run("proposals_expiring", WEDNESDAY_10, django_capture_on_commit_callbacks) == 1
    [message] = mail.outbox
    assert message.to == [mentor.email]
    assert message.subject == f"{program.name}: please answer the proposal to mentor " + str(
        proposal.mentee.user
    )
    assert "List-Unsubscribe" in message.extra_headers


def test_a_proposal_in_another_time_zone_shows_the_deadline_there(program):
    proposal = proposal_due_at(program, WEDNESDAY_10)
    proposal.mentor.user.timezone = "America/New_York"
    proposal.mentor.user.save(update_fields=["timezone"])
    [notice] = sweeps.find("proposals_expiring", WEDNESDAY_10)
    assert "Thu 19 Nov, 01:00 (America/New_York)" in notice.lines[0]


def test_no_reminder_before_the_last_day_after_the_deadline_or_once_answered(program):
    at = WEDNESDAY_10
    proposal_due_at(program, at, respond_by=at + dt.timedelta(hours=25))  # not yet
    proposal_due_at(program, at, respond_by=at - dt.timedelta(minutes=1))  # expires now
    proposal_due_at(program, at, status=Pairing.Status.ACTIVE, respond_by=None)
    proposal_due_at(program, at, status=Pairing.Status.DECLINED)
    # Proposed an hour ago with a one-day deadline: the proposal itself said so.
    proposal_due_at(program, at, created_at=at - dt.timedelta(hours=1))
    assert sweeps.find("proposals_expiring", at) == []


def test_a_mentor_whose_account_is_closed_is_not_reminded(program):
    proposal = proposal_due_at(program, WEDNESDAY_10)
    proposal.mentor.user.is_active = False
    proposal.mentor.user.save(update_fields=["is_active"])
    assert sweeps.find("proposals_expiring", WEDNESDAY_10) == []


def test_a_proposal_reminder_is_sent_once_however_often_the_sweep_runs(
    program, django_capture_on_commit_callbacks
):
    proposal_due_at(program, WEDNESDAY_10)
    assert run("proposals_expiring", WEDNESDAY_10, django_capture_on_commit_callbacks) == 1
    later = WEDNESDAY_10 + dt.timedelta(hours=1)
    assert run("proposals_expiring", WEDNESDAY_10, django_capture_on_commit_callbacks) == 0
    assert run("proposals_expiring", later, django_capture_on_commit_callbacks) == 0
    assert notifications.deliver_due(at=later) == 0
    assert len(mail.outbox) == 1


def test_a_proposal_reminder_in_quiet_hours_waits_for_the_morning(
    program, django_capture_on_commit_callbacks
):
    proposal_due_at(program, WEDNESDAY_22)
    assert run("proposals_expiring", WEDNESDAY_22, django_capture_on_commit_callbacks) == 1
    assert mail.outbox == []
    assert notifications.deliver_due(at=THURSDAY_9 - dt.timedelta(minutes=1)) == 0
    assert notifications.deliver_due(at=THURSDAY_9) == 1
    assert len(mail.outbox) == 1


def test_a_proposal_reminder_waits_for_the_daily_digest_of_a_digest_reader(
    program, django_capture_on_commit_callbacks
):
    proposal = proposal_due_at(program, WEDNESDAY_10)
    mentor = proposal.mentor.user
    notifications.preferences_set(user=mentor, modes={Category.MATCHING: "digest"})
    assert run("proposals_expiring", WEDNESDAY_10, django_capture_on_commit_callbacks) == 1
    assert mail.outbox == []
    assert notifications.send_digests(at=WEDNESDAY_10) == 1
    [digest] = mail.outbox
    assert "please answer the proposal" in digest.body


def test_a_mentor_who_reads_matching_in_the_app_only_gets_no_e_mail(
    program, django_capture_on_commit_callbacks
):
    proposal = proposal_due_at(program, WEDNESDAY_10)
    mentor = proposal.mentor.user
    notifications.preferences_set(user=mentor, modes={Category.MATCHING: "in_app"})
    assert run("proposals_expiring", WEDNESDAY_10, django_capture_on_commit_callbacks) == 1
    assert notifications.deliver_due(at=WEDNESDAY_10) == 0
    assert notifications.send_digests(at=WEDNESDAY_10) == 0
    assert mail.outbox == []
    assert Notification.objects.get(user=mentor).email_state == State.NONE


def test_proposals_expiring_is_one_query_however_many_are_due(program, django_assert_num_queries):
    for _ in range(3):
        proposal_due_at(program, WEDNESDAY_10)
    with django_assert_num_queries(1):
        assert len(sweeps.find("proposals_expiring", WEDNESDAY_10)) == 3


# --- requests_expiring ----------------------------------------------------------------------


def test_a_request_expiring_within_a_day_reminds_its_mentor(
    program, django_capture_on_commit_callbacks
):
    request = request_due_at(program, WEDNESDAY_10)
    mentor = request.mentor.user
    [notice] = sweeps.find("requests_expiring", WEDNESDAY_10)
    assert notice.user == mentor
    assert notice.key == f"request_expiring:{request.pk}:u{mentor.pk}"
    assert notice.category == Category.MATCHING
    assert "Thu 19 Nov, 06:00 (Europe/London)" in notice.lines[0]
    assert notice.url == f"/programs/{program.slug}/requests/{request.pk}/"
    assert run("requests_expiring", WEDNESDAY_10, django_capture_on_commit_callbacks) == 1
    [message] = mail.outbox
    assert message.to == [mentor.email]
    assert message.subject == f"{program.name}: {request.mentee.user} is waiting for your answer"


def test_in_hybrid_mode_the_admins_are_reminded_not_the_mentor(
    program, admin, django_capture_on_commit_callbacks
):
    second = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    gone = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    request = request_due_at(program, WEDNESDAY_10, decided_by_admin=True)
    notices = sweeps.find("requests_expiring", WEDNESDAY_10)
    assert {n.user for n in notices} == {admin, second}
    assert {n.category for n in notices} == {Category.ADMIN}
    assert {n.key for n in notices} == {
        f"request_expiring:{request.pk}:u{admin.pk}",
        f"request_expiring:{request.pk}:u{second.pk}",
    }
    assert run("requests_expiring", WEDNESDAY_10, django_capture_on_commit_callbacks) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin.email, second.email])


def test_no_request_reminder_before_the_last_day_after_it_or_once_answered(program):
    at = WEDNESDAY_10
    request_due_at(program, at, respond_by=at + dt.timedelta(hours=25))
    request_due_at(program, at, respond_by=at - dt.timedelta(minutes=1))
    request_due_at(program, at, status=MentorRequest.Status.ACCEPTED)
    request_due_at(program, at, status=MentorRequest.Status.WITHDRAWN)
    request_due_at(program, at, created_at=at - dt.timedelta(hours=2))
    closed = request_due_at(program, at)
    closed.mentor.user.is_active = False
    closed.mentor.user.save(update_fields=["is_active"])
    assert sweeps.find("requests_expiring", at) == []


def test_a_request_reminder_is_sent_once_however_often_the_sweep_runs(
    program, django_capture_on_commit_callbacks
):
    request_due_at(program, WEDNESDAY_10)
    assert run("requests_expiring", WEDNESDAY_10, django_capture_on_commit_callbacks) == 1
    assert run("requests_expiring", WEDNESDAY_10, django_capture_on_commit_callbacks) == 0
    later = WEDNESDAY_10 + dt.timedelta(hours=3)
    assert run("requests_expiring", later, django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1


def test_a_request_reminder_in_quiet_hours_waits_for_the_morning(
    program, django_capture_on_commit_callbacks
):
    request_due_at(program, WEDNESDAY_22)
    assert run("requests_expiring", WEDNESDAY_22, django_capture_on_commit_callbacks) == 1
    assert mail.outbox == []
    assert notifications.deliver_due(at=THURSDAY_9) == 1
    assert len(mail.outbox) == 1


def test_a_request_reminder_waits_for_the_digest_of_a_digest_reader(
    program, django_capture_on_commit_callbacks
):
    request = request_due_at(program, WEDNESDAY_10)
    notifications.preferences_set(user=request.mentor.user, modes={Category.MATCHING: "digest"})
    assert run("requests_expiring", WEDNESDAY_10, django_capture_on_commit_callbacks) == 1
    assert mail.outbox == []
    assert notifications.send_digests(at=WEDNESDAY_10) == 1
    assert "is waiting for your answer" in mail.outbox[0].body


def test_an_admin_who_reads_admin_alerts_in_the_app_only_gets_no_e_mail(
    program, admin, django_capture_on_commit_callbacks
):
    request_due_at(program, WEDNESDAY_10, decided_by_admin=True)
    notifications.preferences_set(user=admin, modes={Category.ADMIN: "in_app"})
    assert run("requests_expiring", WEDNESDAY_10, django_capture_on_commit_callbacks) == 1
    assert notifications.deliver_due(at=WEDNESDAY_10) == 0
    assert mail.outbox == []
    assert Notification.objects.get(user=admin).email_state == State.NONE


def test_requests_expiring_loads_the_admins_in_one_more_query(
    program, admin, django_assert_num_queries
):
    for _ in range(2):
        request_due_at(program, WEDNESDAY_10)
        request_due_at(program, WEDNESDAY_10, decided_by_admin=True)
    other = ProgramFactory.create()
    MembershipFactory.create(program=other, role=Membership.Role.ADMIN)
    request_due_at(
        other,
        WEDNESDAY_10,
        decided_by_admin=True,
        mentor=MentorFactory.create(program=other),
        mentee=MenteeFactory.create(program=other),
    )
    with django_assert_num_queries(2):
        assert len(sweeps.find("requests_expiring", WEDNESDAY_10)) == 2 + 2 + 1
