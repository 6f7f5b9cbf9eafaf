"""The score matrix: each criterion's value and words, the hard rules, and the query budget."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from matching.models import MatchConstraint, MatchingPreference, MatchingSettings, Pairing
from matching.scoring import CRITERIA, load_pool, score_pool
from matching.tests.factories import MenteeFactory, MentorFactory, PairingFactory
from mentoring.tests.factories import UserFactory
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
Rule = Question.MatchingRule
ALL_ZERO = dict.fromkeys(MatchingSettings.WEIGHT_FIELDS, 0)


@pytest.fixture
def program() -> Program:
    return ProgramFactory.create()


def person(program, factory, name, *, tz="Europe/London", email=None, topics=(), **profile):
    user = UserFactory.create(
        name=name, timezone=tz, email=email or f"{name.split()[0].lower()}@example.org"
    )
    membership = factory.create(program=program, user=user, **profile)
    membership.topics.set(topics)
    return membership


def mentee(program, name="Sam Jones", **kw):
    return person(program, MenteeFactory, name, **kw)


def mentor(program, name="Dana Smith", **kw):
    return person(program, MentorFactory, name, **kw)


def only(program, **weights) -> MatchingSettings:
    """Unsaved settings that weigh only the criteria given (e.g. topics=4)."""
    fields = {**ALL_ZERO, **{f"weight_{k}": v for k, v in weights.items()}}
    return MatchingSettings(program=program, **fields)


def scored_pair(program, settings, **kw):
    scored = score_pool(program, load_pool(program), settings=settings, **kw)
    assert scored.scores.shape == (1, 1)
    return scored


def item(scored, criterion, i=0, j=0):
    (found,) = [x for x in scored.explain(i, j) if x["criterion"] == criterion]
    return found


# --- Topics -----------------------------------------------------------------------------------


def test_topic_fit_is_the_share_of_the_mentees_topics_the_mentor_offers(program):
    names = ["negotiation", "pricing", "hiring", "public speaking", "finance"]
    t = {n: TopicFactory.create(program=program, name=n) for n in names}
    mentee(program, topics=[t["negotiation"], t["pricing"], t["hiring"], t["public speaking"]])
    mentor(program, topics=[t["negotiation"], t["pricing"], t["hiring"], t["finance"]])
    scored = scored_pair(program, only(program, topics=4))
    assert scored.scores[0, 0] == pytest.approx(3.0)
    topic = item(scored, "topics")
    assert topic["points"] == 3.0
    assert topic["max_points"] == 4
    assert topic["label"] == "Topic fit"
    assert topic["text"] == "Dana offers 3 of the 4 topics Sam needs: hiring, negotiation, pricing"
    assert topic["you_text"] == "offers 3 of the 4 topics you need: hiring, negotiation, pricing"


def test_topic_fit_names_all_topics_when_the_mentor_offers_every_one(program):
    a, b = TopicFactory.create(program=program, name="a"), TopicFactory.create(program=program)
    mentee(program, topics=[a, b])
    mentor(program, topics=[a, b])
    topic = item(scored_pair(program, only(program, topics=5)), "topics")
    assert topic["points"] == 5.0
    assert topic["you_text"].startswith("offers all 2 topics you need")


def test_topic_fit_is_zero_with_a_clear_text_when_the_mentee_chose_no_topics(program):
    mentee(program)
    mentor(program, topics=[TopicFactory.create(program=program)])
    scored = scored_pair(program, only(program, topics=5))
    topic = item(scored, "topics")
    assert scored.scores[0, 0] == 0
    assert topic["points"] == 0
    assert topic["text"] == "Sam chose no topics, so topic fit cannot be judged"
    assert topic["you_text"] == "you chose no topics, so topic fit cannot be judged"


def test_topic_fit_says_when_the_mentor_offers_none_of_the_topics(program):
    a, b = TopicFactory.create(program=program), TopicFactory.create(program=program)
    mentee(program, topics=[a, b])
    mentor(program, topics=[])
    topic = item(scored_pair(program, only(program, topics=5)), "topics")
    assert topic["points"] == 0
    assert topic["you_text"] == "offers none of the 2 topics you need"


# --- Matching questions -----------------------------------------------------------------------


def question(program, kind, rule, labels=()):
    q = QuestionFactory.create(
        program=program, kind=kind, used_for_matching=True, matching_rule=rule, text=f"{rule}?"
    )
    choices = {label: ChoiceFactory.create(question=q, label=label).pk for label in labels}
    return q, choices


def answer(membership, q, value):
    Answer.objects.create(membership=membership, question=q, value=value)


@pytest.mark.parametrize(
    ("kind", "rule", "mine", "theirs", "fit"),
    [
        (Kind.SINGLE, Rule.SAME, "Remote", "Remote", 1.0),
        (Kind.SINGLE, Rule.SAME, "Remote", "Office", 0.0),
        (Kind.SINGLE, Rule.DIFFERENT, "Remote", "Office", 1.0),
        (Kind.MULTIPLE, Rule.SAME, ["Remote", "Office"], ["Office", "Hybrid"], 1 / 3),
        (Kind.MULTIPLE, Rule.DIFFERENT, ["Remote", "Office"], ["Office", "Hybrid"], 2 / 3),
        (Kind.MULTIPLE, Rule.OFFERS_NEEDS, ["Remote", "Office"], ["Office", "Hybrid"], 0.5),
        (Kind.SINGLE, Rule.OFFERS_NEEDS, "Remote", "Office", 0.0),
        (Kind.SCALE, Rule.SAME, 2, 4, 0.5),
        (Kind.SCALE, Rule.SAME, 3, 3, 1.0),
        (Kind.SCALE, Rule.DIFFERENT, 1, 5, 1.0),
    ],
)
def test_each_question_rule_gives_its_fit(program, kind, rule, mine, theirs, fit):
    q, choices = question(program, kind, rule, ["Remote", "Office", "Hybrid"])

    def value(v):
        if kind == Kind.SCALE:
            return v
        if kind == Kind.SINGLE:
            return choices[v]
        return [choices[x] for x in v]

    answer(mentee(program), q, value(mine))
    answer(mentor(program), q, value(theirs))
    scored = scored_pair(program, only(program, questions=6))
    assert scored.scores[0, 0] == pytest.approx(6 * fit)
    assert item(scored, "questions")["points"] == round(6 * fit, 2)


def test_questions_average_over_those_both_answered_and_name_them_in_words(program):
    style, style_choices = question(program, Kind.SINGLE, Rule.SAME, ["Remote", "Office"])
    style.text = "How do you like to work?"
    style.save()
    langs, lang_choices = question(
        program, Kind.MULTIPLE, Rule.OFFERS_NEEDS, ["French", "German", "Dutch"]
    )
    langs.text = "Languages?"
    langs.save()
    skipped, _ = question(program, Kind.SCALE, Rule.SAME)
    sam, dana = mentee(program), mentor(program)
    answer(sam, style, style_choices["Remote"])
    answer(dana, style, style_choices["Remote"])
    answer(sam, langs, [lang_choices["French"], lang_choices["German"]])
    answer(dana, langs, [lang_choices["French"], lang_choices["Dutch"]])
    answer(sam, skipped, 3)  # the mentor did not answer it: it does not count
    scored = scored_pair(program, only(program, questions=4))
    questions = item(scored, "questions")
    assert scored.scores[0, 0] == pytest.approx(4 * (1 + 0.5) / 2)
    assert questions["points"] == 3.0
    assert questions["label"] == "Matching questions"
    assert "2 matching questions" in questions["text"]
    assert "“How do you like to work?”: both answered Remote" in questions["text"]
    assert "“Languages?”: Dana offers 1 of the 2 Sam needs (French)" in questions["text"]
    assert "“How do you like to work?”: you both answered Remote" in questions["you_text"]
    assert "“Languages?”: offers 1 of the 2 you need (French)" in questions["you_text"]


def test_questions_with_different_answers_show_both_answers(program):
    q, choices = question(program, Kind.SINGLE, Rule.SAME, ["Early bird", "Night owl"])
    answer(mentee(program), q, choices["Early bird"])
    answer(mentor(program), q, choices["Night owl"])
    questions = item(scored_pair(program, only(program, questions=3)), "questions")
    assert "Dana answered Night owl, Sam Early bird" in questions["text"]
    assert "they answered Night owl, you Early bird" in questions["you_text"]


def test_questions_count_nothing_when_none_was_answered_by_both(program):
    q, choices = question(program, Kind.SINGLE, Rule.SAME, ["A", "B"])
    answer(mentee(program), q, choices["A"])
    mentor(program)
    questions = item(scored_pair(program, only(program, questions=3)), "questions")
    assert questions["points"] == 0
    assert questions["you_text"] == "you and this mentor answered no matching question in common"


def test_questions_not_used_for_matching_are_ignored(program):
    q = QuestionFactory.create(program=program, kind=Kind.SCALE)
    answer(mentee(program), q, 1)
    answer(mentor(program), q, 1)
    questions = item(scored_pair(program, only(program, questions=3)), "questions")
    assert questions["points"] == 0
    assert questions["text"] == "the program has no matching questions"


# --- Preferences ------------------------------------------------------------------------------


@pytest.mark.parametrize(("rank", "fit"), [(1, 1.0), (2, 0.8), (3, 0.6), (5, 0.2)])
def test_the_mentees_ranking_counts_six_minus_rank_fifths(program, rank, fit):
    sam, dana = mentee(program), mentor(program)
    MatchingPreference.objects.create(program=program, chooser=sam, chosen=dana, rank=rank)
    scored = scored_pair(program, only(program, mentee_preference=5))
    pref = item(scored, "mentee_preference")
    assert scored.scores[0, 0] == pytest.approx(5 * fit)
    assert pref["points"] == round(5 * fit, 2)
    assert pref["text"] == f"Sam ranked Dana #{rank}"
    assert pref["you_text"] == f"you ranked this mentor #{rank}"


def test_an_unranked_mentor_gets_no_preference_points(program):
    mentee(program)
    mentor(program)
    pref = item(scored_pair(program, only(program, mentee_preference=5)), "mentee_preference")
    assert pref["points"] == 0
    assert pref["you_text"] == "you did not rank this mentor"


def test_the_mentors_ranking_counts_the_same_way(program):
    sam, dana = mentee(program), mentor(program)
    MatchingPreference.objects.create(program=program, chooser=dana, chosen=sam, rank=2)
    scored = scored_pair(program, only(program, mentor_preference=3))
    pref = item(scored, "mentor_preference")
    assert scored.scores[0, 0] == pytest.approx(3 * 0.8)
    assert pref["text"] == "Dana ranked Sam #2"
    assert pref["you_text"] == "this mentor ranked you #2"


def test_a_mentees_ranking_does_not_count_as_the_mentors(program):
    sam, dana = mentee(program), mentor(program)
    MatchingPreference.objects.create(program=program, chooser=sam, chosen=dana, rank=1)
    scored = scored_pair(program, only(program, mentor_preference=3))
    assert scored.scores[0, 0] == 0


# --- Seniority and time zones -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "fit", "words"),
    [
        (2, 4, 1.0, "is 2 levels above Sam"),
        (2, 3, 2 / 3, "is 1 level above Sam"),
        (2, 2, 1 / 3, "is at the same level as Sam"),
        (3, 2, 0.0, "is 1 level below Sam"),
        (1, 6, 0.0, "is 5 levels above Sam"),
    ],
)
def test_seniority_fit_falls_a_third_per_level_away_from_the_ideal_gap(
    program, low, high, fit, words
):
    mentee(program, seniority=low)
    mentor(program, seniority=high)
    scored = scored_pair(program, only(program, seniority=3))
    seniority = item(scored, "seniority")
    assert scored.scores[0, 0] == pytest.approx(3 * fit)
    assert words in seniority["text"]
    assert seniority["text"].endswith("ideal: 2 levels above")


def test_the_ideal_seniority_gap_is_the_admins(program):
    mentee(program, seniority=3)
    mentor(program, seniority=3)
    settings = only(program, seniority=2)
    settings.ideal_seniority_gap = 0
    scored = scored_pair(program, settings)
    assert scored.scores[0, 0] == pytest.approx(2.0)
    assert item(scored, "seniority")["you_text"] == (
        "this mentor (Senior) is at the same level as you; ideal: the same level"
    )


def test_unknown_seniority_scores_zero_and_says_so(program):
    mentee(program, seniority=None)
    mentor(program, seniority=4)
    seniority = item(scored_pair(program, only(program, seniority=2)), "seniority")
    assert seniority["points"] == 0
    assert seniority["text"] == "Sam's seniority is unknown"
    assert seniority["you_text"] == "your seniority is unknown"


def test_time_zone_fit_falls_with_the_hours_between_the_clocks(program):
    # On the program's start date (1 September) London is UTC+1 and New York UTC-4.
    mentee(program, tz="Europe/London")
    mentor(program, tz="America/New_York")
    scored = scored_pair(program, only(program, timezone=6))
    zone = item(scored, "timezone")
    assert scored.scores[0, 0] == pytest.approx(6 * (1 - 5 / 12))
    assert zone["text"] == "Dana is 5 hours behind Sam (America/New_York and Europe/London)"
    assert zone["you_text"] == "5 hours behind you (America/New_York)"


def test_time_zones_wrap_round_the_date_line(program):
    # Auckland (UTC+12 in September) and Pago Pago (UTC-11) are an hour apart.
    mentee(program, tz="Pacific/Pago_Pago")
    mentor(program, tz="Pacific/Auckland")
    scored = scored_pair(program, only(program, timezone=12))
    assert scored.scores[0, 0] == pytest.approx(11.0)
    assert item(scored, "timezone")["you_text"] == "1 hour behind you (Pacific/Auckland)"


def test_the_same_clock_time_is_a_full_time_zone_fit(program):
    mentee(program, tz="Europe/Paris")
    mentor(program, tz="Europe/Berlin")
    scored = scored_pair(program, only(program, timezone=2))
    assert scored.scores[0, 0] == 2.0
    assert item(scored, "timezone")["you_text"] == "same time as you"


# --- Hard rules -------------------------------------------------------------------------------


def test_never_the_mentees_own_manager_whatever_the_case_of_the_address(program):
    mentee(program, manager_email="Dana@Example.org")
    mentor(program, email="dana@example.org")
    scored = scored_pair(program, only(program, topics=5))
    assert scored.scores[0, 0] == -math.inf
    assert scored.forbidden_reason(0, 0) == "Dana is Sam's manager"
    assert scored.fit_pct(0, 0) == 0
    assert scored.explain(0, 0) == [
        {
            "criterion": "forbidden",
            "label": "Not allowed",
            "points": 0.0,
            "max_points": 0,
            "text": "Dana is Sam's manager",
            "you_text": "this mentor is your manager",
        }
    ]


def test_never_a_mentor_whose_manager_is_the_mentee(program):
    mentee(program, email="sam@example.org")
    mentor(program, manager_email="SAM@example.org")
    scored = scored_pair(program, only(program, topics=5))
    assert scored.scores[0, 0] == -math.inf
    assert scored.forbidden_reason(0, 0) == "Sam is Dana's manager"


def test_never_the_same_person(program):
    user = UserFactory.create(name="Alex Both")
    MenteeFactory.create(program=program, user=user)
    MentorFactory.create(program=program, user=user)
    scored = scored_pair(program, only(program, topics=5))
    assert scored.scores[0, 0] == -math.inf
    assert scored.forbidden_reason(0, 0) == "the same person"


@pytest.mark.parametrize("avoid", [True, False])
def test_the_same_department_is_forbidden_only_when_the_admin_says_so(program, avoid):
    mentee(program, department="Finance")
    mentor(program, department=" finance ")
    settings = only(program, topics=5)
    settings.avoid_same_department = avoid
    scored = scored_pair(program, settings)
    if avoid:
        assert scored.scores[0, 0] == -math.inf
        assert scored.forbidden_reason(0, 0) == "same department (Finance)"
    else:
        assert scored.scores[0, 0] == 0
        assert scored.forbidden_reason(0, 0) is None


def test_no_department_is_not_the_same_department(program):
    mentee(program, department="")
    mentor(program, department="")
    settings = only(program, topics=5)
    settings.avoid_same_department = True
    assert scored_pair(program, settings).forbidden_reason(0, 0) is None


@pytest.mark.parametrize("constraints", [True, False])
def test_an_admins_exclusion_forbids_the_pair_when_constraints_apply(program, constraints):
    sam, dana = mentee(program), mentor(program)
    MatchConstraint.objects.create(
        program=program, mentee=sam, mentor=dana, kind=MatchConstraint.Kind.FORBID
    )
    scored = scored_pair(program, only(program, topics=5), constraints=constraints)
    if constraints:
        assert scored.scores[0, 0] == -math.inf
        assert scored.forbidden_reason(0, 0) == "excluded by a program admin"
    else:
        assert scored.scores[0, 0] == 0


def test_a_lock_does_not_forbid(program):
    sam, dana = mentee(program), mentor(program)
    MatchConstraint.objects.create(
        program=program, mentee=sam, mentor=dana, kind=MatchConstraint.Kind.LOCK
    )
    assert scored_pair(program, only(program, topics=5)).forbidden_reason(0, 0) is None


# --- The whole score --------------------------------------------------------------------------


@pytest.fixture
def mixed_pool(program):
    """A few people with every criterion in play, and some forbidden pairs."""
    topics = [TopicFactory.create(program=program) for _ in range(4)]
    style, style_choices = question(program, Kind.MULTIPLE, Rule.SAME, ["A", "B", "C"])
    needs, needs_choices = question(program, Kind.MULTIPLE, Rule.OFFERS_NEEDS, ["X", "Y", "Z"])
    level, _ = question(program, Kind.SCALE, Rule.DIFFERENT)
    zones = ["Europe/London", "Asia/Tokyo", "America/Chicago", "Asia/Kolkata"]
    mentees = [
        mentee(
            program,
            f"Mentee{i} X",
            tz=zones[i % 4],
            topics=topics[: i % 4],
            seniority=(i % 3) + 1 if i != 2 else None,
            department=["Sales", "Ops", ""][i % 3],
        )
        for i in range(6)
    ]
    mentors = [
        mentor(
            program,
            f"Mentor{j} Y",
            tz=zones[(j + 1) % 4],
            topics=topics[j % 4 :],
            seniority=(j % 4) + 3,
            department=["Ops", "Sales", "Legal"][j % 3],
        )
        for j in range(4)
    ]
    for i, m in enumerate(mentees):
        answer(m, style, [style_choices["A"], style_choices["B"]][: 1 + i % 2])
        answer(m, needs, [needs_choices["X"], needs_choices["Z"]][: 1 + i % 2])
        if i % 2:
            answer(m, level, 1 + i % 5)
        MatchingPreference.objects.create(
            program=program, chooser=m, chosen=mentors[i % 4], rank=1 + i % 5
        )
    for j, m in enumerate(mentors):
        answer(m, style, [style_choices["B"], style_choices["C"]][: 1 + j % 2])
        answer(m, needs, [needs_choices["Z"]])
        answer(m, level, 5 - j)
        MatchingPreference.objects.create(program=program, chooser=m, chosen=mentees[j], rank=2)
    mentees[0].manager_email = mentors[1].user.email
    mentees[0].save()
    MatchConstraint.objects.create(
        program=program, mentee=mentees[3], mentor=mentors[2], kind=MatchConstraint.Kind.FORBID
    )
    return program


def test_each_pairs_points_add_up_to_its_score(mixed_pool):
    program = mixed_pool
    settings = MatchingSettings(program=program, avoid_same_department=True)
    scored = score_pool(program, load_pool(program), settings=settings)
    assert scored.max_score == sum(settings.weights().values())
    forbidden = 0
    for i, j in itertools.product(range(6), range(4)):
        items = scored.explain(i, j)
        json.dumps(items)  # stored on suggestions and pairings as JSON
        if scored.forbidden_reason(i, j):
            forbidden += 1
            assert scored.scores[i, j] == -math.inf
            assert [x["criterion"] for x in items] == ["forbidden"]
            continue
        assert [x["criterion"] for x in items] == list(CRITERIA)
        assert sum(x["points"] for x in items) == pytest.approx(scored.scores[i, j], abs=0.03)
        for x in items:
            assert 0 <= x["points"] <= x["max_points"]
            assert x["text"]
            assert x["you_text"]
    assert forbidden >= 3  # manager, admin, and at least one same-department pair


def test_a_weight_of_zero_removes_its_criterion(mixed_pool):
    program = mixed_pool
    full = MatchingSettings(program=program)
    no_topics = MatchingSettings(program=program, weight_topics=0)
    pool = load_pool(program)
    with_topics, without = (
        score_pool(program, pool, settings=full),
        score_pool(program, pool, settings=no_topics),
    )
    assert without.max_score == with_topics.max_score - full.weight_topics
    for i, j in itertools.product(range(6), range(4)):
        if without.forbidden_reason(i, j):
            continue
        topic = item(with_topics, "topics", i, j)
        assert without.scores[i, j] == pytest.approx(
            with_topics.scores[i, j] - topic["points"], abs=0.01
        )
        assert "topics" not in {x["criterion"] for x in without.explain(i, j)}


def test_fit_pct_is_the_score_as_a_share_of_the_best_possible(program):
    a, b = TopicFactory.create(program=program), TopicFactory.create(program=program)
    mentee(program, topics=[a, b], tz="UTC")
    mentor(program, topics=[a], tz="UTC")
    scored = scored_pair(program, only(program, topics=4, timezone=4))
    assert scored.scores[0, 0] == pytest.approx(6.0)
    assert scored.max_score == 8.0
    assert scored.fit_pct(0, 0) == 75


def test_score_pool_uses_the_programs_saved_settings_by_default(program):
    MatchingSettings.objects.create(program=program, **{**ALL_ZERO, "weight_timezone": 3})
    mentee(program)
    mentor(program)
    scored = score_pool(program, load_pool(program))
    assert scored.max_score == 3
    assert [x["criterion"] for x in scored.explain(0, 0)] == ["timezone"]


def test_an_empty_pool_scores_to_an_empty_matrix(program):
    scored = score_pool(program, load_pool(program))
    assert scored.scores.shape == (0, 0)


# --- The pool ---------------------------------------------------------------------------------


def test_load_pool_takes_enrolled_mentees_without_an_open_one_to_one_and_enrolled_mentors(
    program,
):
    waiting = MenteeFactory.create(program=program)
    MembershipFactory.create(program=program, role=Membership.Role.MENTEE)  # not enrolled
    mentor_a = MentorFactory.create(program=program)
    MembershipFactory.create(program=program, role=Membership.Role.MENTOR)  # not enrolled
    MembershipFactory.create(program=program, role=Membership.Role.ADMIN)
    proposed = PairingFactory.create(program=program, mentor=mentor_a).mentee
    active = PairingFactory.create(
        program=program, mentor=mentor_a, status=Pairing.Status.ACTIVE
    ).mentee
    declined = PairingFactory.create(
        program=program, mentor=mentor_a, status=Pairing.Status.DECLINED
    ).mentee
    flash = PairingFactory.create(program=program, mentor=mentor_a, kind=Pairing.Kind.FLASH).mentee
    MenteeFactory.create()  # another program
    pool = load_pool(program)
    mentee_ids = {m.pk for m in pool.mentees}
    assert mentee_ids == {waiting.pk, declined.pk, flash.pk}
    assert proposed.pk not in mentee_ids
    assert active.pk not in mentee_ids
    assert {m.pk for m in pool.mentors} == {mentor_a.pk} | {
        p.mentor_id for p in Pairing.objects.filter(program=program)
    }
    assert pool.mentee_index[waiting.pk] == [m.pk for m in pool.mentees].index(waiting.pk)


def test_load_pool_takes_the_given_people(program):
    chosen = MenteeFactory.create(program=program)
    MenteeFactory.create(program=program)
    pool = load_pool(program, mentees=Membership.objects.filter(pk=chosen.pk))
    assert [m.pk for m in pool.mentees] == [chosen.pk]


def _grow(program, n_mentees, n_mentors):
    topics = [TopicFactory.create(program=program) for _ in range(3)]
    q, choices = question(program, Kind.MULTIPLE, Rule.SAME, ["A", "B"])
    mentors = []
    for _ in range(n_mentors):
        m = MentorFactory.create(program=program, seniority=4, department="Ops")
        m.topics.set(topics[:2])
        answer(m, q, [choices["A"]])
        mentors.append(m)
    for i in range(n_mentees):
        m = MenteeFactory.create(program=program, seniority=2, manager_email="x@example.org")
        m.topics.set(topics[1:])
        answer(m, q, [choices["A"], choices["B"]])
        MatchingPreference.objects.create(
            program=program, chooser=m, chosen=mentors[i % n_mentors], rank=1
        )
    MatchConstraint.objects.create(
        program=program, mentee=m, mentor=mentors[0], kind=MatchConstraint.Kind.FORBID
    )


def _queries(program) -> int:
    with CaptureQueriesContext(connection) as ctx:
        scored = score_pool(program, load_pool(program))
        scored.explain(0, 0)
    return len(ctx.captured_queries)


def test_load_and_score_take_the_same_number_of_queries_for_5_and_50_people():
    small, large = ProgramFactory.create(), ProgramFactory.create()
    _grow(small, 5, 3)
    _grow(large, 50, 20)
    assert _queries(small) == _queries(large) <= 12


def test_scoring_is_vectorised_and_agrees_with_the_pairwise_explanations():
    program = ProgramFactory.create()
    _grow(program, 30, 10)
    scored = score_pool(program, load_pool(program))
    assert scored.scores.dtype == np.float64
    for i, j in itertools.product(range(0, 30, 7), range(10)):
        if scored.forbidden_reason(i, j):
            assert scored.scores[i, j] == -math.inf
        else:
            points = sum(x["points"] for x in scored.explain(i, j))
            assert points == pytest.approx(scored.scores[i, j], abs=0.03)


# --- The explanation partial ------------------------------------------------------------------


def test_the_explanation_partial_speaks_to_the_mentee_or_about_the_pair(program):
    a, b = TopicFactory.create(program=program, name="a"), TopicFactory.create(program=program)
    mentee(program, topics=[a, b])
    mentor(program, topics=[a])
    items = scored_pair(program, only(program, topics=4)).explain(0, 0)
    you = render_to_string(
        "matching/partials/_explanation.html", {"items": items, "perspective": "you"}
    )
    admin = render_to_string(
        "matching/partials/_explanation.html", {"items": items, "perspective": "admin"}
    )
    assert "offers 1 of the 2 topics you need: a" in you
    assert "Dana offers 1 of the 2 topics Sam needs: a" in admin
    assert "Topic fit" in you
    assert '>2<span class="visually-hidden"> points</span> / 4<' in you


def test_the_explanation_partial_shows_why_a_pair_is_not_allowed(program):
    mentee(program, manager_email="dana@example.org")
    mentor(program)
    items = scored_pair(program, only(program, topics=4)).explain(0, 0)
    you = render_to_string(
        "matching/partials/_explanation.html", {"items": items, "perspective": "you"}
    )
    admin = render_to_string(
        "matching/partials/_explanation.html", {"items": items, "perspective": "admin"}
    )
    assert "this mentor is your manager" in you
    assert "Dana is Sam&#x27;s manager" in admin
    assert "No explanation recorded" in render_to_string(
        "matching/partials/_explanation.html", {"items": [], "perspective": "admin"}
    )
