"""The score matrix of a matching pool, and each pair's explanation in plain words.

Every criterion gives each (mentee, mentor) pair a fit in [0, 1]; a pair's score
is the sum over the criteria of fit x the admin's weight (0-10), so the best
possible score is the sum of the weights. Hard rules (own manager, the same
person, optionally the same department, an admin's exclusion) make a pair
``-inf``: forbidden. Capacity is the engine's business, not this module's.

The matrix is computed for the whole pool at once with NumPy (incidence
matrices and their products), so thousands of people score in well under a
second. Explanations are built on demand for one pair at a time, by the same
formulas written for a single pair; a test checks both agree on every pair.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from matching.models import MatchConstraint, MatchingPreference, MatchingSettings, Pairing
from programs.models import Answer, Membership, Program, Question

Role = Membership.Role
Kind = Question.Kind
Rule = Question.MatchingRule

CRITERIA = (
    "topics",
    "questions",
    "mentee_preference",
    "mentor_preference",
    "seniority",
    "timezone",
)
LABELS = {
    "topics": "Topic fit",
    "questions": "Matching questions",
    "mentee_preference": "Mentee's ranking",
    "mentor_preference": "Mentor's ranking",
    "seniority": "Seniority gap",
    "timezone": "Time zones",
    "forbidden": "Not allowed",
}
MAX_RANK = MatchingPreference.MAX_RANK
# Seniority this many levels away from the ideal gap counts for nothing.
SENIORITY_TOLERANCE = 3.0
# Time-zone distance at which the fit reaches 0: the far side of the world.
TIMEZONE_SPAN_HOURS = 12.0
# Scale answers run from 1 to 5, so two answers are at most 4 apart.
SCALE_SPAN = 4.0

Matrix = np.ndarray


# --- The pool ---------------------------------------------------------------------------------


@dataclass
class Pool:
    """The mentees and mentors to score, with the profiles scoring reads."""

    program: Program
    mentees: list[Membership]  # user, program, topics and answers(+question) prefetched
    mentors: list[Membership]

    @functools.cached_property
    def mentee_index(self) -> dict[int, int]:
        """Row of each mentee, by membership id."""
        return {m.pk: i for i, m in enumerate(self.mentees)}

    @functools.cached_property
    def mentor_index(self) -> dict[int, int]:
        """Column of each mentor, by membership id."""
        return {m.pk: j for j, m in enumerate(self.mentors)}


def _with_profiles(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    return memberships.select_related("user", "program").prefetch_related(
        "topics",
        Prefetch("answers", queryset=Answer.objects.select_related("question")),
    )


def load_pool(
    program: Program,
    *,
    mentees: QuerySet[Membership] | None = None,
    mentors: QuerySet[Membership] | None = None,
) -> Pool:
    """The program's matching pool, in a constant number of queries.

    Default mentees: enrolled mentees without an open one-to-one pairing; default
    mentors: enrolled mentors. Both in enrolment order (first come, first served).
    """
    if mentees is None:
        open_pairing = Pairing.objects.filter(
            mentee=OuterRef("pk"),
            kind=Pairing.Kind.ONE_TO_ONE,
            status__in=Pairing.OPEN_STATUSES,
        )
        mentees = (
            Membership.objects.filter(
                program=program,
                role=Role.MENTEE,
                enrolled_at__isnull=False,
                user__is_active=True,  # a deleted account is never matched
            )
            .exclude(Exists(open_pairing))
            .order_by("enrolled_at", "pk")
        )
    if mentors is None:
        mentors = Membership.objects.filter(
            program=program, role=Role.MENTOR, enrolled_at__isnull=False, user__is_active=True
        ).order_by("enrolled_at", "pk")
    return Pool(
        program=program,
        mentees=list(_with_profiles(mentees)),
        mentors=list(_with_profiles(mentors)),
    )


# --- What scoring reads of each person --------------------------------------------------------


@dataclass(frozen=True)
class _Question:
    pk: int
    text: str
    kind: str
    rule: str
    labels: dict[int, str]  # choice id -> label, in the question's order

    @property
    def is_choice(self) -> bool:
        return self.kind in Question.CHOICE_KINDS


AnswerValue = frozenset[int] | float


def _normalise(question: _Question, value: Any) -> AnswerValue | None:
    """An answer as scoring compares it: a set of known choice ids, or a 1-5 number."""
    if question.is_choice:
        raw = value if isinstance(value, list) else [value]
        known = frozenset(item for item in raw if type(item) is int and item in question.labels)
        return known or None
    if type(value) not in (int, float):
        return None
    return float(value) if 1 <= value <= 5 else None


@functools.lru_cache(maxsize=1024)
def _utc_offset_hours(tz_name: str, day: dt.date) -> float:
    try:
        tz: dt.tzinfo = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = dt.UTC
    offset = dt.datetime.combine(day, dt.time(12), tzinfo=tz).utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


@dataclass
class _Side:
    """One side of the pool (mentees or mentors), as plain Python values."""

    people: list[Membership]
    names: list[str]
    topics: list[frozenset[int]]
    answers: list[dict[int, AnswerValue]]
    seniority: list[int | None]
    offsets: list[float]
    emails: list[str]
    managers: list[str]
    departments: list[str]

    @classmethod
    def read(cls, people: list[Membership], questions: dict[int, _Question], day: dt.date) -> _Side:
        answers: list[dict[int, AnswerValue]] = []
        for m in people:
            mine: dict[int, AnswerValue] = {}
            for a in m.answers.all():
                q = questions.get(a.question_id)
                if q is not None:
                    value = _normalise(q, a.value)
                    if value is not None:
                        mine[q.pk] = value
            answers.append(mine)
        return cls(
            people=people,
            names=[m.user.get_short_name() for m in people],
            topics=[frozenset(t.pk for t in m.topics.all()) for m in people],
            answers=answers,
            seniority=[m.seniority for m in people],
            offsets=[_utc_offset_hours(m.user.timezone, day) for m in people],
            emails=[m.user.email.strip().lower() for m in people],
            managers=[(m.manager_email or "").strip().lower() for m in people],
            departments=[(m.department or "").strip() for m in people],
        )


@dataclass
class _Context:
    """Everything an explanation needs besides the two people."""

    settings: MatchingSettings
    weights: dict[str, int]
    questions: list[_Question]
    topic_names: dict[int, str]
    mentee_ranks: dict[tuple[int, int], int]  # (mentee pk, mentor pk) -> rank
    mentor_ranks: dict[tuple[int, int], int]  # (mentor pk, mentee pk) -> rank
    forbids: set[tuple[int, int]]  # (mentee pk, mentor pk) excluded by an admin
    mentees: _Side
    mentors: _Side


# --- One pair at a time: the fits and their words ----------------------------------------------


def _plural(n: int | float, word: str, plural: str | None = None) -> str:
    return f"{n:g} {word if n == 1 else (plural or word + 's')}"


@dataclass(frozen=True)
class _Words:
    fit: float
    text: str
    you_text: str


def _topics_words(ctx: _Context, i: int, j: int) -> _Words:
    mentee, mentor = ctx.mentees.names[i], ctx.mentors.names[j]
    needs, offers = ctx.mentees.topics[i], ctx.mentors.topics[j]
    if not needs:
        return _Words(
            0.0,
            f"{mentee} chose no topics, so topic fit cannot be judged",
            "you chose no topics, so topic fit cannot be judged",
        )
    shared = sorted((ctx.topic_names[t] for t in needs & offers), key=str.casefold)
    n, k = len(needs), len(shared)
    fit = k / n
    if k == 0:
        missing = sorted((ctx.topic_names[t] for t in needs), key=str.casefold)
        if n == 1:
            return _Words(
                fit,
                f"{mentor} does not offer the topic {mentee} needs ({missing[0]})",
                f"does not offer the topic you need ({missing[0]})",
            )
        return _Words(
            fit,
            f"{mentor} offers none of the {n} topics {mentee} needs",
            f"offers none of the {n} topics you need",
        )
    listed = ", ".join(shared)
    if n == 1:
        return _Words(
            fit,
            f"{mentor} offers the topic {mentee} needs: {listed}",
            f"offers the topic you need: {listed}",
        )
    if k == n:
        return _Words(
            fit,
            f"{mentor} offers all {n} topics {mentee} needs: {listed}",
            f"offers all {n} topics you need: {listed}",
        )
    return _Words(
        fit,
        f"{mentor} offers {k} of the {n} topics {mentee} needs: {listed}",
        f"offers {k} of the {n} topics you need: {listed}",
    )


def _similarity(question: _Question, a: AnswerValue, b: AnswerValue) -> float:
    """How alike the mentee's answer ``a`` and the mentor's ``b`` are, in [0, 1]."""
    if isinstance(a, frozenset) and isinstance(b, frozenset):
        inter = len(a & b)
        if question.rule == Rule.OFFERS_NEEDS:
            return inter / len(a)
        return inter / (len(a) + len(b) - inter)
    if isinstance(a, float) and isinstance(b, float):
        return 1.0 - abs(a - b) / SCALE_SPAN
    return 0.0  # cannot happen: the answers to one question are all of its kind


def _question_fit(question: _Question, a: AnswerValue, b: AnswerValue) -> float:
    same = _similarity(question, a, b)
    return 1.0 - same if question.rule == Rule.DIFFERENT else same


def _answer_words(question: _Question, value: AnswerValue) -> str:
    if isinstance(value, frozenset):
        return ", ".join(label for cid, label in question.labels.items() if cid in value)
    return f"{value:g} of 5"


def _question_phrases(
    question: _Question, a: AnswerValue, b: AnswerValue, mentee: str, mentor: str
) -> tuple[str, str]:
    """What one question contributes, in the third person and for the mentee."""
    q = f"“{question.text}”"
    fit = _question_fit(question, a, b)
    mine, theirs = _answer_words(question, a), _answer_words(question, b)
    if question.rule == Rule.OFFERS_NEEDS and isinstance(a, frozenset) and isinstance(b, frozenset):
        given = ", ".join(label for cid, label in question.labels.items() if cid in a & b)
        n, k = len(a), len(a & b)
        if n == 1:
            verb = "offers" if k else "does not offer"
            return (
                f"{q}: {mentor} {verb} what {mentee} needs ({mine})",
                f"{q}: {verb} what you need ({mine})",
            )
        detail = f" ({given})" if given else ""
        return (
            f"{q}: {mentor} offers {k} of the {n} {mentee} needs{detail}",
            f"{q}: offers {k} of the {n} you need{detail}",
        )
    if question.rule == Rule.DIFFERENT:
        if fit == 1:
            return (
                f"{q}: different answers, as wanted ({mentor}: {theirs}; {mentee}: {mine})",
                f"{q}: different answers, as wanted (they: {theirs}; you: {mine})",
            )
        if fit == 0:
            return (
                f"{q}: both answered {mine}, where different answers are wanted",
                f"{q}: you both answered {mine}, where different answers are wanted",
            )
        return (
            f"{q}: partly different ({mentor}: {theirs}; {mentee}: {mine})",
            f"{q}: partly different (they: {theirs}; you: {mine})",
        )
    if fit == 1:
        return f"{q}: both answered {mine}", f"{q}: you both answered {mine}"
    return (
        f"{q}: {mentor} answered {theirs}, {mentee} {mine}",
        f"{q}: they answered {theirs}, you {mine}",
    )


def _questions_words(ctx: _Context, i: int, j: int) -> _Words:
    mentee, mentor = ctx.mentees.names[i], ctx.mentors.names[j]
    if not ctx.questions:
        text = "the program has no matching questions"
        return _Words(0.0, text, text)
    mine, theirs = ctx.mentees.answers[i], ctx.mentors.answers[j]
    fits: list[float] = []
    phrases: list[str] = []
    you_phrases: list[str] = []
    for question in ctx.questions:
        a, b = mine.get(question.pk), theirs.get(question.pk)
        if a is None or b is None:
            continue
        fits.append(_question_fit(question, a, b))
        text, you = _question_phrases(question, a, b, mentee, mentor)
        phrases.append(text)
        you_phrases.append(you)
    if not fits:
        return _Words(
            0.0,
            f"{mentee} and {mentor} answered no matching question in common",
            "you and this mentor answered no matching question in common",
        )
    fit = sum(fits) / len(fits)
    pct = round(100 * fit)
    count = _plural(len(fits), "matching question")
    return _Words(
        fit,
        f"{pct}% fit on {count} both answered: " + "; ".join(phrases),
        f"{pct}% fit on {count} you both answered: " + "; ".join(you_phrases),
    )


def _rank_fit(rank: int | None) -> float:
    return (MAX_RANK + 1 - rank) / MAX_RANK if rank else 0.0


def _mentee_preference_words(ctx: _Context, i: int, j: int) -> _Words:
    mentee, mentor = ctx.mentees.names[i], ctx.mentors.names[j]
    rank = ctx.mentee_ranks.get((ctx.mentees.people[i].pk, ctx.mentors.people[j].pk))
    if rank is None:
        return _Words(0.0, f"{mentee} did not rank {mentor}", "you did not rank this mentor")
    return _Words(
        _rank_fit(rank), f"{mentee} ranked {mentor} #{rank}", f"you ranked this mentor #{rank}"
    )


def _mentor_preference_words(ctx: _Context, i: int, j: int) -> _Words:
    mentee, mentor = ctx.mentees.names[i], ctx.mentors.names[j]
    rank = ctx.mentor_ranks.get((ctx.mentors.people[j].pk, ctx.mentees.people[i].pk))
    if rank is None:
        return _Words(0.0, f"{mentor} did not rank {mentee}", "this mentor did not rank you")
    return _Words(
        _rank_fit(rank), f"{mentor} ranked {mentee} #{rank}", f"this mentor ranked you #{rank}"
    )


def _levels(gap: int) -> str:
    if gap == 0:
        return "at the same level as"
    return f"{_plural(abs(gap), 'level')} {'above' if gap > 0 else 'below'}"


def _seniority_words(ctx: _Context, i: int, j: int) -> _Words:
    mentee, mentor = ctx.mentees.names[i], ctx.mentors.names[j]
    low, high = ctx.mentees.seniority[i], ctx.mentors.seniority[j]
    if low is None and high is None:
        return _Words(
            0.0,
            f"the seniority of {mentee} and {mentor} is unknown",
            "your seniority and this mentor's are unknown",
        )
    if low is None:
        return _Words(0.0, f"{mentee}'s seniority is unknown", "your seniority is unknown")
    if high is None:
        return _Words(0.0, f"{mentor}'s seniority is unknown", "this mentor's seniority is unknown")
    ideal = ctx.settings.ideal_seniority_gap
    gap = high - low
    fit = max(0.0, 1.0 - abs(gap - ideal) / SENIORITY_TOLERANCE)
    ideal_words = "the same level" if ideal == 0 else f"{_plural(ideal, 'level')} above"
    low_label = Membership.Seniority(low).label
    high_label = Membership.Seniority(high).label
    return _Words(
        fit,
        f"{mentor} ({high_label}) is {_levels(gap)} {mentee} ({low_label}); ideal: {ideal_words}",
        f"this mentor ({high_label}) is {_levels(gap)} you; ideal: {ideal_words}",
    )


def _clock_gap(mentee_offset: float, mentor_offset: float) -> float:
    """How far the mentor's clock is ahead of the mentee's, in (-12, 12] hours.

    Clocks wrap round the day: UTC+12 and UTC-11 are one hour apart, not 23.
    """
    gap = (mentor_offset - mentee_offset) % 24
    return gap - 24 if gap > 12 else gap


def _timezone_words(ctx: _Context, i: int, j: int) -> _Words:
    mentee, mentor = ctx.mentees.names[i], ctx.mentors.names[j]
    gap = _clock_gap(ctx.mentees.offsets[i], ctx.mentors.offsets[j])
    distance = abs(gap)
    fit = 1.0 - min(distance, TIMEZONE_SPAN_HOURS) / TIMEZONE_SPAN_HOURS
    zones = f"{ctx.mentors.people[j].user.timezone} and {ctx.mentees.people[i].user.timezone}"
    if distance == 0:
        return _Words(
            fit, f"{mentor} and {mentee} keep the same clock time ({zones})", "same time as you"
        )
    hours = _plural(distance, "hour")
    side = "ahead of" if gap > 0 else "behind"
    return _Words(
        fit,
        f"{mentor} is {hours} {side} {mentee} ({zones})",
        f"{hours} {side} you ({ctx.mentors.people[j].user.timezone})",
    )


_WORDS = {
    "topics": _topics_words,
    "questions": _questions_words,
    "mentee_preference": _mentee_preference_words,
    "mentor_preference": _mentor_preference_words,
    "seniority": _seniority_words,
    "timezone": _timezone_words,
}


# --- The whole pool at once -------------------------------------------------------------------


def _incidence(sets: list[frozenset[int]], columns: dict[int, int]) -> Matrix:
    matrix = np.zeros((len(sets), len(columns)), dtype=np.float64)
    for row, items in enumerate(sets):
        for item in items:
            matrix[row, columns[item]] = 1.0
    return matrix


def _topics_matrix(ctx: _Context) -> Matrix:
    columns = {t: k for k, t in enumerate(sorted(ctx.topic_names))}
    needs = _incidence(ctx.mentees.topics, columns)
    offers = _incidence(ctx.mentors.topics, columns)
    covered = needs @ offers.T
    wanted = needs.sum(axis=1)[:, None]
    return np.divide(covered, wanted, out=np.zeros_like(covered), where=wanted > 0)


def _question_matrix(question: _Question, ctx: _Context) -> tuple[Matrix, Matrix]:
    """(fit, answered by both) for one question over the pool."""
    mine = [a.get(question.pk) for a in ctx.mentees.answers]
    theirs = [a.get(question.pk) for a in ctx.mentors.answers]
    answered = (
        np.array([v is not None for v in mine])[:, None]
        & np.array([v is not None for v in theirs])[None, :]
    )
    if question.is_choice:
        columns = {cid: k for k, cid in enumerate(question.labels)}
        a = _incidence([v if isinstance(v, frozenset) else frozenset() for v in mine], columns)
        b = _incidence([v if isinstance(v, frozenset) else frozenset() for v in theirs], columns)
        inter = a @ b.T
        size_a = a.sum(axis=1)[:, None]
        if question.rule == Rule.OFFERS_NEEDS:
            denominator = np.broadcast_to(size_a, inter.shape)
        else:
            denominator = size_a + b.sum(axis=1)[None, :] - inter
        same = np.divide(inter, denominator, out=np.zeros_like(inter), where=denominator > 0)
    else:
        x = np.array([v if isinstance(v, float) else np.nan for v in mine])
        y = np.array([v if isinstance(v, float) else np.nan for v in theirs])
        same = np.nan_to_num(1.0 - np.abs(x[:, None] - y[None, :]) / SCALE_SPAN)
    fit = 1.0 - same if question.rule == Rule.DIFFERENT else same
    return np.where(answered, fit, 0.0), answered


def _questions_matrix(ctx: _Context, shape: tuple[int, int]) -> Matrix:
    total = np.zeros(shape)
    count = np.zeros(shape)
    for question in ctx.questions:
        fit, answered = _question_matrix(question, ctx)
        total += fit
        count += answered
    return np.divide(total, count, out=np.zeros(shape), where=count > 0)


def _ranks_matrix(
    ranks: dict[tuple[int, int], int],
    rows: dict[int, int],
    columns: dict[int, int],
    shape: tuple[int, int],
    *,
    transpose: bool = False,
) -> Matrix:
    matrix = np.zeros(shape)
    for (chooser, chosen), rank in ranks.items():
        key = (chosen, chooser) if transpose else (chooser, chosen)
        if key[0] in rows and key[1] in columns:
            matrix[rows[key[0]], columns[key[1]]] = _rank_fit(rank)
    return matrix


def _seniority_matrix(ctx: _Context) -> Matrix:
    low = np.array([np.nan if s is None else s for s in ctx.mentees.seniority], dtype=float)
    high = np.array([np.nan if s is None else s for s in ctx.mentors.seniority], dtype=float)
    gap = high[None, :] - low[:, None]
    ideal = ctx.settings.ideal_seniority_gap
    fit = np.maximum(0.0, 1.0 - np.abs(gap - ideal) / SENIORITY_TOLERANCE)
    return np.nan_to_num(fit)


def _timezone_matrix(ctx: _Context) -> Matrix:
    mine = np.array(ctx.mentees.offsets, dtype=float)
    theirs = np.array(ctx.mentors.offsets, dtype=float)
    gap = np.mod(theirs[None, :] - mine[:, None], 24.0)
    distance = np.minimum(gap, 24.0 - gap)
    return 1.0 - np.minimum(distance, TIMEZONE_SPAN_HOURS) / TIMEZONE_SPAN_HOURS


def _codes(values: list[str]) -> np.ndarray:
    """Equal strings (ignoring case) get equal codes; empty strings get -1."""
    seen: dict[str, int] = {}
    return np.array(
        [seen.setdefault(v.casefold(), len(seen)) if v else -1 for v in values], dtype=np.int64
    )


def _forbidden_matrix(ctx: _Context, shape: tuple[int, int], pool: Pool) -> Matrix:
    mentees, mentors = ctx.mentees, ctx.mentors
    forbidden = (
        np.array([m.user_id for m in mentees.people])[:, None]
        == np.array([m.user_id for m in mentors.people])[None, :]
    )
    mentors_by_email: dict[str, list[int]] = {}
    for j, email in enumerate(mentors.emails):
        mentors_by_email.setdefault(email, []).append(j)
    mentees_by_email: dict[str, list[int]] = {}
    for i, email in enumerate(mentees.emails):
        mentees_by_email.setdefault(email, []).append(i)
    for i, manager in enumerate(mentees.managers):
        for j in mentors_by_email.get(manager, ()) if manager else ():
            forbidden[i, j] = True
    for j, manager in enumerate(mentors.managers):
        for i in mentees_by_email.get(manager, ()) if manager else ():
            forbidden[i, j] = True
    if ctx.settings.avoid_same_department:
        codes = _codes(mentees.departments + mentors.departments)
        mine, theirs = codes[: shape[0]], codes[shape[0] :]
        forbidden |= (mine[:, None] == theirs[None, :]) & (mine[:, None] >= 0)
    for mentee_pk, mentor_pk in ctx.forbids:
        if mentee_pk in pool.mentee_index and mentor_pk in pool.mentor_index:
            forbidden[pool.mentee_index[mentee_pk], pool.mentor_index[mentor_pk]] = True
    return forbidden


def _questions_of(program: Program) -> list[_Question]:
    questions = (
        Question.objects.filter(program=program, used_for_matching=True)
        .exclude(kind=Kind.TEXT)
        .prefetch_related("choices")
    )
    return [
        _Question(
            pk=q.pk,
            text=q.text,
            kind=q.kind,
            rule=q.matching_rule,
            labels={c.pk: c.label for c in q.choices.all()},
        )
        for q in questions
    ]


def _ranks(program: Program, role: str) -> dict[tuple[int, int], int]:
    rows = MatchingPreference.objects.filter(program=program, chooser__role=role).values_list(
        "chooser_id", "chosen_id", "rank"
    )
    return {(chooser, chosen): rank for chooser, chosen, rank in rows}


# --- The result -------------------------------------------------------------------------------


@dataclass
class Scored:
    """The pool's score matrix (mentees x mentors; -inf = forbidden) and its explanations."""

    pool: Pool
    scores: np.ndarray
    max_score: float
    weights: dict[str, int] = field(default_factory=dict)
    context: _Context | None = field(default=None, repr=False)

    def _ctx(self) -> _Context:
        if self.context is None:
            raise ValueError("This score matrix was not built by score_pool.")
        return self.context

    def forbidden_reason(self, i: int, j: int) -> str | None:
        """Why mentee ``i`` may never be matched with mentor ``j``, or None."""
        reason = self._forbidden(i, j)
        return reason[0] if reason else None

    def _forbidden(self, i: int, j: int) -> tuple[str, str] | None:
        """(reason in the third person, reason for the mentee) or None."""
        ctx = self._ctx()
        mentees, mentors = ctx.mentees, ctx.mentors
        mentee, mentor = mentees.names[i], mentors.names[j]
        if mentees.people[i].user_id == mentors.people[j].user_id:
            return "the same person", "this is you"
        if mentees.managers[i] and mentees.managers[i] == mentors.emails[j]:
            return f"{mentor} is {mentee}'s manager", "this mentor is your manager"
        if mentors.managers[j] and mentors.managers[j] == mentees.emails[i]:
            return f"{mentee} is {mentor}'s manager", "you are this mentor's manager"
        if ctx.settings.avoid_same_department:
            mine, theirs = mentees.departments[i], mentors.departments[j]
            if mine and mine.casefold() == theirs.casefold():
                return f"same department ({mine})", f"you work in the same department ({mine})"
        if (mentees.people[i].pk, mentors.people[j].pk) in ctx.forbids:
            return "excluded by a program admin", "excluded by a program admin"
        return None

    def explain(self, i: int, j: int) -> list[dict[str, Any]]:
        """Each criterion's points for mentee ``i`` and mentor ``j``, in plain words."""
        forbidden = self._forbidden(i, j)
        if forbidden:
            return [
                {
                    "criterion": "forbidden",
                    "label": LABELS["forbidden"],
                    "points": 0.0,
                    "max_points": 0,
                    "text": forbidden[0],
                    "you_text": forbidden[1],
                }
            ]
        ctx = self._ctx()
        items = []
        for criterion in CRITERIA:
            weight = self.weights.get(criterion, 0)
            if weight <= 0:
                continue
            words = _WORDS[criterion](ctx, i, j)
            items.append(
                {
                    "criterion": criterion,
                    "label": LABELS[criterion],
                    "points": round(weight * words.fit, 2),
                    "max_points": weight,
                    "text": words.text,
                    "you_text": words.you_text,
                }
            )
        return items

    def fit_pct(self, i: int, j: int) -> int:
        """The pair's score as a percentage of the best possible; 0 if forbidden."""
        score = float(self.scores[i, j])
        if not np.isfinite(score) or self.max_score <= 0:
            return 0
        return round(100 * score / self.max_score)


