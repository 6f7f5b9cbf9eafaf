"""Deleting your account: anonymised, signed out everywhere, program figures unchanged."""

from __future__ import annotations

import datetime as dt
import json
from importlib import import_module

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from matching.models import (
    Circle,
    FlashOffer,
    MatchRun,
    MatchSuggestion,
    MentorRequest,
    Pairing,
)
from matching.tests.factories import FlashOfferFactory, MentorRequestFactory
from mentoring.models import Notification, NotificationPreference, User
from mentoring.tests.factories import PASSWORD, UserFactory
from programs.audit.models import Event
from programs.models import Answer, Invitation, Membership, Question
from programs.tests.factories import MembershipFactory
from sessions import personal_data as privacy
from sessions.health import Filters, compute
from sessions.models import ActionItem, Agenda, Agreement, CheckIn, Goal, Meeting, Note, Review
from sessions.personal_data import erase
from sessions.tests.conftest import World, make_world
from sessions.tests.test_data_export import fill, give_totp
from sessions.tests.test_health_figures import NOW, build_known

pytestmark = pytest.mark.django_db

URL = reverse("account_delete")
GOOD = {"password": PASSWORD, "confirm": "DELETE"}


@pytest.fixture
def world(db) -> World:
    return make_world()


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def form_for(user: User) -> dict[str, str]:
    """A correct submission for ``user`` (with the two-factor code when they have one)."""
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is None:
        return dict(GOOD)
    return {**GOOD, "code": current_code(totp.wrap().instance.data["secret"])}


# --- Who may -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mentor", "mentee", "outsider"])
def test_each_persona_sees_the_page_and_deletes_only_their_own_account(personas, who):
    user = getattr(personas, who)
    if who == "outsider":  # the only admin of their program: someone else takes over
        MembershipFactory.create(program=personas.other_program, role=Membership.Role.ADMIN)
    client = personas.client(who)
    page = client.get(URL)
    assert page.status_code == 200
    assert "What happens" in page.content.decode()
    response = client.post(URL, form_for(user))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_deleted")
    user.refresh_from_db()
    assert user.name == privacy.DELETED_NAME
    assert not user.is_active
    others = [getattr(personas, o) for o in ("admin", "mentor", "mentee", "outsider") if o != who]
    assert all(User.objects.get(pk=o.pk).is_active for o in others)
    assert client.get(reverse("account_deleted")).status_code == 200
    (event,) = Event.objects.filter(action=Event.Action.ACCOUNT_DELETED)
    assert event.actor_id == user.pk
    assert event.detail == {"user": user.pk}


def test_the_last_admin_of_a_program_is_refused_and_nothing_changes(personas):
    client = personas.client("admin")
    page = client.get(URL)
    assert personas.program.name in page.content.decode()
    assert "last admin" in page.content.decode()
    response = client.post(URL, form_for(personas.admin))
    assert response.status_code == 400
    admin = User.objects.get(pk=personas.admin.pk)
    assert admin.is_active
    assert admin.name == personas.admin.name
    with pytest.raises(privacy.LastAdminError):
        privacy.account_delete(user=admin)
    assert User.objects.get(pk=admin.pk).is_active


def test_an_admin_who_handed_over_can_delete(personas):
    MembershipFactory.create(program=personas.program, role=Membership.Role.ADMIN)
    response = personas.client("admin").post(URL, form_for(personas.admin))
    assert response.status_code == 302
    assert not User.objects.get(pk=personas.admin.pk).is_active
    # Still counted as an admin membership (role and dates), anonymous.
    assert Membership.objects.filter(user=personas.admin, role=Membership.Role.ADMIN).exists()


def test_staff_delete_their_own_account_on_the_same_terms(staff_user):
    UserFactory.create(is_staff=True)  # someone stays to run the site
    client = Client()
    client.force_login(staff_user)
    response = client.post(URL, form_for(staff_user))
    assert response.status_code == 302
    staff_user.refresh_from_db()
    assert not staff_user.is_staff
    assert not staff_user.is_superuser
    assert not staff_user.is_active


