"""The session idle timeout: signed out after an hour without activity, without losing
what was typed, and without writing the session on every request."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from mentoring.models import User
from mentoring.security import ACTIVITY_SESSION_KEY, BACKGROUND_HEADER
from mentoring.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
SIGNED_OUT = "You were signed out after 60 minutes without activity."


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def person(db) -> User:
    return UserFactory.create(name="Ada Lovelace", bio="Before.")


@pytest.fixture
def signed_in(clock, person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def profile_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Ada Lovelace",
        "title": "",
        "organisation": "",
        "timezone": "Europe/London",
        "bio": "Before.",
        "contact_channels": ["email"],
        "contact_days": ["0", "1", "2", "3", "4"],
        "contact_hours_start": "09:00",
        "contact_hours_end": "17:00",
    }
    return {**data, **changes}


def test_signing_in_starts_the_clock(signed_in):
    assert signed_in.session[ACTIVITY_SESSION_KEY] == int(START.timestamp())


def test_activity_within_the_timeout_keeps_the_session(signed_in, clock):
    for _ in range(4):  # four hours in all, never an hour idle
        clock.shift(50 * MINUTE)
        assert signed_in.get(reverse("home")).status_code == 200
    assert is_signed_in(signed_in)


def test_idle_past_the_timeout_a_page_sends_them_to_sign_in_and_back(signed_in, clock):
    clock.shift(61 * MINUTE)
    page = reverse("notifications") + "?page=2"
    response = signed_in.get(page)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query)["next"] == [page]
    assert SIGNED_OUT in [str(m) for m in get_messages(response.wsgi_request)]
    assert not is_signed_in(signed_in)
    # The message shows on the sign-in page.
    assert SIGNED_OUT in signed_in.get(response["Location"]).content.decode()


def test_idle_past_the_timeout_htmx_is_told_to_go_to_sign_in(signed_in, clock):
    clock.shift(61 * MINUTE)
    response = signed_in.get(
        reverse("notifications"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/profile/"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("account_login") + "?next=%2Fprofile%2F"
    assert not is_signed_in(signed_in)


def test_a_form_posted_after_the_timeout_is_shown_back_and_not_saved(signed_in, clock, person):
    clock.shift(2 * 60 * MINUTE)
    typed = "A long agenda <b>typed</b> before lunch\nwith a second line."
    response = signed_in.post(
        reverse("profile"),
        {**profile_form(name="Ada King", bio=typed), "password": "hunter2-secret"},
        headers={"Referer": "http://testserver/profile/"},
    )
    assert response.status_code == 401
    html = response.content.decode()
    assert SIGNED_OUT in html
    # Every text field, in a labelled read-only textarea, escaped.
    assert '<label class="form-label" for="typed-' in html
    assert "A long agenda &lt;b&gt;typed&lt;/b&gt; before lunch\nwith a second line." in html
    assert ">Ada King</textarea>" in html
    assert "readonly" in html
    # Not the password, not the CSRF token.
    assert "hunter2" not in html
    assert "csrfmiddlewaretoken" not in html
    # A way back to the page the form was on.
    assert 'href="/accounts/login/?next=%2Fprofile%2F"' in html
    # Nothing was written, and they are signed out.
    person.refresh_from_db()
    assert (person.name, person.bio) == ("Ada Lovelace", "Before.")
    assert not is_signed_in(signed_in)


def test_a_post_that_fails_the_csrf_check_is_not_shown_back(clock, person):
    # Another site posts to a signed-in person's idle session: they are signed out, but
    # no text of its choosing is shown on our pages.
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    clock.shift(2 * 60 * MINUTE)
    response = client.post(
        reverse("profile"),
        profile_form(bio="Call 555-0100 to keep your account"),
        headers={"Referer": "https://evil.example/x"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2F"
    assert "555-0100" not in response.content.decode()
    assert not is_signed_in(client)
    person.refresh_from_db()
    assert person.bio == "Before."


def test_a_post_with_a_valid_csrf_token_is_shown_back(clock, person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    form_page = client.get(reverse("profile")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page)
    assert token is not None
    clock.shift(2 * 60 * MINUTE)
    response = client.post(
        reverse("profile"),
        {**profile_form(bio="Typed with care."), "csrfmiddlewaretoken": token[1]},
        headers={"Referer": "http://testserver/profile/"},
    )
    assert response.status_code == 401
    assert ">Typed with care.</textarea>" in response.content.decode()
    assert not is_signed_in(client)


def test_the_same_form_posted_in_time_is_saved(signed_in, clock, person):
    clock.shift(30 * MINUTE)
    response = signed_in.post(reverse("profile"), profile_form(name="Ada King"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "Ada King"


def test_a_sign_in_link_never_leads_to_another_site(signed_in, clock):
    clock.shift(61 * MINUTE)
    response = signed_in.post(
        reverse("profile"), profile_form(), headers={"Referer": "https://evil.example/x"}
    )
    assert 'href="/accounts/login/?next=%2F"' in response.content.decode()


def test_the_badge_poll_does_not_keep_the_session_alive(signed_in, clock):
    clock.shift(40 * MINUTE)
    assert signed_in.get(reverse("notification_badge")).status_code == 200
    clock.shift(10 * MINUTE)
    response = signed_in.get(reverse("home"), headers={BACKGROUND_HEADER: "1"})
    assert response.status_code == 200
    clock.shift(11 * MINUTE)  # 61 minutes after the last thing they did
    assert signed_in.get(reverse("home")).status_code == 302
    assert not is_signed_in(signed_in)


def test_a_background_request_past_the_timeout_signs_out_too(signed_in, clock):
    clock.shift(61 * MINUTE)
    signed_in.get(reverse("notification_badge"))
    assert not is_signed_in(signed_in)


def test_the_session_is_written_at_most_once_per_touch_interval(signed_in, clock):
    saves = mock.patch.object(SessionStore, "save", autospec=True, side_effect=SessionStore.save)
    with saves as save:
        for _ in range(29):  # every 10 seconds for 290 seconds: no write
            clock.shift(dt.timedelta(seconds=10))
            assert signed_in.get(reverse("home")).status_code == 200
        assert save.call_count == 0
        clock.shift(dt.timedelta(seconds=10))  # 300 seconds after the last write
        signed_in.get(reverse("home"))
        assert save.call_count == 1
        clock.shift(dt.timedelta(seconds=10))
        signed_in.get(reverse("home"))
        assert save.call_count == 1
    assert signed_in.session[ACTIVITY_SESSION_KEY] == int(START.timestamp()) + 300


def test_a_session_from_before_the_timeout_starts_its_clock_now(signed_in, clock):
    session = signed_in.session
    del session[ACTIVITY_SESSION_KEY]
    session.save()
    clock.shift(5 * 60 * MINUTE)  # long ago, but nothing recorded: not signed out
    assert signed_in.get(reverse("home")).status_code == 200
    assert signed_in.session[ACTIVITY_SESSION_KEY] == int((START + 5 * 60 * MINUTE).timestamp())
    clock.shift(61 * MINUTE)
    assert signed_in.get(reverse("home")).status_code == 302


def test_anonymous_visitors_are_untouched(clock, client):
    with mock.patch.object(SessionStore, "save", autospec=True) as save:
        assert client.get(reverse("account_login")).status_code == 200
        clock.shift(3 * 60 * MINUTE)
        assert client.get(reverse("account_login")).status_code == 200
    assert save.call_count == 0
    assert ACTIVITY_SESSION_KEY not in client.session


def test_the_timeout_is_a_setting(signed_in, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 15 * 60
    clock.shift(16 * MINUTE)
    response = signed_in.get(reverse("home"))
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "You were signed out after 15 minutes without activity." in messages


@pytest.mark.parametrize(
    ("timeout", "touch", "valid"),
    [("3600", "300", True), ("300", "300", False), ("300", "600", False), ("3600", "0", False)],
)
def test_the_touch_interval_must_be_shorter_than_the_timeout(timeout, touch, valid):
    # Settings are read once per process: each case imports them in a new one.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SESSION_"))}
    env.update(
        DJANGO_DEBUG="true",
        DJANGO_SETTINGS_MODULE="mentoring.settings",
        SESSION_IDLE_TIMEOUT=timeout,
        SESSION_IDLE_TOUCH=touch,
    )
    result = subprocess.run(
        [sys.executable, "-c", "import mentoring.settings"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if valid:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert "SESSION_IDLE_TOUCH" in result.stderr
