"""Accounts, invitations and imports: the cases a security review asked about."""

import datetime as dt
import logging

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring.csvutil import safe_cell
from mentoring.models import User
from mentoring.tests.factories import PASSWORD, UserFactory
from programs import services, tasks
from programs.imports import participant_import_create
from programs.models import Invitation, Membership, ParticipantImport, Program, Topic
from programs.tests.factories import InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role


def landing(invitation):
    return reverse("invitations:landing", args=[services.invitation_token(invitation)])


def join(client, invitation):
    return client.post(
        landing(invitation),
        {
            "name": "Someone",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )


def import_csv(personas, *rows, **kwargs):
    raw = ("email,name,role\n" + "\n".join(rows) + "\n").encode()
    return participant_import_create(
        program=personas.program, actor=personas.admin, filename="people.csv", raw=raw, **kwargs
    )


# --- Removing someone withdraws their invitation -------------------------------------------


def test_a_removed_participant_cannot_come_back_with_an_old_invitation(personas):
    invitation = services.invitation_create(
        program=personas.program, actor=personas.admin, email="kim@example.org", role=Role.MENTEE
    )
    kim = UserFactory.create(email="kim@example.org")
    membership = MembershipFactory.create(program=personas.program, user=kim, role=Role.MENTEE)
    url = reverse("programs:participant_remove", args=[personas.program.slug, membership.pk])
    assert personas.client("admin").post(url).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    client = Client()
    client.force_login(kim)
    client.post(reverse("invitations:accept", args=[services.invitation_token(invitation)]))
    assert not Membership.objects.filter(program=personas.program, user=kim).exists()


def test_removing_withdraws_invitations_sent_to_a_second_address_too(personas):
    kim = UserFactory.create(email="kim@example.org")
    EmailAddress.objects.create(user=kim, email="kim@home.example", verified=True)
    membership = MembershipFactory.create(program=personas.program, user=kim, role=Role.MENTEE)
    invitation = InvitationFactory.create(
        program=personas.program, email="kim@home.example", role=Role.MENTEE
    )
    services.membership_remove(membership=membership, actor=personas.admin)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


# --- Setting up an account from the link never takes over an account in use ----------------


def test_an_address_verified_on_another_account_is_asked_to_sign_in(personas):
    owner = UserFactory.create(email="owner@example.org")
    EmailAddress.objects.create(user=owner, email="second@example.org", verified=True)
    invitation = InvitationFactory.create(program=personas.program, email="second@example.org")
    page = Client().get(landing(invitation))
    assert page.status_code == 200
    assert "Sign in to accept" in page.content.decode()
    assert "form" not in page.context or page.context.get("form") is None
    response = join(Client(), invitation)
    assert response.status_code == 200
    assert User.objects.filter(email__iexact="second@example.org").count() == 0
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    with pytest.raises(ValidationError, match="sign in"):
        services.invitation_join(invitation=invitation, name="X", password="a-long-passphrase-9")


def test_the_owner_of_a_second_address_may_accept_its_invitation(personas):
    owner = UserFactory.create(email="owner@example.org")
    EmailAddress.objects.create(user=owner, email="second@example.org", verified=True)
    invitation = InvitationFactory.create(program=personas.program, email="second@example.org")
    services.invitation_accept(invitation=invitation, user=owner)
    assert Membership.objects.filter(program=personas.program, user=owner).exists()


def test_a_deactivated_account_cannot_be_set_up_from_an_invitation(personas):
    import_csv(personas, "gone@example.org,Gone,mentee")
    User.objects.filter(email="gone@example.org").update(is_active=False)
    invitation = InvitationFactory.create(program=personas.program, email="gone@example.org")
    page = Client().get(landing(invitation))
    assert page.status_code == 403
    assert "deactivated" in page.content.decode()
    join(Client(), invitation)
    user = User.objects.get(email="gone@example.org")
    assert not user.has_usable_password()
    with pytest.raises(ValidationError, match="deactivated"):
        services.invitation_join(invitation=invitation, name="X", password="a-long-passphrase-9")


def test_an_account_whose_password_was_disabled_after_use_is_not_set_up_again(personas):
    used = UserFactory.create(email="used@example.org", last_login=timezone.now())
    used.set_unusable_password()
    used.save()
    invitation = InvitationFactory.create(program=personas.program, email="used@example.org")
    assert "Sign in to accept" in Client().get(landing(invitation)).content.decode()
    join(Client(), invitation)
    used.refresh_from_db()
    assert not used.has_usable_password()


def test_an_imported_account_is_set_up_from_the_link(personas):
    import_csv(personas, "fresh@example.org,Fresh,mentee")
    invitation = InvitationFactory.create(program=personas.program, email="fresh@example.org")
    client = Client()
    response = join(client, invitation)
    assert response.status_code == 302
    user = User.objects.get(email="fresh@example.org")
    assert user.check_password("a-long-unusual-passphrase")
    assert EmailAddress.objects.get(user=user).verified


def test_import_uses_the_account_of_a_verified_second_address(personas):
    owner = UserFactory.create(email="owner@example.org")
    EmailAddress.objects.create(user=owner, email="second@example.org", verified=True)
    record = import_csv(personas, "second@example.org,Someone,mentee")
    assert record.status == ParticipantImport.Status.IMPORTED, record.errors
    assert not User.objects.filter(email="second@example.org").exists()
    assert Membership.objects.filter(
        program=personas.program, user=owner, role=Role.MENTEE
    ).exists()


def test_import_finds_two_addresses_of_one_person_in_a_file(personas):
    owner = UserFactory.create(email="owner@example.org")
    EmailAddress.objects.create(user=owner, email="second@example.org", verified=True)
    record = import_csv(personas, "owner@example.org,O,mentee", "second@example.org,S,mentee")
    assert record.status == ParticipantImport.Status.REJECTED
    assert record.errors == [
        {
            "line": 3,
            "email": "second@example.org",
            "reason": "duplicate: the same person as line 2 (another of their e-mail addresses)",
        }
    ]


def test_import_knows_a_member_by_a_second_address(personas):
    EmailAddress.objects.create(user=personas.mentor, email="alias@example.org", verified=True)
    record = import_csv(personas, "alias@example.org,Alias,mentee")
    assert record.status == ParticipantImport.Status.REJECTED
    assert record.errors[0]["reason"] == "already a mentor in this program"


# --- Co-admins accept; the page does not tell who has an account ---------------------------


def test_adding_a_co_admin_reads_the_same_for_known_and_unknown_addresses(personas):
    UserFactory.create(email="known@example.org", name="Known Person")
    url = reverse("programs:admins", args=[personas.program.slug])
    client = personas.client("admin")
    known = client.post(url, {"email": "known@example.org"}, follow=True).content.decode()
    unknown = client.post(url, {"email": "unknown@example.org"}, follow=True).content.decode()
    assert "known@example.org is invited to be an admin" in known
    assert "unknown@example.org is invited to be an admin" in unknown
    assert "Known Person" not in known
    assert not Membership.objects.filter(user__email="known@example.org").exists()


# --- Sending is chunked, recorded, and swept up --------------------------------------------


def test_invitations_are_queued_in_small_batches(
    personas, monkeypatch, django_capture_on_commit_callbacks
):
    batches = []
    monkeypatch.setattr(tasks.send_invitations, "apply_async", lambda args: batches.append(args[0]))
    rows = [f"p{i}@example.org,P{i},mentee" for i in range(120)]
    with django_capture_on_commit_callbacks(execute=True):
        import_csv(personas, *rows, send_invitations=True)
    assert [len(b) for b in batches] == [50, 50, 20]
    assert Invitation.objects.filter(sends_requested=1, send_count=0).count() == 120


def test_when_the_broker_is_down_the_page_answers_and_the_sweep_sends_later(
    personas, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.send_invitations, "apply_async", down)
    url = reverse("programs:invitations", args=[personas.program.slug])
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        response = personas.client("admin").post(
            url, {"email": "late@example.org", "role": "mentee"}
        )
    assert response.status_code == 302
    assert "Could not queue programs.send_invitations" in caplog.text
    assert mail.outbox == []
    assert tasks.send_pending_invitations() == 1
    assert tasks.send_pending_invitations() == 0
    assert [m.to for m in mail.outbox] == [["late@example.org"]]


def test_the_sweep_leaves_closed_and_expired_invitations_alone(personas):
    InvitationFactory.create(program=personas.program, sends_requested=1, revoked_at=timezone.now())
    InvitationFactory.create(
        program=personas.program,
        sends_requested=1,
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert services.invitations_send_pending() == 0
    assert mail.outbox == []


# --- Closed programs ------------------------------------------------------------------------


def test_a_closed_program_takes_no_invitations_and_old_links_say_so(personas):
    invitation = InvitationFactory.create(program=personas.program, email="late@example.org")
    Program.objects.filter(pk=personas.program.pk).update(status=Program.Status.CLOSED)
    personas.program.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        services.invitation_create(
            program=personas.program, actor=personas.admin, email="new@example.org", role="mentee"
        )
    page = Client().get(landing(invitation))
    assert page.status_code == 410
    assert "This program has closed." in page.content.decode()


# --- Small things ---------------------------------------------------------------------------


def test_a_refused_topic_rename_keeps_the_old_name_on_the_page(personas):
    Topic.objects.create(program=personas.program, name="Negotiation")
    topic = Topic.objects.create(program=personas.program, name="Writing")
    url = reverse("programs:topic_edit", args=[personas.program.slug, topic.pk])
    response = personas.client("admin").post(url, {"name": "negotiation"})
    assert response.status_code == 200
    assert "Rename “Writing”" in response.content.decode()


def test_a_refused_profile_edit_does_not_show_in_the_navigation(personas):
    before = personas.mentee.name
    response = personas.client("mentee").post(
        reverse("profile"), {"name": "Rejected Name", "timezone": "Nowhere/Land"}
    )
    assert response.status_code == 200
    nav = response.content.decode().split("</header>")[0]
    assert "Rejected Name" not in nav
    assert before in nav


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("  =cmd", "'  =cmd"),
        ("\n=cmd", "'\n=cmd"),
        ("＝cmd", "'＝cmd"),
        ("-3", "'-3"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (3, 3),
    ],
)
def test_export_cells_that_a_spreadsheet_would_run_are_quoted(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize(("field", "year"), [("start_date", 1), ("end_date", 9999)])
def test_program_dates_far_in_the_past_or_future_are_refused(personas, field, year):
    url = reverse("programs:edit", args=[personas.program.slug])
    data = {
        "name": "P",
        "status": "draft",
        "start_date": "2026-01-01",
        "end_date": "2026-06-01",
        "cadence_days": 14,
        "timezone": "UTC",
        "matching_mode": "admin",
        "default_mentor_capacity": 2,
        "allow_one_to_one": "on",
        "privacy_policy": "metadata",
        "agenda_lead_hours": 48,
        "meeting_reminder_hours": "24, 1",
        "digest_weekday": 0,
    }
    data[field] = f"{year:04d}-03-01"
    response = personas.client("admin").post(url, data)
    assert response.status_code == 200
    assert "Choose a date between 2000 and 2100." in response.content.decode()


def test_invitations_list_pages_and_filters_by_state(personas):
    for i in range(30):
        InvitationFactory.create(program=personas.program, email=f"p{i}@example.org")
    InvitationFactory.create(
        program=personas.program, email="gone@example.org", revoked_at=timezone.now()
    )
    url = reverse("programs:invitations", args=[personas.program.slug])
    client = personas.client("admin")
    first = client.get(url)
    assert first.context["page"].paginator.count == 31
    assert len(first.context["page"].object_list) == 25
    assert len(client.get(url + "?page=2").context["page"].object_list) == 6
    withdrawn = client.get(url + "?state=revoked").context["page"].object_list
    assert [i.email for i in withdrawn] == ["gone@example.org"]
    pending = client.get(url + "?state=pending").context["page"]
    assert pending.paginator.count == 30
    assert client.get(url + "?state=nonsense").context["page"].paginator.count == 31


def test_the_two_reports_of_a_valid_rows_import_point_at_each_other(personas):
    rejected = import_csv(personas, "ok@example.org,Ok,mentee", "bad-mail,Bad,mentee")
    client = personas.client("admin")
    url = reverse("programs:import_detail", args=[personas.program.slug, rejected.pk])
    assert "Import the 1 valid row only" in client.get(url).content.decode()
    client.post(reverse("programs:import_valid_rows", args=[personas.program.slug, rejected.pk]))
    rejected.refresh_from_db()
    later = rejected.valid_rows_import
    page = client.get(url).content.decode()
    assert "Import the 1 valid row only" not in page
    assert reverse("programs:import_detail", args=[personas.program.slug, later.pk]) in page
    later_page = client.get(
        reverse("programs:import_detail", args=[personas.program.slug, later.pk])
    ).content.decode()
    assert url in later_page


def test_the_admins_page_lists_pending_admin_invitations_only(personas):
    services.program_add_admin(
        program=personas.program, actor=personas.admin, email="co@example.org"
    )
    InvitationFactory.create(program=personas.program, email="mentee@example.org", role=Role.MENTEE)
    page = personas.client("admin").get(reverse("programs:admins", args=[personas.program.slug]))
    body = page.content.decode()
    assert "Invited, not yet accepted" in body
    assert "co@example.org" in body
    assert "mentee@example.org" not in body
