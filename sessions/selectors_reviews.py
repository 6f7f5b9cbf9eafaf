"""Reads for reviews, notes and closure: cheap figures for the overview, and the pages' data.

Every function takes the acting user's ``WorkspaceAccess`` and runs a fixed number of
queries, however many reviews, goals or notes there are. Words (what people wrote)
are only fetched where ``wa.can_read_content``; review values are engagement figures
that program admins always see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q

from sessions.access import WorkspaceAccess, visible_notes
from sessions.models import ActionItem, DateChange, Goal, GoalUpdate, Review
from sessions.selectors import REVIEW_FIELDS
from sessions.services.closure import CLOSURE_WINDOW_DAYS
from sessions.services.reviews import midpoint_is_open, program_today

__all__ = [
    "CLOSURE_PROMPT_DAYS",
    "closure_checklist",
    "date_changes",
    "notes_count",
    "review_state",
    "reviews_shown",
    "shared_notes_count",
    "today",
]

# How close to its end date a relationship is prompted to close deliberately.
CLOSURE_PROMPT_DAYS = CLOSURE_WINDOW_DAYS
WORDS = ("working", "change", "remains", "differently", "previous")


def review_state(
    wa: WorkspaceAccess, reviews: Iterable[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Who has submitted which review, with their values (never their words). One query,
    none where the workspace's ``reviews`` are given (``REVIEW_FIELDS`` of each).

    Returns ``has_midpoint`` (False for flash), ``midpoint_date``, ``midpoint_open``,
    and for each kind (``"midpoint"``, ``"final"``) a dict with ``submitted`` (user ids),
    ``waiting`` (participants not yet in), ``all_in``, ``reopened`` (user ids), and
    ``rows`` (one per participant: user, submitted, values, decision, submitted_at,
    reopened). Also ``closure_due`` and ``days_left`` (until the end date).
    """
    workspace = wa.workspace
    participant_ids = wa.participant_ids
    if reviews is None:
        reviews = Review.objects.filter(workspace=workspace, author_id__in=participant_ids).values(
            *REVIEW_FIELDS
        )
    found: dict[tuple[str, int], Any] = {
        (row["kind"], row["author_id"]): row
        for row in reviews
        if row["author_id"] in participant_ids
    }
    today = program_today(wa.program)
    days_left = (workspace.end_date - today).days
    state: dict[str, Any] = {
        "has_midpoint": not workspace.is_flash,
        "midpoint_date": workspace.midpoint_date,
        "midpoint_open": midpoint_is_open(wa),
        "days_left": days_left,
        "closure_due": workspace.is_open and days_left <= CLOSURE_PROMPT_DAYS,
    }
    for kind in Review.Kind.values:
        rows: list[dict[str, Any]] = []
        for user in wa.participants:
            row = found.get((kind, user.pk))
            rows.append(
                {
                    "user": user,
                    "is_me": user.pk == wa.user.pk,
                    "submitted": row is not None,
                    "review_id": row["pk"] if row else None,
                    "value_received": row["value_received"] if row else None,
                    "value_given": row["value_given"] if row else None,
                    "decision": Review.Decision(row["decision"]).label
                    if row and row["decision"]
                    else "",
                    "submitted_at": row["submitted_at"] if row else None,
                    "reopened": bool(row and row["reopened_at"]),
                    "submissions": row["submissions"] if row else 0,
                }
            )
        state[kind] = {
            "rows": rows,
            "submitted": {r["user"].pk for r in rows if r["submitted"]},
            "reopened": {r["user"].pk for r in rows if r["reopened"]},
            "waiting": [r["user"] for r in rows if not r["submitted"]],
            "all_in": all(r["submitted"] for r in rows),
        }
    return state


def reviews_shown(wa: WorkspaceAccess, kind: str, all_in: bool) -> dict[str, Any]:
    """The reviews of ``kind`` this user may read, with words only where allowed. One query.

    A participant reads their own review, and the others' once everyone has submitted
    (nobody anchors on the other's answers). An admin reads every review's values, and
    the words only where the privacy policy allows.
    """
    reviews = Review.objects.filter(
        workspace=wa.workspace, kind=kind, author_id__in=wa.participant_ids
    ).select_related("author", "reopened_by")
    if wa.is_participant:
        if not all_in:
            reviews = reviews.filter(author=wa.user)
    elif not wa.can_read_content:
        reviews = reviews.defer(*WORDS)
    found = list(reviews)
    return {
        "mine": next((r for r in found if r.author_id == wa.user.pk), None),
        "others": [r for r in found if r.author_id != wa.user.pk],
    }


def notes_count(wa: WorkspaceAccess) -> int:
    """How many notes this user may read (their own, and shared ones where allowed)."""
    return visible_notes(wa).count()


def shared_notes_count(wa: WorkspaceAccess) -> int:
    """How many notes are shared with the relationship (a figure admins may always see)."""
    return wa.workspace.notes.filter(visibility="shared").count()


def closure_checklist(wa: WorkspaceAccess) -> dict[str, Any]:
    """What the closing checklist shows: wins, what remains, or only counts.

    Always the counts (two queries); where the user may read content, also the achieved
    goals with their history, the open goals and the open action items (four more).
    """
    workspace = wa.workspace
    counts = workspace.goals.aggregate(
        achieved=Count("pk", filter=Q(status=Goal.Status.ACHIEVED)),
        open=Count("pk", filter=Q(status=Goal.Status.OPEN)),
    )
    counts["actions_open"] = workspace.actions.filter(status=ActionItem.Status.OPEN).count()
    if not wa.can_read_content:
        return {"counts": counts, "wins": None, "open_goals": None, "open_actions": None}
    history = Prefetch("updates", queryset=GoalUpdate.objects.select_related("author"))
    return {
        "counts": counts,
        "wins": list(workspace.goals.filter(status=Goal.Status.ACHIEVED).prefetch_related(history)),
        "open_goals": list(workspace.goals.filter(status=Goal.Status.OPEN)),
        "open_actions": list(
            workspace.actions.filter(status=ActionItem.Status.OPEN).select_related("owner")
        ),
    }


def date_changes(wa: WorkspaceAccess) -> list[DateChange]:
    """The relationship's extensions, newest first."""
    return list(wa.workspace.date_changes.select_related("changed_by"))


def today(wa: WorkspaceAccess) -> dt.date:
    """Today's date in the program's time zone."""
    return program_today(wa.program)
