"""Mentee-choice and hybrid matching: a mentee asks a mentor, and someone answers.

In mentee-choice mode the mentor accepts or declines; in hybrid mode the program's
admins decide. Accepting creates an active pairing through ``pairing_create``, which
takes the mentor's row lock and checks capacity, so two accepts at once never
overfill a mentor. The mentee's own row is locked first, in every service that
counts or closes their requests, so that two of their requests cannot both be
accepted and the limit on open requests holds under concurrent sends.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from matching import notify, scoring
from matching.models import MatchingSettings, MentorRequest, Pairing
from matching.services._common import (
    TransitionError,
    has_open_one_to_one,
    is_program_admin,
    lock_membership,
    mentor_load,
    program_admins,
    respond_by,
)
from matching.services.pairings import pairing_create
from mentoring.models import User
from programs.models import Membership, Program

__all__ = [
    "mentor_set_accepting",
    "request_accept",
    "request_create",
    "request_decline",
    "request_withdraw",
    "requests_expire_overdue",
]

Role = Membership.Role
Status = MentorRequest.Status
Mode = Program.MatchingMode

REQUEST_MODES = (Mode.MENTEE_CHOICE, Mode.HYBRID)
REQUEST_PROGRAM_STATUSES = (
    Program.Status.ENROLLING,
    Program.Status.MATCHING,
    Program.Status.RUNNING,
)

STATUS_NOUN = {
    Status.PENDING: "still waiting for an answer",
    Status.ACCEPTED: "already accepted",
    Status.DECLINED: "declined",
    Status.WITHDRAWN: "withdrawn",
    Status.EXPIRED: "expired",
}


# --- Rules, also read by the pages to say why a button is missing ----------------------------


def program_requests_problem(program: Program) -> str | None:
    """Why nobody can send requests in this program now, or None if they can."""
    if program.matching_mode not in REQUEST_MODES:
        return (
            "In this program the admins match mentors and mentees, so mentees do not "
            "choose a mentor themselves."
        )
    if not program.allow_one_to_one:
        return "This program has no one-to-one mentoring, so there are no mentors to request."
    if program.status not in REQUEST_PROGRAM_STATUSES:
        return f"Requests are closed while the program is {program.get_status_display().lower()}."
    return None


def mentee_requests_problem(mentee: Membership) -> str | None:
    """Why this mentee cannot send a request now (program, enrolment, existing mentor)."""
    problem = program_requests_problem(mentee.program)
    if problem:
        return problem
    if mentee.role != Role.MENTEE:
        return "Only mentees can request a mentor."
    if not mentee.is_enrolled:
        return "Finish your enrolment before you request a mentor."
    if has_open_one_to_one(mentee):
        return "You already have a mentor (or a proposal waiting for an answer) in this program."
    return None


def mentor_request_problem(mentee: Membership, mentor: Membership) -> str | None:
    """Why this mentee cannot ask this mentor (the mentor's side), or None."""
    if mentor.user_id == mentee.user_id:
        return "You cannot request yourself as your own mentor."
    if mentor.program_id != mentee.program_id or mentor.role != Role.MENTOR:
        return "That person is not a mentor in this program."
    if not mentor.is_enrolled:
        return f"{mentor.user} has not finished enrolling as a mentor yet."
    if not mentor.accepting_mentees:
        return f"{mentor.user} is not taking new mentees at the moment."
    if mentor_load(mentor) >= mentor.effective_capacity:
        return f"{mentor.user} has no place left."
    return None


def can_decide(request: MentorRequest, user: User, *, is_admin: bool) -> bool:
    """Whether ``user`` answers this request: the mentor, or in hybrid mode the admins."""
    if request.decided_by_admin:
        return is_admin
    return request.mentor.user_id == user.pk


def _check_can_decide(request: MentorRequest, actor: User, verb: str) -> None:
    is_admin = request.decided_by_admin and is_program_admin(actor, request.program)
    if not can_decide(request, actor, is_admin=is_admin):
        who = "the program's admins" if request.decided_by_admin else "the mentor asked"
        raise PermissionDenied(f"Only {who} can {verb} this request.")


def _refuse(request: MentorRequest, action: str) -> TransitionError:
    return TransitionError(
        f"This request is {STATUS_NOUN[Status(request.status)]}; only a request that is "
        f"waiting for an answer can be {action}."
    )


def _fit(program: Program, mentee: Membership, mentor: Membership) -> tuple[float, list[Any]]:
    """The pair's score and explanation; ValidationError if scoring forbids the pair."""
    pool = scoring.load_pool(
        program,
        mentees=Membership.objects.filter(pk=mentee.pk),
        mentors=Membership.objects.filter(pk=mentor.pk),
    )
    scored = scoring.score_pool(program, pool)
    explanation = scored.explain(0, 0)
    score = float(scored.scores[0, 0])
    if score == float("-inf"):
        reason = explanation[0]["you_text"] if explanation else "this pair cannot be matched"
        raise ValidationError(f"You cannot request {mentor.user}: {reason}.")
    return score, explanation


def _locked(request: MentorRequest) -> MentorRequest:
    return (
        MentorRequest.objects.select_for_update(of=("self",))
        .select_related("program", "mentor__user", "mentee__user")
        .get(pk=request.pk)
    )


# --- Services --------------------------------------------------------------------------------


@transaction.atomic
def request_create(
    *, mentee: Membership, mentor: Membership, actor: User, note: str
) -> MentorRequest:
    """A mentee asks a mentor (or, in hybrid mode, the admins) for this mentor."""
    if mentee.user_id != actor.pk:
        raise PermissionDenied("Only the mentee can send their own request.")
    # Serialises this mentee's sends, so the open-request limit holds.
    mentee = lock_membership(mentee)
    program = mentee.program
    problem = mentee_requests_problem(mentee)
    if problem is None:
        mentor = Membership.objects.select_related("user", "program").get(pk=mentor.pk)
        problem = mentor_request_problem(mentee, mentor)
    if problem:
        raise ValidationError(problem)
    pending = MentorRequest.objects.filter(mentee=mentee, status=Status.PENDING)
    if pending.filter(mentor=mentor).exists():
        raise ValidationError(f"You have already asked {mentor.user}; wait for their answer.")
    limit = MatchingSettings.for_program(program).max_open_requests
    if pending.count() >= limit:
        raise ValidationError(
            f"You can have at most {limit} open request{'s' if limit != 1 else ''} at a time. "
            "Withdraw one, or wait for an answer."
        )
    if MentorRequest.objects.filter(mentee=mentee, mentor=mentor, status=Status.DECLINED).exists():
        raise ValidationError(f"Your earlier request to {mentor.user} was declined.")
    score, explanation = _fit(program, mentee, mentor)
    request = MentorRequest(
        program=program,
        mentee=mentee,
        mentor=mentor,
        note=(note or "").strip(),
        decided_by_admin=program.matching_mode == Mode.HYBRID,
        respond_by=respond_by(program),
        score=score,
        explanation=explanation,
    )
    request.full_clean(exclude=["program", "mentee", "mentor", "pairing", "decided_by"])
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise ValidationError(f"You have already asked {mentor.user}.") from None
    notify.event("request_received", request.pk)
    return request


@transaction.atomic
def request_accept(*, request: MentorRequest, actor: User) -> MentorRequest:
    """The mentor (hybrid: an admin) accepts; an active pairing starts and the mentee's
    other pending requests are withdrawn."""
    # The mentee's row first, then the request's: the same order as every service that
    # closes this mentee's requests, so two accepts of their requests cannot deadlock.
    lock_membership(request.mentee)
    request = _locked(request)
    _check_can_decide(request, actor, "accept")
    if request.status != Status.PENDING:
        raise _refuse(request, "accepted")
    now = timezone.now()
    if request.respond_by and request.respond_by <= now:
        raise TransitionError("The time to answer this request has passed, so it has expired.")
    program = request.program
    if not program.allow_one_to_one:
        raise TransitionError("This program no longer has one-to-one mentoring.")
    if program.status not in REQUEST_PROGRAM_STATUSES:
        raise TransitionError(
            f"Requests are closed while the program is {program.get_status_display().lower()}."
        )
    pairing = pairing_create(
        program=request.program,
        mentor=request.mentor,
        mentee=request.mentee,
        source=Pairing.Source.REQUEST,
        status=Pairing.Status.ACTIVE,
        score=request.score,
        explanation=request.explanation,
    )
    request.status = Status.ACCEPTED
    request.decided_at = now
    request.decided_by = actor
    request.pairing = pairing
    request.save(update_fields=["status", "decided_at", "decided_by", "pairing"])
    # Locked, so a withdrawal or decline racing this one is not reported twice.
    others = list(
        MentorRequest.objects.select_for_update()
        .filter(mentee=request.mentee, status=Status.PENDING)
        .exclude(pk=request.pk)
        .values_list("pk", flat=True)
    )
    MentorRequest.objects.filter(pk__in=others, status=Status.PENDING).update(
        status=Status.WITHDRAWN, decided_at=now
    )
    notify.event("request_accepted", request.pk)
    for pk in others:
        notify.event("request_withdrawn_matched", pk)
    return request


@transaction.atomic
def request_decline(*, request: MentorRequest, actor: User, reason: str) -> MentorRequest:
    """The mentor (hybrid: an admin) declines, saying why; the mentee is told."""
    request = _locked(request)
    _check_can_decide(request, actor, "decline")
    if request.status != Status.PENDING:
        raise _refuse(request, "declined")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Tell the mentee why, in a few kind words."})
    request.status = Status.DECLINED
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.decline_reason = reason
    request.full_clean(exclude=["program", "mentee", "mentor", "pairing", "decided_by"])
    request.save(update_fields=["status", "decided_at", "decided_by", "decline_reason"])
    notify.event("request_declined", request.pk)
    return request


@transaction.atomic
def request_withdraw(*, request: MentorRequest, actor: User) -> MentorRequest:
    """The mentee takes back a request that is still waiting for an answer."""
    request = _locked(request)
    if request.mentee.user_id != actor.pk:
        raise PermissionDenied("Only the mentee who sent this request can withdraw it.")
    if request.status != Status.PENDING:
        raise _refuse(request, "withdrawn")
    request.status = Status.WITHDRAWN
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.save(update_fields=["status", "decided_at", "decided_by"])
    notify.event("request_withdrawn", request.pk)
    return request


def requests_expire_overdue(*, now: dt.datetime | None = None) -> list[int]:
    """Sweep: requests past their deadline expire and the mentee is told.

    Each request is claimed with a conditional update, so two sweeps at once expire
    (and report) each request exactly once.
    """
    now = now or timezone.now()
    expired: list[int] = []
    due = MentorRequest.objects.filter(status=Status.PENDING, respond_by__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            claimed = MentorRequest.objects.filter(pk=pk, status=Status.PENDING).update(
                status=Status.EXPIRED, decided_at=now
            )
            if claimed:
                expired.append(pk)
                notify.event("request_expired", pk)
    return expired


@transaction.atomic
def mentor_set_accepting(*, membership: Membership, actor: User, accepting: bool) -> Membership:
    """A mentor opens or closes themself to new requests (pending ones stay)."""
    if membership.role != Role.MENTOR:
        raise ValidationError("Only mentors take requests.")
    if membership.user_id != actor.pk:
        raise PermissionDenied("Only the mentor can change whether they take new mentees.")
    membership = lock_membership(membership)
    membership.accepting_mentees = accepting
    membership.save(update_fields=["accepting_mentees"])
    return membership


# --- What people are told --------------------------------------------------------------------


def _request(pk: int) -> MentorRequest:
    return MentorRequest.objects.select_related(
        "program", "mentor__user", "mentee__user", "decided_by"
    ).get(pk=pk)


def _url(r: MentorRequest) -> str:
    return reverse("matching:request", kwargs={"slug": r.program.slug, "pk": r.pk})


def _deciders(r: MentorRequest) -> list[User]:
    return program_admins(r.program) if r.decided_by_admin else [r.mentor.user]


@notify.message("request_received")
def _received(pk: int) -> list[notify.Notice]:
    r = _request(pk)
    deadline = f" Please answer by {r.respond_by:%d %B %Y}." if r.respond_by else ""
    if r.decided_by_admin:
        subject = f"{r.program.name}: {r.mentee.user} asks to be mentored by {r.mentor.user}"
        first = f"{r.mentee.user} would like {r.mentor.user} as their mentor; you decide."
    else:
        subject = f"{r.program.name}: {r.mentee.user} would like you as their mentor"
        first = f"{r.mentee.user} asks you to be their mentor in {r.program.name}."
    lines = [first]
    if r.note:
        lines.append(f"Their note: “{r.note}”")
    lines.append(f"Read their profile and why you fit, then accept or decline.{deadline}")
    return [
        notify.Notice(to=u, subject=subject, lines=lines, url=_url(r), action="See the request")
        for u in _deciders(r)
    ]


@notify.message("request_accepted")
def _accepted(pk: int) -> list[notify.Notice]:
    r = _request(pk)
    notices = [
        notify.Notice(
            to=r.mentee.user,
            subject=f"{r.program.name}: {r.mentor.user} is your mentor",
            lines=[
                f"Your request was accepted: {r.mentor.user} is your mentor in {r.program.name}.",
                "Start by agreeing how you will work together and setting your goals.",
            ],
            url=_url(r),
            action="See your request",
        )
    ]
    if r.decided_by_admin:
        notices.append(
            notify.Notice(
                to=r.mentor.user,
                subject=f"{r.program.name}: you are now mentoring {r.mentee.user}",
                lines=[
                    f"{r.mentee.user} asked for you as their mentor, and the program's admins "
                    "agreed.",
                ],
                url=_url(r),
                action="Meet your mentee",
            )
        )
    return notices


@notify.message("request_declined")
def _declined(pk: int) -> list[notify.Notice]:
    r = _request(pk)
    who = "The program's admins" if r.decided_by_admin else str(r.mentor.user)
    return [
        notify.Notice(
            to=r.mentee.user,
            subject=f"{r.program.name}: your request to {r.mentor.user} was declined",
            lines=[
                f"{who} declined your request to be mentored by {r.mentor.user}: "
                f"“{r.decline_reason}”",
                "You can ask another mentor.",
            ],
            url=_url(r),
            action="Find another mentor",
        )
    ]


@notify.message("request_withdrawn")
def _withdrawn(pk: int) -> list[notify.Notice]:
    r = _request(pk)
    return [
        notify.Notice(
            to=u,
            subject=f"{r.program.name}: {r.mentee.user} withdrew their request",
            lines=[f"{r.mentee.user} no longer asks to be mentored by {r.mentor.user}."],
            url=_url(r),
        )
        for u in _deciders(r)
    ]


@notify.message("request_withdrawn_matched")
def _withdrawn_matched(pk: int) -> list[notify.Notice]:
    r = _request(pk)
    return [
        notify.Notice(
            to=u,
            subject=f"{r.program.name}: {r.mentee.user} has found a mentor",
            lines=[
                f"Another of {r.mentee.user}'s requests was accepted, so their request to "
                f"{r.mentor.user} is withdrawn. Nothing more is needed from you.",
            ],
            url=_url(r),
        )
        for u in _deciders(r)
    ]


@notify.message("request_expired")
def _expired(pk: int) -> list[notify.Notice]:
    r = _request(pk)
    return [
        notify.Notice(
            to=r.mentee.user,
            subject=f"{r.program.name}: your request to {r.mentor.user} expired",
            lines=[
                f"Your request to {r.mentor.user} was not answered in time, so it has expired.",
                "You can ask another mentor.",
            ],
            url=_url(r),
            action="Find another mentor",
        )
    ]
