"""SMART goals: created and edited by either side, with progress updates and a history.

Each part of SMART is checked on its own (``smart_errors``) so the form can say
what is missing next to that part. Every change adds a ``GoalUpdate``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sessions.access import WorkspaceAccess
from sessions.models import Goal, GoalUpdate, Workspace
from sessions.selectors import today_in
from sessions.selectors_plan import goal_summary  # re-exported: the reads live there
from sessions.services._common import TransitionError, check_can_write

__all__ = [
    "MEASURABLE_HELP",
    "SPECIFIC_MIN_WORDS",
    "goal_create",
    "goal_progress",
    "goal_set_status",
    "goal_summary",
    "goal_update",
    "smart_errors",
]

Status = Goal.Status
Kind = GoalUpdate.Kind

FIELDS = ("title", "specific", "measurable", "achievable", "relevant", "target_date")
SPECIFIC_MIN_WORDS = 4
# A measure is a number ("3 talks", "80%") or words that name a finish line or a rate.
MEASURE_WORDS = re.compile(
    r"\d|%|\b(?:at least|at most|no more than|no fewer than|per|every|each|daily|weekly"
    r"|monthly|once|twice|times|percent|complete[ds]?|completing|completion"
    r"|finish(?:es|ed|ing)?|publish(?:es|ed|ing)?|deliver(?:s|ed|ing)?|launch(?:es|ed|ing)?"
    r"|submit(?:s|ted|ting)?|ship(?:s|ped|ping)?|pass(?:es|ed|ing)?|score[sd]?|certified"
    r"|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen)\b",
    re.IGNORECASE,
)
MEASURABLE_HELP = (
    "How you will both know it is done: a number (“3 talks”, “80% of the course”), a rate "
    "(“every week”, “at least twice a month”), or a finish line (“complete”, “publish”, "
    "“finish”)."
)
ACTIONS = {
    "achieved": Status.ACHIEVED,
    "dropped": Status.DROPPED,
    "reopen": Status.OPEN,
}


def _blank(value: Any) -> bool:
    return not str(value or "").strip()


def smart_errors(
    workspace: Workspace,
    data: dict[str, Any],
    *,
    today: dt.date,
    new_target: bool = True,
) -> dict[str, str]:
    """What each SMART part is missing, by field; empty when the goal is SMART.

    ``new_target`` says whether the target date is being set now (a new goal, or a
    changed date): only then must it not be in the past.
    """
    errors: dict[str, str] = {}
    if "title" in data and _blank(data["title"]):
        errors["title"] = "Give the goal a short title."
    if "specific" in data and len(str(data["specific"] or "").split()) < SPECIFIC_MIN_WORDS:
        errors["specific"] = (
            "Specific: say what exactly you will do, in a few words "
            f"(at least {SPECIFIC_MIN_WORDS})."
        )
    if "measurable" in data:
        measure = str(data["measurable"] or "")
        if _blank(measure):
            errors["measurable"] = "Measurable: say how you will know it is done."
        elif not MEASURE_WORDS.search(measure):
            errors["measurable"] = (
                "Measurable: add a number, a rate or a finish line, e.g. “3 talks”, "
                "“every week”, “at least twice”, “complete the course”."
            )
    if "achievable" in data and _blank(data["achievable"]):
        errors["achievable"] = "Achievable: say why it is within reach."
    if "relevant" in data and _blank(data["relevant"]):
        errors["relevant"] = "Relevant: say why it matters to you."
    if "target_date" in data:
        target = data["target_date"]
        if target is None:
            errors["target_date"] = "Time-bound: choose a target date."
        elif not workspace.start_date < target <= workspace.end_date:
            errors["target_date"] = (
                "Time-bound: choose a date inside the relationship, after "
                f"{workspace.start_date:%-d %B %Y} and by {workspace.end_date:%-d %B %Y}."
            )
        elif new_target and target < today:
            errors["target_date"] = "Time-bound: the target date is in the past."
    return errors


def _check_smart(workspace: Workspace, data: dict[str, Any], *, new_target: bool) -> None:
    errors = smart_errors(workspace, data, today=today_in(workspace), new_target=new_target)
    if errors:
        raise ValidationError(errors)


def _locked(goal: Goal) -> Goal:
    locked = Goal.objects.select_for_update().get(pk=goal.pk)
    locked.workspace = goal.workspace
    return locked


def goal_create(
    *,
    wa: WorkspaceAccess,
    title: str,
    specific: str,
    measurable: str,
    achievable: str,
    relevant: str,
    target_date: dt.date,
) -> Goal:
    """Set a new SMART goal for the relationship."""
    check_can_write(wa)
    data = {
        "title": title.strip(),
        "specific": specific.strip(),
        "measurable": measurable.strip(),
        "achievable": achievable.strip(),
        "relevant": relevant.strip(),
        "target_date": target_date,
    }
    _check_smart(wa.workspace, data, new_target=True)
    now = timezone.now()
    goal = Goal(workspace=wa.workspace, created_by=wa.user, created_at=now, updated_at=now, **data)
    goal.full_clean(exclude=["workspace", "created_by"])
    with transaction.atomic():
        goal.save()
        GoalUpdate.objects.create(
            goal=goal,
            kind=Kind.CREATED,
            author=wa.user,
            progress=0,
            status=Status.OPEN,
            created_at=now,
        )
    return goal


def _label(name: str) -> str:
    return name.replace("_", " ")


def goal_update(*, wa: WorkspaceAccess, goal: Goal, **changes: Any) -> Goal:
    """Edit a goal's SMART parts; the history records which parts changed."""
    check_can_write(wa)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(f"Not editable parts of a goal: {sorted(unknown)}")
    data = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    with transaction.atomic():
        goal = _locked(goal)
        changed = [name for name, value in data.items() if getattr(goal, name) != value]
        if not changed:
            return goal
        new_target = "target_date" in changed
        _check_smart(wa.workspace, {k: data[k] for k in changed}, new_target=new_target)
        parts = [_label(n) for n in changed]
        if new_target:
            parts[changed.index("target_date")] = (
                f"target date ({goal.target_date:%-d %b %Y} → {data['target_date']:%-d %b %Y})"
            )
        note = "Changed " + ", ".join(parts) + "."
        for name in changed:
            setattr(goal, name, data[name])
        goal.updated_at = timezone.now()
        goal.full_clean(exclude=["workspace", "created_by"])
        goal.save()
        GoalUpdate.objects.create(
            goal=goal, kind=Kind.EDITED, author=wa.user, note=note, created_at=goal.updated_at
        )
    return goal


