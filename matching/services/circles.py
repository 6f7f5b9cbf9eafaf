"""Mentoring circles: one mentor, one topic, a few mentees.

An admin creates a circle and may add mentees to it; mentees may also ask to
join an open circle, and the circle's mentor (or an admin) decides. Room in a
circle is checked under a row lock on the circle, so two acceptances at once
can never overfill it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from matching import notify
from matching.models import Circle, CircleMember
from matching.services._common import TransitionError, is_program_admin
from mentoring.models import User
from programs.models import Membership, Program, Topic

__all__ = [
    "circle_add_member",
    "circle_create",
    "circle_decide",
    "circle_end",
    "circle_leave",
    "circle_request_join",
    "circle_update",
]

Role = Membership.Role
Seat = CircleMember.Status

# What the circle's mentor may change; admins may also change these.
MENTOR_FIELDS = ("name", "description", "topic", "open_to_requests")
ADMIN_FIELDS = (*MENTOR_FIELDS, "mentor", "max_mentees")

NOT_OFFERED = "This program does not offer mentoring circles."


# --- Predicates the pages share with the services ---------------------------------------------


def circles_offered(program: Program) -> bool:
    return program.allow_circles and program.status != Program.Status.CLOSED


def leads(user: User, circle: Circle) -> bool:
    return circle.mentor.user_id == user.pk


def can_manage_circle(user: User, circle: Circle, *, is_admin: bool) -> bool:
    """Admins and the circle's own mentor decide join requests and end the circle."""
    return is_admin or leads(user, circle)


def with_member_counts(circles: QuerySet[Circle]) -> QuerySet[Circle]:
    """Annotate ``member_count`` (mentees in it), ``places_left`` and ``pending_count``."""
    members = Count("members", filter=Q(members__status=Seat.MEMBER), distinct=True)
    return circles.annotate(
        member_count=members,
        places_left=F("max_mentees") - members,
        pending_count=Count("members", filter=Q(members__status=Seat.REQUESTED), distinct=True),
    )


def member_count(circle: Circle) -> int:
    return circle.members.filter(status=Seat.MEMBER).count()


# --- Checks -----------------------------------------------------------------------------------


def _check_offered(program: Program) -> None:
    if not program.allow_circles:
        raise ValidationError(NOT_OFFERED)
    if program.status == Program.Status.CLOSED:
        raise ValidationError("This program is closed.")


def _check_admin(actor: User, program: Program, action: str) -> None:
    if not is_program_admin(actor, program):
        raise PermissionDenied(f"Only this program's admins can {action}.")


def _check_mentor(program: Program, mentor: Membership) -> None:
    if mentor.program_id != program.pk or mentor.role != Role.MENTOR:
        raise ValidationError({"mentor": "Choose a mentor of this program."})
    if not mentor.is_enrolled:
        raise ValidationError({"mentor": f"{mentor.user} has not finished enrolling as a mentor."})


def _check_mentee(program: Program, mentee: Membership, field: str = "mentees") -> None:
    if mentee.program_id != program.pk or mentee.role != Role.MENTEE:
        raise ValidationError({field: "Choose mentees of this program."})
    if not mentee.is_enrolled:
        raise ValidationError({field: f"{mentee.user} has not finished enrolling as a mentee."})


def _check_topic(program: Program, topic: Topic | None) -> None:
    if topic is not None and topic.program_id != program.pk:
        raise ValidationError({"topic": "Choose a topic of this program."})


def _check_not_the_mentor(circle: Circle, mentee: Membership, field: str = "mentees") -> None:
    if mentee.user_id == circle.mentor.user_id:
        raise ValidationError({field: f"{mentee.user} leads this circle, so cannot join it."})


def _check_active(circle: Circle) -> None:
    if circle.status != Circle.Status.ACTIVE:
        raise TransitionError(
            f"This circle is {circle.get_status_display().lower()}; nothing in it can change now."
        )


def _check_room(circle: Circle) -> None:
    """Call with the circle's row lock held."""
    if member_count(circle) >= circle.max_mentees:
        raise ValidationError(
            f"“{circle.name}” is full: all {circle.max_mentees} places are taken."
        )


def _locked(circle: Circle) -> Circle:
    return (
        Circle.objects.select_for_update(of=("self",))
        .select_related("program", "mentor__user", "topic")
        .get(pk=circle.pk)
    )


def _locked_member(member: CircleMember) -> tuple[Circle, CircleMember]:
    """Lock the circle first, then the seat: the same order as every other circle write."""
    circle = _locked(member.circle)
    member = (
        CircleMember.objects.select_for_update(of=("self",))
        .select_related("mentee__user")
        .get(pk=member.pk)
    )
    member.circle = circle
    return circle, member


