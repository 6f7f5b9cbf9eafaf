"""Home page, profile, health check and error pages."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse

from mentoring.models import User
from mentoring.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "mentor", "mentee", "outsider"]


@pytest.mark.parametrize("url_name", ["home", "profile"])
def test_anonymous_is_sent_to_log_in(client, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert f"next={url}" in response["Location"]


@pytest.mark.parametrize("who", PERSONAS)
def test_every_persona_sees_their_home_page(personas, who):
    response = personas.client(who).get(reverse("home"))
    assert response.status_code == 200
    assert b'id="main"' in response.content


def test_home_lists_own_programs_only(personas):
    response = personas.client("mentee").get(reverse("home"))
    assert personas.program.name in response.content.decode()
    assert personas.other_program.name not in response.content.decode()


def test_home_asks_unenrolled_participant_to_enrol(personas):
    response = personas.client("mentee").get(reverse("home"))
    body = response.content.decode()
    assert "Needs you now" in body
    assert reverse("programs:enrol", args=[personas.program.slug, "mentee"]) in body


@pytest.mark.parametrize("who", PERSONAS)
def test_every_persona_can_open_their_profile(personas, who):
    response = personas.client(who).get(reverse("profile"))
    assert response.status_code == 200
    assert b'for="id_timezone"' in response.content


def profile_data(**overrides):
    data = {
        "name": "Ada Lovelace",
        "title": "Analyst",
        "organisation": "Engines Ltd",
        "timezone": "Asia/Tokyo",
        "bio": "<script>alert(1)</script> I like engines.",
        "contact_channels": ["email"],
        "contact_days": ["0", "2", "4"],
        "contact_hours_start": "08:30",
        "contact_hours_end": "17:00",
    }
    data.update(overrides)
    return data


def test_profile_saves_contact_boundaries(personas):
    client = personas.client("mentee")
    response = client.post(reverse("profile"), profile_data())
    assert response.status_code == 302
    user = User.objects.get(pk=personas.mentee.pk)
    assert user.name == "Ada Lovelace"
    assert user.timezone == "Asia/Tokyo"
    assert user.contact_days == [0, 2, 4]
    assert user.contact_hours_start == dt.time(8, 30)
    # Shown escaped, never run.
    page = client.get(reverse("profile")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus", "Select a valid choice"),
        ("contact_channels", [], "Choose at least one way"),
        ("contact_days", [], "Choose at least one day"),
        ("contact_hours_end", "08:30", "must differ from the start"),
        ("name", "", "This field is required"),
        ("name", "x" * 151, "at most 150 characters"),
    ],
)
def test_profile_rejects_bad_input_next_to_the_field(personas, field, value, message):
    before = User.objects.get(pk=personas.mentee.pk)
    response = personas.client("mentee").post(reverse("profile"), profile_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    after = User.objects.get(pk=personas.mentee.pk)
    assert (after.name, after.timezone, after.contact_days) == (
        before.name,
        before.timezone,
        before.contact_days,
    )


def test_times_show_in_the_viewers_timezone(personas, rf):
    from django.utils import timezone

    from mentoring.middleware import UserTimezoneMiddleware

    seen = {}

    def view(request):
        seen["tz"] = timezone.get_current_timezone_name()

    user = personas.mentee
    user.timezone = "America/Chicago"
    user.save()
    request = rf.get("/")
    request.user = user
    UserTimezoneMiddleware(view)(request)
    assert seen["tz"] == "America/Chicago"
    # And nothing leaks into the next request.
    assert timezone.get_current_timezone_name() == "UTC"


def test_contact_window_respects_days_hours_and_zone():
    user = UserFactory.build(
        timezone="Asia/Tokyo",
        contact_days=[0, 1, 2, 3, 4],
        contact_hours_start=dt.time(9),
        contact_hours_end=dt.time(18),
    )
    # Monday 2026-11-23 01:00 UTC is 10:00 in Tokyo: inside.
    assert user.may_be_contacted_at(dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC))
    # Monday 10:00 UTC is 19:00 in Tokyo: after hours.
    assert not user.may_be_contacted_at(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
    # Saturday in Tokyo: not a contact day.
    assert not user.may_be_contacted_at(dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC))
    night = UserFactory.build(
        timezone="UTC",
        contact_days=[],
        contact_hours_start=dt.time(20),
        contact_hours_end=dt.time(2),
    )
    assert night.may_be_contacted_at(dt.datetime(2026, 11, 23, 23, 0, tzinfo=dt.UTC))
    assert not night.may_be_contacted_at(dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC))


def test_healthz_answers_without_login(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("who", ["anonymous", "mentee"])
def test_unknown_page_is_a_friendly_404(personas, who):
    response = personas.client(who).get("/no/such/page/")
    assert response.status_code == 404
    assert "could not find that page" in response.content.decode()


def test_500_page_renders_without_context():
    from mentoring.views import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


def test_403_page_shows_the_reason(personas):
    response = personas.client("mentee").get(reverse("programs:edit", args=[personas.program.slug]))
    assert response.status_code == 403
    assert "Only this program&#x27;s admins can do that." in response.content.decode()
