"""The program admins' weekly digest: on Monday, what needs them, once a week.

The world (``conftest.py``): a running program (UTC) with two pairs that started on
15 September and never met, a circle, and an admin in London.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from matching.models import Pairing
from matching.services import pairings as pairing_services
from matching.tests.factories import PairingFactory
from mentoring import notifications, sweeps
from mentoring.models import Category, Notification, Weekday
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory
from sessions import rhythm, sweeps_admin
from sessions.models import Agreement, Review, Workspace

pytestmark = pytest.mark.django_db
State = Notification.EmailState

# 23 November 2026 is a Monday; 10:00 UTC is 10:00 in London, inside contact hours.
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
MONDAY_2 = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
MONDAY_9 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
TUESDAY_10 = MONDAY_10 + dt.timedelta(days=1)
SUNDAY_23 = MONDAY_10 - dt.timedelta(hours=11)


def digest(at):
    return sweeps.find("admin_digest", at)


def run(at, callbacks):
    with time_machine.travel(at, tick=False), callbacks(execute=True):
        return sweeps.run("admin_digest", at)


def met(workspace, days_ago, at=MONDAY_10):
    Workspace.objects.filter(pk=workspace.pk).update(last_met_at=at - dt.timedelta(days=days_ago))
    rhythm.refresh([workspace.pk])  # as the meeting services do


def quiet_world(world):
    """Both pairs met lately: nothing to report."""
    met(world.workspace, 3)
    met(world.other_workspace, 3)


def review(workspace, author):
    Review.objects.create(
        workspace=workspace,
        author=author,
        kind=Review.Kind.MIDPOINT,
        value_received=4,
        value_given=4,
        working="We meet and it helps.",
    )
    pairing = workspace.pairing
    # As the review service does.
    rhythm.note_midpoint_review(workspace, [pairing.mentor.user_id, pairing.mentee.user_id])


def test_it_is_registered_as_a_sweep():
    assert "admin_digest" in sweeps.names()
    assert sweeps_admin.admin_digest.__name__ == "admin_digest"


def test_on_monday_each_admin_gets_one_digest_of_what_needs_them(
    world, django_capture_on_commit_callbacks
):
    # The pair is a month past its mid-point without reviews; a proposal waits.
    Workspace.objects.filter(pk=world.workspace.pk).update(midpoint_date=dt.date(2026, 10, 23))
    proposal = PairingFactory.create(
        program=world.program, respond_by=dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)
    )
    [notice] = digest(MONDAY_10)
    program = world.program
    assert notice.user == world.admin
    assert notice.kind == "admin_digest"
    assert notice.key == f"admin_digest:{program.pk}:2026-W48:u{world.admin.pk}"
    assert notice.category == Category.ADMIN
    assert notice.title == (
        f"{program.name}, this week: 2 pairs at risk, 1 review overdue, 1 proposal unanswered"
    )
    assert notice.url == reverse("matching:pairings", kwargs={"slug": program.slug})
    at_risk, overdue, waiting = notice.lines
    pair = f"{world.mentor.display_name} and {world.mentee.display_name}"
    other = f"{world.other_mentor.display_name} and {world.other_mentee.display_name}"
    assert at_risk.startswith("2 pairs at risk")
    assert f"{pair} (never met)" in at_risk
    assert f"{other} (never met)" in at_risk
    assert world.circle.name not in at_risk  # circles are not pairs
    assert overdue == (
        f"1 pair more than two weeks past the mid-point with a review missing: "
        f"{pair} (mid-point 23 Oct)."
    )
    assert waiting == (
        f"1 proposal still unanswered: {proposal.mentor.user.display_name} for "
        f"{proposal.mentee.user.display_name}, answer due 26 Nov."
    )
    assert run(MONDAY_10, django_capture_on_commit_callbacks) == 1
    [message] = mail.outbox
    assert message.to == [world.admin.email]
    assert message.subject == notice.title
    assert "List-Unsubscribe" in message.extra_headers
    assert world.outsider.email not in message.to


def test_a_long_list_shows_the_first_few_names_and_how_many_more(world):
    quiet_world(world)
    for _ in range(5):
        PairingFactory.create(program=world.program)
    [notice] = digest(MONDAY_10)
    assert notice.title.endswith("5 proposals unanswered")
    [line] = notice.lines
    assert line.startswith("5 proposals still unanswered: ")
    assert line.endswith(" and 2 more.")
    assert line.count(" for ") == 3


def test_at_risk_means_silent_for_twice_the_cadence(world):
    # The program meets every 14 days; the pair agreed to meet weekly.
    Agreement.objects.create(
        workspace=world.workspace,
        purpose="Grow as a manager.",
        mentee_success="Confident in hard talks.",
        mentor_success="They run their own one-to-ones.",
        cadence_days=7,
        meeting_minutes=45,
        confidentiality="What we say stays here.",
        planned_end_date=dt.date(2027, 3, 1),
        accepted_at=dt.datetime(2026, 9, 20, tzinfo=dt.UTC),
    )
    met(world.workspace, 13)  # under 2 x 7: fine
    met(world.other_workspace, 27)  # under 2 x 14: fine
    assert digest(MONDAY_10) == []
    met(world.workspace, 14)
    met(world.other_workspace, 28)
    [notice] = digest(MONDAY_10)
    [line] = notice.lines
    assert line.startswith("2 pairs at risk")
    assert "(no meeting for 14 days)" in line
    assert "(no meeting for 28 days)" in line


def test_a_review_is_overdue_until_both_sides_wrote_it(world):
    quiet_world(world)
    Workspace.objects.filter(pk=world.workspace.pk).update(midpoint_date=dt.date(2026, 11, 9))
    assert digest(MONDAY_10) == []  # 14 days after the mid-point: not more than 14 yet
    Workspace.objects.filter(pk=world.workspace.pk).update(midpoint_date=dt.date(2026, 11, 8))
    review(world.workspace, world.mentor)
    [notice] = digest(MONDAY_10)
    assert notice.title.endswith("1 review overdue")
    review(world.workspace, world.mentee)
    assert digest(MONDAY_10) == []


def test_ended_and_flash_pairings_are_not_reported(world):
    quiet_world(world)
    # Ended the way the app ends it (its services save the pairing); long silent since.
    pairing_services.pairing_complete(pairing=world.pairing, actor=world.admin)
    Workspace.objects.filter(pk=world.workspace.pk).update(last_met_at=None)
    rhythm.refresh([world.workspace.pk])
    flash = PairingFactory.create(
        program=world.program,
        kind=Pairing.Kind.FLASH,
        status=Pairing.Status.ACTIVE,
        started_at=dt.datetime(2026, 9, 15, tzinfo=dt.UTC),
        respond_by=None,
    )
    assert Workspace.objects.filter(pairing=flash).exists()
    assert digest(MONDAY_10) == []


def test_a_pair_that_ended_is_not_reported_even_if_its_flags_were_left_behind(world):
    """A rhythm refresh racing with the end of a pairing could leave its flags set; the
    digest asks the pairing itself whether it still runs."""
    quiet_world(world)
    Pairing.objects.filter(pk=world.pairing.pk).update(status=Pairing.Status.COMPLETED)
    Workspace.objects.filter(pk=world.workspace.pk).update(
        at_risk_from=MONDAY_10 - dt.timedelta(days=30), awaiting_midpoint_reviews=True
    )
    Workspace.objects.filter(pk=world.workspace.pk).update(midpoint_date=dt.date(2026, 10, 1))
    assert digest(MONDAY_10) == []


def test_nothing_on_other_days_or_with_nothing_to_report(world):
    assert digest(TUESDAY_10) == []
    assert digest(SUNDAY_23) == []
    assert len(digest(MONDAY_10)) == 1
    quiet_world(world)
    assert digest(MONDAY_10) == []


def test_the_admins_may_choose_another_day(world):
    world.program.digest_weekday = Weekday.WEDNESDAY
    world.program.save(update_fields=["digest_weekday"])
    assert digest(MONDAY_10) == []
    wednesday = MONDAY_10 + dt.timedelta(days=2)
    [notice] = digest(wednesday)
    assert ":2026-W48:" in notice.key


def test_monday_is_the_programs_own_monday(world):
    world.program.timezone = "Pacific/Auckland"  # UTC+13 in November
    world.program.save(update_fields=["timezone"])
    sunday_noon_utc = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)  # Monday 01:00 there
    [notice] = digest(sunday_noon_utc)
    assert ":2026-W48:" in notice.key
    assert digest(MONDAY_10 + dt.timedelta(hours=2)) == []  # Tuesday 01:00 there


def test_each_admin_hears_once_a_week(world, django_capture_on_commit_callbacks):
    second = MembershipFactory.create(program=world.program, role=Membership.Role.ADMIN).user
    assert run(MONDAY_10, django_capture_on_commit_callbacks) == 2
    assert run(MONDAY_10, django_capture_on_commit_callbacks) == 0
    assert run(MONDAY_10 + dt.timedelta(hours=5), django_capture_on_commit_callbacks) == 0
    assert notifications.deliver_due(at=MONDAY_10 + dt.timedelta(hours=5)) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.admin.email, second.email])
    next_monday = MONDAY_10 + dt.timedelta(days=7)
    assert run(next_monday, django_capture_on_commit_callbacks) == 2
    assert len(mail.outbox) == 4


def test_an_admin_whose_account_is_closed_gets_nothing(world):
    world.admin.is_active = False
    world.admin.save(update_fields=["is_active"])
    assert digest(MONDAY_10) == []


def test_a_digest_in_quiet_hours_waits_for_the_admins_contact_hours(
    world, django_capture_on_commit_callbacks
):
    assert run(MONDAY_2, django_capture_on_commit_callbacks) == 1  # 02:00 in London
    assert mail.outbox == []
    assert notifications.deliver_due(at=MONDAY_9 - dt.timedelta(minutes=1)) == 0
    assert notifications.deliver_due(at=MONDAY_9) == 1
    assert [m.to for m in mail.outbox] == [[world.admin.email]]


def test_a_digest_reader_gets_it_in_the_daily_digest(world, django_capture_on_commit_callbacks):
    notifications.preferences_set(user=world.admin, modes={Category.ADMIN: "digest"})
    assert run(MONDAY_10, django_capture_on_commit_callbacks) == 1
    assert mail.outbox == []
    assert notifications.send_digests(at=MONDAY_10) == 1
    [message] = mail.outbox
    assert "2 pairs at risk" in message.body


def test_admin_alerts_in_the_app_only_send_no_e_mail(world, django_capture_on_commit_callbacks):
    notifications.preferences_set(user=world.admin, modes={Category.ADMIN: "in_app"})
    assert run(MONDAY_10, django_capture_on_commit_callbacks) == 1
    assert notifications.deliver_due(at=MONDAY_10) == 0
    assert notifications.send_digests(at=MONDAY_10) == 0
    assert mail.outbox == []
    note = Notification.objects.get(user=world.admin)
    assert note.email_state == State.NONE
    assert note.kind == "admin_digest"


def test_the_digest_reads_a_fixed_number_of_rows_sets(
    world, django_assert_num_queries, django_capture_on_commit_callbacks
):
    for _ in range(3):
        PairingFactory.create(program=world.program)
    with django_assert_num_queries(1):
        assert digest(TUESDAY_10) == []  # the programs, and it is not Monday anywhere
    # Programs, admins, digests already recorded; then per section its counts and, if it
    # has any, each program's first few: pairs at risk (2), overdue reviews (none: 1),
    # proposals (2). However many rows each section has.
    with django_assert_num_queries(8):
        assert len(digest(MONDAY_10)) == 1
    run(MONDAY_10, django_capture_on_commit_callbacks)
    with django_assert_num_queries(3):
        assert digest(MONDAY_10 + dt.timedelta(hours=1)) == []


def test_a_program_still_matching_hears_of_its_unanswered_proposals(world):
    program = ProgramFactory.create(status=Program.Status.MATCHING)
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    PairingFactory.create(program=program)
    notices = {n.user: n for n in digest(MONDAY_10)}
    assert set(notices) == {world.admin, admin}
    assert notices[admin].title == f"{program.name}, this week: 1 proposal unanswered"
