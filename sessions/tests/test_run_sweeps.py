"""run_sweeps: one line per sweep, the e-mails due, and nothing the second time."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from matching.models import Pairing
from matching.tests.factories import PairingFactory
from mentoring import sweeps
from mentoring.models import Notification
from sessions.models import Meeting

pytestmark = pytest.mark.django_db

# A Tuesday, 10:00 UTC: inside everyone's default contact hours.
AT = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)


def run(*args: str) -> str:
    out = StringIO()
    call_command("run_sweeps", *args, stdout=out)
    return out.getvalue()


@time_machine.travel(AT + dt.timedelta(seconds=1), tick=False)
def test_twice_in_a_row_the_second_run_sends_nothing(world):
    Meeting.objects.create(
        workspace=world.workspace,
        starts_at=AT + dt.timedelta(minutes=50),
        duration_minutes=45,
        created_at=AT - dt.timedelta(days=3),
    )
    # A proposal past its deadline: the chore expires it (and its event tells the admin).
    proposal = PairingFactory.create(program=world.program, respond_by=AT - dt.timedelta(hours=1))
    first = run("--at", AT.isoformat())
    lines = first.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == [
        *(f"chore={n}" for n in sweeps.chores()),
        *(f"sweep={n}" for n in sweeps.names()),
    ]
    assert "chore=expire_overdue changed=1" in first
    proposal.refresh_from_db()
    assert proposal.status == Pairing.Status.EXPIRED
    assert "sweep=meeting_reminders sent=2" in first
    assert lines[-1].startswith("delivery emails=")
    sent = len(mail.outbox)
    assert sent >= 2
    assert Notification.objects.filter(email_state="sent").count() == sent
    second = run("--at", AT.isoformat())
    assert all(line.endswith(("sent=0", "changed=0")) for line in second.splitlines()[:-1])
    assert second.splitlines()[-1] == "delivery emails=0 digests=0"
    assert len(mail.outbox) == sent


def test_at_runs_as_of_another_time(world):
    Meeting.objects.create(
        workspace=world.workspace,
        starts_at=AT + dt.timedelta(days=30),
        duration_minutes=45,
        created_at=AT,
    )
    assert "sweep=meeting_reminders sent=0" in run("--at", AT.isoformat())
    later = AT + dt.timedelta(days=30) - dt.timedelta(minutes=30)
    assert "sweep=meeting_reminders sent=2" in run("--at", later.isoformat())


def test_a_moment_to_come_previews_the_sweeps_but_changes_nothing_for_good(world):
    """Chores expire things for good: run as of next week, they would expire a proposal
    whose deadline has not passed yet, and nothing could bring it back."""
    proposal = PairingFactory.create(program=world.program, respond_by=AT - dt.timedelta(hours=1))
    with time_machine.travel(AT - dt.timedelta(days=2), tick=False):
        out = run("--at", AT.isoformat())
    assert "chore=expire_overdue skipped=at_is_in_the_future" in out
    assert "sweep=meeting_reminders sent=" in out
    proposal.refresh_from_db()
    assert proposal.status == Pairing.Status.PROPOSED


def test_a_time_without_offset_is_utc_and_a_bad_one_is_refused():
    assert "delivery" in run("--at", "2026-11-24T10:00")
    with pytest.raises(CommandError, match="ISO date and time"):
        run("--at", "next tuesday")


def test_now_by_default():
    assert "delivery emails=0 digests=0" in run()