def test_the_last_active_staff_account_is_refused_and_nothing_changes(staff_user):
    UserFactory.create(is_staff=True, is_active=False)  # a deleted one does not count
    client = Client()
    client.force_login(staff_user)
    page = client.get(URL)
    assert "You are the last staff account" in page.content.decode()
    assert client.post(URL, form_for(staff_user)).status_code == 400
    with pytest.raises(privacy.LastAdminError):
        privacy.account_delete(user=staff_user)
    staff_user.refresh_from_db()
    assert staff_user.is_active
    assert staff_user.is_staff
    assert staff_user.name != privacy.DELETED_NAME
    # Once someone else is staff, it may go.
    UserFactory.create(is_staff=True)
    assert client.post(URL, form_for(staff_user)).status_code == 302


@pytest.mark.parametrize("name", ["account_delete"])
def test_anonymous_is_sent_to_sign_in(personas, name):
    response = personas.client("anonymous").post(reverse(name), GOOD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "posted",
    [
        {"password": "wrong-password", "confirm": "DELETE"},
        {"password": PASSWORD, "confirm": "delete"},
        {"password": PASSWORD, "confirm": ""},
        {"password": "", "confirm": "DELETE"},
    ],
)
def test_a_wrong_password_or_confirmation_changes_nothing(personas, posted):
    response = personas.client("mentee").post(URL, posted)
    assert response.status_code == 400
    assert response.context["form"].errors
    mentee = User.objects.get(pk=personas.mentee.pk)
    assert mentee.is_active
    assert mentee.check_password(PASSWORD)


def test_two_factor_users_must_give_a_current_code(personas):
    secret = give_totp(personas.mentee)
    client = personas.client("mentee")
    assert client.post(URL, {**GOOD, "code": "000000"}).status_code == 400
    assert client.post(URL, GOOD).status_code == 400
    assert User.objects.get(pk=personas.mentee.pk).is_active
    assert client.post(URL, {**GOOD, "code": current_code(secret)}).status_code == 302
    assert not User.objects.get(pk=personas.mentee.pk).is_active


# --- What it does ------------------------------------------------------------------------


def test_deletion_removes_personal_data_and_blanks_words_but_keeps_the_rows(world):
    fill(world, 2)
    mentee = world.mentee
    give_totp(mentee)
    email = mentee.email
    NotificationPreference.objects.create(user=mentee, category="meetings", mode="digest")
    Notification.objects.create(user=mentee, key="k1", title="For the mentee")
    question = Question.objects.create(program=world.program, text="Favourite tool?")
    membership = world.pairing.mentee
    Answer.objects.create(membership=membership, question=question, value="vim")
    Membership.objects.filter(pk=membership.pk).update(goals="Become a lead", department="Ops")
    Invitation.objects.create(
        program=world.program,
        email=email.upper(),
        role="mentor",
        expires_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )
    mentor_notes = set(Note.objects.filter(author=world.mentor).values_list("body", flat=True))
    meetings = Meeting.objects.filter(workspace=world.workspace).count()

    privacy.account_delete(user=mentee)

    mentee.refresh_from_db()
    assert mentee.name == privacy.DELETED_NAME
    assert mentee.email == f"deleted-{mentee.pk}@deleted.invalid"
    assert not mentee.has_usable_password()
    assert not mentee.is_active
    assert (mentee.title, mentee.organisation, mentee.bio, mentee.timezone) == ("", "", "", "UTC")
    for model in (EmailAddress, Authenticator, Notification, NotificationPreference):
        assert not model.objects.filter(user=mentee).exists(), model
    assert not Invitation.objects.filter(email__iexact=email).exists()
    assert not Answer.objects.filter(membership=membership).exists()
    membership.refresh_from_db()
    assert membership.goals == ""
    assert membership.department == "Ops"
    assert not Note.objects.filter(author=mentee).exists()
    # Words blanked, rows and figures kept.
    assert set(Agenda.objects.filter(author=mentee).values_list("topics", flat=True)) == {""}
    assert Agenda.objects.filter(author=mentee, late=False).count() == 2
    assert set(CheckIn.objects.filter(author=mentee).values_list("useful", flat=True)) == {""}
    assert set(CheckIn.objects.filter(author=mentee).values_list("rating", flat=True)) == {4}
    assert set(ActionItem.objects.filter(owner=mentee).values_list("description", flat=True)) == {
        ""
    }
    assert set(Goal.objects.filter(created_by=mentee).values_list("specific", flat=True)) == {""}
    assert Agreement.objects.get(workspace=world.workspace).purpose == ""
    review = Review.objects.get(author=mentee)
    assert (review.working, review.value_received) == ("", 5)
    assert Meeting.objects.filter(workspace=world.workspace).count() == meetings
    # The partner's data is intact.
    assert set(Note.objects.filter(author=world.mentor).values_list("body", flat=True)) == (
        mentor_notes
    )
    assert CheckIn.objects.filter(author=world.mentor, useful__startswith="Useful").count() == 2
    assert User.objects.get(pk=world.mentor.pk).is_active


