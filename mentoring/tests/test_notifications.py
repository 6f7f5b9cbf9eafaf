"""In-app notifications: recorded once per event, read by their owner only."""

import pytest
from django.urls import reverse

from mentoring.models import Notification
from mentoring.notifications import notification_record, notifications_mark_read
from mentoring.tests.factories import UserFactory
from mentoring.tests.test_templates_a11y import assert_accessible

pytestmark = pytest.mark.django_db


def record(user, key="agenda:1", url="/programs/", title="An agenda arrived"):
    return notification_record(user=user, kind="agenda", key=key, title=title, url=url)


def test_the_same_event_is_recorded_once():
    user = UserFactory.create()
    assert record(user) is not None
    assert record(user) is None
    assert Notification.objects.filter(user=user).count() == 1


def test_marking_read_touches_only_the_owners_notifications():
    me, other = UserFactory.create(), UserFactory.create()
    record(me, "a")
    record(other, "b")
    assert notifications_mark_read(user=me) == 1
    assert Notification.objects.get(key="b").read_at is None


def test_the_list_shows_my_notifications_and_not_others(client):
    me, other = UserFactory.create(), UserFactory.create()
    record(me, "mine", title="Mine <b>bold</b>")
    record(other, "theirs", title="Someone else's")
    client.force_login(me)
    html = assert_accessible(client.get(reverse("notifications")))
    assert "Mine &lt;b&gt;bold&lt;/b&gt;" in html
    assert "Someone else" not in html


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client):
    me = UserFactory.create()
    note = record(me, url="/programs/")
    client.force_login(me)
    response = client.post(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/programs/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_notification_never_sends_anyone_off_site(client):
    me = UserFactory.create()
    note = record(me, url="https://evil.example.com/")
    client.force_login(me)
    response = client.post(reverse("notification_open", args=[note.pk]))
    assert response["Location"] == reverse("notifications")


def test_someone_elses_notification_is_404(client):
    note = record(UserFactory.create())
    client.force_login(UserFactory.create())
    assert client.post(reverse("notification_open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read(client):
    me = UserFactory.create()
    record(me, "a")
    record(me, "b")
    client.force_login(me)
    client.post(reverse("notifications_read_all"))
    assert not Notification.objects.filter(user=me, read_at__isnull=True).exists()


@pytest.mark.parametrize("name", ["notifications", "notifications_read_all"])
def test_anonymous_is_sent_to_log_in(client, name):
    response = client.post(reverse(name)) if "read" in name else client.get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unread_notifications_show_on_the_home_page(client):
    me = UserFactory.create()
    record(me, title="Your mentor filed follow-ups")
    client.force_login(me)
    assert "Your mentor filed follow-ups" in client.get(reverse("home")).content.decode()
    notifications_mark_read(user=me)
    assert "Your mentor filed follow-ups" not in client.get(reverse("home")).content.decode()


def test_the_bell_shows_how_many_are_unread(client):
    me = UserFactory.create()
    client.force_login(me)
    url = reverse("notification_badge")
    assert "unread" not in client.get(url).content.decode()
    record(me, "a")
    record(me, "b")
    record(UserFactory.create(), "someone else's")
    html = client.get(url).content.decode()
    assert ">2<" in html
    assert "unread" in html
    page = client.get(reverse("home")).content.decode()
    assert f'hx-get="{url}"' in page  # the page itself does not count them


def test_the_bell_needs_a_login(client):
    response = client.get(reverse("notification_badge"))
    assert response.status_code == 302
