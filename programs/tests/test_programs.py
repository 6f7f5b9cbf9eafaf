"""Programs: creation, settings, co-admins, topics, and who sees which program."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Weekday
from mentoring.tests.factories import UserFactory
from programs import services
from programs.models import Invitation, Membership, Program, Topic
from programs.tests.factories import MembershipFactory, ProgramFactory, TopicFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role


def program_data(**overrides):
    data = {
        "name": "Leaders of Tomorrow",
        "description": "Mentoring for new team leads.",
        "status": Program.Status.DRAFT,
        "start_date": "2026-09-01",
        "end_date": "2027-03-01",
        "midpoint_date": "",
        "cadence_days": "14",
        "timezone": "Europe/London",
        "matching_mode": Program.MatchingMode.ADMIN,
        "default_mentor_capacity": "2",
        "allow_one_to_one": "on",
        "privacy_policy": Program.PrivacyPolicy.METADATA,
        "agenda_lead_hours": "48",
        "meeting_reminder_hours": "24, 1",
        "digest_weekday": "0",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit(personas, **overrides):
    """POST the settings form of the personas' program as its admin."""
    url = reverse("programs:edit", args=[personas.program.slug])
    return personas.client("admin").post(url, program_data(**overrides))


def login(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# --- Creating a program ---------------------------------------------------------------------


def test_staff_creates_a_program_and_becomes_its_only_admin(staff_user):
    response = login(staff_user).post(reverse("programs:create"), program_data())
    program = Program.objects.get(name="Leaders of Tomorrow")
    assert response.status_code == 302
    assert response["Location"] == program.get_absolute_url()
    assert program.slug == "leaders-of-tomorrow"
    assert program.created_by == staff_user
    assert program.meeting_reminder_hours == [24, 1]
    assert list(program.memberships.values_list("user", "role")) == [(staff_user.pk, Role.ADMIN)]


def test_staff_sees_the_new_program_form(staff_user):
    response = login(staff_user).get(reverse("programs:create"))
    assert response.status_code == 200
    assert 'name="meeting_reminder_hours"' in response.content.decode()


def test_two_programs_with_the_same_name_get_different_slugs(staff_user):
    first = services.program_create(actor=staff_user, **_fields())
    second = services.program_create(actor=staff_user, **_fields())
    assert first.slug == "leaders-of-tomorrow"
    assert second.slug == "leaders-of-tomorrow-2"


def _fields(**overrides):
    fields = {
        "name": "Leaders of Tomorrow",
        "start_date": dt.date(2026, 9, 1),
        "end_date": dt.date(2027, 3, 1),
    }
    fields.update(overrides)
    return fields


@pytest.mark.parametrize("method", ["get", "post"])
def test_non_staff_cannot_create_a_program(personas, method):
    response = getattr(personas.client("admin"), method)(reverse("programs:create"), {})
    assert response.status_code == 403
    assert "Only staff can create programs." in response.content.decode()


def test_program_create_service_refuses_non_staff(personas):
    with pytest.raises(PermissionDenied):
        services.program_create(actor=personas.admin, **_fields())
    assert not Program.objects.filter(name="Leaders of Tomorrow").exists()


def test_new_program_with_bad_dates_is_not_created(staff_user):
    response = login(staff_user).post(
        reverse("programs:create"), program_data(end_date="2026-08-01")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end_date"] == ["The program must end after it starts."]
    assert not Program.objects.filter(name="Leaders of Tomorrow").exists()
    assert not Membership.objects.filter(user=staff_user).exists()


# --- Settings -------------------------------------------------------------------------------


def test_admin_saves_the_programs_settings(personas):
    response = edit(
        personas,
        name="Renamed",
        midpoint_date="2026-12-01",
        allow_circles="on",
        cadence_days="30",
        digest_weekday="4",
        status=Program.Status.ENROLLING,
    )
    assert response.status_code == 302
    program = Program.objects.get(pk=personas.program.pk)
    assert program.name == "Renamed"
    assert program.digest_weekday == Weekday.FRIDAY
    assert program.midpoint == dt.date(2026, 12, 1)
    assert program.allow_circles
    assert program.cadence_days == 30
    assert program.slug == personas.program.slug  # links keep working


def test_settings_form_shows_the_current_values(personas):
    program = personas.program
    program.meeting_reminder_hours = [48, 2]
    program.save()
    response = personas.client("admin").get(reverse("programs:edit", args=[program.slug]))
    assert response.status_code == 200
    assert 'value="48, 2"' in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_date": "2026-09-01"}, "end_date", "The program must end after it starts."),
        ({"end_date": "2026-06-01"}, "end_date", "The program must end after it starts."),
        (
            {"midpoint_date": "2027-03-01"},
            "midpoint_date",
            "The mid-point must fall between the start and end dates.",
        ),
        (
            {"midpoint_date": "2026-08-01"},
            "midpoint_date",
            "The mid-point must fall between the start and end dates.",
        ),
        (
            {"allow_one_to_one": None},
            "allow_one_to_one",
            "Allow at least one kind of relationship.",
        ),
        (
            {"meeting_reminder_hours": "a day"},
            "meeting_reminder_hours",
            "Use whole numbers of hours, separated by commas.",
        ),
        (
            {"meeting_reminder_hours": "0"},
            "meeting_reminder_hours",
            "Give one to five reminders, each 1 to 336 hours before.",
        ),
        (
            {"meeting_reminder_hours": "337"},
            "meeting_reminder_hours",
            "Give one to five reminders, each 1 to 336 hours before.",
        ),
        (
            {"meeting_reminder_hours": "1,2,3,4,5,6"},
            "meeting_reminder_hours",
            "Give one to five reminders, each 1 to 336 hours before.",
        ),
        (
            {"meeting_reminder_hours": " , "},
            "meeting_reminder_hours",
            "Give one to five reminders, each 1 to 336 hours before.",
        ),
        ({"timezone": "Mars/Olympus"}, "timezone", "Select a valid choice."),
        ({"digest_weekday": "7"}, "digest_weekday", "Select a valid choice."),
        ({"digest_weekday": "Monday"}, "digest_weekday", "Select a valid choice."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_settings_are_refused_next_to_their_field(personas, overrides, field, message):
    before = Program.objects.get(pk=personas.program.pk)
    response = edit(personas, **{"name": "Changed", **overrides})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    assert message.replace("'", "&#x27;") in response.content.decode()
    after = Program.objects.get(pk=personas.program.pk)
    assert (after.name, after.end_date, after.midpoint_date) == (
        before.name,
        before.end_date,
        before.midpoint_date,
    )


@pytest.mark.parametrize(
    ("raw", "hours"),
    [("24, 1", [24, 1]), ("1;24", [24, 1]), ("2, 48, 2", [48, 2]), (" 336 ", [336])],
)
def test_reminder_hours_are_parsed_deduplicated_and_sorted(personas, raw, hours):
    assert edit(personas, meeting_reminder_hours=raw).status_code == 302
    assert Program.objects.get(pk=personas.program.pk).meeting_reminder_hours == hours


def test_empty_midpoint_is_derived_halfway_between_start_and_end(personas):
    edit(personas, start_date="2026-01-01", end_date="2026-01-31", midpoint_date="")
    program = Program.objects.get(pk=personas.program.pk)
    assert program.midpoint_date is None
    assert program.midpoint == dt.date(2026, 1, 16)
    page = personas.client("mentee").get(program.get_absolute_url()).content.decode()
    assert "16 Jan 2026" in page


def test_an_explicit_midpoint_overrides_the_derived_one(personas):
    edit(personas, start_date="2026-01-01", end_date="2026-01-31", midpoint_date="2026-01-10")
    assert Program.objects.get(pk=personas.program.pk).midpoint == dt.date(2026, 1, 10)


def test_service_refuses_bad_dates_even_without_the_form(personas):
    with pytest.raises(ValidationError) as exc:
        services.program_update(
            program=personas.program,
            actor=personas.admin,
            start_date=dt.date(2026, 5, 1),
            end_date=dt.date(2026, 4, 1),
        )
    assert "end_date" in exc.value.error_dict


def test_service_refuses_a_program_with_no_relationship_kind(personas):
    with pytest.raises(ValidationError):
        services.program_update(
            program=personas.program,
            actor=personas.admin,
            allow_one_to_one=False,
            allow_circles=False,
            allow_flash=False,
        )


def test_privacy_can_be_widened_while_nobody_has_enrolled(personas):
    assert edit(personas, privacy_policy=Program.PrivacyPolicy.CONTENT).status_code == 302
    assert Program.objects.get(pk=personas.program.pk).admins_see_content


def test_privacy_cannot_be_widened_once_a_participant_enrolled(personas):
    mentee = personas.membership("mentee")
    mentee.enrolled_at = timezone.now()
    mentee.save()
    response = edit(personas, privacy_policy=Program.PrivacyPolicy.CONTENT)
    assert response.status_code == 200
    assert "cannot be widened now" in response.context["form"].errors["privacy_policy"][0]
    program = Program.objects.get(pk=personas.program.pk)
    assert program.privacy_policy == Program.PrivacyPolicy.METADATA


def test_privacy_can_still_be_narrowed_after_enrolment(personas):
    program = personas.program
    program.privacy_policy = Program.PrivacyPolicy.CONTENT
    program.save()
    mentee = personas.membership("mentee")
    mentee.enrolled_at = timezone.now()
    mentee.save()
    assert edit(personas, privacy_policy=Program.PrivacyPolicy.METADATA).status_code == 302
    assert not Program.objects.get(pk=program.pk).admins_see_content


def test_an_enrolled_participant_elsewhere_does_not_freeze_this_programs_privacy(personas):
    MembershipFactory.create(
        program=personas.other_program, role=Role.MENTEE, enrolled_at=timezone.now()
    )
    assert edit(personas, privacy_policy=Program.PrivacyPolicy.CONTENT).status_code == 302


def test_program_description_is_shown_escaped(personas):
    edit(personas, description="<script>alert(1)</script>")
    page = personas.client("mentee").get(personas.program.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Co-admins ------------------------------------------------------------------------------


def add_admin(personas, email, django_capture_on_commit_callbacks, client=None):
    url = reverse("programs:admins", args=[personas.program.slug])
    with django_capture_on_commit_callbacks(execute=True):
        return (client or personas.client("admin")).post(url, {"email": email})


def test_someone_with_an_account_is_invited_and_becomes_admin_when_they_accept(
    personas, django_capture_on_commit_callbacks
):
    colleague = UserFactory.create(email="colleague@example.org")
    client = personas.client("admin")
    response = add_admin(
        personas, "Colleague@Example.org", django_capture_on_commit_callbacks, client
    )
    assert response.status_code == 302
    # Being made an admin is theirs to accept; nothing changes until they do.
    assert not Membership.objects.filter(program=personas.program, user=colleague).exists()
    invitation = Invitation.objects.get(program=personas.program, email="colleague@example.org")
    assert invitation.role == Role.ADMIN
    assert [m.to for m in mail.outbox] == [["colleague@example.org"]]
    page = client.get(response["Location"]).content.decode()
    # The same words whether or not the address has an account.
    assert "colleague@example.org is invited to be an admin" in page
    assert colleague.name not in page
    services.invitation_accept(invitation=invitation, user=colleague)
    assert Membership.objects.filter(
        program=personas.program, user=colleague, role=Role.ADMIN
    ).exists()


def test_a_mentor_made_admin_keeps_being_a_mentor(personas, django_capture_on_commit_callbacks):
    add_admin(personas, personas.mentor.email, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(program=personas.program, role=Role.ADMIN)
    services.invitation_accept(invitation=invitation, user=personas.mentor)
    roles = set(
        Membership.objects.filter(program=personas.program, user=personas.mentor).values_list(
            "role", flat=True
        )
    )
    assert roles == {Role.ADMIN, Role.MENTOR}


def test_an_unknown_address_is_invited_to_be_admin(personas, django_capture_on_commit_callbacks):
    response = add_admin(personas, "New.Person@Example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    invitation = Invitation.objects.get(program=personas.program)
    assert (invitation.email, invitation.role) == ("new.person@example.org", Role.ADMIN)
    assert invitation.invited_by == personas.admin
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert services.invitation_url(invitation) in mail.outbox[0].body
    assert not Membership.objects.filter(user__email="new.person@example.org").exists()


def test_adding_an_existing_admin_again_is_refused(personas, django_capture_on_commit_callbacks):
    response = add_admin(personas, personas.admin.email.upper(), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert (
        "is already a program admin in this program" in response.context["form"].errors["email"][0]
    )
    assert Membership.objects.filter(program=personas.program, role=Role.ADMIN).count() == 1


def test_inviting_the_same_unknown_admin_twice_is_refused(
    personas, django_capture_on_commit_callbacks
):
    add_admin(personas, "new@example.org", django_capture_on_commit_callbacks)
    response = add_admin(personas, "new@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "already has an open invitation" in response.context["form"].errors["email"][0]
    assert len(mail.outbox) == 1


def test_admin_list_shows_every_admin_and_no_other_program(personas):
    co = MembershipFactory.create(program=personas.program, role=Role.ADMIN).user
    response = personas.client("admin").get(
        reverse("programs:admins", args=[personas.program.slug])
    )
    page = response.content.decode()
    assert personas.admin.email in page
    assert co.email in page
    assert personas.mentor.email not in page
    assert personas.outsider.email not in page


def remove_admin(personas, membership, client=None):
    url = reverse("programs:admin_remove", args=[personas.program.slug, membership.pk])
    return (client or personas.client("admin")).post(url)


def test_admin_removes_a_co_admin(personas):
    co = MembershipFactory.create(program=personas.program, role=Role.ADMIN)
    response = remove_admin(personas, co)
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:admins", args=[personas.program.slug])
    assert not Membership.objects.filter(pk=co.pk).exists()


def test_the_last_admin_cannot_be_removed(personas):
    only = personas.membership("admin")
    client = personas.client("admin")
    response = remove_admin(personas, only, client)
    assert response.status_code == 302
    assert Membership.objects.filter(pk=only.pk).exists()
    page = client.get(response["Location"]).content.decode()
    assert "A program needs at least one admin." in page


def test_the_last_admin_is_never_removed_by_the_service(personas):
    with pytest.raises(ValidationError):
        services.membership_remove(membership=personas.membership("admin"), actor=personas.admin)
    assert personas.membership("admin")


def test_last_admin_has_no_remove_button(personas):
    response = personas.client("admin").get(
        reverse("programs:admins", args=[personas.program.slug])
    )
    assert "admin_remove" not in response.content.decode()
    assert "/remove/" not in response.content.decode()


def test_an_admin_who_steps_down_goes_to_their_program_list(personas):
    MembershipFactory.create(program=personas.program, role=Role.ADMIN)
    response = remove_admin(personas, personas.membership("admin"))
    assert response["Location"] == reverse("programs:list")
    assert not Membership.objects.filter(program=personas.program, user=personas.admin).exists()
    # And from now on the program is someone else's.
    again = personas.client("admin").get(personas.program.get_absolute_url())
    assert again.status_code == 404


def test_removing_a_participant_through_the_admins_page_is_refused(personas):
    mentee = personas.membership("mentee")
    response = remove_admin(personas, mentee)
    assert response.status_code == 403
    assert Membership.objects.filter(pk=mentee.pk).exists()


# --- Topics ---------------------------------------------------------------------------------


def topics_url(personas):
    return reverse("programs:topics", args=[personas.program.slug])


def test_admin_adds_a_topic(personas):
    response = personas.client("admin").post(topics_url(personas), {"name": "  Public   speaking "})
    assert response.status_code == 302
    assert list(personas.program.topics.values_list("name", flat=True)) == ["Public speaking"]


def test_topic_list_shows_this_programs_topics_only(personas):
    TopicFactory.create(program=personas.program, name="Negotiation")
    TopicFactory.create(program=personas.other_program, name="Underwater welding")
    page = personas.client("admin").get(topics_url(personas)).content.decode()
    assert "Negotiation" in page
    assert "Underwater welding" not in page


@pytest.mark.parametrize("name", ["negotiation", "NEGOTIATION", " Negotiation  "])
def test_a_duplicate_topic_is_refused_next_to_the_field(personas, name):
    TopicFactory.create(program=personas.program, name="Negotiation")
    response = personas.client("admin").post(topics_url(personas), {"name": name})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "There is already a topic called “Negotiation”."
    ]
    assert personas.program.topics.count() == 1


def test_the_same_topic_name_is_fine_in_another_program(personas):
    TopicFactory.create(program=personas.other_program, name="Negotiation")
    response = personas.client("admin").post(topics_url(personas), {"name": "Negotiation"})
    assert response.status_code == 302
    assert personas.program.topics.filter(name="Negotiation").exists()


def test_admin_renames_a_topic_and_profiles_keep_it(personas):
    topic = TopicFactory.create(program=personas.program, name="Negotation")
    mentee = personas.membership("mentee")
    mentee.topics.add(topic)
    url = reverse("programs:topic_edit", args=[personas.program.slug, topic.pk])
    assert 'value="Negotation"' in personas.client("admin").get(url).content.decode()
    response = personas.client("admin").post(url, {"name": "Negotiation"})
    assert response.status_code == 302
    assert list(mentee.topics.values_list("name", flat=True)) == ["Negotiation"]


def test_renaming_a_topic_to_another_topics_name_is_refused(personas):
    TopicFactory.create(program=personas.program, name="Negotiation")
    topic = TopicFactory.create(program=personas.program, name="Sales")
    url = reverse("programs:topic_edit", args=[personas.program.slug, topic.pk])
    response = personas.client("admin").post(url, {"name": "negotiation"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "There is already a topic called “Negotiation”."
    ]
    assert Topic.objects.get(pk=topic.pk).name == "Sales"


def test_a_topic_can_change_only_its_case(personas):
    topic = TopicFactory.create(program=personas.program, name="public speaking")
    url = reverse("programs:topic_edit", args=[personas.program.slug, topic.pk])
    assert personas.client("admin").post(url, {"name": "Public Speaking"}).status_code == 302
    assert Topic.objects.get(pk=topic.pk).name == "Public Speaking"


def test_admin_deletes_a_topic_and_it_leaves_every_profile(personas):
    topic = TopicFactory.create(program=personas.program, name="Sales")
    mentee = personas.membership("mentee")
    mentee.topics.add(topic)
    url = reverse("programs:topic_delete", args=[personas.program.slug, topic.pk])
    response = personas.client("admin").post(url)
    assert response.status_code == 302
    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert mentee.topics.count() == 0
    assert Membership.objects.filter(pk=mentee.pk).exists()


def test_topic_names_are_shown_escaped(personas):
    personas.client("admin").post(topics_url(personas), {"name": "<b>bold</b>"})
    page = personas.client("admin").get(topics_url(personas)).content.decode()
    assert "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


# --- Home page and program list ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "mentor", "mentee", "outsider"])
def test_program_list_shows_own_programs_only(personas, who):
    ProgramFactory.create(name="Nobody's program")
    page = personas.client(who).get(reverse("programs:list")).content.decode()
    mine = personas.other_program if who == "outsider" else personas.program
    theirs = personas.program if who == "outsider" else personas.other_program
    assert mine.name in page
    assert theirs.name not in page
    assert "Nobody&#x27;s program" not in page


@pytest.mark.parametrize("who", ["admin", "mentor", "mentee", "outsider"])
def test_home_page_shows_own_programs_only(personas, who):
    ProgramFactory.create(name="Nobody's program")
    page = personas.client(who).get(reverse("home")).content.decode()
    mine = personas.other_program if who == "outsider" else personas.program
    theirs = personas.program if who == "outsider" else personas.other_program
    assert mine.get_absolute_url() in page
    assert theirs.get_absolute_url() not in page
    assert "Nobody&#x27;s program" not in page


def test_program_list_shows_each_program_once_with_every_role(personas):
    MembershipFactory.create(program=personas.program, user=personas.mentor, role=Role.MENTEE)
    page = personas.client("mentor").get(reverse("programs:list")).content.decode()
    assert page.count(f'href="{personas.program.get_absolute_url()}"') == 1
    assert "Enrol as mentor" in page
    assert "Enrol as mentee" in page


def test_someone_in_no_program_is_told_how_to_join(db):
    page = login(UserFactory.create()).get(reverse("programs:list")).content.decode()
    assert "You are not in any program yet" in page
    assert reverse("programs:create") not in page


def test_staff_see_the_new_program_button(staff_user):
    page = login(staff_user).get(reverse("programs:list")).content.decode()
    assert reverse("programs:create") in page


def test_admin_sees_head_counts_and_participants_do_not(personas):
    MembershipFactory.create(program=personas.program, role=Role.MENTEE, enrolled_at=timezone.now())
    admin_page = personas.client("admin").get(personas.program.get_absolute_url())
    assert admin_page.context["counts"]["mentees"] == 2
    assert admin_page.context["counts"]["mentees_enrolled"] == 1
    assert "Who is in" in admin_page.content.decode()
    mentee_page = personas.client("mentee").get(personas.program.get_absolute_url())
    assert "counts" not in mentee_page.context
    assert "Who is in" not in mentee_page.content.decode()
    assert "Program administration" not in mentee_page.content.decode()