def test_an_open_pairing_ends_with_participant_left_and_the_partner_is_told(world):
    request = MentorRequestFactory.create(
        program=world.program, mentee=world.pairing.mentee, note="Please mentor me"
    )
    privacy.account_delete(user=world.mentee)
    world.pairing.refresh_from_db()
    assert world.pairing.status == Pairing.Status.ENDED_EARLY
    assert world.pairing.end_reason == privacy.LEFT_REASON
    told = Notification.objects.filter(user=world.mentor, kind="pairing_ended_early").get()
    assert privacy.DELETED_NAME in told.title + told.body + str(told.lines)
    request.refresh_from_db()
    assert request.status == MentorRequest.Status.WITHDRAWN
    assert request.note == ""


def test_every_session_of_the_person_ends_and_they_cannot_sign_in_again(
    personas, django_capture_on_commit_callbacks
):
    phone, laptop, partner = Client(), Client(), Client()
    for client in (phone, laptop):
        assert client.login(email=personas.mentee.email, password=PASSWORD)
    partner.force_login(personas.mentor)
    email = personas.mentee.email
    phone_key = phone.session.session_key
    with django_capture_on_commit_callbacks(execute=True):
        assert laptop.post(URL, form_for(personas.mentee)).status_code == 302
    # No session is read or deleted at deletion: the phone's still names the person, but
    # the account is inactive and its authentication hash no longer matches (unusable
    # password), so the phone is signed out.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert store(session_key=phone_key).load().get("_auth_user_id") == str(personas.mentee.pk)
    signed_out = phone.get(reverse("home"))
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith(reverse("account_login"))
    assert phone.get(reverse("account_data")).status_code == 302
    assert laptop.get(reverse("home")).status_code == 302
    assert partner.get(reverse("home")).status_code == 200
    # Whatever session row still names the person signs nobody in, from any browser.
    for row in Session.objects.all():
        if row.get_decoded().get("_auth_user_id") == str(personas.mentee.pk):
            stranger = Client()
            stranger.cookies[settings.SESSION_COOKIE_NAME] = row.session_key
            assert stranger.get(reverse("account_data")).status_code == 302
    assert not Client().login(email=email, password=PASSWORD)
    deleted = User.objects.get(pk=personas.mentee.pk)
    assert not Client().login(email=deleted.email, password=PASSWORD)


