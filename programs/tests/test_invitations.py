"""Invitations: sending, resending, withdrawing, and the link an invited person opens."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring.models import User
from mentoring.tests.factories import PASSWORD, UserFactory, give_two_factor
from programs import services, tasks
from programs.models import Invitation, Membership, Program
from programs.tests.factories import InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role
NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def invitations_url(personas):
    return reverse("programs:invitations", args=[personas.program.slug])


def landing_url(invitation):
    return reverse("invitations:landing", args=[services.invitation_token(invitation)])


def accept_url(invitation):
    return reverse("invitations:accept", args=[services.invitation_token(invitation)])


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def invite(personas, django_capture_on_commit_callbacks):
    """POST the invitation form as the admin, running on-commit e-mails."""

    def invite(email="ana@example.org", role=Role.MENTEE, message="", client=None):
        with django_capture_on_commit_callbacks(execute=True):
            return (client or personas.client("admin")).post(
                invitations_url(personas), {"email": email, "role": role, "message": message}
            )

    return invite


@pytest.fixture
def invitation(personas):
    return InvitationFactory.create(program=personas.program, email="ana@example.org")


def html_of(message):
    """The HTML alternative of an e-mail sent through ``mentoring.emails``."""
    assert isinstance(message, EmailMultiAlternatives)
    content, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    return str(content)


def join_data(**overrides):
    data = {"name": "Ana Diaz", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    data.update(overrides)
    return data


# --- Sending --------------------------------------------------------------------------------


def test_admin_invites_by_email_and_the_email_carries_a_signed_link(personas, invite):
    client = personas.client("admin")
    response = invite("Ana@Example.org", Role.MENTOR, "We would love you as a mentor.", client)
    assert response.status_code == 302
    invitation = Invitation.objects.get(program=personas.program)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "ana@example.org",
        Role.MENTOR,
        personas.admin,
    )
    assert invitation.expires_at > timezone.now() + dt.timedelta(days=29)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.org"]
    assert personas.program.name in message.subject
    assert "as mentor" in message.subject
    url = services.invitation_url(invitation)
    assert url in message.body
    assert url in html_of(message)
    assert "We would love you as a mentor." in message.body
    assert "Set up your account and join" in message.body
    invitation.refresh_from_db()
    assert invitation.send_count == 1
    assert invitation.sent_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "Invitation sent to ana@example.org." in page
    assert "ana@example.org" in page


def test_the_emailed_link_opens_the_invitation(personas, invite):
    invite()
    found = re.search(r"http://testserver(/invitations/\S+/)", str(mail.outbox[0].body))
    assert found
    response = Client().get(found.group(1))
    assert response.status_code == 200
    assert f"You are invited to {personas.program.name}" in response.content.decode()


def test_the_email_tells_someone_with_an_account_to_sign_in(personas, invite):
    UserFactory.create(email="ana@example.org")
    invite()
    assert "Sign in and accept" in mail.outbox[0].body


def test_the_email_asks_an_imported_person_without_a_password_to_set_up_their_account(
    personas, invite
):
    User.objects.create_user(email="ana@example.org")  # as the CSV import does
    invite()
    assert "Set up your account and join" in mail.outbox[0].body
    assert "Sign in and accept" not in mail.outbox[0].body


def test_the_email_waits_for_the_commit(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        personas.client("admin").post(
            invitations_url(personas), {"email": "ana@example.org", "role": Role.MENTEE}
        )
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_html_in_the_personal_message_is_escaped_in_the_email_and_page(personas, invite):
    invite(message="<script>alert(1)</script>")
    html = html_of(mail.outbox[0])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    invitation = Invitation.objects.get(program=personas.program)
    page = Client().get(landing_url(invitation)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize("again", ["ana@example.org", "ANA@example.org", " ana@example.org "])
def test_a_second_open_invitation_for_the_same_role_is_refused(personas, invite, again):
    invite()
    response = invite(again)
    assert response.status_code == 200
    assert "already has an open invitation" in response.context["form"].errors["email"][0]
    assert Invitation.objects.filter(program=personas.program).count() == 1
    assert len(mail.outbox) == 1


def test_the_same_address_may_be_invited_in_another_role(personas, invite):
    invite(role=Role.MENTEE)
    assert invite(role=Role.MENTOR).status_code == 302
    assert Invitation.objects.filter(program=personas.program).count() == 2


def test_an_expired_invitation_does_not_block_a_new_one(personas, invite, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    assert invite().status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert Invitation.objects.filter(program=personas.program, revoked_at__isnull=True).count() == 1


def test_someone_already_in_the_role_is_not_invited(personas, invite):
    response = invite(personas.mentee.email.upper(), Role.MENTEE)
    assert response.status_code == 200
    assert "is already a mentee in this program" in response.context["form"].errors["email"][0]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_member_elsewhere_is_invited_like_anyone(personas, invite):
    assert invite(personas.outsider.email).status_code == 302


def test_an_invalid_address_is_refused(personas, invite):
    response = invite("not-an-address")
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_invitation_list_shows_this_programs_invitations_with_their_state(personas, invitation):
    InvitationFactory.create(
        program=personas.program, email="gone@example.org", revoked_at=timezone.now()
    )
    InvitationFactory.create(program=personas.other_program, email="elsewhere@example.org")
    page = personas.client("admin").get(invitations_url(personas)).content.decode()
    assert "ana@example.org" in page
    assert "gone@example.org" in page
    assert "Withdrawn" in page
    assert "Pending" in page
    assert "elsewhere@example.org" not in page


# --- Resend and revoke ----------------------------------------------------------------------


def test_admin_resends_an_invitation_with_a_fresh_expiry(
    personas, invitation, django_capture_on_commit_callbacks
):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(hours=1), sends_requested=1, send_count=1
    )
    url = reverse("programs:invitation_resend", args=[personas.program.slug, invitation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client("admin").post(url)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + dt.timedelta(days=29)
    assert invitation.send_count == 2
    assert len(mail.outbox) == 1
    assert services.invitation_url(invitation) in mail.outbox[0].body
    # The link works again.
    assert Client().get(landing_url(invitation)).status_code == 200


def test_a_withdrawn_invitation_cannot_be_resent(
    personas, invitation, django_capture_on_commit_callbacks
):
    invitation.revoked_at = timezone.now()
    invitation.save()
    client = personas.client("admin")
    url = reverse("programs:invitation_resend", args=[personas.program.slug, invitation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert mail.outbox == []
    page = client.get(response["Location"]).content.decode()
    assert "Only a pending invitation can be sent again." in page


def test_revoking_an_invitation_makes_its_link_stop_working(personas, invitation):
    url = reverse("programs:invitation_revoke", args=[personas.program.slug, invitation.pk])
    response = personas.client("admin").post(url)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    landing = Client().get(landing_url(invitation))
    assert landing.status_code == 410
    assert "This invitation was withdrawn" in landing.content.decode()
    assert "Set up your account" not in landing.content.decode()
    # Nor can it be used to join.
    joined = Client().post(landing_url(invitation), join_data())
    assert joined.status_code == 410
    assert not User.objects.filter(email="ana@example.org").exists()


def test_a_revoked_invitations_email_is_not_sent(personas, invitation):
    services.invitation_revoke(invitation=invitation, actor=personas.admin)
    assert tasks.send_invitations([invitation.pk]) == 0
    assert mail.outbox == []


def test_an_accepted_invitation_cannot_be_revoked(personas, invitation):
    user = UserFactory.create(email="ana@example.org")
    services.invitation_accept(invitation=invitation, user=user)
    client = personas.client("admin")
    url = reverse("programs:invitation_revoke", args=[personas.program.slug, invitation.pk])
    page = client.get(client.post(url)["Location"]).content.decode()
    assert "This invitation was already accepted." in page
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- Links that do not work -----------------------------------------------------------------


def test_an_expired_link_is_gone(invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = Client().get(landing_url(invitation))
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()


def test_an_expired_link_cannot_be_accepted(invitation):
    user = UserFactory.create(email="ana@example.org")
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = login(user).post(accept_url(invitation))
    assert response.status_code == 302
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.replace(token.split(":")[0], token.split(":")[0][::-1]),
        lambda token: "garbage",
    ],
)
def test_a_tampered_token_is_not_found(invitation, tamper):
    token = tamper(services.invitation_token(invitation))
    response = Client().get(reverse("invitations:landing", args=[token]))
    assert response.status_code == 404
    user = UserFactory.create(email="ana@example.org")
    accepted = login(user).post(reverse("invitations:accept", args=[token]))
    assert accepted.status_code == 404
    assert not Membership.objects.filter(user=user).exists()


def test_a_token_signed_for_another_invitation_id_is_not_found(personas, invitation):
    other = InvitationFactory.create(program=personas.program)
    signer = signing.Signer(salt=services.INVITATION_SALT)
    forged = signer.sign_object({"i": other.pk, "n": invitation.nonce})
    assert Client().get(reverse("invitations:landing", args=[forged])).status_code == 404


def test_a_token_signed_with_another_salt_is_not_found(invitation):
    forged = signing.Signer(salt="something-else").sign_object(
        {"i": invitation.pk, "n": invitation.nonce}
    )
    assert Client().get(reverse("invitations:landing", args=[forged])).status_code == 404


# --- The landing page: no account yet -------------------------------------------------------


def test_someone_without_an_account_is_asked_to_set_one_up(personas, invitation):
    response = Client().get(landing_url(invitation))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Set up your account" in page
    assert "ana@example.org" in page
    assert personas.program.name in page
    assert set(response.context["form"].fields) == {"name", "password1", "password2"}


def test_setting_up_an_account_joins_and_opens_the_enrolment_form(personas, invitation):
    client = Client()
    response = client.post(landing_url(invitation), join_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:enrol", args=[personas.program.slug, "mentee"])
    user = User.objects.get(email="ana@example.org")
    assert user.name == "Ana Diaz"
    assert user.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.filter(
        user=user, email="ana@example.org", verified=True, primary=True
    ).exists()
    assert Membership.objects.filter(program=personas.program, user=user, role=Role.MENTEE).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    # Signed in, straight into the enrolment form.
    assert int(client.session[SESSION_KEY]) == user.pk
    enrol = client.get(response["Location"])
    assert enrol.status_code == 200
    assert f"Welcome to {personas.program.name}." in enrol.content.decode()


def test_the_invitation_email_case_does_not_matter(personas):
    invitation = InvitationFactory.create(program=personas.program, email="Ana@Example.org")
    response = Client().post(landing_url(invitation), join_data())
    assert response.status_code == 302
    assert User.objects.get(email="ana@example.org").memberships.count() == 1


def test_a_new_admin_lands_on_the_program_page(personas):
    invitation = InvitationFactory.create(
        program=personas.program, email="co@example.org", role=Role.ADMIN
    )
    response = Client().post(landing_url(invitation), join_data())
    assert response["Location"] == personas.program.get_absolute_url()
    assert Membership.objects.filter(
        program=personas.program, user__email="co@example.org", role=Role.ADMIN
    ).exists()


def test_joining_once_matching_started_lands_on_the_program_page(personas, invitation):
    Program.objects.filter(pk=personas.program.pk).update(status=Program.Status.RUNNING)
    response = Client().post(landing_url(invitation), join_data())
    assert response["Location"] == personas.program.get_absolute_url()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "something-else-entirely"}, "password2", "The two passwords differ."),
        ({"password1": "short", "password2": "short"}, "password1", "too short"),
        ({"password1": "password123", "password2": "password123"}, "password1", "too common"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "entirely numeric"),
        (
            {"password1": "ana@example.org", "password2": "ana@example.org"},
            "password1",
            "too similar",
        ),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_account_set_up_refuses_bad_input(invitation, overrides, field, message):
    response = Client().post(landing_url(invitation), join_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    assert not User.objects.filter(email="ana@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_imported_account_without_a_password_is_activated_from_the_link(personas, invitation):
    imported = User.objects.create_user(email="ana@example.org", name="")
    assert not imported.has_usable_password()
    client = Client()
    page = client.get(landing_url(invitation))
    assert "Set up your account" in page.content.decode()
    response = client.post(landing_url(invitation), join_data())
    assert response.status_code == 302
    user = User.objects.get(email="ana@example.org")
    assert user.pk == imported.pk
    assert user.has_usable_password()
    assert user.name == "Ana Diaz"
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.filter(program=personas.program, user=user).exists()
    assert int(client.session[SESSION_KEY]) == user.pk


def test_an_imported_account_with_an_unverified_address_gets_it_verified(invitation):
    imported = User.objects.create_user(email="ana@example.org")
    EmailAddress.objects.create(user=imported, email="ana@example.org", verified=False)
    Client().post(landing_url(invitation), join_data())
    address = EmailAddress.objects.get(user=imported)
    assert (address.verified, address.primary) == (True, True)


# --- The landing page: an account with a password -------------------------------------------


def next_of(login_url):
    """Where the login page sends someone back to, and check it is the login page."""
    parts = urlsplit(login_url)
    assert parts.path == reverse("account_login")
    query = parse_qs(parts.query)
    assert set(query) == {"next"}, query
    return query["next"][0]


def test_someone_with_an_account_is_asked_to_sign_in_first(invitation):
    UserFactory.create(email="ana@example.org")
    response = Client().get(landing_url(invitation))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign in to accept" in page
    assert "Set up your account" not in page
    assert next_of(response.context["login_url"]) == landing_url(invitation)
    assert response.context["login_url"] in page.replace("&amp;", "&")


def test_the_sign_in_link_keeps_the_whole_landing_address(invitation):
    UserFactory.create(email="ana@example.org")
    url = landing_url(invitation) + "?from=mail&campaign=spring"
    response = Client().get(url)
    assert next_of(response.context["login_url"]) == url


def test_signing_in_from_the_link_comes_back_to_join(personas, invitation):
    user = UserFactory.create(email="ana@example.org")
    client = Client()
    login_url = client.get(landing_url(invitation)).context["login_url"]
    response = client.post(login_url, {"login": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == landing_url(invitation)
    page = client.get(landing_url(invitation)).content.decode()
    assert "Join as mentee" in page
    assert accept_url(invitation) in page
    client.post(accept_url(invitation))
    assert Membership.objects.filter(program=personas.program, user=user, role=Role.MENTEE).exists()


def test_an_account_with_a_password_cannot_be_taken_over_from_the_link(invitation):
    user = UserFactory.create(email="ana@example.org", name="Real Ana")
    response = Client().post(landing_url(invitation), join_data(name="Mallory"))
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.name == "Real Ana"
    assert user.check_password(PASSWORD)
    assert not Membership.objects.filter(user=user).exists()


def test_the_join_service_refuses_an_account_with_a_password(invitation):
    from django.core.exceptions import ValidationError

    UserFactory.create(email="ana@example.org")
    with pytest.raises(ValidationError):
        services.invitation_join(invitation=invitation, name="Mallory", password=NEW_PASSWORD)


# --- The landing page: signed in ------------------------------------------------------------


def test_signed_in_as_the_invited_address_shows_a_join_button(invitation):
    user = UserFactory.create(email="ana@example.org")
    response = login(user).get(landing_url(invitation))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'action="{accept_url(invitation)}"' in page
    assert "Join as mentee" in page
    assert "Set up your account" not in page


def test_joining_while_signed_in_as_the_invited_address(personas, invitation):
    user = UserFactory.create(email="ana@example.org")
    client = login(user)
    response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:enrol", args=[personas.program.slug, "mentee"])
    assert Membership.objects.filter(program=personas.program, user=user, role=Role.MENTEE).exists()
    assert "You joined" in client.get(response["Location"]).content.decode()
    # The link now takes a member to the program.
    again = client.get(landing_url(invitation))
    assert again.status_code == 302
    assert again["Location"] == personas.program.get_absolute_url()


def test_a_verified_second_address_may_accept(personas, invitation):
    user = UserFactory.create(email="ana.work@example.org")
    EmailAddress.objects.create(user=user, email="ana@example.org", verified=True)
    assert login(user).get(landing_url(invitation)).status_code == 200
    login(user).post(accept_url(invitation))
    assert Membership.objects.filter(program=personas.program, user=user).exists()


def test_an_unverified_second_address_may_not_accept(personas, invitation):
    user = UserFactory.create(email="ana.work@example.org")
    EmailAddress.objects.create(user=user, email="ana@example.org", verified=False)
    assert login(user).get(landing_url(invitation)).status_code == 403
    login(user).post(accept_url(invitation))
    assert not Membership.objects.filter(program=personas.program, user=user).exists()


def test_signed_in_as_someone_else_explains_why_not(personas, invitation):
    response = personas.client("mentor").get(landing_url(invitation))
    assert response.status_code == 403
    page = response.content.decode()
    assert "This invitation was sent to ana@example.org" in page
    assert f"you are signed in as {personas.mentor.email}" in page
    assert "Sign out" in page
    assert "Join as" not in page


def test_someone_else_cannot_accept(personas, invitation):
    client = personas.client("outsider")
    response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert response["Location"] == landing_url(invitation)
    assert not Membership.objects.filter(program=personas.program, user=personas.outsider).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_invitation_is_accepted_once(personas, invitation):
    ana = UserFactory.create(email="ana@example.org")
    login(ana).post(accept_url(invitation))
    # Ana's account is taken over by nobody: the used link is gone for everyone else.
    assert Client().get(landing_url(invitation)).status_code == 410
    assert login(ana).get(landing_url(invitation)).status_code == 302
    assert Membership.objects.filter(user=ana, program=personas.program).count() == 1


def test_accepting_when_already_in_the_role_keeps_one_membership(personas):
    invitation = InvitationFactory.create(program=personas.program, email=personas.mentee.email)
    login(personas.mentee).post(accept_url(invitation))
    assert Membership.objects.filter(program=personas.program, user=personas.mentee).count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_a_mentor_accepting_a_mentee_invitation_holds_both_roles(personas):
    invitation = InvitationFactory.create(program=personas.program, email=personas.mentor.email)
    login(personas.mentor).post(accept_url(invitation))
    roles = set(
        Membership.objects.filter(program=personas.program, user=personas.mentor).values_list(
            "role", flat=True
        )
    )
    assert roles == {Role.MENTOR, Role.MENTEE}


def test_accept_when_signed_out_goes_back_to_the_landing_page(invitation):
    url = accept_url(invitation)
    response = Client().post(url)
    assert response.status_code == 302
    assert url == response["Location"] + "accept/"
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_admin_invitation_from_another_program_does_not_open_this_one(personas):
    MembershipFactory.create(program=personas.other_program, role=Role.ADMIN)
    invitation = InvitationFactory.create(
        program=personas.other_program, email="ana@example.org", role=Role.ADMIN
    )
    Client().post(landing_url(invitation), join_data())
    ana = User.objects.get(email="ana@example.org")
    assert login(ana).get(personas.program.get_absolute_url()).status_code == 404
    give_two_factor(ana)  # which a new admin sets up before using admin pages
    assert login(ana).get(personas.other_program.get_absolute_url()).status_code == 200


# --- Sending is safe to repeat ---------------------------------------------------------------


def test_invitation_task_run_twice_sends_one_email(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = services.invitation_create(
            program=personas.program, actor=personas.admin, email="twice@example.org", role="mentee"
        )
    assert len(callbacks) == 1
    callbacks[0]()  # the queued task
    callbacks[0]()  # the same task delivered again (a retry, a second worker)
    assert [m.to for m in mail.outbox] == [["twice@example.org"]]
    invitation.refresh_from_db()
    assert (invitation.sends_requested, invitation.send_count) == (1, 1)


def test_a_failed_send_is_given_back_and_the_retry_sends_it(personas, monkeypatch):
    invitation = InvitationFactory.create(program=personas.program, sends_requested=1)

    def broken(*args, **kwargs):
        raise OSError("mail server unreachable")

    monkeypatch.setattr("mentoring.emails.send", broken)
    with pytest.raises(OSError, match="unreachable"):
        services.invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.send_count == 0
    assert invitation.sent_at is None  # the list must not show it as sent
    monkeypatch.undo()
    assert services.invitation_send(invitation_id=invitation.pk) is True
    assert services.invitation_send(invitation_id=invitation.pk) is False
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_imported_member_without_an_account_can_still_be_invited(personas):
    from programs.imports import participant_import_create

    participant_import_create(
        program=personas.program,
        actor=personas.admin,
        filename="people.csv",
        raw=b"email,role\nquiet@example.org,mentee\n",
    )
    invitation = services.invitation_create(
        program=personas.program, actor=personas.admin, email="quiet@example.org", role="mentee"
    )
    assert invitation.pk
    # Once they have set a password they are an ordinary member: no second invitation.
    invitation.delete()
    user = User.objects.get(email="quiet@example.org")
    user.set_password("a-long-unusual-passphrase")
    user.save()
    with pytest.raises(ValidationError, match="already a mentee"):
        services.invitation_create(
            program=personas.program, actor=personas.admin, email="quiet@example.org", role="mentee"
        )


def test_an_invitation_link_is_the_same_whenever_it_is_made(invitation):
    import datetime as dt

    import time_machine

    first = services.invitation_url(invitation)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=3, seconds=7)):
        assert services.invitation_url(invitation) == first
    assert services.invitation_from_token(services.invitation_token(invitation)) == invitation
