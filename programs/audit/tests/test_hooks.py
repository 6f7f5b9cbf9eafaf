"""Each thing the audit trail must hear about, done the way people do it."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import services as matching
from matching.tests.factories import MenteeFactory, MentorFactory
from mentoring.tests.factories import PASSWORD, UserFactory, totp_code
from mentoring.tests.test_accounts import current_code
from programs import imports
from programs import services as programs
from programs.audit import services
from programs.audit.models import Event
from programs.models import Membership, ParticipantImport, Program
from programs.tests.factories import InvitationFactory, MembershipFactory, TopicFactory
from sessions.services import reviews
from sessions.tests.conftest import NOW, make_world
from sessions.tests.test_closure import submit_final

pytestmark = pytest.mark.django_db

Action = Event.Action


def events(action: str, since: int = 0) -> list[Event]:
    """The ``action`` events, oldest first; only those after event ``since``, if given."""
    return list(Event.objects.filter(action=action, pk__gt=since).order_by("id"))


def last_event_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


# --- Sign-ins and two-factor -------------------------------------------------------------


def test_a_sign_in_is_recorded_with_where_from():
    user = UserFactory.create(email="ana@example.org")
    client = Client(HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="192.0.2.10")
    assert sign_in(client, "ana@example.org").status_code == 302
    [event] = events(Action.LOGIN_SUCCEEDED)
    assert (event.actor_id, event.ip, event.user_agent) == (user.pk, "192.0.2.10", "Firefox/140")
    assert event.path == reverse("account_login")


def test_a_failed_sign_in_keeps_what_was_typed_and_never_the_password():
    UserFactory.create(email="ana@example.org")
    response = sign_in(Client(), "ANA@example.org", password="wrong-Secret-42")
    assert response.status_code == 200
    [event] = events(Action.LOGIN_FAILED)
    assert event.actor_id is None
    assert event.actor_label.lower() == "ana@example.org"
    row = str(Event.objects.filter(pk=event.pk).values().get())
    assert "wrong-Secret-42" not in row


def test_a_failed_two_factor_code_is_a_failed_sign_in():
    user = UserFactory.create(email="careful@example.org", two_factor=True)
    client = Client()
    assert sign_in(client, user.email)["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": "000000"})
    [event] = events(Action.LOGIN_FAILED)
    assert event.actor_id == user.pk
    assert event.detail["stage"] == "two-factor"
    # The right code then signs them in.
    client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
    assert len(events(Action.LOGIN_SUCCEEDED)) == 1


# allauth sends these signals on commit, while the request is being served.
@pytest.mark.django_db(transaction=True)
def test_turning_two_factor_on_and_off_is_recorded():
    user = UserFactory.create(email="careful@example.org")
    client = Client()
    sign_in(client, user.email)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert [e.detail["type"] for e in events(Action.MFA_ACTIVATED)] == ["totp"]
    assert [e.actor_id for e in events(Action.MFA_RECOVERY_CODES_GENERATED)] == [user.pk]
    client.post(reverse("mfa_generate_recovery_codes"))
    assert len(events(Action.MFA_RECOVERY_CODES_GENERATED)) == 2
    # The codes a regeneration replaces were not "turned off".
    assert not events(Action.MFA_DEACTIVATED)

    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    client.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(pk=totp.pk).exists()
    off = events(Action.MFA_DEACTIVATED)
    assert sorted(e.detail["type"] for e in off) == ["recovery_codes", "totp"]
    assert {e.actor_id for e in off} == {user.pk}


# --- Roles and staff ----------------------------------------------------------------------


def test_removing_an_admin_is_recorded(personas):
    second = MembershipFactory.create(program=personas.program, role=Membership.Role.ADMIN)
    url = reverse("programs:admin_remove", args=[personas.program.slug, second.pk])
    assert personas.client("admin").post(url).status_code == 302
    [event] = events(Action.ROLE_REVOKED)
    assert event.actor_id == personas.admin.pk
    assert event.program_id == personas.program.pk
    assert event.target == f"programs.Membership#{second.pk}"
    assert event.detail == {"user": second.user_id, "role": "admin"}


def test_removing_a_participant_is_recorded(personas):
    mentee = personas.membership("mentee")
    url = reverse("programs:participant_remove", args=[personas.program.slug, mentee.pk])
    personas.client("admin").post(url)
    [event] = events(Action.ROLE_REVOKED)
    assert event.detail == {"user": personas.mentee.pk, "role": "mentee"}


def test_accepting_an_invitation_grants_the_role(personas):
    invitation = InvitationFactory.create(
        program=personas.program, email="ana@example.org", role=Membership.Role.ADMIN
    )
    user = UserFactory.create(email="ana@example.org")
    before = last_event_id()
    programs.invitation_accept(invitation=invitation, user=user)
    [event] = events(Action.ROLE_GRANTED, since=before)
    assert (event.actor_id, event.program_id) == (user.pk, personas.program.pk)
    assert event.detail["role"] == "admin"


def test_creating_a_program_makes_its_creator_admin_on_the_record(staff_user):
    program = programs.program_create(
        actor=staff_user,
        name="Pilot",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 6, 30),
    )
    [event] = events(Action.ROLE_GRANTED)
    assert (event.actor_id, event.program_id) == (staff_user.pk, program.pk)


def test_staff_superuser_and_active_changes_are_recorded(staff_user, rf):
    person = UserFactory.create()
    # As in the Django admin: the request being served says who did it.
    request = rf.post(f"/admin/mentoring/user/{person.pk}/change/")
    request.user = staff_user
    token = services.current_request.set(request)
    try:
        person.is_staff = True
        person.is_active = False
        person.save()
    finally:
        services.current_request.reset(token)
    [event] = Event.objects.filter(target=f"mentoring.User#{person.pk}")
    assert event.action == Action.STAFF_CHANGED
    assert event.actor_id == staff_user.pk
    assert event.detail == {
        "user": person.pk,
        "is_staff": [False, True],
        "is_active": [True, False],
    }
    # Saving other fields neither records nor reads anything more.
    with CaptureQueriesContext(connection) as saved:
        person.save(update_fields=["name"])
    assert len(saved) == 1
    person.save()
    assert Event.objects.filter(target=f"mentoring.User#{person.pk}").count() == 1


def test_a_new_superuser_is_recorded():
    user = UserFactory.create(is_staff=True, is_superuser=True)
    [event] = events(Action.STAFF_CHANGED)
    assert event.detail["is_superuser"] == [False, True]
    assert event.target == f"mentoring.User#{user.pk}"


# --- The same changes made in the Django admin ------------------------------------------


@pytest.fixture
def superuser():
    return UserFactory.create(is_staff=True, is_superuser=True, two_factor=True)


@pytest.fixture
def superuser_client(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def admin_form_data(response) -> dict:
    """What the Django admin's change form posts back unchanged."""
    data = {}
    for form in [response.context["adminform"].form] + [
        f for formset in response.context["inline_admin_formsets"] for f in [formset.formset]
    ]:
        if hasattr(form, "management_form"):
            forms = [form.management_form, *form.forms]
        else:
            forms = [form]
        for each in forms:
            for field in each:
                value = field.value()
                if value is None or value is False:
                    continue
                if isinstance(value, list | tuple):
                    value = [str(v) for v in value]
                elif isinstance(value, dt.date):
                    value = value.isoformat()
                data[field.html_name] = value
    return data


