"""Reads for the matching pages, always given who is looking."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypedDict

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import formats

from matching.access import visible_pairings
from matching.models import MatchConstraint, MatchRun, MatchSuggestion, Pairing
from matching.services._common import mentor_loads
from programs.access import ProgramAccess
from programs.models import Membership

SUGGESTION_SORTS: dict[str, tuple[Any, ...]] = {
    "score": (F("score").asc(nulls_first=True), "id"),
    "-score": (F("score").desc(nulls_last=True), "id"),
    "mentee": ("mentee__user__name", "id"),
    "-mentee": ("-mentee__user__name", "-id"),
    "mentor": (F("mentor__user__name").asc(nulls_last=True), "id"),
    "-mentor": (F("mentor__user__name").desc(nulls_last=True), "-id"),
}
SUGGESTION_FILTERS = {
    "all": Q(),
    "matched": Q(mentor__isnull=False),
    "unmatched": Q(mentor__isnull=True),
    "locked": Q(locked=True),
    "by_hand": Q(picked_by_hand=True),
}


def current_run(access: ProgramAccess) -> MatchRun | None:
    """The draft if there is one, else the latest run."""
    draft_first = Case(When(status=MatchRun.Status.DRAFT, then=Value(0)), default=Value(1))
    return (
        MatchRun.objects.filter(program=access.program)
        .order_by(draft_first, "-created_at", "-id")
        .first()
    )


BOARD_FIELDS = (
    "id",
    "mentee_id",
    "mentor_id",
    "score",
    "explanation",
    "locked",
    "picked_by_hand",
    "unmatched_reason",
    "mentee__user__name",
    "mentee__user__email",
    "mentor__user__name",
    "mentor__user__email",
)


def suggestions(
    run: MatchRun, *, sort: str, show: str
) -> QuerySet[MatchSuggestion, dict[str, Any]]:
    """The run's suggestions as the board lists them: only the columns it prints, as dicts."""
    return (
        run.suggestions.filter(SUGGESTION_FILTERS.get(show, Q()))
        .order_by(*SUGGESTION_SORTS.get(sort, SUGGESTION_SORTS["-score"]))
        .values(*BOARD_FIELDS)
    )


def forbidden_pairs(run: MatchRun) -> set[tuple[int, int]]:
    """The run's suggested pairs an admin has forbidden since, on any page (one query)."""
    forbids = MatchConstraint.objects.filter(
        program_id=run.program_id,
        kind=MatchConstraint.Kind.FORBID,
        mentee_id=OuterRef("mentee_id"),
        mentor_id=OuterRef("mentor_id"),
    )
    return set(
        run.suggestions.filter(mentor__isnull=False)
        .filter(Exists(forbids))
        .values_list("mentee_id", "mentor_id")
    )


class ExplanationLine(TypedDict):
    label: str
    text: str
    forbidden: bool
    points: str
    max_points: str


class BoardRow(TypedDict):
    """One suggestion as the board shows it: every value ready to print."""

    pk: int
    mentee_id: int
    mentor_id: int | None
    mentee: str
    mentor: str
    locked: bool
    picked_by_hand: bool
    forbidden: bool
    score: str | None
    fit: int | None
    unmatched_reason: str
    explanation: list[ExplanationLine]


_HUNDREDTH = Decimal("0.01")


def _two_places(value: Any, *, drop_zeros: bool, sep: str) -> str:
    """``value`` as ``floatformat:2`` (or ``"-2"`` with ``drop_zeros``) prints it, cheaply."""
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value))
        rounded = number.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if drop_zeros and number == number.to_integral_value():  # as floatformat: the input's
        text = str(int(number))
    else:
        text = str(rounded)
    if text in ("-0", "-0.00"):
        text = text[1:]
    return text.replace(".", sep) if sep != "." else text


