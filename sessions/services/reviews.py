"""Reviews: the mid-point review and the final review, one of each per participant.

A review is submitted once and then locked. A program admin may reopen one
participant's review for one more submission; the earlier answers are kept in
``Review.previous``. A mid-point review that says "end" starts the early-closure
flow: the partner(s) and the program's admins are told in-app.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from matching.services._common import program_admins
from mentoring.models import User
from programs.audit import services as audit
from programs.models import Program
from sessions import rhythm
from sessions.access import WorkspaceAccess
from sessions.models import TEXT, Review
from sessions.services._common import TransitionError, check_can_write, notify_later

__all__ = [
    "midpoint_is_open",
    "program_today",
    "review_reopen",
    "review_submit",
]

Kind = Review.Kind
Decision = Review.Decision

# The answers a review keeps; a resubmission stores the earlier ones in ``previous``.
ANSWERS = (
    "value_received",
    "value_given",
    "working",
    "change",
    "decision",
    "remains",
    "differently",
)
LOCKED = {
    Kind.MIDPOINT: (
        "You have already submitted your mid-point review; it is locked and nothing was "
        "changed. A program admin can reopen it if you need to change it."
    ),
    Kind.FINAL: (
        "You have already submitted your final review; it is locked and nothing was "
        "changed. A program admin can reopen it if you need to change it."
    ),
}
NO_MIDPOINT_FOR_FLASH = "A flash session has no mid-point review."


def program_today(program: Program) -> dt.date:
    """Today's date where the program runs."""
    return program.local_date()


def midpoint_is_open(wa: WorkspaceAccess) -> bool:
    """Whether the mid-point review has opened (never for a flash pairing)."""
    if wa.workspace.is_flash:
        return False
    return program_today(wa.program) >= wa.workspace.midpoint_date


def _clean(kind: str, answers: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for field in ("value_received", "value_given"):
        value = answers.get(field)
        try:
            number = int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 5:
            errors[field] = "Choose a value from 1 to 5."
        cleaned[field] = number
    for field in ("working", "change", "remains", "differently"):
        text = (answers.get(field) or "").strip()
        if len(text) > TEXT:
            errors[field] = f"Keep this under {TEXT:,} characters (it has {len(text):,})."
        cleaned[field] = text
    if not cleaned["working"]:
        errors["working"] = (
            "Say what is working." if kind == Kind.MIDPOINT else "Say what went well."
        )
    decision = answers.get("decision") or ""
    if kind == Kind.MIDPOINT:
        if decision not in Decision.values:
            errors["decision"] = "Choose whether to continue as is, adjust, or end."
        cleaned["remains"] = cleaned["differently"] = ""
    else:
        decision = ""
        cleaned["change"] = ""
        if not cleaned["differently"]:
            errors["differently"] = "Say what you would do differently next time."
    cleaned["decision"] = decision
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_kind_open(wa: WorkspaceAccess, kind: str) -> None:
    if kind not in Kind.values:
        raise ValidationError("Unknown kind of review.")
    if kind != Kind.MIDPOINT:
        return
    if wa.workspace.is_flash:
        raise TransitionError(NO_MIDPOINT_FOR_FLASH)
    if not midpoint_is_open(wa):
        raise TransitionError(f"The mid-point review opens on {_day(wa.workspace.midpoint_date)}.")


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _url(wa: WorkspaceAccess, name: str) -> str:
    return reverse(name, kwargs={"slug": wa.program.slug, "pk": wa.workspace.pk})


@transaction.atomic
def review_submit(
    *,
    wa: WorkspaceAccess,
    kind: str,
    value_received: int,
    value_given: int,
    working: str,
    change: str = "",
    decision: str = "",
    remains: str = "",
    differently: str = "",
) -> Review:
    """Submit the acting participant's mid-point or final review; it locks once submitted."""
    check_can_write(wa)
    _check_kind_open(wa, kind)
    answers = _clean(
        kind,
        {
            "value_received": value_received,
            "value_given": value_given,
            "working": working,
            "change": change,
            "decision": decision,
            "remains": remains,
            "differently": differently,
        },
    )
    now = timezone.now()
    review = (
        Review.objects.select_for_update()
        .filter(workspace=wa.workspace, author=wa.user, kind=kind)
        .first()
    )
    if review is None:
        # Nothing to lock yet: of two first submissions at once (a double click), the
        # unique constraint lets one in and the other finds the review locked.
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    workspace=wa.workspace, author=wa.user, kind=kind, submitted_at=now, **answers
                )
        except IntegrityError:
            raise TransitionError(LOCKED[Kind(kind)]) from None
    elif not review.is_open_for_resubmission:
        raise TransitionError(LOCKED[Kind(kind)])
    else:
        earlier = {field: getattr(review, field) for field in ANSWERS}
        earlier |= {
            "submitted_at": review.submitted_at.isoformat(),
            "reopened_at": review.reopened_at.isoformat() if review.reopened_at else None,
            "reopened_by": review.reopened_by_id,
        }
        review.previous = [*review.previous, earlier]
        for field, value in answers.items():
            setattr(review, field, value)
        review.submitted_at = now
        review.submissions += 1
        review.reopened_at = None
        review.save()
    review.workspace = wa.workspace
    if kind == Kind.MIDPOINT:
        rhythm.note_midpoint_review(wa.workspace, [u.pk for u in wa.participants])
    if kind == Kind.MIDPOINT and review.decision == Decision.END:
        _tell_about_end(wa, review)
    return review


def _tell_about_end(wa: WorkspaceAccess, review: Review) -> None:
    me = wa.user
    others = list(wa.partners) + [
        a for a in program_admins(wa.program) if a.pk not in wa.participant_ids
    ]
    notify_later(
        users=others,
        kind="review_end_requested",
        key=f"review_end:{review.pk}:{review.submissions}",
        title=f"{me.display_name} would end the relationship (mid-point review)",
        url=_url(wa, "workspace:reviews"),
    )


@transaction.atomic
def review_reopen(*, wa: WorkspaceAccess, review: Review) -> Review:
    """Let one participant submit their review once more (program admins only)."""
    if not wa.is_program_admin:
        raise PermissionDenied("Only the program's admins can reopen a review.")
    if review.author_id == wa.user.pk:
        raise PermissionDenied("Another admin of the program must reopen your own review.")
    if review.workspace_id != wa.workspace.pk:
        raise PermissionDenied("This review belongs to another relationship.")
    if not wa.workspace.is_open:
        raise TransitionError("This relationship has ended; its reviews stay as they are.")
    review = Review.objects.select_for_update().select_related("author").get(pk=review.pk)
    if review.is_open_for_resubmission:
        raise TransitionError(
            f"{review.author.display_name}'s review is already open for one more submission."
        )
    review.reopened_at = timezone.now()
    review.reopened_by = wa.user
    review.save(update_fields=["reopened_at", "reopened_by"])
    audit.record(
        audit.Action.REVIEW_REOPENED,
        actor=wa.user,
        program=wa.program,
        target=review,
        detail={"user": review.author_id, "kind": review.kind},
    )
    review.workspace = wa.workspace
    author: User = review.author
    what = "mid-point review" if review.kind == Kind.MIDPOINT else "final review"
    notify_later(
        users=[author],
        kind="review_reopened",
        key=f"review_reopened:{review.pk}:{review.submissions}",
        title=f"Your {what} was reopened: you may submit it once more",
        url=_url(wa, "workspace:reviews" if review.kind == Kind.MIDPOINT else "workspace:closure"),
    )
    return review