def test_granting_and_revoking_an_admin_role_in_the_django_admin_is_recorded_once(
    superuser, superuser_client, personas
):
    person = UserFactory.create()
    add = reverse("admin:programs_membership_add")
    data = admin_form_data(superuser_client.get(add))
    before = last_event_id()
    response = superuser_client.post(
        add, {**data, "user": person.pk, "program": personas.program.pk, "role": "admin"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    membership = Membership.objects.get(user=person, program=personas.program)
    [granted] = events(Action.ROLE_GRANTED, since=before)
    assert (granted.actor_id, granted.program_id) == (superuser.pk, personas.program.pk)
    assert granted.target == f"programs.Membership#{membership.pk}"
    assert granted.detail == {"user": person.pk, "role": "admin"}
    assert granted.path == reverse("admin:programs_membership_add")

    change = reverse("admin:programs_membership_change", args=[membership.pk])
    data = admin_form_data(superuser_client.get(change))
    assert superuser_client.post(change, {**data, "role": "mentor"}).status_code == 302
    [revoked] = events(Action.ROLE_REVOKED)
    assert revoked.detail == {"user": person.pk, "role": "admin"}
    granted_roles = [e.detail["role"] for e in events(Action.ROLE_GRANTED, since=before)]
    assert granted_roles == ["admin", "mentor"]
    # Saved again unchanged: nothing more.
    assert superuser_client.post(change, {**data, "role": "mentor"}).status_code == 302
    assert Event.objects.filter(action__startswith="role.", pk__gt=before).count() == 3

    delete = reverse("admin:programs_membership_delete", args=[membership.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    both = events(Action.ROLE_REVOKED)
    assert [e.detail["role"] for e in both] == ["admin", "mentor"]
    assert both[-1].actor_id == superuser.pk


def test_a_privacy_policy_change_in_the_django_admin_is_recorded_once(
    superuser, superuser_client, personas
):
    program = personas.program
    url = reverse("admin:programs_program_change", args=[program.pk])
    data = admin_form_data(superuser_client.get(url))
    old = data["privacy_policy"]
    new = next(p for p in Program.PrivacyPolicy.values if p != old)
    response = superuser_client.post(url, {**data, "name": "Renamed"})
    assert response.status_code == 302
    assert not events(Action.PRIVACY_POLICY_CHANGED)
    assert superuser_client.post(url, {**data, "privacy_policy": new}).status_code == 302
    program.refresh_from_db()
    assert program.privacy_policy == new
    [event] = events(Action.PRIVACY_POLICY_CHANGED)
    assert (event.actor_id, event.program_id) == (superuser.pk, program.pk)
    assert event.detail == {"old": old, "new": new}


def test_deleting_someones_authenticator_in_the_django_admin_is_recorded_once(
    superuser,
    superuser_client,
):
    person = UserFactory.create(two_factor=True)
    totp = Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP)
    url = reverse("admin:mfa_authenticator_delete", args=[totp.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 302
    assert not Authenticator.objects.filter(pk=totp.pk).exists()
    [event] = events(Action.MFA_DEACTIVATED)
    assert event.actor_id == superuser.pk
    assert event.target == f"mfa.Authenticator#{totp.pk}"
    assert event.detail == {"user": person.pk, "type": "totp"}


def test_services_still_record_each_change_once(staff_user):
    program = programs.program_create(
        actor=staff_user,
        name="Pilot",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 6, 30),
    )
    membership = MembershipFactory.create(program=program, role=Membership.Role.ADMIN)
    programs.membership_remove(membership=membership, actor=staff_user)
    programs.program_update(
        program=program, actor=staff_user, privacy_policy=Program.PrivacyPolicy.CONTENT
    )
    # The factory's membership is the one role here that no service recorded.
    granted = events(Action.ROLE_GRANTED)
    assert [(e.actor_id, e.detail["user"]) for e in granted] == [
        (staff_user.pk, staff_user.pk),
        (None, membership.user_id),
    ]
    [revoked] = events(Action.ROLE_REVOKED)
    assert revoked.actor_id == staff_user.pk
    [changed] = events(Action.PRIVACY_POLICY_CHANGED)
    assert changed.actor_id == staff_user.pk


# --- Program work -------------------------------------------------------------------------


def test_an_import_is_recorded_with_its_counts(personas):
    TopicFactory.create(program=personas.program, name="Leadership")
    raw = (
        b"email,name,role,department,manager_email,topics,capacity\n"
        b"a@example.org,A,mentee,Finance,,Leadership,\n"
        b"b@example.org,B,mentor,Sales,,Leadership,2\n"
    )
    record = imports.participant_import_create(
        program=personas.program, actor=personas.admin, filename="people.csv", raw=raw
    )
    assert record.status == ParticipantImport.Status.IMPORTED
    [event] = events(Action.IMPORT_COMPLETED)
    assert event.target == f"programs.ParticipantImport#{record.pk}"
    assert (event.detail["rows"], event.detail["created"]) == (2, 2)


def test_a_refused_import_is_recorded(personas):
    raw = b"email,name,role\nnot-an-address,A,mentee\n"
    imports.participant_import_create(
        program=personas.program, actor=personas.admin, filename="people.csv", raw=raw
    )
    [event] = events(Action.IMPORT_FAILED)
    assert event.detail["status"] == ParticipantImport.Status.REJECTED


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(b"email,name,role\n" + b"x" * 64, "too_large"), (b"email\n\xff\xfe", "undecodable")],
)
def test_an_import_refused_before_its_rows_are_read_is_recorded(personas, settings, raw, reason):
    settings.IMPORT_MAX_BYTES = 40
    record = imports.participant_import_create(
        program=personas.program, actor=personas.admin, filename="people.csv", raw=raw
    )
    assert record.status == ParticipantImport.Status.REJECTED
    [event] = events(Action.IMPORT_FAILED)
    assert (event.actor_id, event.program_id) == (personas.admin.pk, personas.program.pk)
    assert event.target == f"programs.ParticipantImport#{record.pk}"
    assert event.detail["reason"] == reason


def test_publishing_matches_is_recorded(monkeypatch):
    from mentoring.models import User

    monkeypatch.setattr(User, "may_be_contacted_at", lambda self, moment: True)
    from programs.tests.factories import ProgramFactory

    program = ProgramFactory.create(status=Program.Status.MATCHING)
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    topic = TopicFactory.create(program=program, name="Code")
    MentorFactory.create(program=program, capacity=1).topics.set([topic])
    MenteeFactory.create(program=program).topics.set([topic])
    run = matching.run_create(program=program, actor=admin)
    matching.run_publish(run=run, actor=admin)
    [event] = events(Action.MATCHING_PUBLISHED)
    assert (event.actor_id, event.program_id) == (admin.pk, program.pk)
    assert event.detail == {"pairings": 1}


def test_a_privacy_policy_change_is_recorded_old_and_new(personas):
    program = personas.program
    Program.objects.filter(pk=program.pk).update(privacy_policy=Program.PrivacyPolicy.CONTENT)
    program.refresh_from_db()
    programs.program_update(program=program, actor=personas.admin, name="Renamed")
    assert not events(Action.PRIVACY_POLICY_CHANGED)
    programs.program_update(
        program=program, actor=personas.admin, privacy_policy=Program.PrivacyPolicy.METADATA
    )
    [event] = events(Action.PRIVACY_POLICY_CHANGED)
    assert event.detail == {"old": "content", "new": "metadata"}
    assert event.actor_id == personas.admin.pk


def test_reopening_a_review_is_recorded():
    import time_machine

    with time_machine.travel(NOW, tick=False):
        world = make_world()
        review = submit_final(world, "mentee")
        reviews.review_reopen(wa=world.access("admin"), review=review)
    [event] = events(Action.REVIEW_REOPENED)
    assert (event.actor_id, event.program_id) == (world.admin.pk, world.program.pk)
    assert event.target == f"mentoring_sessions.Review#{review.pk}"
    assert event.detail["user"] == world.mentee.pk


@pytest.mark.parametrize(
    "name",
    [
        "programs:participants_export",
        "exports:participants",
        "exports:pairings",
        "exports:engagement",
    ],
)
def test_each_csv_export_is_recorded(personas, name):
    url = reverse(name, args=[personas.program.slug])
    response = personas.client("admin").get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    [event] = events(Action.EXPORT_DOWNLOADED)
    assert (event.actor_id, event.program_id, event.path) == (
        personas.admin.pk,
        personas.program.pk,
        url,
    )
