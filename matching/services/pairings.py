"""The life of a pairing: proposed -> active -> completed, or declined, expired, ended early.

Every transition is a service here; each checks the pairing's current state
under a row lock and raises ``TransitionError`` with the reason when the
change is not allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from matching import notify
from matching.models import MatchConstraint, Pairing
from matching.services._common import (
    TransitionError,
    check_mentor_has_room,
    has_open_one_to_one,
    is_program_admin,
    lock_membership,
    program_admins,
    relationship_type,
)
from mentoring.models import User
from programs.models import Membership, Program, Topic

Role = Membership.Role
Status = Pairing.Status

STATUS_NOUN = {
    Status.PROPOSED: "still a proposal",
    Status.ACTIVE: "already active",
    Status.COMPLETED: "already completed",
    Status.DECLINED: "declined",
    Status.EXPIRED: "expired",
    Status.ENDED_EARLY: "ended early",
}


def _refuse(pairing: Pairing, action: str, needed: str) -> TransitionError:
    return TransitionError(
        f"This pairing is {STATUS_NOUN[Status(pairing.status)]}; only {needed} pairing "
        f"can be {action}."
    )


def _locked(pairing: Pairing) -> Pairing:
    return (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("program", "mentor__user", "mentee__user")
        .get(pk=pairing.pk)
    )


def pairing_create(
    *,
    program: Program,
    mentor: Membership,
    mentee: Membership,
    source: str,
    status: str = Status.PROPOSED,
    kind: str = Pairing.Kind.ONE_TO_ONE,
    respond_by: dt.datetime | None = None,
    match_run_id: int | None = None,
    score: float | None = None,
    explanation: Iterable[dict[str, Any]] = (),
    topic: Topic | None = None,
) -> Pairing:
    """Create a pairing after checking both people and, for one-to-one, the mentor's room.

    Callers run inside a transaction; this takes the mentor's row lock so that two
    pairings created at once can never exceed the mentor's capacity.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("pairing_create must run inside a transaction")
    if mentor.program_id != program.pk or mentee.program_id != program.pk:
        raise ValidationError("Both people must be in this program.")
    if mentor.role != Role.MENTOR or mentee.role != Role.MENTEE:
        raise ValidationError("A pairing needs a mentor and a mentee.")
    if mentor.user_id == mentee.user_id:
        raise ValidationError("Nobody can be their own mentor.")
    mentor = lock_membership(mentor)
    if kind == Pairing.Kind.ONE_TO_ONE:
        check_mentor_has_room(mentor)
        if has_open_one_to_one(mentee):
            raise ValidationError(f"{mentee.user} already has a mentor or a pending proposal.")
    now = timezone.now()
    pairing = Pairing(
        program=program,
        mentor=mentor,
        mentee=mentee,
        kind=kind,
        source=source,
        status=status,
        relationship_type=relationship_type(mentor, mentee),
        match_run_id=match_run_id,
        score=score,
        explanation=list(explanation),
        topic=topic,
        created_at=now,
        respond_by=respond_by if status == Status.PROPOSED else None,
        started_at=now if status == Status.ACTIVE else None,
        responded_at=now if status == Status.ACTIVE else None,
        planned_end_date=program.end_date,
    )
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError:
        raise ValidationError(
            f"{mentor.user} and {mentee.user} already have an open pairing."
        ) from None
    return pairing


@transaction.atomic
def pairing_accept(*, pairing: Pairing, actor: User) -> Pairing:
    """The mentor accepts a proposal; the mentee then sees their match."""
    pairing = _locked(pairing)
    if pairing.mentor.user_id != actor.pk:
        raise PermissionDenied("Only the proposed mentor can accept this proposal.")
    if pairing.status != Status.PROPOSED:
        raise _refuse(pairing, "accepted", "a proposed")
    now = timezone.now()
    if pairing.respond_by and pairing.respond_by <= now:
        raise TransitionError(
            "The deadline to answer this proposal has passed; the program's admins "
            "will find the mentee another match."
        )
    pairing.status = Status.ACTIVE
    pairing.responded_at = now
    pairing.started_at = now
    pairing.save(update_fields=["status", "responded_at", "started_at"])
    notify.event("pairing_accepted", pairing.pk)
    return pairing