def _mentee_membership(actor: User, program: Program) -> Membership:
    mentee = (
        Membership.objects.filter(program=program, user=actor, role=Role.MENTEE)
        .select_related("user")
        .first()
    )
    if mentee is None:
        raise PermissionDenied("Only mentees of this program can join circles.")
    if not mentee.is_enrolled:
        raise ValidationError("Finish your enrolment as a mentee first.")
    return mentee


# --- Services ---------------------------------------------------------------------------------


@transaction.atomic
def circle_create(
    *,
    program: Program,
    actor: User,
    name: str,
    description: str,
    mentor: Membership,
    topic: Topic | None,
    max_mentees: int,
    open_to_requests: bool,
    mentees: Iterable[Membership] = (),
) -> Circle:
    """An admin creates a circle led by one mentor, optionally with its first mentees."""
    _check_admin(actor, program, "create circles")
    _check_offered(program)
    _check_mentor(program, mentor)
    _check_topic(program, topic)
    circle = Circle(
        program=program,
        name=" ".join((name or "").split()),
        description=(description or "").strip(),
        mentor=mentor,
        topic=topic,
        max_mentees=max_mentees,
        open_to_requests=open_to_requests,
        created_by=actor,
    )
    circle.full_clean()
    chosen = list({m.pk: m for m in mentees}.values())
    for mentee in chosen:
        _check_mentee(program, mentee)
        _check_not_the_mentor(circle, mentee)
    if len(chosen) > max_mentees:
        raise ValidationError(
            {"mentees": f"You chose {len(chosen)} mentees for {max_mentees} places."}
        )
    circle.save()
    now = timezone.now()
    CircleMember.objects.bulk_create(
        CircleMember(circle=circle, mentee=m, status=Seat.MEMBER, created_at=now, joined_at=now)
        for m in chosen
    )
    notify.event("circle_created", circle.pk)
    return circle


@transaction.atomic
def circle_update(*, circle: Circle, actor: User, **fields: Any) -> Circle:
    """Change a circle: its mentor may edit its text and openness; admins everything."""
    circle = _locked(circle)
    allowed: tuple[str, ...]
    if is_program_admin(actor, circle.program):
        allowed = ADMIN_FIELDS
    elif leads(actor, circle):
        allowed = MENTOR_FIELDS
    else:
        raise PermissionDenied("Only this program's admins and the circle's mentor can edit it.")
    unknown = set(fields) - set(allowed)
    if unknown:
        raise PermissionDenied(f"You cannot change: {', '.join(sorted(unknown))}.")
    _check_active(circle)
    if "topic" in fields:
        _check_topic(circle.program, fields["topic"])
    if "mentor" in fields and fields["mentor"].pk != circle.mentor_id:
        mentor = fields["mentor"]
        _check_mentor(circle.program, mentor)
        if circle.members.filter(
            mentee__user_id=mentor.user_id, status__in=(Seat.MEMBER, Seat.REQUESTED)
        ).exists():
            raise ValidationError({"mentor": f"{mentor.user} is a mentee in this circle."})
    if "name" in fields:
        fields["name"] = " ".join((fields["name"] or "").split())
    for name, value in fields.items():
        setattr(circle, name, value)
    # created_by may be empty (its admin's account was deleted); it is not edited here.
    circle.full_clean(exclude=["created_by"])
    taken = member_count(circle)
    if taken > circle.max_mentees:
        raise ValidationError(
            {"max_mentees": f"{taken} mentees are already in the circle; keep at least {taken}."}
        )
    circle.save()
    return circle


@transaction.atomic
def circle_add_member(*, circle: Circle, actor: User, mentee: Membership) -> CircleMember:
    """An admin puts a mentee in a circle (a pending request of theirs is accepted so)."""
    circle = _locked(circle)
    _check_admin(actor, circle.program, "add mentees to a circle")
    _check_offered(circle.program)
    _check_active(circle)
    _check_mentee(circle.program, mentee, field="mentee")
    _check_not_the_mentor(circle, mentee, field="mentee")
    member = CircleMember.objects.filter(circle=circle, mentee=mentee).first()
    if member is not None and member.status == Seat.MEMBER:
        raise ValidationError({"mentee": f"{mentee.user} is already in this circle."})
    _check_room(circle)
    now = timezone.now()
    if member is None:
        member = CircleMember(circle=circle, mentee=mentee, created_at=now)
    member.status = Seat.MEMBER
    member.joined_at = now
    member.left_at = None
    member.save()
    notify.event("circle_added", member.pk)
    return member


