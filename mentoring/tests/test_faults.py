"""Faults against real services: a worker killed mid-batch, Redis stopped, two beats.

Each test starts its own ``redis-server`` on a free port and its own Celery worker and
beat processes on the test database (``faults.Harness``); the machine's shared Redis and
PostgreSQL are never stopped or flushed. The processes e-mail into a table written in
the transaction that marks each notification sent (``mailbox.MailboxBackend``), so its
rows are the e-mails that really went out: one row per notification is "exactly once".

Locally these skip without PostgreSQL or redis-server; in CI (CI=true) they must run.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter

import pytest
import redis
from django.utils import timezone

from mentoring import notifications
from mentoring.models import Category, Notification, User
from mentoring.notifications import Notice
from mentoring.tests.factories import UserFactory
from mentoring.tests.faults import Harness, app_on_broker, running_harness, wait_for
from sessions.models import Meeting
from sessions.tests.conftest import make_world

pytestmark = pytest.mark.services

State = Notification.EmailState

# Contact days and hours that always include "now": these tests run on the real clock.
ALWAYS = {
    "contact_days": list(range(7)),
    "contact_hours_start": dt.time(0, 0),
    "contact_hours_end": dt.time(23, 59, 59, 999999),
}
# The beat interval of deliver-due-notifications, unscaled (mentoring/celery.py).
DELIVER_DUE = 60


@pytest.fixture
def harness(transactional_db, tmp_path):
    """The test's own Redis, workers, beats and mailbox; every process dies at the end."""
    with running_harness(tmp_path, "the worker processes share the test database") as harness:
        yield harness


def assert_each_mailed_once(harness: Harness, notes: list[Notification]) -> None:
    """Each of ``notes`` was e-mailed exactly once, and nothing else was."""
    # An e-mail names its notification by recipient, subject and link.
    names = Counter((n.user.email, n.title, n.url) for n in notes)
    assert max(names.values()) == 1, "two notifications share recipient, subject and link"
    mail = harness.mail()
    for note in notes:
        copies = [m for m in mail if m[:2] == (note.user.email, note.title) and note.url in m[2]]
        assert len(copies) == 1, f"{note.key} was e-mailed {len(copies)} times"
    assert len(mail) == len(notes)


# --- 1. A worker killed in the middle of a batch -------------------------------------------


def test_a_worker_killed_mid_batch_leaves_every_email_sent_exactly_once(harness):
    scale = 2 / DELIVER_DUE  # deliver-due-notifications every two seconds
    harness.start_redis()
    users = [UserFactory.create(email=f"kill{i}@example.org", **ALWAYS) for i in range(200)]
    notices = [
        Notice(
            user=user,
            kind="fault_kill",
            key=f"fault_kill:u{user.pk}",
            title=f"Kill test notice {user.pk}",
            category=Category.MEETINGS,
        )
        for user in users
    ]
    broker = redis.Redis(port=harness.redis_port)
    with app_on_broker(harness.redis_url):
        assert notifications.record(notices) == 200
    assert broker.llen("celery") == 4  # four batches of 50, handed over after the commit

    # Each e-mail takes 50 ms between "sent" and its commit, two batches at a time.
    doomed = harness.start_worker("doomed", concurrency=2, mail_delay=0.05)
    wait_for(lambda: harness.mail_count() >= 30, 60, "the first worker to send some")
    # Kill it while an e-mail is written but not committed: freeze the worker, look,
    # and let it run a little more if none is (its children are almost always there).
    for _ in range(50):
        doomed.freeze()
        if harness.mail_in_flight():
            break
        doomed.thaw()
        time.sleep(0.01)
    in_flight = harness.mail_in_flight()
    doomed.kill()  # kill -9 of the worker and its pool children
    assert in_flight >= 1
    sent_before = harness.mail_count()
    assert 30 <= sent_before < 200
    # The batches it was sending stay with Redis until the visibility timeout (an hour):
    # the deliver-due sweep, not a redelivery, must send the rest of them.
    assert broker.hlen("unacked") >= 1

    harness.start_worker("heir", concurrency=2, scale=scale)
    harness.start_beat("beat", scale=scale)
    notes = Notification.objects.filter(kind="fault_kill").select_related("user")
    wait_for(
        lambda: notes.filter(email_state=State.SENT).count() == 200,
        90,
        "every notification to be sent",
        interval=0.5,
    )
    time.sleep(2 * DELIVER_DUE * scale)  # two more sweeps: nothing goes out again

    assert notes.count() == 200
    assert not notes.exclude(email_state=State.SENT).exists()
    assert_each_mailed_once(harness, list(notes))
    assert harness.mail_count() == 200


