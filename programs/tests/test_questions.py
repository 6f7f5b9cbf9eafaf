"""Enrolment questions: kinds, matching rules, editing, deleting and ordering."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programs import services
from programs.models import Answer, Choice, Question
from programs.tests.factories import ChoiceFactory, QuestionFactory

pytestmark = pytest.mark.django_db

Kind = Question.Kind
Rule = Question.MatchingRule
Audience = Question.Audience


def question_data(**overrides):
    data = {
        "text": "How do you like to work?",
        "help_text": "",
        "kind": Kind.TEXT,
        "choices": "",
        "audience": Audience.EVERYONE,
        "matching_rule": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def create(personas, **overrides):
    url = reverse("programs:question_create", args=[personas.program.slug])
    return personas.client("admin").post(url, question_data(**overrides))


def edit(personas, question, **overrides):
    url = reverse("programs:question_edit", args=[personas.program.slug, question.pk])
    return personas.client("admin").post(url, question_data(**overrides))


def choice_question(program, labels=("Red", "Green", "Blue"), **fields):
    question = QuestionFactory.create(
        program=program, kind=fields.pop("kind", Kind.SINGLE), **fields
    )
    for position, label in enumerate(labels):
        ChoiceFactory.create(question=question, label=label, position=position)
    return question


def answer(personas, question, value, who="mentee"):
    return Answer.objects.create(
        membership=personas.membership(who), question=question, value=value
    )


# --- Creating -------------------------------------------------------------------------------


def test_admin_adds_a_free_text_question(personas):
    response = create(personas, text="What do you hope to learn?", help_text="A sentence is fine.")
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:questions", args=[personas.program.slug])
    question = Question.objects.get(program=personas.program)
    assert (question.text, question.help_text, question.kind) == (
        "What do you hope to learn?",
        "A sentence is fine.",
        Kind.TEXT,
    )
    assert not question.required
    assert not question.used_for_matching
    assert question.choices.count() == 0


@pytest.mark.parametrize("kind", [Kind.SINGLE, Kind.MULTIPLE])
def test_admin_adds_a_choice_question_with_its_options_in_order(personas, kind):
    response = create(
        personas, kind=kind, choices="Mornings\n  Evenings \n\nWeekends\nmornings", required="on"
    )
    assert response.status_code == 302
    question = Question.objects.get(program=personas.program)
    assert question.kind == kind
    assert question.required
    # Blank lines and case-insensitive repeats are dropped; order is kept.
    assert [c.label for c in question.choices.all()] == ["Mornings", "Evenings", "Weekends"]


def test_admin_adds_a_scale_question_without_options(personas):
    response = create(personas, kind=Kind.SCALE, choices="ignored\nlines")
    assert response.status_code == 302
    question = Question.objects.get(program=personas.program)
    assert question.kind == Kind.SCALE
    assert question.choices.count() == 0


def test_new_questions_go_to_the_end_of_the_list(personas):
    QuestionFactory.create(program=personas.program, position=7)
    create(personas, text="Last one?")
    assert Question.objects.get(text="Last one?").position == 8
    assert list(personas.program.questions.values_list("text", flat=True))[-1] == "Last one?"


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        (Kind.SINGLE, Rule.SAME),
        (Kind.SINGLE, Rule.DIFFERENT),
        (Kind.SINGLE, Rule.OFFERS_NEEDS),
        (Kind.MULTIPLE, Rule.OFFERS_NEEDS),
        (Kind.SCALE, Rule.SAME),
        (Kind.SCALE, Rule.DIFFERENT),
    ],
)
def test_a_question_can_be_used_for_matching_with_a_rule(personas, kind, rule):
    response = create(
        personas, kind=kind, choices="A\nB", used_for_matching="on", matching_rule=rule
    )
    assert response.status_code == 302
    question = Question.objects.get(program=personas.program)
    assert question.used_for_matching
    assert question.matching_rule == rule


def test_a_question_not_used_for_matching_keeps_no_rule(personas):
    create(personas, kind=Kind.SCALE, matching_rule=Rule.SAME)
    assert Question.objects.get(program=personas.program).matching_rule == ""


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"kind": Kind.TEXT, "used_for_matching": "on", "matching_rule": Rule.SAME},
            "used_for_matching",
            "Free-text answers cannot be compared for matching.",
        ),
        (
            {"kind": Kind.SCALE, "used_for_matching": "on", "matching_rule": Rule.OFFERS_NEEDS},
            "matching_rule",
            "Offers/needs works with single or multiple choice.",
        ),
        (
            {"kind": Kind.SCALE, "used_for_matching": "on", "matching_rule": ""},
            "matching_rule",
            "Choose how matching uses the answers.",
        ),
        (
            {
                "kind": Kind.SCALE,
                "used_for_matching": "on",
                "matching_rule": Rule.SAME,
                "audience": Audience.MENTEES,
            },
            "audience",
            "A matching question must be asked of everyone.",
        ),
        (
            {"kind": Kind.SINGLE, "choices": "Only one"},
            "choices",
            "Give at least two options, one per line.",
        ),
        (
            {"kind": Kind.MULTIPLE, "choices": ""},
            "choices",
            "Give at least two options, one per line.",
        ),
        (
            {"kind": Kind.SINGLE, "choices": "Same\nsame"},
            "choices",
            "Give at least two options, one per line.",
        ),
        (
            {"kind": Kind.SINGLE, "choices": "A\n" + "x" * 201},
            "choices",
            "Keep each option under 200 characters.",
        ),
        ({"kind": "essay"}, "kind", "Select a valid choice."),
        ({"text": ""}, "text", "This field is required."),
    ],
)
def test_an_invalid_question_is_refused_next_to_its_field(personas, overrides, field, message):
    response = create(personas, **overrides)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in e for e in errors.get(field, [])), errors
    assert not Question.objects.filter(program=personas.program).exists()


@pytest.mark.parametrize(
    ("fields", "choices"),
    [
        ({"kind": Kind.TEXT, "used_for_matching": True, "matching_rule": Rule.SAME}, []),
        ({"kind": Kind.SCALE, "used_for_matching": True, "matching_rule": Rule.OFFERS_NEEDS}, []),
        ({"kind": Kind.SCALE, "used_for_matching": True, "matching_rule": ""}, []),
        (
            {
                "kind": Kind.SINGLE,
                "used_for_matching": True,
                "matching_rule": Rule.SAME,
                "audience": Audience.MENTORS,
            },
            ["A", "B"],
        ),
        ({"kind": Kind.SINGLE}, ["A"]),
        ({"kind": Kind.MULTIPLE}, ["A", " a "]),
    ],
)
def test_the_question_service_enforces_the_rules_without_the_form(personas, fields, choices):
    with pytest.raises(ValidationError):
        services.question_create(
            program=personas.program, actor=personas.admin, text="Q?", choices=choices, **fields
        )
    assert not Question.objects.filter(program=personas.program).exists()


# --- Editing --------------------------------------------------------------------------------


def test_the_edit_form_shows_the_question_as_it_is(personas):
    question = choice_question(personas.program, text="Favourite colour?")
    url = reverse("programs:question_edit", args=[personas.program.slug, question.pk])
    form = personas.client("admin").get(url).context["form"]
    assert form.initial["text"] == "Favourite colour?"
    assert form.initial["choices"] == "Red\nGreen\nBlue"
    assert form.initial["kind"] == Kind.SINGLE


def test_editing_options_keeps_the_ids_of_the_options_that_stay(personas):
    question = choice_question(personas.program)
    ids = {c.label: c.pk for c in question.choices.all()}
    response = edit(personas, question, kind=Kind.SINGLE, choices="blue\nRed\nYellow")
    assert response.status_code == 302
    after = list(question.choices.all())
    assert [c.label for c in after] == ["blue", "Red", "Yellow"]
    assert after[0].pk == ids["Blue"]
    assert after[1].pk == ids["Red"]
    assert not Choice.objects.filter(pk=ids["Green"]).exists()


def test_a_question_can_change_kind_while_nobody_answered_it(personas):
    question = choice_question(personas.program)
    response = edit(personas, question, kind=Kind.TEXT)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.kind == Kind.TEXT
    assert question.choices.count() == 0


def test_a_questions_kind_cannot_change_once_answered(personas):
    question = choice_question(personas.program, text="Colour?")
    red = question.choices.get(label="Red")
    answer(personas, question, red.pk)
    response = edit(personas, question, text="Colour, please?", kind=Kind.TEXT)
    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == [
        "People have answered this question; its kind can no longer change."
    ]
    question.refresh_from_db()
    assert (question.kind, question.text) == (Kind.SINGLE, "Colour?")
    assert question.choices.count() == 3


def test_an_answered_question_can_still_be_reworded(personas):
    question = choice_question(personas.program, text="Colour?")
    answer(personas, question, question.choices.first().pk)
    response = edit(
        personas, question, text="Colour, please?", kind=Kind.SINGLE, choices="Red\nGreen\nBlue"
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "Colour, please?"


def test_the_service_refuses_a_kind_change_once_answered(personas):
    question = QuestionFactory.create(program=personas.program, kind=Kind.SCALE)
    answer(personas, question, 4)
    with pytest.raises(ValidationError):
        services.question_update(question=question, actor=personas.admin, kind=Kind.TEXT)
    assert Question.objects.get(pk=question.pk).kind == Kind.SCALE


def test_switching_matching_off_clears_the_rule(personas):
    question = QuestionFactory.create(
        program=personas.program, kind=Kind.SCALE, used_for_matching=True, matching_rule=Rule.SAME
    )
    assert edit(personas, question, kind=Kind.SCALE, matching_rule=Rule.SAME).status_code == 302
    question.refresh_from_db()
    assert not question.used_for_matching
    assert question.matching_rule == ""


# --- Deleting and ordering ------------------------------------------------------------------


def test_delete_asks_first_and_says_how_many_answers_go(personas):
    question = QuestionFactory.create(program=personas.program, kind=Kind.SCALE)
    answer(personas, question, 3)
    answer(personas, question, 5, who="mentor")
    url = reverse("programs:question_delete", args=[personas.program.slug, question.pk])
    response = personas.client("admin").get(url)
    assert response.status_code == 200
    assert "2 answers to this question will be deleted too." in response.content.decode()
    assert Question.objects.filter(pk=question.pk).exists()


def test_admin_deletes_a_question_with_its_answers(personas):
    question = QuestionFactory.create(program=personas.program, kind=Kind.SCALE)
    answer(personas, question, 3)
    url = reverse("programs:question_delete", args=[personas.program.slug, question.pk])
    response = personas.client("admin").post(url)
    assert response.status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()
    assert not Answer.objects.filter(question_id=question.pk).exists()
    assert personas.membership("mentee")  # the participant stays


def texts(program):
    return list(program.questions.values_list("text", flat=True))


def move(personas, question, to):
    url = reverse("programs:question_move", args=[personas.program.slug, question.pk])
    return personas.client("admin").post(url, {"to": to})


def three_questions(program):
    return [
        QuestionFactory.create(program=program, text=t, position=i) for i, t in enumerate("ABC")
    ]


def test_admin_moves_a_question_up(personas):
    _, _, c = three_questions(personas.program)
    assert move(personas, c, "up").status_code == 302
    assert texts(personas.program) == ["A", "C", "B"]


def test_admin_moves_a_question_down(personas):
    a, _, _ = three_questions(personas.program)
    move(personas, a, "down")
    assert texts(personas.program) == ["B", "A", "C"]
    move(personas, a, "down")
    assert texts(personas.program) == ["B", "C", "A"]


def test_moving_past_either_end_changes_nothing(personas):
    a, _, c = three_questions(personas.program)
    move(personas, a, "up")
    move(personas, c, "down")
    assert texts(personas.program) == ["A", "B", "C"]


def test_moving_ignores_other_programs_questions(personas):
    QuestionFactory.create(program=personas.other_program, text="Elsewhere", position=0)
    _, b, _ = three_questions(personas.program)
    move(personas, b, "up")
    assert texts(personas.program) == ["B", "A", "C"]
    assert texts(personas.other_program) == ["Elsewhere"]


def test_questions_with_equal_positions_still_move(personas):
    a = QuestionFactory.create(program=personas.program, text="A", position=0)
    QuestionFactory.create(program=personas.program, text="B", position=0)
    move(personas, a, "down")
    assert texts(personas.program) == ["B", "A"]


# --- The list -------------------------------------------------------------------------------


def test_question_list_shows_this_programs_questions_with_their_options(personas):
    choice_question(personas.program, text="Colour?")
    QuestionFactory.create(program=personas.other_program, text="Not ours?")
    page = (
        personas.client("admin")
        .get(reverse("programs:questions", args=[personas.program.slug]))
        .content.decode()
    )
    assert "Colour?" in page
    assert "Red · Green · Blue" in page
    assert "Not ours?" not in page


def test_question_text_and_options_are_shown_escaped(personas):
    create(personas, text="<script>alert(1)</script>", kind=Kind.SINGLE, choices="<i>x</i>\ny")
    page = (
        personas.client("admin")
        .get(reverse("programs:questions", args=[personas.program.slug]))
        .content.decode()
    )
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<i>x</i>" not in page


def test_renaming_an_option_in_place_keeps_the_answers_that_chose_it(personas):
    question = services.question_create(
        program=personas.program,
        actor=personas.admin,
        text="Style?",
        kind="single",
        audience="everyone",
        choices=["Planned", "Spontaneous", "Mixed"],
    )
    planned, spontaneous, _ = question.choices.all()
    membership = personas.membership("mentee")
    Answer.objects.create(membership=membership, question=question, value=spontaneous.pk)
    services.question_update(
        question=question,
        actor=personas.admin,
        text="Style?",
        kind="single",
        audience="everyone",
        choices=["Planned", "Go with the flow", "Mixed", "Other"],
    )
    labels = {c.pk: c.label for c in question.choices.all()}
    assert labels[spontaneous.pk] == "Go with the flow"
    assert labels[planned.pk] == "Planned"
    assert list(labels.values()) == ["Planned", "Go with the flow", "Mixed", "Other"]
    answer = Answer.objects.get(membership=membership, question=question)
    assert answer.display() == "Go with the flow"


def test_removing_an_option_deletes_it(personas):
    question = services.question_create(
        program=personas.program,
        actor=personas.admin,
        text="Style?",
        kind="single",
        audience="everyone",
        choices=["Planned", "Spontaneous", "Mixed"],
    )
    services.question_update(
        question=question,
        actor=personas.admin,
        text="Style?",
        kind="single",
        audience="everyone",
        choices=["Planned", "Mixed"],
    )
    assert [c.label for c in question.choices.all()] == ["Planned", "Mixed"]