@transaction.atomic
def pairing_decline(*, pairing: Pairing, actor: User, reason: str) -> Pairing:
    """The mentor declines a proposal, with a reason; the admins are told and the
    mentee is free for the next run (which will not suggest this pair again)."""
    pairing = _locked(pairing)
    if pairing.mentor.user_id != actor.pk:
        raise PermissionDenied("Only the proposed mentor can decline this proposal.")
    if pairing.status != Status.PROPOSED:
        raise _refuse(pairing, "declined", "a proposed")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Tell the program's admins why, in a few words."})
    pairing.status = Status.DECLINED
    pairing.responded_at = timezone.now()
    pairing.decline_reason = reason
    pairing.save(update_fields=["status", "responded_at", "decline_reason"])
    MatchConstraint.objects.get_or_create(
        mentee=pairing.mentee,
        mentor=pairing.mentor,
        defaults={"program": pairing.program, "kind": MatchConstraint.Kind.FORBID},
    )
    notify.event("pairing_declined", pairing.pk)
    return pairing


@transaction.atomic
def pairing_complete(*, pairing: Pairing, actor: User) -> Pairing:
    """Close an active pairing as completed (by either participant or an admin)."""
    pairing = _locked(pairing)
    _check_can_end(pairing, actor)
    if pairing.status != Status.ACTIVE:
        raise _refuse(pairing, "completed", "an active")
    pairing.status = Status.COMPLETED
    pairing.ended_at = timezone.now()
    pairing.ended_by = actor
    pairing.save(update_fields=["status", "ended_at", "ended_by"])
    notify.event("pairing_completed", pairing.pk)
    return pairing


@transaction.atomic
def pairing_end_early(*, pairing: Pairing, actor: User, reason: str) -> Pairing:
    """End an active pairing before its time, saying why; distinct from completed."""
    pairing = _locked(pairing)
    _check_can_end(pairing, actor)
    if pairing.status != Status.ACTIVE:
        raise _refuse(pairing, "ended early", "an active")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the pairing ends early."})
    pairing.status = Status.ENDED_EARLY
    pairing.ended_at = timezone.now()
    pairing.ended_by = actor
    pairing.end_reason = reason
    pairing.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    notify.event("pairing_ended_early", pairing.pk)
    return pairing


def _check_can_end(pairing: Pairing, actor: User) -> None:
    if actor.pk in (pairing.mentor.user_id, pairing.mentee.user_id):
        return
    if not is_program_admin(actor, pairing.program):
        raise PermissionDenied("Only the pair or the program's admins can end this pairing.")