# --- 2. Redis stopped while a page enqueues work ----------------------------------------------


AGENDA = {
    "did": "Drafted the plan",
    "learned": "Ask earlier",
    "topics": "How to say no to a project",
    "needs": ["feedback"],
    "needs_detail": "",
    "links": "",
    "action": "submit",
}


def test_with_redis_down_the_page_answers_and_the_email_follows_once_redis_is_back(harness, caplog):
    scale = 2 / DELIVER_DUE  # deliver-due-notifications every two seconds
    harness.start_redis()
    world = make_world()
    User.objects.filter(pk=world.mentor.pk).update(**ALWAYS)
    meeting = Meeting.objects.create(
        workspace=world.workspace,
        starts_at=timezone.now() + dt.timedelta(days=7),
        duration_minutes=60,
        status=Meeting.Status.SCHEDULED,
    )
    mentee = world.client("mentee")

    with app_on_broker(harness.redis_url):
        harness.stop_redis()
        with caplog.at_level(logging.ERROR, logger="mentoring.queue"):
            started = time.monotonic()
            response = mentee.post(world.url("agenda_edit", mid=meeting.pk), AGENDA)
            took = time.monotonic() - started

    assert response.status_code == 302
    assert took < 5, f"the page waited {took:.1f} s for the broker"
    assert "Could not queue mentoring.deliver_notifications" in caplog.text
    assert "a sweep will retry it" in caplog.text
    note = Notification.objects.select_related("user").get(
        user=world.mentor, kind="agenda_submitted"
    )
    assert note.email_state == State.PENDING
    assert harness.mail_count() == 0

    harness.start_redis()  # empty: nothing was queued while it was down
    harness.start_worker("worker", scale=scale)
    harness.start_beat("beat", scale=scale)
    beat_started = time.monotonic()
    wait_for(lambda: harness.mail_count() >= 1, 30, "the e-mail to go out")
    # The first sweep runs one interval after the beat starts; allow for the task itself.
    assert time.monotonic() - beat_started <= DELIVER_DUE * scale + 5
    time.sleep(2 * DELIVER_DUE * scale)  # two more sweeps: nothing goes out again

    note.refresh_from_db()
    assert note.email_state == State.SENT
    assert_each_mailed_once(harness, [note])


# --- 3. Two beat processes ---------------------------------------------------------------------


def test_two_beats_for_a_minute_record_and_send_each_reminder_once(harness):
    scale = 1 / DELIVER_DUE  # meeting reminders every five seconds, deliveries every second
    harness.start_redis()
    world = make_world()
    User.objects.update(**ALWAYS)
    now = timezone.now()
    # Five meetings whose one-hour reminder is due and five whose 24-hour one is: twenty
    # reminders, one per participant and meeting.
    starts = [now + dt.timedelta(minutes=20 + 5 * i) for i in range(5)]
    starts += [now + dt.timedelta(hours=20, minutes=5 * i) for i in range(5)]
    for start in starts:
        Meeting.objects.create(
            workspace=world.workspace,
            starts_at=start,
            duration_minutes=30,
            status=Meeting.Status.SCHEDULED,
        )
    harness.start_worker("worker", concurrency=2, scale=scale)
    beats = [harness.start_beat(f"beat{i}", scale=scale) for i in (1, 2)]
    time.sleep(60)
    for beat in beats:
        beat.stop()  # no sweep is cut short below: let the worker finish what is queued
    time.sleep(3)

    for beat in beats:
        fired = beat.output().count("Sending due task sweep-meeting-reminders")
        assert fired >= 8, f"{beat.name} ran the meeting reminders {fired} times"
    reminders = Notification.objects.filter(kind="meeting_reminder")
    assert reminders.count() == 20
    assert {n.user_id for n in reminders} == {world.mentor.pk, world.mentee.pk}
    # Every notice any sweep recorded (agenda nudges come along) went out once.
    notes = list(Notification.objects.select_related("user"))
    assert all(n.email_state == State.SENT for n in notes), Counter(
        (n.kind, n.email_state) for n in notes
    )
    assert_each_mailed_once(harness, notes)