def _explanation_lines(items: Any, sep: str) -> list[ExplanationLine]:
    """A stored explanation in the admin's words, as ``_explanation.html`` prints it."""
    lines: list[ExplanationLine] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        forbidden = item.get("criterion") == "forbidden"
        lines.append(
            {
                "label": str(item.get("label") or ("Not allowed" if forbidden else "")),
                "text": str(item.get("text") or ""),
                "forbidden": forbidden,
                "points": _two_places(item.get("points", 0), drop_zeros=True, sep=sep),
                "max_points": _two_places(item.get("max_points", 0), drop_zeros=True, sep=sep),
            }
        )
    return lines


def board_rows(
    run: MatchRun, suggestions: list[dict[str, Any]], forbidden: set[tuple[int, int]]
) -> list[BoardRow]:
    """The board's rows, rounded and worded here once instead of filter by filter in the page."""
    sep = str(formats.get_format("DECIMAL_SEPARATOR"))
    rows: list[BoardRow] = []
    for s in suggestions:
        score = s["score"]
        rows.append(
            {
                "pk": s["id"],
                "mentee_id": s["mentee_id"],
                "mentor_id": s["mentor_id"],
                "mentee": s["mentee__user__name"] or s["mentee__user__email"],
                "mentor": s["mentor__user__name"] or s["mentor__user__email"] or "",
                "locked": s["locked"],
                "picked_by_hand": s["picked_by_hand"],
                "forbidden": (s["mentee_id"], s["mentor_id"]) in forbidden,
                "score": None if score is None else _two_places(score, drop_zeros=False, sep=sep),
                "fit": run.fit_pct(score),
                "unmatched_reason": s["unmatched_reason"],
                "explanation": _explanation_lines(s["explanation"], sep),
            }
        )
    return rows


def pairing_counts(access: ProgramAccess) -> dict[str, int]:
    rows = (
        Pairing.objects.filter(program=access.program, kind=Pairing.Kind.ONE_TO_ONE)
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(Pairing.Status.values, 0)
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def constraints(access: ProgramAccess) -> QuerySet[MatchConstraint]:
    return MatchConstraint.objects.filter(program=access.program).select_related(
        "mentee__user", "mentor__user", "created_by"
    )


def draft_room(access: ProgramAccess, run: MatchRun | None) -> dict[int, int]:
    """Places left per mentor once the open pairings and the draft's suggestions are counted."""
    loads = mentor_loads(access.program)
    in_draft: dict[int, int] = {}
    if run is not None and run.is_draft:
        for row in run.suggestions.exclude(mentor=None).values("mentor_id").annotate(n=Count("id")):
            in_draft[row["mentor_id"]] = row["n"]
    room = {}
    # Deleted accounts (inactive) keep their membership for the figures, not for matching.
    mentors = Membership.objects.filter(
        program=access.program,
        role=Membership.Role.MENTOR,
        enrolled_at__isnull=False,
        user__is_active=True,
    ).select_related("program")
    for m in mentors:
        left = m.effective_capacity - loads.get(m.pk, 0) - in_draft.get(m.pk, 0)
        room[m.pk] = max(0, left) if m.accepting_mentees else 0
    return room


def pairings(access: ProgramAccess, *, status: str = "") -> QuerySet[Pairing]:
    qs = Pairing.objects.filter(visible_pairings(access)).select_related(
        "program", "mentor__user", "mentee__user", "topic"
    )
    if status in Pairing.Status.values:
        qs = qs.filter(status=status)
    return qs


def my_pairings(access: ProgramAccess) -> dict[str, list[Pairing]]:
    """The viewer's own pairings in the program, grouped for their mentoring page."""
    mine = [m.pk for m in access.participant_memberships]
    rows = list(
        Pairing.objects.filter(visible_pairings(access))
        .filter(Q(mentor_id__in=mine) | Q(mentee_id__in=mine))
        .select_related("program", "mentor__user", "mentee__user", "topic")
    )
    return {
        "proposals": [p for p in rows if p.status == Pairing.Status.PROPOSED],
        "active": [p for p in rows if p.status == Pairing.Status.ACTIVE],
        "past": [p for p in rows if p.status in Pairing.ENDED_STATUSES],
    }
