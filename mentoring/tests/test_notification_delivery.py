"""Notifications are recorded once and e-mailed once, as and when each person prefers."""

import datetime as dt
import smtplib
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from mentoring import notifications
from mentoring.models import Category, Notification, NotificationPreference
from mentoring.notifications import Notice
from mentoring.tests.factories import UserFactory
from mentoring.tests.test_templates_a11y import assert_accessible

pytestmark = pytest.mark.django_db

# A Wednesday, 10:00 in London: inside the default contact hours (weekdays 9-18).
WEDNESDAY_10 = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)
WEDNESDAY_22 = dt.datetime(2026, 11, 18, 22, 0, tzinfo=dt.UTC)
THURSDAY_9 = dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)
State = Notification.EmailState


def notice(user, key="agenda:1", category=Category.MEETINGS, **kw) -> Notice:
    fields = {
        "user": user,
        "kind": "agenda_submitted",
        "key": key,
        "title": "Sam filed the agenda",
        "category": category,
        "lines": ("Read it before Thursday.",),
        "url": "/programs/",
    }
    return Notice(**{**fields, **kw})


@pytest.fixture
def person():
    return UserFactory.create(timezone="Europe/London")


@pytest.fixture(autouse=True)
def _commit(django_capture_on_commit_callbacks, monkeypatch):
    """Run what waits for the commit at once, as a real request's commit would."""
    real = notifications.record

    def record(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return real(*args, **kwargs)

    monkeypatch.setattr(notifications, "record", record)


def test_recording_twice_records_and_sends_once(person):
    with time_machine.travel(WEDNESDAY_10, tick=False):
        assert notifications.record([notice(person)]) == 1
        assert notifications.record([notice(person), notice(person)]) == 0
        assert notifications.deliver_due() == 0
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Sam filed the agenda"
    assert "Read it before Thursday." in message.body
    assert "http://testserver/programs/" in message.body
    html = message.alternatives[0][0]  # type: ignore[attr-defined]
    assert "Stop e-mails about this" in html
    assert Notification.objects.get().email_state == State.SENT


def test_delivering_the_same_notification_twice_sends_it_once(person):
    with time_machine.travel(WEDNESDAY_10, tick=False):
        with mock.patch("mentoring.notifications._enqueue"):
            notifications.record([notice(person)])
        pk = Notification.objects.get().pk
        assert notifications.deliver([pk, pk]) == 1
        assert notifications.deliver([pk]) == 0
        assert notifications.deliver_due() == 0
    assert len(mail.outbox) == 1


def test_an_e_mail_due_in_quiet_hours_waits_for_the_contact_hours(person):
    with time_machine.travel(WEDNESDAY_22, tick=False):
        notifications.record([notice(person)])
        assert mail.outbox == []
    note = Notification.objects.get()
    assert note.send_after == THURSDAY_9  # 09:00 in London
    assert notifications.deliver_due(at=THURSDAY_9 - dt.timedelta(minutes=1)) == 0
    assert notifications.deliver_due(at=THURSDAY_9) == 1
    assert notifications.deliver_due(at=THURSDAY_9) == 0
    assert len(mail.outbox) == 1


def test_quiet_hours_are_the_recipients_own_time_zone():
    tokyo = UserFactory.create(timezone="Asia/Tokyo")
    # 10:00 UTC is 19:00 in Tokyo, after their contact hours.
    with time_machine.travel(WEDNESDAY_10, tick=False):
        notifications.record([notice(tokyo)])
    assert mail.outbox == []
    assert Notification.objects.get().send_after == dt.datetime(
        2026, 11, 19, 0, 0, tzinfo=dt.UTC
    )  # 09:00 Thursday in Tokyo


def test_a_weekend_waits_for_monday(person):
    saturday = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
    assert notifications.next_contact_time(person, saturday) == dt.datetime(
        2026, 11, 23, 9, 0, tzinfo=dt.UTC
    )


def test_contact_hours_past_midnight():
    owl = UserFactory.create(
        timezone="UTC",
        contact_hours_start=dt.time(20, 0),
        contact_hours_end=dt.time(2, 0),
        contact_days=[0, 1, 2, 3, 4, 5, 6],
    )
    assert notifications.next_contact_time(owl, WEDNESDAY_10) == dt.datetime(
        2026, 11, 18, 20, 0, tzinfo=dt.UTC
    )
    late = dt.datetime(2026, 11, 19, 1, 0, tzinfo=dt.UTC)
    assert notifications.next_contact_time(owl, late) == late


def test_in_app_only_sends_no_e_mail(person):
    notifications.preferences_set(user=person, modes={Category.MEETINGS: "in_app"})
    with time_machine.travel(WEDNESDAY_10, tick=False):
        notifications.record([notice(person)])
        notifications.record([notice(person, key="other", category=Category.FOLLOW_UPS)])
    assert Notification.objects.get(key="agenda:1").email_state == State.NONE
    assert [m.subject for m in mail.outbox] == ["Sam filed the agenda"]  # the other one


def test_a_digest_reader_gets_one_e_mail_a_day(person):
    notifications.preferences_set(user=person, modes={Category.MEETINGS: "digest"})
    with time_machine.travel(WEDNESDAY_22, tick=False):
        notifications.record([notice(person, key="a", title="First")])
        notifications.record([notice(person, key="b", title="Second")])
        assert notifications.send_digests() == 0  # quiet hours
    assert mail.outbox == []
    assert notifications.send_digests(at=THURSDAY_9) == 1
    assert notifications.send_digests(at=THURSDAY_9) == 0
    [digest] = mail.outbox
    assert "2 updates" in digest.subject
    assert "First" in digest.body
    assert "Second" in digest.body
    later = THURSDAY_9 + dt.timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        notifications.record([notice(person, key="c", title="Third")])
    assert notifications.send_digests(at=later) == 0  # one a day
    assert notifications.send_digests(at=later + dt.timedelta(days=1)) == 1
    assert "Third" in mail.outbox[-1].body


def test_someone_whose_channels_leave_out_e_mail_hears_in_the_app_only():
    chat_only = UserFactory.create(contact_channels=["in_app", "chat"])
    with time_machine.travel(WEDNESDAY_10, tick=False):
        notifications.record([notice(chat_only)])
    assert Notification.objects.get().email_state == State.NONE
    assert mail.outbox == []


def test_an_inactive_person_gets_no_e_mail():
    gone = UserFactory.create(is_active=False)
    with time_machine.travel(WEDNESDAY_10, tick=False):
        notifications.record([notice(gone)])
    assert Notification.objects.get().email_state == State.NONE
    assert mail.outbox == []


def test_a_broker_that_is_down_loses_nothing(person, caplog):
    with (
        time_machine.travel(WEDNESDAY_10, tick=False),
        mock.patch(
            "mentoring.tasks.deliver_notifications.apply_async",
            side_effect=ConnectionError("broker down"),
        ),
    ):
        notifications.record([notice(person)])
    assert mail.outbox == []
    assert "a sweep will retry it" in caplog.text
    assert notifications.deliver_due(at=WEDNESDAY_10 + dt.timedelta(minutes=1)) == 1
    assert len(mail.outbox) == 1


def test_an_attachment_is_built_when_the_e_mail_is_sent(person):
    @notifications.attachment_builder("test_file")
    def build(argument):
        return (f"{argument}.ics", b"BEGIN:VCALENDAR", "text/calendar")

    with time_machine.travel(WEDNESDAY_10, tick=False):
        notifications.record([notice(person, attachment="test_file:meeting-7")])
    [message] = mail.outbox
    # Django decodes text attachments.
    assert [tuple(a) for a in message.attachments] == [
        ("meeting-7.ics", "BEGIN:VCALENDAR", "text/calendar")
    ]


# --- Unsubscribing and choosing -------------------------------------------------------------


def test_every_e_mail_has_a_one_click_unsubscribe_for_its_category(client, person):
    with time_machine.travel(WEDNESDAY_10, tick=False):
        notifications.record([notice(person)])
    message = mail.outbox[0]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body
    path = link.removeprefix("http://testserver")
    page = client.get(path)
    assert "Stop e-mails to" in page.content.decode()
    assert not NotificationPreference.objects.exists()  # a GET changes nothing
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert notifications.preferences_of(person)[Category.MEETINGS] == "in_app"
    assert notifications.preferences_of(person)[Category.FOLLOW_UPS] == "email"


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxfQ:forged:sig"])
def test_a_bad_unsubscribe_link_is_404_and_changes_nothing(client, person, token):
    response = client.post(reverse("notifications_unsubscribe", args=[token]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_people_choose_per_category(client, person):
    client.force_login(person)
    url = reverse("notification_preferences")
    assert_accessible(client.get(url))
    data = dict.fromkeys(Category.values, "email") | {Category.ADMIN: "digest"}
    assert client.post(url, data).status_code == 302
    assert notifications.preferences_of(person)[Category.ADMIN] == "digest"
    bad = client.post(url, {**data, Category.ADMIN: "carrier-pigeon"})
    assert bad.status_code == 200
    assert bad.context["form"].errors[Category.ADMIN]
    assert notifications.preferences_of(person)[Category.ADMIN] == "digest"


def test_the_choices_page_needs_a_login(client):
    response = client.get(reverse("notification_preferences"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_e_mail_held_past_its_moment_is_not_sent(person):
    # A reminder for a 07:00 meeting, recorded at 06:00 in quiet hours, would go at 09:00.
    six = dt.datetime(2026, 11, 19, 6, 0, tzinfo=dt.UTC)
    with time_machine.travel(six, tick=False):
        notifications.record([notice(person, expires_at=six + dt.timedelta(hours=1))])
    assert notifications.deliver_due(at=THURSDAY_9) == 0
    assert Notification.objects.get().email_state == State.EXPIRED
    assert mail.outbox == []


def test_a_refused_address_does_not_hold_back_anyone_elses_e_mail(person):
    other = UserFactory.create(timezone="Europe/London")
    with time_machine.travel(WEDNESDAY_22, tick=False):
        notifications.record([notice(person, key="bad"), notice(other, key="good")])
    real = notifications._send

    def refuse_first(note):
        if note.key == "bad":
            raise smtplib.SMTPRecipientsRefused({note.user.email: (550, b"no such user")})
        return real(note)

    with mock.patch.object(notifications, "_send", side_effect=refuse_first):
        assert notifications.deliver_due(at=THURSDAY_9) == 1
    assert Notification.objects.get(key="bad").email_state == State.FAILED
    assert Notification.objects.get(key="good").email_state == State.SENT
    assert notifications.deliver_due(at=THURSDAY_9) == 0


def test_a_switch_to_digest_takes_what_waits_for_quiet_hours_along(person):
    with time_machine.travel(WEDNESDAY_22, tick=False):
        notifications.record([notice(person)])
    notifications.preferences_set(user=person, modes={Category.MEETINGS: "digest"})
    assert notifications.deliver_due(at=THURSDAY_9) == 0
    assert notifications.send_digests(at=THURSDAY_9) == 1
    [digest] = mail.outbox
    assert "List-Unsubscribe" in digest.extra_headers
    assert "Stop e-mails about" in digest.body
    notifications.preferences_set(user=person, modes={Category.MEETINGS: "email"})


def test_a_switch_back_to_e_mail_sends_what_waited_for_the_digest(person):
    notifications.preferences_set(user=person, modes={Category.MEETINGS: "digest"})
    with time_machine.travel(WEDNESDAY_22, tick=False):
        notifications.record([notice(person)])
    assert Notification.objects.get().email_state == State.DIGEST
    with time_machine.travel(WEDNESDAY_22, tick=False):
        notifications.preferences_set(user=person, modes={Category.MEETINGS: "email"})
    assert notifications.deliver_due(at=THURSDAY_9) == 1
    assert notifications.send_digests(at=THURSDAY_9) == 0


def test_a_digest_run_that_overlaps_another_sends_no_second_one(person, monkeypatch):
    """Two runs at once: the other run's digest commits after this one looked for
    today's digests but before it sends. The user's lock and a second look stop it."""
    notifications.preferences_set(user=person, modes={Category.MEETINGS: "digest"})
    with time_machine.travel(WEDNESDAY_22, tick=False):
        notifications.record([notice(person, key="a", title="First")])
        notifications.record([notice(person, key="b", title="Second")])
    real = type(person).may_be_contacted_at

    def and_meanwhile(user, at):
        # The other run's digest lands now, with one of the two notifications.
        Notification.objects.filter(user=user, key="a").update(
            email_state=State.DIGESTED, emailed_at=at
        )
        return real(user, at)

    monkeypatch.setattr(type(person), "may_be_contacted_at", and_meanwhile)
    assert notifications.send_digests(at=THURSDAY_9) == 0
    assert mail.outbox == []
    assert Notification.objects.get(key="b").email_state == State.DIGEST  # for tomorrow


def test_a_resent_e_mail_keeps_its_message_id(person):
    """A worker killed after the server accepted the e-mail but before the commit sends
    it again on retry: the copy has the same Message-ID, for mailboxes to fold."""
    with time_machine.travel(WEDNESDAY_10, tick=False):
        with mock.patch("mentoring.notifications._enqueue"):
            notifications.record([notice(person), notice(person, key="agenda:2")])
        first, second = Notification.objects.order_by("pk")
        assert notifications.deliver([first.pk]) == 1
        Notification.objects.filter(pk=first.pk).update(email_state=State.PENDING)  # the crash
        assert notifications.deliver([first.pk, second.pk]) == 2
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert ids[0] == ids[1]
    assert ids[2] != ids[0]
    assert ids[0].startswith("<notice.")
    assert ids[0].endswith(">")
    assert mail.outbox[0].message()["Message-ID"] == ids[0]
