"""Accounts through django-allauth: sign-up, verification, login, resets, 2FA, admin login."""

import re
import warnings

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from mentoring.models import User
from mentoring.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s<>\"]+")


def links_in(message):
    return LINK.findall(message.body)


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_sign_up_needs_a_verified_email_before_login(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "New.Person@Example.org",
            "name": "New Person",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.org")
    assert user.name == "New Person"
    # Not signed in until the address is confirmed.
    assert "_auth_user_id" not in client.session
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    # Signing in before confirming is refused.
    response = client.post(
        reverse("account_login"),
        {"login": "new.person@example.org", "password": "a-long-unusual-passphrase"},
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    confirm = next(link for link in links_in(mail.outbox[0]) if "/confirm-email/" in link)
    path = confirm.split("testserver", 1)[-1]
    client.get(path)
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_up_has_no_username_and_requires_a_name(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert 'name="username"' not in page
    assert 'name="name"' in page
    response = client.post(
        reverse("account_signup"),
        {
            "email": "x@example.org",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="x@example.org").exists()


def test_login_is_by_email_in_any_case(client):
    user = UserFactory.create(email="casey@example.org")
    response = sign_in(client, "CASEY@Example.org")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sixth_wrong_password_in_five_minutes_is_refused(client):
    UserFactory.create(email="target@example.org")
    for _ in range(5):
        response = sign_in(client, "target@example.org", "wrong-password")
        assert "Too many failed login attempts" not in response.content.decode()
    response = sign_in(client, "target@example.org", "wrong-password")
    assert "Too many failed login attempts" in response.content.decode()
    # Even the right password is refused while the limit holds.
    response = sign_in(client, "target@example.org")
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client):
    user = UserFactory.create(email="forgetful@example.org")
    client.post(reverse("account_reset_password"), {"email": "forgetful@example.org"})
    assert len(mail.outbox) == 1
    link = next(link for link in links_in(mail.outbox[0]) if "/password/reset/key/" in link)
    path = link.split("testserver", 1)[-1]
    response = client.get(path)
    assert response.status_code == 302  # allauth hides the key behind a redirect
    form_url = response["Location"]
    response = client.post(
        form_url, {"password1": "brand-new-passphrase-42", "password2": "brand-new-passphrase-42"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-passphrase-42")


def test_email_change_is_verified_before_it_replaces_the_old_one(client):
    user = UserFactory.create(email="old@example.org")
    sign_in(client, "old@example.org")
    mail.outbox.clear()
    response = client.post(reverse("account_email"), {"action_add": "", "email": "new@example.org"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "old@example.org"
    confirm = next(
        link for msg in mail.outbox for link in links_in(msg) if "/confirm-email/" in link
    )
    path = confirm.split("testserver", 1)[-1]
    client.post(path)
    user.refresh_from_db()
    assert user.email == "new@example.org"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [
        "new@example.org"
    ]


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_refuses_non_staff_and_admits_staff(client):
    UserFactory.create(email="member@example.org")
    sign_in(client, "member@example.org")
    assert client.get("/admin/login/?next=/admin/").status_code == 403
    staff = UserFactory.create(email="staff@example.org", is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def current_code(secret):
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_any_user_can_turn_on_totp_two_factor_and_then_login_asks_for_it(client):
    user = UserFactory.create(email="careful@example.org")
    sign_in(client, "careful@example.org")
    # Turning on 2FA asks for the password once more.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    # Recovery codes come with it.
    assert client.get(reverse("mfa_view_recovery_codes")).status_code == 200
    client.logout()
    response = sign_in(client, "careful@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_account_pages_use_the_site_layout(client):
    page = client.get(reverse("account_login")).content.decode()
    assert 'id="main"' in page
    assert "Skip to main content" in page
    assert 'for="id_login"' in page


def test_allauth_settings_raise_no_deprecation_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call_command("check")
        from allauth.account import app_settings

        # Touch every setting we configure, as a request would.
        for name in (
            "LOGIN_METHODS",
            "SIGNUP_FIELDS",
            "EMAIL_VERIFICATION",
            "RATE_LIMITS",
            "CHANGE_EMAIL",
            "UNIQUE_EMAIL",
            "USER_MODEL_USERNAME_FIELD",
        ):
            getattr(app_settings, name)
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert deprecations == [], [str(w.message) for w in deprecations]
