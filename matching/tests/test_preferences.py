"""Ranked preferences and the matching settings: their services and their pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import MatchingPreference, MatchingSettings
from matching.services import matching_settings_update, preferences_set
from matching.tests.factories import MenteeFactory, MentorFactory
from mentoring.tests.factories import UserFactory
from mentoring.tests.test_templates_a11y import assert_accessible
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, TopicFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role
Status = Program.Status


def ranking(membership: Membership) -> list[int]:
    return list(
        MatchingPreference.objects.filter(chooser=membership)
        .order_by("rank")
        .values_list("chosen_id", flat=True)
    )


@pytest.fixture
def people(personas):
    """The persona mentee and mentor, enrolled, and three more enrolled mentors."""
    program = personas.program
    mentee, mentor = personas.membership("mentee"), personas.membership("mentor")
    Membership.objects.filter(pk__in=[mentee.pk, mentor.pk]).update(enrolled_at=program.created_at)
    mentee.refresh_from_db()
    mentor.refresh_from_db()
    others = MentorFactory.create_batch(3, program=program)
    return personas, mentee, mentor, others


# --- preferences_set ---------------------------------------------------------------------------


def test_a_mentee_ranks_mentors_in_order(people):
    personas, mentee, mentor, others = people
    saved = preferences_set(membership=mentee, actor=personas.mentee, chosen=[others[1], mentor])
    assert [(p.chosen_id, p.rank) for p in saved] == [(others[1].pk, 1), (mentor.pk, 2)]
    assert ranking(mentee) == [others[1].pk, mentor.pk]


def test_a_new_ranking_replaces_the_previous_one(people):
    personas, mentee, mentor, others = people
    preferences_set(membership=mentee, actor=personas.mentee, chosen=[mentor, *others])
    preferences_set(membership=mentee, actor=personas.mentee, chosen=[others[2]])
    assert ranking(mentee) == [others[2].pk]
    preferences_set(membership=mentee, actor=personas.mentee, chosen=[])
    assert ranking(mentee) == []


def test_a_mentor_ranks_enrolled_mentees(people):
    personas, mentee, mentor, _ = people
    preferences_set(membership=mentor, actor=personas.mentor, chosen=[mentee])
    assert ranking(mentor) == [mentee.pk]


def test_at_most_five_people_can_be_ranked(people):
    personas, mentee, mentor, others = people
    more = MentorFactory.create_batch(2, program=personas.program)
    with pytest.raises(ValidationError, match="at most 5"):
        preferences_set(membership=mentee, actor=personas.mentee, chosen=[mentor, *others, *more])


def test_nobody_can_be_ranked_twice(people):
    personas, mentee, mentor, _ = people
    with pytest.raises(ValidationError, match="only once"):
        preferences_set(membership=mentee, actor=personas.mentee, chosen=[mentor, mentor])


def test_nobody_can_rank_themself(personas):
    program = personas.program
    user = UserFactory.create()
    as_mentee = MenteeFactory.create(program=program, user=user)
    as_mentor = MentorFactory.create(program=program, user=user)
    with pytest.raises(ValidationError, match="yourself"):
        preferences_set(membership=as_mentee, actor=user, chosen=[as_mentor])


def test_mentees_rank_only_mentors_and_mentors_only_mentees(people):
    personas, mentee, mentor, others = people
    other_mentee = MenteeFactory.create(program=personas.program)
    with pytest.raises(ValidationError, match="not an enrolled mentor"):
        preferences_set(membership=mentee, actor=personas.mentee, chosen=[other_mentee])
    with pytest.raises(ValidationError, match="not an enrolled mentee"):
        preferences_set(membership=mentor, actor=personas.mentor, chosen=[others[0]])


def test_only_enrolled_people_of_the_same_program_can_be_ranked(people):
    personas, mentee, _, _ = people
    not_enrolled = MembershipFactory.create(program=personas.program, role=Role.MENTOR)
    elsewhere = MentorFactory.create(program=personas.other_program)
    for person in (not_enrolled, elsewhere):
        with pytest.raises(ValidationError, match="not an enrolled mentor of this program"):
            preferences_set(membership=mentee, actor=personas.mentee, chosen=[person])


def test_only_the_participant_can_set_their_ranking(people):
    personas, mentee, mentor, _ = people
    for actor in (personas.admin, personas.mentor, personas.outsider):
        with pytest.raises(PermissionDenied):
            preferences_set(membership=mentee, actor=actor, chosen=[mentor])
    assert ranking(mentee) == []


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ENROLLING, Status.MATCHING])
def test_rankings_can_change_until_matching_is_over(people, status):
    personas, mentee, mentor, _ = people
    Program.objects.filter(pk=personas.program.pk).update(status=status)
    preferences_set(membership=mentee, actor=personas.mentee, chosen=[mentor])
    assert ranking(mentee) == [mentor.pk]


@pytest.mark.parametrize("status", [Status.RUNNING, Status.CLOSED])
def test_rankings_are_locked_once_matching_is_over(people, status):
    personas, mentee, mentor, others = people
    preferences_set(membership=mentee, actor=personas.mentee, chosen=[mentor])
    Program.objects.filter(pk=personas.program.pk).update(status=status)
    with pytest.raises(ValidationError, match="matching is over"):
        preferences_set(membership=mentee, actor=personas.mentee, chosen=[others[0]])
    assert ranking(mentee) == [mentor.pk]


def test_a_refused_ranking_leaves_the_previous_one(people):
    personas, mentee, mentor, others = people
    preferences_set(membership=mentee, actor=personas.mentee, chosen=[mentor])
    with pytest.raises(ValidationError):
        preferences_set(
            membership=mentee,
            actor=personas.mentee,
            chosen=[others[0], MenteeFactory.create(program=personas.program)],
        )
    assert ranking(mentee) == [mentor.pk]


# --- matching_settings_update ------------------------------------------------------------------


def test_an_admin_saves_the_settings_creating_them_if_missing(personas):
    program = personas.program
    assert not MatchingSettings.objects.filter(program=program).exists()
    saved = matching_settings_update(
        program=program,
        actor=personas.admin,
        weight_topics=10,
        weight_timezone=0,
        ideal_seniority_gap=1,
        avoid_same_department=True,
    )
    again = matching_settings_update(program=program, actor=personas.admin, response_days=14)
    assert again.pk == saved.pk
    stored = MatchingSettings.objects.get(program=program)
    assert (stored.weight_topics, stored.weight_timezone, stored.ideal_seniority_gap) == (10, 0, 1)
    assert stored.avoid_same_department
    assert stored.response_days == 14


@pytest.mark.parametrize("who", ["mentor", "mentee", "outsider"])
def test_only_the_programs_admins_change_its_settings(personas, who):
    with pytest.raises(PermissionDenied):
        matching_settings_update(
            program=personas.program, actor=getattr(personas, who), weight_topics=1
        )
    assert not MatchingSettings.objects.filter(program=personas.program).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weight_topics", 11),
        ("weight_questions", -1),
        ("ideal_seniority_gap", 6),
        ("max_open_requests", 0),
        ("max_open_requests", 11),
        ("response_days", 0),
        ("response_days", 61),
    ],
)
def test_settings_out_of_range_are_refused_on_their_field(personas, field, value):
    with pytest.raises(ValidationError) as caught:
        matching_settings_update(program=personas.program, actor=personas.admin, **{field: value})
    assert field in caught.value.message_dict


def test_at_least_one_criterion_must_count(personas):
    zero = dict.fromkeys(MatchingSettings.WEIGHT_FIELDS, 0)
    with pytest.raises(ValidationError, match="at least one criterion"):
        matching_settings_update(program=personas.program, actor=personas.admin, **zero)


def test_an_unknown_setting_is_a_programming_error(personas):
    with pytest.raises(TypeError, match="weight_typo"):
        matching_settings_update(program=personas.program, actor=personas.admin, weight_typo=1)


# --- The preferences page ----------------------------------------------------------------------


def url(program, role="mentee"):
    return reverse("matching:preferences", kwargs={"slug": program.slug, "role": role})


def test_a_mentee_sees_five_ranked_choices_of_enrolled_mentors(people):
    personas, _, mentor, others = people
    mentor.user.title = "Head of Sales"
    mentor.user.save()
    mentor.topics.set([TopicFactory.create(program=personas.program, name="Negotiation")])
    hidden = MembershipFactory.create(program=personas.program, role=Role.MENTOR)
    html = assert_accessible(personas.client("mentee").get(url(personas.program)))
    for n in ("1st", "2nd", "3rd", "4th", "5th"):
        assert f"{n} choice" in html
    assert f"{mentor.user.display_name} · Head of Sales · topics: Negotiation" in html
    assert others[0].user.display_name in html
    assert hidden.user.display_name not in html
    assert "What your ranking does" in html


def test_a_mentor_sees_enrolled_mentees(people):
    personas, mentee, _, _ = people
    html = assert_accessible(personas.client("mentor").get(url(personas.program, "mentor")))
    assert mentee.user.display_name in html
    assert "Which mentees would you most like to mentor?" in html


def test_a_mentee_saves_a_ranking(people):
    personas, mentee, mentor, others = people
    response = personas.client("mentee").post(
        url(personas.program),
        {"choice_1": others[0].pk, "choice_2": "", "choice_3": mentor.pk},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url(personas.program)
    assert ranking(mentee) == [others[0].pk, mentor.pk]
    html = response.content.decode()
    assert "Your ranking is saved." in html
    assert f'<option value="{others[0].pk}" selected>' in html


def test_the_same_person_twice_is_shown_next_to_the_later_choice(people):
    personas, mentee, mentor, _ = people
    response = personas.client("mentee").post(
        url(personas.program), {"choice_1": mentor.pk, "choice_2": mentor.pk}
    )
    html = assert_accessible(response)
    assert f"You already chose {mentor.user.display_name} as your 1st choice." in html
    assert '<p id="error_1_id_choice_2"><strong>You already chose' in html
    assert ranking(mentee) == []


def test_someone_not_on_the_list_cannot_be_chosen(people):
    personas, mentee, _, _ = people
    other_mentee = MenteeFactory.create(program=personas.program)
    response = personas.client("mentee").post(url(personas.program), {"choice_1": other_mentee.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert ranking(mentee) == []


def test_the_page_is_read_only_once_matching_is_over(people):
    personas, mentee, mentor, others = people
    preferences_set(membership=mentee, actor=personas.mentee, chosen=[mentor])
    Program.objects.filter(pk=personas.program.pk).update(status=Status.RUNNING)
    client = personas.client("mentee")
    html = assert_accessible(client.get(url(personas.program)))
    assert "rankings can no longer change" in html
    assert "<select" not in html
    assert mentor.user.display_name in html
    client.post(url(personas.program), {"choice_1": others[0].pk})
    assert ranking(mentee) == [mentor.pk]


def test_the_page_says_when_rankings_do_not_count(people):
    personas, _, _, _ = people
    MatchingSettings.objects.create(program=personas.program, weight_mentee_preference=0)
    html = personas.client("mentee").get(url(personas.program)).content.decode()
    assert "does not use rankings at the moment" in html


def test_the_admin_who_is_not_a_participant_gets_403_and_an_unknown_role_404(people):
    personas, _, _, _ = people
    assert personas.client("admin").get(url(personas.program)).status_code == 403
    assert personas.client("mentee").get(url(personas.program, "boss")).status_code == 404
    assert personas.client("outsider").get(url(personas.program)).status_code == 404


def test_the_preferences_page_reads_a_constant_number_of_queries(people):
    personas, mentee, mentor, _ = people
    client = personas.client("mentee")
    client.get(url(personas.program))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(personas.program)).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for m in MentorFactory.create_batch(15, program=personas.program):
        m.topics.set([TopicFactory.create(program=personas.program)])
    preferences_set(membership=mentee, actor=personas.mentee, chosen=[mentor])
    assert count() == small


# --- The settings page -------------------------------------------------------------------------


def settings_url(program):
    return reverse("matching:settings", kwargs={"slug": program.slug})


VALID = {
    "weight_topics": 6,
    "weight_questions": 3,
    "weight_mentee_preference": 4,
    "weight_mentor_preference": 2,
    "weight_seniority": 0,
    "weight_timezone": 1,
    "ideal_seniority_gap": 1,
    "avoid_same_department": "on",
    "max_open_requests": 2,
    "response_days": 10,
}


def test_the_admin_sees_each_weight_with_what_it_measures(personas):
    html = assert_accessible(personas.client("admin").get(settings_url(personas.program)))
    assert "Topic fit" in html
    assert "The share of the topics the mentee wants help with that the mentor offers." in html
    assert "a perfect match scores 17 points" in html
    assert "no questions used for matching yet" in html


def test_the_admin_saves_the_settings(personas):
    response = personas.client("admin").post(settings_url(personas.program), VALID, follow=True)
    assert response.redirect_chain[-1][0] == settings_url(personas.program)
    stored = MatchingSettings.objects.get(program=personas.program)
    assert stored.weight_topics == 6
    assert stored.avoid_same_department
    assert stored.response_days == 10
    assert "The matching settings are saved." in response.content.decode()


def test_an_out_of_range_weight_is_shown_next_to_its_field(personas):
    response = personas.client("admin").post(
        settings_url(personas.program), {**VALID, "weight_topics": 12}
    )
    html = assert_accessible(response)
    assert "Ensure this value is less than or equal to 10." in html
    assert not MatchingSettings.objects.filter(program=personas.program).exists()


def test_all_weights_zero_is_refused_on_the_page(personas):
    zero = dict.fromkeys(MatchingSettings.WEIGHT_FIELDS, 0)
    response = personas.client("admin").post(settings_url(personas.program), {**VALID, **zero})
    assert response.status_code == 200
    assert "Give at least one criterion a weight above 0" in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("mentor", 403), ("mentee", 403), ("outsider", 404)])
def test_only_admins_open_the_settings_page(personas, who, status):
    client = personas.client(who)
    assert client.get(settings_url(personas.program)).status_code == status
    assert client.post(settings_url(personas.program), VALID).status_code == status
    assert not MatchingSettings.objects.filter(program=personas.program).exists()
