"""Enrolment: the form each role gets, what is saved, and when it locks."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from programs import services
from programs.models import Answer, Membership, Program, Question
from programs.tests.factories import (
    ChoiceFactory,
    MembershipFactory,
    ProgramFactory,
    QuestionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

Kind = Question.Kind
Audience = Question.Audience
Role = Membership.Role


def enrol_url(program, role):
    return reverse("programs:enrol", args=[program.slug, role])


def profile_data(**overrides):
    data = {
        "goals_statement": "I want to lead a team well.",
        "goals": "Run my first planning meeting.",
        "strengths": "Hiring, coaching.",
        "what_i_bring": "Ten years in sales.",
        "expectations": "Monthly calls.",
        "seniority": "2",
        "department": "Sales",
        "capacity": "3",
        "manager_email": "",
        "availability": "Tuesday mornings",
        "preferred_medium": Membership.Medium.VIDEO,
        "acknowledge_privacy": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def questions(personas):
    """One question of each kind asked of everyone, and one per role."""
    program = personas.program
    text = QuestionFactory.create(program=program, text="Tell us a story?", kind=Kind.TEXT)
    single = QuestionFactory.create(program=program, text="Favourite colour?", kind=Kind.SINGLE)
    red, green = (ChoiceFactory.create(question=single, label=c) for c in ("Red", "Green"))
    multiple = QuestionFactory.create(program=program, text="Languages?", kind=Kind.MULTIPLE)
    en, fr, de = (ChoiceFactory.create(question=multiple, label=c) for c in ("EN", "FR", "DE"))
    scale = QuestionFactory.create(
        program=program, text="Introvert (1) to extrovert (5)?", kind=Kind.SCALE
    )
    mentors_only = QuestionFactory.create(
        program=program, text="Mentors only?", audience=Audience.MENTORS
    )
    mentees_only = QuestionFactory.create(
        program=program, text="Mentees only?", audience=Audience.MENTEES
    )
    return {
        "text": text,
        "single": single,
        "multiple": multiple,
        "scale": scale,
        "mentors_only": mentors_only,
        "mentees_only": mentees_only,
        "red": red,
        "green": green,
        "en": en,
        "fr": fr,
        "de": de,
    }


def answers_data(q, **overrides):
    data = {
        f"q_{q['text'].pk}": "Once upon a time.",
        f"q_{q['single'].pk}": str(q["green"].pk),
        f"q_{q['multiple'].pk}": [str(q["en"].pk), str(q["de"].pk)],
        f"q_{q['scale'].pk}": "4",
        f"q_{q['mentees_only'].pk}": "Only mentees see this.",
        f"q_{q['mentors_only'].pk}": "Only mentors see this.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def saved_answers(membership):
    return {a.question.text: a.value for a in Answer.objects.filter(membership=membership)}


# --- The form each role gets ----------------------------------------------------------------


def test_mentee_form_has_mentee_fields_and_questions(personas, questions):
    TopicFactory.create(program=personas.program, name="Negotiation")
    response = personas.client("mentee").get(enrol_url(personas.program, "mentee"))
    assert response.status_code == 200
    form = response.context["form"]
    for name in ("goals_statement", "goals", "what_i_bring", "expectations", "topics"):
        assert name in form.fields
    assert "strengths" not in form.fields
    assert "capacity" not in form.fields
    assert form.fields["topics"].label == "Topics I want help with"
    asked = [q.text for q in form.questions]
    assert "Mentees only?" in asked
    assert "Mentors only?" not in asked
    assert f"q_{questions['mentors_only'].pk}" not in form.fields
    page = response.content.decode()
    assert "Mentees only?" in page
    assert "Mentors only?" not in page
    assert "Negotiation" in page


def test_mentor_form_has_mentor_fields_and_questions(personas, questions):
    TopicFactory.create(program=personas.program)
    response = personas.client("mentor").get(enrol_url(personas.program, "mentor"))
    form = response.context["form"]
    for name in ("goals_statement", "strengths", "capacity", "topics"):
        assert name in form.fields
    assert "goals" not in form.fields
    assert form.fields["topics"].label == "Topics I can help with"
    assert "program default: 2" in form.fields["capacity"].help_text
    asked = [q.text for q in form.questions]
    assert "Mentors only?" in asked
    assert "Mentees only?" not in asked


def test_topics_are_not_asked_when_the_program_has_none(personas):
    TopicFactory.create(program=personas.other_program)
    form = personas.client("mentee").get(enrol_url(personas.program, "mentee")).context["form"]
    assert "topics" not in form.fields


def test_only_this_programs_topics_are_offered(personas):
    ours = TopicFactory.create(program=personas.program, name="Ours")
    TopicFactory.create(program=personas.other_program, name="Theirs")
    form = personas.client("mentee").get(enrol_url(personas.program, "mentee")).context["form"]
    assert list(form.fields["topics"].queryset) == [ours]


def test_questions_come_in_the_admins_order(personas):
    QuestionFactory.create(program=personas.program, text="Second?", position=2)
    QuestionFactory.create(program=personas.program, text="First?", position=1)
    form = personas.client("mentee").get(enrol_url(personas.program, "mentee")).context["form"]
    assert [q.text for q in form.questions] == ["First?", "Second?"]


# --- Saving ---------------------------------------------------------------------------------


def test_mentee_enrols_with_profile_answers_and_topics(personas, questions):
    topic = TopicFactory.create(program=personas.program, name="Negotiation")
    client = personas.client("mentee")
    data = {**profile_data(topics=[str(topic.pk)]), **answers_data(questions)}
    response = client.post(enrol_url(personas.program, "mentee"), data)
    assert response.status_code == 302
    assert response["Location"] == personas.program.get_absolute_url()
    membership = personas.membership("mentee")
    assert membership.is_enrolled
    assert membership.privacy_acknowledged_at is not None
    assert membership.goals_statement == "I want to lead a team well."
    assert membership.goals == "Run my first planning meeting."
    assert membership.strengths == ""  # not asked of mentees
    assert membership.capacity is None
    assert membership.seniority == 2
    assert membership.preferred_medium == Membership.Medium.VIDEO
    assert list(membership.topics.all()) == [topic]
    assert saved_answers(membership) == {
        "Tell us a story?": "Once upon a time.",
        "Favourite colour?": questions["green"].pk,
        "Languages?": [questions["en"].pk, questions["de"].pk],
        "Introvert (1) to extrovert (5)?": 4,
        "Mentees only?": "Only mentees see this.",
    }
    page = client.get(response["Location"]).content.decode()
    assert "Thank you: you are enrolled." in page


def test_mentor_enrols_with_a_capacity(personas, questions):
    response = personas.client("mentor").post(
        enrol_url(personas.program, "mentor"),
        {**profile_data(capacity="3"), **answers_data(questions)},
    )
    assert response.status_code == 302
    membership = personas.membership("mentor")
    assert membership.capacity == 3
    assert membership.effective_capacity == 3
    assert membership.strengths == "Hiring, coaching."
    assert membership.goals == ""  # not asked of mentors
    assert "Mentors only?" in saved_answers(membership)
    assert "Mentees only?" not in saved_answers(membership)


def test_a_mentor_without_a_capacity_takes_the_programs_default(personas):
    personas.client("mentor").post(enrol_url(personas.program, "mentor"), profile_data(capacity=""))
    membership = personas.membership("mentor")
    assert membership.capacity is None
    assert membership.effective_capacity == personas.program.default_mentor_capacity


@pytest.mark.parametrize("capacity", ["0", "21", "-1", "many"])
def test_an_impossible_capacity_is_refused(personas, capacity):
    response = personas.client("mentor").post(
        enrol_url(personas.program, "mentor"), profile_data(capacity=capacity)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["capacity"]
    assert not personas.membership("mentor").is_enrolled


@pytest.mark.parametrize("kind", ["text", "single", "multiple", "scale"])
def test_a_required_question_must_be_answered(personas, questions, kind):
    question = questions[kind]
    question.required = True
    question.save()
    data = {**profile_data(), **answers_data(questions, **{f"q_{question.pk}": None})}
    response = personas.client("mentee").post(enrol_url(personas.program, "mentee"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[f"q_{question.pk}"] == ["This field is required."]
    membership = personas.membership("mentee")
    assert not membership.is_enrolled
    assert not Answer.objects.filter(membership=membership).exists()


def test_optional_questions_may_be_left_empty(personas, questions):
    response = personas.client("mentee").post(enrol_url(personas.program, "mentee"), profile_data())
    assert response.status_code == 302
    assert saved_answers(personas.membership("mentee")) == {}


def test_goals_statement_is_required(personas):
    response = personas.client("mentee").post(
        enrol_url(personas.program, "mentee"), profile_data(goals_statement="  ")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["goals_statement"] == ["This field is required."]


@pytest.mark.parametrize(
    ("kind", "value"),
    [("single", "999999"), ("multiple", ["999999"]), ("scale", "6"), ("scale", "0")],
)
def test_an_answer_outside_the_options_is_refused(personas, questions, kind, value):
    data = {**profile_data(), **answers_data(questions, **{f"q_{questions[kind].pk}": value})}
    response = personas.client("mentee").post(enrol_url(personas.program, "mentee"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.context["form"].errors[f"q_{questions[kind].pk}"][0]


def test_another_questions_option_is_refused(personas, questions):
    other = QuestionFactory.create(program=personas.program, kind=Kind.SINGLE)
    foreign = ChoiceFactory.create(question=other, label="Elsewhere")
    data = {
        **profile_data(),
        **answers_data(questions, **{f"q_{questions['single'].pk}": str(foreign.pk)}),
    }
    response = personas.client("mentee").post(enrol_url(personas.program, "mentee"), data)
    assert response.status_code == 200
    assert f"q_{questions['single'].pk}" in response.context["form"].errors


def test_another_programs_topic_is_refused(personas):
    TopicFactory.create(program=personas.program)
    theirs = TopicFactory.create(program=personas.other_program)
    response = personas.client("mentee").post(
        enrol_url(personas.program, "mentee"), profile_data(topics=[str(theirs.pk)])
    )
    assert response.status_code == 200
    assert "topics" in response.context["form"].errors
    assert personas.membership("mentee").topics.count() == 0


def test_privacy_must_be_acknowledged_the_first_time(personas):
    response = personas.client("mentee").post(
        enrol_url(personas.program, "mentee"), profile_data(acknowledge_privacy=None)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["acknowledge_privacy"] == ["This field is required."]
    assert not personas.membership("mentee").is_enrolled


def test_privacy_need_not_be_acknowledged_again_when_editing(personas):
    client = personas.client("mentee")
    client.post(enrol_url(personas.program, "mentee"), profile_data())
    first = personas.membership("mentee")
    response = client.post(
        enrol_url(personas.program, "mentee"),
        profile_data(acknowledge_privacy=None, department="Legal"),
    )
    assert response.status_code == 302
    again = personas.membership("mentee")
    assert again.department == "Legal"
    assert again.privacy_acknowledged_at == first.privacy_acknowledged_at
    assert again.enrolled_at == first.enrolled_at


def test_the_privacy_promise_is_shown_on_the_form(personas):
    page = personas.client("mentee").get(enrol_url(personas.program, "mentee")).content.decode()
    assert "They do not read your agendas, check-ins or notes." in page
    program = personas.program
    program.privacy_policy = Program.PrivacyPolicy.CONTENT
    program.save()
    page = personas.client("mentee").get(enrol_url(program, "mentee")).content.decode()
    assert "they may also read agendas, check-ins and notes you share" in page


@pytest.mark.parametrize("transform", [str, str.upper, lambda e: f"  {e.title()} "])
def test_your_manager_cannot_be_yourself(personas, transform):
    response = personas.client("mentee").post(
        enrol_url(personas.program, "mentee"),
        profile_data(manager_email=transform(personas.mentee.email)),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["manager_email"] == ["Your manager cannot be yourself."]
    assert not personas.membership("mentee").is_enrolled


def test_a_manager_email_is_stored_in_lower_case(personas):
    personas.client("mentee").post(
        enrol_url(personas.program, "mentee"), profile_data(manager_email="Boss@Example.org")
    )
    assert personas.membership("mentee").manager_email == "boss@example.org"


# --- Editing until matching starts ----------------------------------------------------------


def test_saved_answers_are_shown_again_on_edit(personas, questions):
    topic = TopicFactory.create(program=personas.program, name="Negotiation")
    client = personas.client("mentee")
    client.post(
        enrol_url(personas.program, "mentee"),
        {**profile_data(topics=[str(topic.pk)]), **answers_data(questions)},
    )
    response = client.get(enrol_url(personas.program, "mentee"))
    page = response.content.decode()
    assert "Once upon a time." in page
    assert "I want to lead a team well." in page

    def checked(question, value):
        """Whether the answer ``value`` of ``question`` is ticked or selected on the page."""
        name = f"q_{question.pk}"
        select = re.search(rf'<select name="{name}".*?</select>', page, re.DOTALL)
        if select:
            return re.search(rf'<option value="{value}"[^>]*\sselected\b', select.group(0))
        return re.search(rf'name="{name}" value="{value}"[^>]*\schecked\b', page)

    assert checked(questions["single"], questions["green"].pk)
    assert not checked(questions["single"], questions["red"].pk)
    assert checked(questions["multiple"], questions["en"].pk)
    assert checked(questions["multiple"], questions["de"].pk)
    assert not checked(questions["multiple"], questions["fr"].pk)
    assert checked(questions["scale"], 4)
    assert not checked(questions["scale"], 3)
    assert re.search(rf'name="topics" value="{topic.pk}"[^>]*\schecked', page)
    assert "Save my answers" in page


def test_a_participant_changes_and_clears_answers_while_enrolment_is_open(personas, questions):
    client = personas.client("mentee")
    url = enrol_url(personas.program, "mentee")
    client.post(url, {**profile_data(), **answers_data(questions)})
    response = client.post(
        url,
        {
            **profile_data(goals_statement="Changed my mind."),
            **answers_data(
                questions,
                **{
                    f"q_{questions['text'].pk}": "",
                    f"q_{questions['multiple'].pk}": [str(questions["fr"].pk)],
                    f"q_{questions['scale'].pk}": "1",
                },
            ),
        },
    )
    assert response.status_code == 302
    membership = personas.membership("mentee")
    assert membership.goals_statement == "Changed my mind."
    answers = saved_answers(membership)
    assert "Tell us a story?" not in answers
    assert answers["Languages?"] == [questions["fr"].pk]
    assert answers["Introvert (1) to extrovert (5)?"] == 1
    assert Answer.objects.filter(membership=membership).count() == 4
    page = client.get(response["Location"]).content.decode()
    assert "Your enrolment answers are saved." in page


@pytest.mark.parametrize(
    "status", [Program.Status.MATCHING, Program.Status.RUNNING, Program.Status.CLOSED]
)
def test_enrolment_is_read_only_once_matching_starts(personas, questions, status):
    client = personas.client("mentee")
    url = enrol_url(personas.program, "mentee")
    client.post(url, {**profile_data(), **answers_data(questions)})
    program = personas.program
    program.status = status
    program.save()
    before = personas.membership("mentee")
    before_answers = saved_answers(before)

    page = client.get(url)
    assert page.status_code == 200
    assert "form" not in page.context
    body = page.content.decode()
    assert "your answers are locked" in body
    assert "Once upon a time." in body
    assert "Green" in body
    assert "EN, DE" in body
    assert '<form method="post" novalidate' not in body

    response = client.post(
        url,
        {
            **profile_data(goals_statement="Sneaky change", acknowledge_privacy=None),
            **answers_data(questions, **{f"q_{questions['scale'].pk}": "1"}),
        },
    )
    assert response.status_code == 200
    assert "your answers are locked" in response.content.decode()
    after = personas.membership("mentee")
    assert after.goals_statement == before.goals_statement
    assert saved_answers(after) == before_answers


def test_enrolment_is_open_in_draft(personas):
    program = personas.program
    program.status = Program.Status.DRAFT
    program.save()
    response = personas.client("mentee").post(enrol_url(program, "mentee"), profile_data())
    assert response.status_code == 302
    assert personas.membership("mentee").is_enrolled


def test_the_service_refuses_changes_once_matching_started(personas):
    program = personas.program
    program.status = Program.Status.MATCHING
    program.save()
    with pytest.raises(ValidationError):
        services.enrolment_submit(
            membership=personas.membership("mentee"),
            actor=personas.mentee,
            topics=[],
            answers={},
            goals_statement="Sneaky",
        )
    assert personas.membership("mentee").goals_statement == ""


def test_only_the_participant_can_change_their_enrolment(personas):
    with pytest.raises(PermissionDenied):
        services.enrolment_submit(
            membership=personas.membership("mentee"),
            actor=personas.admin,
            topics=[],
            answers={},
            goals_statement="Written by someone else",
        )
    assert personas.membership("mentee").goals_statement == ""


def test_the_service_ignores_questions_and_topics_not_meant_for_the_participant(
    personas, questions
):
    theirs = TopicFactory.create(program=personas.other_program)
    elsewhere = QuestionFactory.create(program=personas.other_program, kind=Kind.TEXT)
    services.enrolment_submit(
        membership=personas.membership("mentee"),
        actor=personas.mentee,
        topics=[theirs],
        answers={questions["mentors_only"].pk: "Not for mentees", elsewhere.pk: "Not ours"},
        goals_statement="Why I am here",
    )
    membership = personas.membership("mentee")
    assert membership.topics.count() == 0
    assert not Answer.objects.filter(membership=membership).exists()


# --- One person, several roles --------------------------------------------------------------


def test_one_person_mentors_in_one_program_and_is_mentored_in_another(personas):
    other = ProgramFactory.create()
    MembershipFactory.create(program=other, user=personas.mentor, role=Role.MENTEE)
    client = personas.client("mentor")
    assert (
        client.post(enrol_url(personas.program, "mentor"), profile_data(capacity="4")).status_code
        == 302
    )
    assert client.get(enrol_url(other, "mentee")).status_code == 200
    assert client.get(enrol_url(other, "mentor")).status_code == 403
    assert client.get(enrol_url(personas.program, "mentee")).status_code == 403
    assert (
        client.post(enrol_url(other, "mentee"), profile_data(goals_statement="Learn")).status_code
        == 302
    )
    as_mentor = Membership.objects.get(program=personas.program, user=personas.mentor)
    as_mentee = Membership.objects.get(program=other, user=personas.mentor)
    assert (as_mentor.role, as_mentor.capacity) == (Role.MENTOR, 4)
    assert (as_mentee.role, as_mentee.capacity, as_mentee.goals_statement) == (
        Role.MENTEE,
        None,
        "Learn",
    )


def test_mentor_and_mentee_in_one_program_keep_separate_enrolments(personas):
    MembershipFactory.create(program=personas.program, user=personas.mentor, role=Role.MENTEE)
    client = personas.client("mentor")
    client.post(enrol_url(personas.program, "mentor"), profile_data(goals_statement="Give back"))
    client.post(enrol_url(personas.program, "mentee"), profile_data(goals_statement="Grow"))
    statements = dict(
        Membership.objects.filter(program=personas.program, user=personas.mentor).values_list(
            "role", "goals_statement"
        )
    )
    assert statements == {Role.MENTOR: "Give back", Role.MENTEE: "Grow"}


def test_enrolment_page_links_from_the_program_page(personas):
    page = personas.client("mentee").get(personas.program.get_absolute_url()).content.decode()
    assert enrol_url(personas.program, "mentee") in page
    assert "Enrol now" in page


# --- HTML is text ---------------------------------------------------------------------------

XSS = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


def test_html_in_enrolment_answers_is_shown_escaped(personas, questions):
    client = personas.client("mentee")
    url = enrol_url(personas.program, "mentee")
    client.post(
        url,
        {
            **profile_data(goals_statement=XSS, department=XSS, availability=XSS),
            **answers_data(questions, **{f"q_{questions['text'].pk}": XSS}),
        },
    )
    assert personas.membership("mentee").goals_statement == XSS
    pages = [
        client.get(url).content.decode(),
        personas.client("admin")
        .get(
            reverse(
                "programs:participant",
                args=[personas.program.slug, personas.membership("mentee").pk],
            )
        )
        .content.decode(),
        personas.client("admin")
        .get(reverse("programs:participants", args=[personas.program.slug]))
        .content.decode(),
    ]
    program = personas.program
    program.status = Program.Status.RUNNING
    program.save()
    pages.append(client.get(url).content.decode())
    for page in pages:
        assert "<script>" not in page
        assert ESCAPED in page


def test_html_in_questions_options_and_topics_is_shown_escaped(personas):
    question = QuestionFactory.create(
        program=personas.program, text=f"Q {XSS}", help_text=f"Help {XSS}", kind=Kind.SINGLE
    )
    ChoiceFactory.create(question=question, label=f"A {XSS}")
    ChoiceFactory.create(question=question, label="B")
    scale = QuestionFactory.create(
        program=personas.program, text="Scale?", help_text=f"Scale help {XSS}", kind=Kind.SCALE
    )
    multiple = QuestionFactory.create(
        program=personas.program, help_text=f"Multi help {XSS}", kind=Kind.MULTIPLE
    )
    ChoiceFactory.create(question=multiple, label=f"M {XSS}")
    ChoiceFactory.create(question=multiple, label="N")
    TopicFactory.create(program=personas.program, name=f"T {XSS}")
    page = personas.client("mentee").get(enrol_url(personas.program, "mentee")).content.decode()
    assert "<script>" not in page
    for text in ("Q ", "Help ", "A ", "Scale help ", "Multi help ", "M ", "T "):
        assert text + ESCAPED in page, text
    assert scale.text in page
