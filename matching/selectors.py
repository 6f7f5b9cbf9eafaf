"""Reads for the matching pages, always given who is looking."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, QuerySet

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
    runs = MatchRun.objects.filter(program=access.program)
    return runs.filter(status=MatchRun.Status.DRAFT).first() or runs.first()


def suggestions(run: MatchRun, *, sort: str, show: str) -> QuerySet[MatchSuggestion]:
    return (
        run.suggestions.filter(SUGGESTION_FILTERS.get(show, Q()))
        .select_related("mentee__user", "mentor__user")
        .order_by(*SUGGESTION_SORTS.get(sort, SUGGESTION_SORTS["-score"]))
    )


def forbidden_pairs(access: ProgramAccess, rows: list[MatchSuggestion]) -> set[tuple[int, int]]:
    """Which of these suggested pairs an admin has forbidden since the run (one query)."""
    mentee_ids = [s.mentee_id for s in rows if s.mentor_id]
    if not mentee_ids:
        return set()
    found = MatchConstraint.objects.filter(
        program=access.program, kind=MatchConstraint.Kind.FORBID, mentee_id__in=mentee_ids
    ).values_list("mentee_id", "mentor_id")
    return set(found) & {(s.mentee_id, s.mentor_id) for s in rows}


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
    mentors = Membership.objects.filter(
        program=access.program, role=Membership.Role.MENTOR, enrolled_at__isnull=False
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
