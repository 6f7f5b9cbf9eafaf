"""Helpers shared by the matching services: capacity, relationship type, errors."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from matching.models import MatchingSettings, Pairing
from mentoring.models import User
from programs.access import ADMIN_ONLY
from programs.models import Membership, Program

Role = Membership.Role


class TransitionError(ValidationError):
    """A state change that the object's current state does not allow."""


def is_program_admin(user: User, program: Program) -> bool:
    """Whether ``user`` is one of the program's admins. Services check roles; whether the
    sign-in was strong enough (two-factor for admins) is the views' business
    (``programs.access``, ``mentoring.security``): commands, tasks and the demo seeder call
    services with no sign-in at all."""
    return Membership.objects.filter(program=program, user=user, role=Role.ADMIN).exists()


def check_admin(program: Program, actor: User) -> None:
    """Refuse anyone who is not one of the program's admins."""
    if not is_program_admin(actor, program):
        raise PermissionDenied(ADMIN_ONLY)


def program_admins(program: Program) -> list[User]:
    """The program's admins, to be told about what needs them."""
    return [
        m.user
        for m in Membership.objects.filter(program=program, role=Role.ADMIN).select_related("user")
    ]


def mentor_load(mentor: Membership) -> int:
    """How many of the mentor's places are taken: proposed or active one-to-one pairings."""
    return Pairing.objects.filter(
        mentor=mentor, kind=Pairing.Kind.ONE_TO_ONE, status__in=Pairing.OPEN_STATUSES
    ).count()


def mentor_loads(program: Program) -> dict[int, int]:
    """Places taken per mentor membership id, for a whole program, in one query."""
    rows = (
        Pairing.objects.filter(
            program=program, kind=Pairing.Kind.ONE_TO_ONE, status__in=Pairing.OPEN_STATUSES
        )
        .values("mentor_id")
        .annotate(n=Count("id"))
    )
    return {r["mentor_id"]: r["n"] for r in rows}


def lock_membership(membership: Membership) -> Membership:
    """Take the row lock on a membership, so capacity checks serialise (PostgreSQL)."""
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("program", "user")
        .get(pk=membership.pk)
    )


def check_mentor_has_room(mentor: Membership) -> None:
    """Refuse if the mentor is full. Call with the mentor's row lock held."""
    if mentor_load(mentor) >= mentor.effective_capacity:
        raise ValidationError(
            f"{mentor.user} has no place left (capacity {mentor.effective_capacity})."
        )


def relationship_type(mentor: Membership, mentee: Membership) -> str:
    """Classic when the mentor is more senior, peer at the same level, reverse otherwise."""
    if mentor.seniority is None or mentee.seniority is None:
        return Pairing.RelationshipType.CLASSIC
    if mentor.seniority > mentee.seniority:
        return Pairing.RelationshipType.CLASSIC
    if mentor.seniority == mentee.seniority:
        return Pairing.RelationshipType.PEER
    return Pairing.RelationshipType.REVERSE


def respond_by(program: Program, now: dt.datetime | None = None) -> dt.datetime:
    """The deadline for a mentor's answer, from the program's matching settings."""
    days = MatchingSettings.for_program(program).response_days
    return (now or timezone.now()) + dt.timedelta(days=days)


def has_open_one_to_one(mentee: Membership) -> bool:
    return Pairing.objects.filter(
        mentee=mentee, kind=Pairing.Kind.ONE_TO_ONE, status__in=Pairing.OPEN_STATUSES
    ).exists()


def is_available_mentor(mentor: Membership) -> bool:
    return mentor.role == Role.MENTOR and mentor.is_enrolled and mentor.accepting_mentees


OPEN = Q(status__in=Pairing.OPEN_STATUSES)