@pytest.mark.parametrize("check", ["hash", "active"])
def test_a_stale_cached_session_cannot_sign_in_after_deletion(personas, settings, check):
    """With the cached_db engine (production with Redis), the other device's session stays
    in the cache, unread at deletion; each of the two checks alone refuses it."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    phone, laptop = Client(), Client()
    for client in (phone, laptop):
        assert client.login(email=personas.mentee.email, password=PASSWORD)
    assert phone.get(reverse("home")).status_code == 200  # read into the cache
    phone_key = phone.session.session_key
    password = User.objects.get(pk=personas.mentee.pk).password
    assert laptop.post(URL, form_for(personas.mentee)).status_code == 302
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert store(session_key=phone_key).load().get("_auth_user_id") == str(personas.mentee.pk)
    if check == "hash":  # the account active again: the password hash alone refuses it
        User.objects.filter(pk=personas.mentee.pk).update(is_active=True)
    else:  # the old hash back: being inactive alone refuses it
        User.objects.filter(pk=personas.mentee.pk).update(password=password)
    signed_out = phone.get(reverse("account_data"))
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith(reverse("account_login"))
    if check == "hash":  # a hash that no longer matches empties the session
        assert "_auth_user_id" not in store(session_key=phone_key).load()


def test_program_health_figures_are_unchanged_by_a_deletion(db):
    with time_machine.travel(NOW, tick=False):
        known = build_known()
        before, _ = compute(known.program, Filters(), NOW)
        # The people of the completed pair (G) and the mentee who reviewed (H) leave.
        for name, side in (("G", "mentee"), ("G", "mentor"), ("H", "mentee")):
            person = getattr(known.pairs[name], side).user
            privacy.account_delete(user=User.objects.get(pk=person.pk))
        after, _ = compute(known.program, Filters(), NOW)
    assert after == before


def test_a_failure_late_in_deletion_changes_nothing(world, monkeypatch):
    fill(world, 1)
    mentee = world.mentee

    def broken(user, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(erase, "_scrub_copies", broken)
    with pytest.raises(RuntimeError):
        privacy.account_delete(user=mentee)
    fresh = User.objects.get(pk=mentee.pk)
    assert fresh.is_active
    assert fresh.name == mentee.name
    assert fresh.email == mentee.email
    assert EmailAddress.objects.filter(user=mentee).exists()
    assert Note.objects.filter(author=mentee).count() == 1
    world.pairing.refresh_from_db()
    assert world.pairing.status == Pairing.Status.ACTIVE
    assert CheckIn.objects.get(author=mentee).useful.startswith("Useful")


def test_a_mentor_leaving_ends_their_circle_and_closes_their_flash_offers(world):
    offer = FlashOfferFactory.create(program=world.program, mentor=world.pairing.mentor)
    privacy.account_delete(user=world.mentor)
    world.circle.refresh_from_db()
    assert world.circle.status == Circle.Status.ENDED_EARLY
    assert world.circle.end_reason == privacy.LEFT_REASON
    assert Notification.objects.filter(user=world.member, kind="circle_ended").exists()
    assert not FlashOffer.objects.get(pk=offer.pk).active
    assert Pairing.objects.get(pk=world.pairing.pk).status == Pairing.Status.ENDED_EARLY


def test_what_others_were_told_no_longer_names_or_quotes_the_person(world):
    mentee = world.mentee
    name, email = mentee.name, mentee.email
    MentorRequestFactory.create(
        program=world.program,
        mentor=world.other_mentor.memberships.get(program=world.program),
        mentee=world.pairing.mentee,
        note="Please, I need help with “my” boss",
    )
    told = Notification.objects.create(
        user=world.mentor,
        key="k-told",
        title=f"{name} asks you to be their mentor",
        body=f"Write to {email.upper()}.",
        lines=[f"{name} would like you.", "Their note: “Please, I need help with “my” boss”"],
    )
    unrelated = Notification.objects.create(
        user=world.mentor, key="k-other", title="Nothing about them", lines=["Just this"]
    )
    run = MatchRun.objects.create(program=world.program)
    suggestion = MatchSuggestion.objects.create(
        run=run,
        mentee=world.other_mentee.memberships.get(program=world.program),
        unmatched_reason=f"You forbade the pair with {name}. Run matching again.",
    )

    privacy.account_delete(user=mentee)

    told.refresh_from_db()
    everything = told.title + told.body + json.dumps(told.lines, ensure_ascii=False)
    assert name not in everything
    assert email.lower() not in everything.lower()
    assert "boss" not in everything
    assert told.title == f"{privacy.DELETED_NAME} asks you to be their mentor"
    assert told.lines[1] == f"Their note: “{privacy.REMOVED}”"
    unrelated.refresh_from_db()
    assert (unrelated.title, unrelated.lines) == ("Nothing about them", ["Just this"])
    suggestion.refresh_from_db()
    assert suggestion.unmatched_reason == (
        f"You forbade the pair with {privacy.DELETED_NAME}. Run matching again."
    )


def test_circle_end_reasons_invitation_messages_and_offer_titles_are_blanked(world):
    circle_mentor = world.circle.mentor.user
    Circle.objects.filter(pk=world.circle.pk).update(
        status=Circle.Status.ENDED_EARLY, ended_by=circle_mentor, end_reason="We lost momentum"
    )
    sent = Invitation.objects.create(
        program=world.program,
        email="friend@example.com",
        role="mentee",
        message="Join us, it is great",
        invited_by=circle_mentor,
        expires_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )
    offer = FlashOfferFactory.create(
        program=world.program, mentor=world.pairing.mentor, title="Ask me about Kubernetes"
    )
    privacy.account_delete(user=circle_mentor)
    circle = Circle.objects.get(pk=world.circle.pk)
    assert circle.end_reason == privacy.REMOVED
    sent.refresh_from_db()
    assert sent.message == ""
    assert sent.email == "friend@example.com"  # the invitation stays, for the invitee
    assert FlashOffer.objects.get(pk=offer.pk).title == privacy.REMOVED