def goal_progress(*, wa: WorkspaceAccess, goal: Goal, progress: int, note: str = "") -> GoalUpdate:
    """Record progress on an open goal: a percentage and a note (either side)."""
    check_can_write(wa)
    note = note.strip()
    if progress is None or not 0 <= progress <= 100:
        raise ValidationError({"progress": "Give the progress as a percentage from 0 to 100."})
    with transaction.atomic():
        goal = _locked(goal)
        if goal.status != Status.OPEN:
            raise TransitionError(
                f"This goal is {goal.get_status_display().lower()}; reopen it to record progress."
            )
        if progress == goal.progress and not note:
            raise ValidationError(
                {"note": "Say what moved, or change the percentage, to record progress."}
            )
        now = timezone.now()
        update = GoalUpdate(
            goal=goal,
            kind=Kind.PROGRESS,
            author=wa.user,
            progress=progress,
            note=note,
            created_at=now,
        )
        update.full_clean(exclude=["goal", "author"])
        update.save()
        goal.progress = progress
        goal.updated_at = now
        goal.save(update_fields=["progress", "updated_at"])
    return update


def goal_set_status(*, wa: WorkspaceAccess, goal: Goal, action: str, note: str = "") -> Goal:
    """Mark a goal achieved, drop it (with a note saying why), or reopen it."""
    check_can_write(wa)
    if action not in ACTIONS:
        raise ValidationError({"action": "Choose achieved, dropped or reopen."})
    status = ACTIONS[action]
    note = note.strip()
    if status == Status.DROPPED and not note:
        raise ValidationError({"note": "Say why the goal is dropped."})
    with transaction.atomic():
        goal = _locked(goal)
        if status == Status.OPEN and goal.status == Status.OPEN:
            raise TransitionError("This goal is open already.")
        if status != Status.OPEN and goal.status != Status.OPEN:
            raise TransitionError(
                f"This goal is {goal.get_status_display().lower()} already; reopen it first."
            )
        now = timezone.now()
        goal.status = status
        goal.updated_at = now
        if status == Status.ACHIEVED:
            goal.progress = 100
        goal.closed_at = None if status == Status.OPEN else now
        update = GoalUpdate(
            goal=goal,
            kind=Kind.STATUS,
            author=wa.user,
            status=status,
            progress=goal.progress,
            note=note,
            created_at=now,
        )
        update.full_clean(exclude=["goal", "author"])
        goal.save(update_fields=["status", "progress", "closed_at", "updated_at"])
        update.save()
    return goal