@transaction.atomic
def circle_request_join(*, circle: Circle, actor: User, note: str) -> CircleMember:
    """A mentee of the program asks to join an open circle; its mentor decides."""
    circle = _locked(circle)
    mentee = _mentee_membership(actor, circle.program)
    _check_offered(circle.program)
    _check_active(circle)
    if not circle.open_to_requests:
        raise ValidationError("This circle does not take requests to join; ask an admin.")
    _check_not_the_mentor(circle, mentee, field="note")
    member = CircleMember.objects.filter(circle=circle, mentee=mentee).first()
    if member is not None:
        if member.status == Seat.MEMBER:
            raise ValidationError("You are already in this circle.")
        if member.status == Seat.REQUESTED:
            raise ValidationError("You have already asked to join this circle.")
        if member.status == Seat.DECLINED:
            raise ValidationError("Your request to join this circle was declined.")
    _check_room(circle)
    note = (note or "").strip()
    if len(note) > 1000:
        raise ValidationError({"note": "Keep your note under 1,000 characters."})
    now = timezone.now()
    # Someone who left may ask again: their old seat is reused.
    if member is None:
        member = CircleMember(circle=circle, mentee=mentee)
    member.status = Seat.REQUESTED
    member.note = note
    member.created_at = now
    member.joined_at = None
    member.left_at = None
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError("You have already asked to join this circle.") from None
    notify.event("circle_join_requested", member.pk)
    return member


@transaction.atomic
def circle_decide(*, member: CircleMember, actor: User, accept: bool) -> CircleMember:
    """The circle's mentor or an admin accepts or declines a request to join."""
    circle, member = _locked_member(member)
    if not can_manage_circle(actor, circle, is_admin=is_program_admin(actor, circle.program)):
        raise PermissionDenied("Only the circle's mentor or the program's admins can decide.")
    _check_active(circle)
    if member.status != Seat.REQUESTED:
        raise TransitionError(
            f"{member.mentee.user} is not waiting for an answer "
            f"({member.get_status_display().lower()})."
        )
    now = timezone.now()
    if accept:
        _check_offered(circle.program)
        _check_room(circle)
        member.status = Seat.MEMBER
        member.joined_at = now
    else:
        member.status = Seat.DECLINED
    member.save(update_fields=["status", "joined_at"])
    notify.event("circle_join_decided", member.pk)
    return member


@transaction.atomic
def circle_leave(*, member: CircleMember, actor: User) -> CircleMember:
    """A mentee leaves a circle (or withdraws their request), or an admin removes them."""
    circle, member = _locked_member(member)
    is_self = member.mentee.user_id == actor.pk
    if not is_self and not is_program_admin(actor, circle.program):
        raise PermissionDenied("Only the mentee or the program's admins can do that.")
    _check_active(circle)
    if member.status not in (Seat.MEMBER, Seat.REQUESTED):
        raise TransitionError(
            f"{member.mentee.user} is not in this circle ({member.get_status_display().lower()})."
        )
    was_member = member.status == Seat.MEMBER
    member.status = Seat.LEFT
    member.left_at = timezone.now()
    member.save(update_fields=["status", "left_at"])
    if was_member and not is_self:
        notify.event("circle_member_removed", member.pk)
    return member


@transaction.atomic
def circle_end(*, circle: Circle, actor: User, completed: bool, reason: str) -> Circle:
    """Close a circle as completed, or end it early with a reason (admins or its mentor)."""
    circle = _locked(circle)
    if not can_manage_circle(actor, circle, is_admin=is_program_admin(actor, circle.program)):
        raise PermissionDenied("Only the circle's mentor or the program's admins can end it.")
    _check_active(circle)
    reason = (reason or "").strip()
    if not completed and not reason:
        raise ValidationError({"reason": "Say why the circle ends early."})
    if len(reason) > 1000:
        raise ValidationError({"reason": "Keep the reason under 1,000 characters."})
    circle.status = Circle.Status.COMPLETED if completed else Circle.Status.ENDED_EARLY
    circle.ended_at = timezone.now()
    circle.ended_by = actor
    circle.end_reason = reason
    circle.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    # Nobody can join an ended circle: open requests are answered, not left hanging.
    circle.members.filter(status=Seat.REQUESTED).update(status=Seat.DECLINED)
    notify.event("circle_ended", circle.pk)
    return circle


# --- What people are told ---------------------------------------------------------------------


