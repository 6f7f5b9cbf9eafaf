"""The backends read the signed-in person through a prepared statement on PostgreSQL, with
exactly what the ORM reads, and refuse whom Django's backends refuse."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.auth_backends import AuthenticationBackend, ModelBackend, read_user
from mentoring.models import User
from mentoring.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("prepared reads are used on PostgreSQL only (CI runs this there)")


def every_field(user: User) -> dict[str, object]:
    return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}


def test_the_backends_are_ours_and_sign_in_with_ours():
    assert settings.AUTHENTICATION_BACKENDS == [
        "mentoring.auth_backends.ModelBackend",
        "mentoring.auth_backends.AuthenticationBackend",
    ]
    user = UserFactory.create()
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    # Django's backend comes first and signs in by e-mail (the username field).
    assert client.session["_auth_user_backend"] == "mentoring.auth_backends.ModelBackend"
    assert client.get(reverse("home")).context["user"] == user


def test_the_prepared_read_gives_what_the_orm_gives(postgres):
    user = UserFactory.create(
        contact_channels=["email", "video"],
        contact_days=[0, 2, 4],
        contact_hours_start=dt.time(9, 30),
        contact_hours_end=dt.time(17, 0),
        timezone="Asia/Kolkata",
        is_staff=True,
    )
    read = read_user(str(user.pk))  # as a session keeps it
    assert read is not None
    assert not read._state.adding
    assert read._state.db == "default"
    assert every_field(read) == every_field(User.objects.get(pk=user.pk))
    assert read.contact_channels == ["email", "video"]
    assert read.date_joined.tzinfo is not None


@pytest.mark.parametrize("backend", [ModelBackend(), AuthenticationBackend()])
def test_the_prepared_read_is_one_statement_without_the_orm(postgres, backend):
    user = UserFactory.create()
    backend.get_user(user.pk)  # prepares it
    with CaptureQueriesContext(connection) as captured:
        assert backend.get_user(user.pk) == user
    assert len(captured) == 1
    assert captured[0]["sql"].startswith("EXECUTE ")


@pytest.mark.parametrize("backend", [ModelBackend(), AuthenticationBackend()])
def test_whom_the_backends_refuse(backend):
    gone = UserFactory.create()
    gone_pk = gone.pk
    gone.delete()
    inactive = UserFactory.create(is_active=False)
    assert backend.get_user(gone_pk) is None
    assert backend.get_user(inactive.pk) is None
    active = UserFactory.create()
    assert backend.get_user(str(active.pk)) == active


def test_a_deactivated_person_is_signed_out_at_their_next_request():
    user = UserFactory.create()
    client = Client()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_changed_password_signs_out_other_sessions():
    user = UserFactory.create()
    client = Client()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    user.set_password("another-long-password")
    user.save()
    request = client.get(reverse("home")).wsgi_request
    assert not get_user(request).is_authenticated


def test_the_prepared_read_is_refused_off_postgresql(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(NotImplementedError):
        read_user(1)