def score_pool(
    program: Program,
    pool: Pool,
    *,
    settings: MatchingSettings | None = None,
    constraints: bool = True,
) -> Scored:
    """Score every (mentee, mentor) pair of ``pool`` with the program's weights and hard rules."""
    settings = settings or MatchingSettings.for_program(program)
    weights = {k: int(v) for k, v in settings.weights().items() if v > 0}
    questions = _questions_of(program) if "questions" in weights else []
    by_pk = {q.pk: q for q in questions}
    topic_names = {t.pk: t.name for m in (*pool.mentees, *pool.mentors) for t in m.topics.all()}
    ctx = _Context(
        settings=settings,
        weights=weights,
        questions=questions,
        topic_names=topic_names,
        mentee_ranks=_ranks(program, Role.MENTEE) if "mentee_preference" in weights else {},
        mentor_ranks=_ranks(program, Role.MENTOR) if "mentor_preference" in weights else {},
        forbids=set(
            MatchConstraint.objects.filter(
                program=program, kind=MatchConstraint.Kind.FORBID
            ).values_list("mentee_id", "mentor_id")
        )
        if constraints
        else set(),
        mentees=_Side.read(pool.mentees, by_pk, program.start_date),
        mentors=_Side.read(pool.mentors, by_pk, program.start_date),
    )
    shape = (len(pool.mentees), len(pool.mentors))
    scores = np.zeros(shape)
    if "topics" in weights:
        scores += weights["topics"] * _topics_matrix(ctx)
    if "questions" in weights:
        scores += weights["questions"] * _questions_matrix(ctx, shape)
    if "mentee_preference" in weights:
        scores += weights["mentee_preference"] * _ranks_matrix(
            ctx.mentee_ranks, pool.mentee_index, pool.mentor_index, shape
        )
    if "mentor_preference" in weights:
        scores += weights["mentor_preference"] * _ranks_matrix(
            ctx.mentor_ranks, pool.mentee_index, pool.mentor_index, shape, transpose=True
        )
    if "seniority" in weights:
        scores += weights["seniority"] * _seniority_matrix(ctx)
    if "timezone" in weights:
        scores += weights["timezone"] * _timezone_matrix(ctx)
    scores[_forbidden_matrix(ctx, shape, pool)] = -np.inf
    return Scored(
        pool=pool,
        scores=scores,
        max_score=float(sum(weights.values())),
        weights=weights,
        context=ctx,
    )