def _circle(pk: int) -> Circle:
    return Circle.objects.select_related("program", "mentor__user", "topic").get(pk=pk)


def _seat(pk: int) -> CircleMember:
    return CircleMember.objects.select_related(
        "circle__program", "circle__mentor__user", "circle__topic", "mentee__user"
    ).get(pk=pk)


def _about(circle: Circle) -> str:
    topic = f" on {circle.topic.name}" if circle.topic else ""
    return f"the circle “{circle.name}”{topic}, led by {circle.mentor.user}"


@notify.message("circle_created")
def _created(pk: int) -> list[notify.Notice]:
    c = _circle(pk)
    members = [
        s.mentee.user for s in c.members.filter(status=Seat.MEMBER).select_related("mentee__user")
    ]
    names = ", ".join(str(u) for u in members) or "no mentees yet"
    notices = [
        notify.Notice(
            to=c.mentor.user,
            subject=f"{c.program.name}: you lead the circle “{c.name}”",
            lines=[
                f"The admins of {c.program.name} made you the mentor of the circle “{c.name}”.",
                f"In it so far: {names}.",
            ],
            url=c.get_absolute_url(),
            action="Open the circle",
        )
    ]
    notices += [
        notify.Notice(
            to=user,
            subject=f"{c.program.name}: you are in the circle “{c.name}”",
            lines=[f"The admins of {c.program.name} put you in {_about(c)}."],
            url=c.get_absolute_url(),
            action="Open the circle",
        )
        for user in members
    ]
    return notices


@notify.message("circle_added")
def _added(pk: int) -> list[notify.Notice]:
    s = _seat(pk)
    c = s.circle
    return [
        notify.Notice(
            to=s.mentee.user,
            subject=f"{c.program.name}: you are in the circle “{c.name}”",
            lines=[f"The admins of {c.program.name} put you in {_about(c)}."],
            url=c.get_absolute_url(),
            action="Open the circle",
        ),
        notify.Notice(
            to=c.mentor.user,
            subject=f"{c.program.name}: {s.mentee.user} joins your circle “{c.name}”",
            lines=[f"The admins of {c.program.name} added {s.mentee.user} to your circle."],
            url=c.get_absolute_url(),
            action="Open the circle",
        ),
    ]


@notify.message("circle_join_requested")
def _join_requested(pk: int) -> list[notify.Notice]:
    s = _seat(pk)
    c = s.circle
    note = [f"Their note: “{s.note}”"] if s.note else []
    return [
        notify.Notice(
            to=c.mentor.user,
            subject=f"{c.program.name}: {s.mentee.user} asks to join “{c.name}”",
            lines=[f"{s.mentee.user} would like to join your circle “{c.name}”.", *note],
            url=c.get_absolute_url(),
            action="Accept or decline",
        )
    ]


@notify.message("circle_join_decided")
def _join_decided(pk: int) -> list[notify.Notice]:
    s = _seat(pk)
    c = s.circle
    if s.status == Seat.MEMBER:
        subject = f"{c.program.name}: welcome to the circle “{c.name}”"
        lines = [f"Your request was accepted: you are now in {_about(c)}."]
    else:
        subject = f"{c.program.name}: your request to join “{c.name}” was declined"
        lines = [
            f"Your request to join {_about(c)} was declined.",
            "Other circles may still have room.",
        ]
    return [
        notify.Notice(
            to=s.mentee.user,
            subject=subject,
            lines=lines,
            url=c.get_absolute_url(),
            action="Open the circle",
        )
    ]


@notify.message("circle_member_removed")
def _member_removed(pk: int) -> list[notify.Notice]:
    s = _seat(pk)
    c = s.circle
    return [
        notify.Notice(
            to=s.mentee.user,
            subject=f"{c.program.name}: you are no longer in the circle “{c.name}”",
            lines=[f"The admins of {c.program.name} took you out of {_about(c)}."],
        )
    ]


@notify.message("circle_ended")
def _ended(pk: int) -> list[notify.Notice]:
    c = _circle(pk)
    verb = "is completed" if c.status == Circle.Status.COMPLETED else "ended early"
    reason = [f"The reason given: “{c.end_reason}”"] if c.end_reason else []
    people = [c.mentor.user] + [
        s.mentee.user for s in c.members.filter(status=Seat.MEMBER).select_related("mentee__user")
    ]
    return [
        notify.Notice(
            to=person,
            subject=f"{c.program.name}: the circle “{c.name}” {verb}",
            lines=[f"The circle “{c.name}” {verb}.", *reason],
            url=c.get_absolute_url(),
            action="Open the circle",
        )
        for person in people
    ]