def pairings_expire_overdue(*, now: dt.datetime | None = None) -> list[int]:
    """Sweep: proposals past their deadline become expired; the admins are told.

    Each pairing is claimed with a conditional update, so two sweeps at once expire
    (and report) each proposal exactly once.
    """
    now = now or timezone.now()
    expired: list[int] = []
    due = Pairing.objects.filter(status=Status.PROPOSED, respond_by__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            claimed = Pairing.objects.filter(pk=pk, status=Status.PROPOSED).update(
                status=Status.EXPIRED, responded_at=now
            )
            if claimed:
                expired.append(pk)
                notify.event("pairing_expired", pk)
    return expired


# --- What people are told ------------------------------------------------------------------


def _pairing(pk: int) -> Pairing:
    return Pairing.objects.select_related(
        "program", "mentor__user", "mentee__user", "ended_by"
    ).get(pk=pk)


@notify.message("pairing_proposed")
def _proposed(pk: int) -> list[notify.Notice]:
    p = _pairing(pk)
    deadline = f" Please answer by {p.respond_by:%d %B %Y}." if p.respond_by else ""
    return [
        notify.Notice(
            to=p.mentor.user,
            subject=f"{p.program.name}: would you mentor {p.mentee.user}?",
            lines=[
                f"The admins of {p.program.name} propose that you mentor {p.mentee.user}.",
                f"Read their profile and why you were matched, then accept or decline.{deadline}",
            ],
            url=p.get_absolute_url(),
            action="See the proposal",
        )
    ]


@notify.message("pairing_accepted")
def _accepted(pk: int) -> list[notify.Notice]:
    p = _pairing(pk)
    return [
        notify.Notice(
            to=p.mentee.user,
            subject=f"{p.program.name}: {p.mentor.user} is your mentor",
            lines=[
                f"{p.mentor.user} has agreed to be your mentor in {p.program.name}.",
                "Start by agreeing how you will work together and setting your goals.",
            ],
            url=p.get_absolute_url(),
            action="Meet your mentor",
        )
    ]


@notify.message("pairing_declined")
def _declined(pk: int) -> list[notify.Notice]:
    p = _pairing(pk)
    return [
        notify.Notice(
            to=admin,
            subject=f"{p.program.name}: {p.mentor.user} declined {p.mentee.user}",
            lines=[
                f"{p.mentor.user} declined to mentor {p.mentee.user}: “{p.decline_reason}”",
                f"{p.mentee.user} is free again for the next matching run.",
            ],
            url=p.get_absolute_url(),
            action="Open the pairing",
        )
        for admin in program_admins(p.program)
    ]


@notify.message("pairing_expired")
def _expired(pk: int) -> list[notify.Notice]:
    p = _pairing(pk)
    lines = [
        f"{p.mentor.user} did not answer the proposal to mentor {p.mentee.user} in time, "
        "so it has expired.",
        f"{p.mentee.user} is free again for the next matching run.",
    ]
    notices = [
        notify.Notice(to=admin, subject=f"{p.program.name}: a proposal expired", lines=lines)
        for admin in program_admins(p.program)
    ]
    notices.append(
        notify.Notice(
            to=p.mentor.user,
            subject=f"{p.program.name}: the proposal to mentor {p.mentee.user} expired",
            lines=[
                "The deadline to answer passed, so the program's admins will match "
                f"{p.mentee.user} with someone else."
            ],
            url=p.get_absolute_url(),
        )
    )
    return notices


def _ended(p: Pairing, verb: str) -> list[notify.Notice]:
    people = [u for u in (p.mentor.user, p.mentee.user) if p.ended_by_id != u.pk]
    reason = f" The reason given: “{p.end_reason}”" if p.end_reason else ""
    return [
        notify.Notice(
            to=person,
            subject=f"{p.program.name}: the mentoring of {p.mentee.user} by {p.mentor.user} "
            f"is {verb}",
            lines=[f"{p.ended_by or 'The program'} marked the pairing {verb}.{reason}"],
            url=p.get_absolute_url(),
        )
        for person in people
    ]


@notify.message("pairing_completed")
def _completed(pk: int) -> list[notify.Notice]:
    return _ended(_pairing(pk), "completed")


@notify.message("pairing_ended_early")
def _ended_early(pk: int) -> list[notify.Notice]:
    p = _pairing(pk)
    if p.kind == Pairing.Kind.FLASH:
        return []  # a cancelled flash booking sends its own, clearer notice
    notices = _ended(p, "ended early")
    known = {n.to.pk for n in notices} | {p.ended_by_id}
    notices += [
        notify.Notice(
            to=admin,
            subject=f"{p.program.name}: a pairing ended early",
            lines=[
                f"{p.ended_by or 'Someone'} ended the pairing of {p.mentor.user} and "
                f"{p.mentee.user} early: “{p.end_reason}”"
            ],
            url=p.get_absolute_url(),
        )
        for admin in program_admins(p.program)
        if admin.pk not in known
    ]
    return notices
