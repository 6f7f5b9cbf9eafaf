"""Closing a relationship: completing it, ending it early, or extending it.

Completing and ending early go through matching's services (the pairing or
circle owns its status); an extension moves only this relationship's own dates
(the workspace's, and a pairing's planned end), never the program's.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from matching import services as matching
from matching.models import Pairing
from matching.services._common import program_admins
from mentoring.models import User
from sessions.access import WorkspaceAccess
from sessions.models import DateChange, Review, Workspace
from sessions.services._common import NOT_IN_IT, TransitionError, notify_later
from sessions.services.reviews import program_today

__all__ = [
    "REASON_MAX",
    "check_may_close",
    "final_reviews_missing",
    "may_close",
    "workspace_complete",
    "workspace_end_early",
    "workspace_extend",
]

REASON_MAX = 1000
# How close to its end date a relationship may be completed (and is prompted to close).
CLOSURE_WINDOW_DAYS = 21
ENDED = "This relationship has already ended."
CIRCLE_MENTOR_ONLY = "Only the circle's mentor or the program's admins can {action} the circle."


def check_may_close(wa: WorkspaceAccess, action: str) -> None:
    """Refuse anyone who may not complete or end this relationship (a circle: its mentor)."""
    if not (wa.is_participant or wa.is_program_admin):
        raise PermissionDenied(NOT_IN_IT)
    if wa.workspace.is_circle and not (wa.is_mentor or wa.is_program_admin):
        raise PermissionDenied(CIRCLE_MENTOR_ONLY.format(action=action))


def may_close(wa: WorkspaceAccess) -> bool:
    """Whether this user may complete or end the relationship (ignoring whether it runs)."""
    try:
        check_may_close(wa, "end")
    except PermissionDenied:
        return False
    return True


def _check_may_close(wa: WorkspaceAccess, action: str) -> None:
    check_may_close(wa, action)
    if not wa.workspace.is_open:
        raise TransitionError(ENDED)


def _clean_reason(reason: str, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": missing})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": f"Keep the reason under {REASON_MAX:,} characters (it has {len(reason):,})."}
        )
    return reason


def completion_opens(wa: WorkspaceAccess) -> dt.date | None:
    """The first day participants may complete the relationship, or None if they may now.

    Completing means it ran its course: the closing window opens as the end date nears
    (a flash session may close once held). Stopping sooner is ending early.
    """
    workspace = wa.workspace
    if wa.is_program_admin or workspace.is_flash:
        return None
    opens = workspace.end_date - dt.timedelta(days=CLOSURE_WINDOW_DAYS)
    return opens if program_today(wa.program) < opens else None


def final_reviews_missing(wa: WorkspaceAccess) -> list[User]:
    """The participants whose final review is not in (never submitted, or reopened)."""
    done = set(
        Review.objects.filter(
            workspace=wa.workspace,
            kind=Review.Kind.FINAL,
            author_id__in=wa.participant_ids,
            reopened_at__isnull=True,
        ).values_list("author_id", flat=True)
    )
    return [u for u in wa.participants if u.pk not in done]


@transaction.atomic
def workspace_complete(*, wa: WorkspaceAccess) -> Workspace:
    """Complete the relationship once every participant's final review is in.

    Program admins may complete it regardless, and a flash pairing needs no final review.
    """
    _check_may_close(wa, "complete")
    opens = completion_opens(wa)
    if opens is not None:
        raise TransitionError(
            f"This relationship runs until {wa.workspace.end_date:%-d %B %Y}; it can be "
            f"completed from {opens:%-d %B %Y}. To stop sooner, end it early; to keep "
            "going, extend it."
        )
    if not wa.is_program_admin and not wa.workspace.is_flash:
        missing = final_reviews_missing(wa)
        if missing:
            names = ", ".join(u.display_name for u in missing)
            raise TransitionError(
                f"Every participant submits a final review before the relationship is "
                f"completed; still waiting for: {names}."
            )
    workspace = wa.workspace
    if workspace.pairing is not None:
        workspace.pairing = matching.pairing_complete(pairing=workspace.pairing, actor=wa.user)
    elif workspace.circle is not None:
        workspace.circle = matching.circle_end(
            circle=workspace.circle, actor=wa.user, completed=True, reason=""
        )
    return workspace


@transaction.atomic
def workspace_end_early(*, wa: WorkspaceAccess, reason: str) -> Workspace:
    """End the relationship before its time, recording who, when and why."""
    _check_may_close(wa, "end")
    reason = _clean_reason(reason, "Say why the relationship ends early.")
    workspace = wa.workspace
    if workspace.pairing is not None:
        workspace.pairing = matching.pairing_end_early(
            pairing=workspace.pairing, actor=wa.user, reason=reason
        )
    elif workspace.circle is not None:
        workspace.circle = matching.circle_end(
            circle=workspace.circle, actor=wa.user, completed=False, reason=reason
        )
    return workspace


@transaction.atomic
def workspace_extend(
    *, wa: WorkspaceAccess, new_end_date: dt.date | None, reason: str
) -> DateChange:
    """Move this relationship's end date (and its mid-point, if not yet reached) later."""
    if not (wa.is_participant or wa.is_program_admin):
        raise PermissionDenied(NOT_IN_IT)
    workspace = Workspace.objects.select_for_update().get(pk=wa.workspace.pk)
    if not wa.workspace.is_open:
        raise TransitionError(ENDED)
    today = program_today(wa.program)
    errors: dict[str, str] = {}
    if new_end_date is None:
        errors["new_end_date"] = "Choose the new end date."
    elif new_end_date <= workspace.end_date:
        errors["new_end_date"] = (
            f"Choose a date after the current end date ({workspace.end_date.day} "
            f"{workspace.end_date:%B %Y})."
        )
    elif new_end_date <= today:
        errors["new_end_date"] = "Choose a date after today."
    elif new_end_date > workspace.latest_end_date:
        errors["new_end_date"] = (
            "A relationship can run for three years at most: choose a date by "
            f"{workspace.latest_end_date:%-d %B %Y}."
        )
    try:
        reason = _clean_reason(reason, "Say why the relationship is extended.")
    except ValidationError as exc:
        errors["reason"] = exc.message_dict["reason"][0]
    if errors or new_end_date is None:
        raise ValidationError(errors)
    old_end, old_mid = workspace.end_date, workspace.midpoint_date
    # Once the mid-point has been reached its review is open: it stays where it is.
    new_mid = (
        old_mid
        if old_mid <= today
        else Workspace.midpoint_between(workspace.start_date, new_end_date)
    )
    Workspace.objects.filter(pk=workspace.pk).update(end_date=new_end_date, midpoint_date=new_mid)
    if workspace.pairing_id is not None:
        Pairing.objects.filter(pk=workspace.pairing_id).update(planned_end_date=new_end_date)
        if wa.workspace.pairing is not None:
            wa.workspace.pairing.planned_end_date = new_end_date
    change = DateChange.objects.create(
        workspace=workspace,
        old_end_date=old_end,
        new_end_date=new_end_date,
        old_midpoint_date=old_mid,
        new_midpoint_date=new_mid,
        reason=reason,
        changed_by=wa.user,
        changed_at=timezone.now(),
    )
    wa.workspace.end_date, wa.workspace.midpoint_date = new_end_date, new_mid
    others = [u for u in wa.participants if u.pk != wa.user.pk] + [
        a
        for a in program_admins(wa.program)
        if a.pk != wa.user.pk and a.pk not in wa.participant_ids
    ]
    _tell_about_extension(wa, change, others)
    return change


def _tell_about_extension(wa: WorkspaceAccess, change: DateChange, users: list[User]) -> None:
    end = change.new_end_date
    notify_later(
        users=users,
        kind="workspace_extended",
        key=f"workspace_extended:{change.pk}",
        title=(f"{wa.user.display_name} extended the relationship to {end.day} {end:%B %Y}"),
        url=reverse("workspace:closure", kwargs={"slug": wa.program.slug, "pk": wa.workspace.pk}),
    )
