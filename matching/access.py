"""Who may see what in matching: one helper per owned object.

Built on ``programs.access``: outsiders get 404 for everything in a program. Inside
a program, a pairing or a request is visible to the two people in it and to the
program's admins; anyone else gets 404 too, so existence does not leak.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from matching.models import (
    Circle,
    CircleMember,
    FlashOffer,
    FlashSlot,
    MatchConstraint,
    MatchRun,
    MatchSuggestion,
    MentorRequest,
    Pairing,
)
from mentoring.models import User
from mentoring.security import TwoFactorRequired
from programs.access import ProgramAccess, get_program_access


def _member_ids(access: ProgramAccess) -> list[int]:
    return [m.pk for m in access.participant_memberships]


# The mentee learns of a match only once the mentor has accepted it.
HIDDEN_FROM_MENTEE = (Pairing.Status.PROPOSED, Pairing.Status.DECLINED, Pairing.Status.EXPIRED)


def visible_pairings(access: ProgramAccess) -> Q:
    """The pairings of the program this person may see: all for admins, else their own
    (as a mentee, only those the mentor accepted)."""
    if access.is_admin:
        return Q(program=access.program)
    mine = _member_ids(access)
    return Q(program=access.program) & (
        Q(mentor_id__in=mine) | (Q(mentee_id__in=mine) & ~Q(status__in=HIDDEN_FROM_MENTEE))
    )


def get_pairing(user: User, slug: str, pk: int) -> tuple[ProgramAccess, Pairing]:
    """A pairing, for its mentor, its mentee (once accepted) and the program's admins."""
    access = get_program_access(user, slug)
    pairings = Pairing.objects.filter(visible_pairings(access)).select_related(
        "program", "mentor__user", "mentee__user", "ended_by", "topic"
    )
    pairing = pairings.filter(pk=pk).first()
    if pairing is None:
        # Someone else's pairing: an admin page, for an admin still without two-factor.
        if access.needs_two_factor:
            raise TwoFactorRequired
        raise Http404
    return access, pairing


def get_request(user: User, slug: str, pk: int) -> tuple[ProgramAccess, MentorRequest]:
    """A mentor request, for the mentee who sent it, the mentor asked, and the admins."""
    access = get_program_access(user, slug)
    requests = MentorRequest.objects.filter(program=access.program).select_related(
        "program", "mentor__user", "mentee__user", "decided_by"
    )
    if not access.is_admin:
        mine = _member_ids(access)
        requests = requests.filter(Q(mentor_id__in=mine) | Q(mentee_id__in=mine))
    request = requests.filter(pk=pk).first()
    if request is None:
        if access.needs_two_factor:
            raise TwoFactorRequired
        raise Http404
    return access, request


def get_run_for_admin(user: User, slug: str, pk: int) -> tuple[ProgramAccess, MatchRun]:
    """A match run, for the program's admins only (403 for other members)."""
    access = get_program_access(user, slug, admin=True)
    run = MatchRun.objects.filter(program=access.program, pk=pk).first()
    if run is None:
        raise Http404
    return access, run


def get_suggestion_for_admin(
    user: User, slug: str, pk: int
) -> tuple[ProgramAccess, MatchSuggestion]:
    """A suggestion of one of the program's runs, for its admins only."""
    access = get_program_access(user, slug, admin=True)
    suggestion = (
        MatchSuggestion.objects.filter(run__program=access.program, pk=pk)
        .select_related("run", "mentee__user", "mentor__user")
        .first()
    )
    if suggestion is None:
        raise Http404
    return access, suggestion


def get_circle(user: User, slug: str, pk: int) -> tuple[ProgramAccess, Circle]:
    """A circle, for every member of its program (mentees browse circles to join them)."""
    access = get_program_access(user, slug)
    circle = (
        Circle.objects.filter(program=access.program, pk=pk)
        .select_related("program", "mentor__user", "topic")
        .first()
    )
    if circle is None:
        raise Http404
    return access, circle


def get_flash_offer(user: User, slug: str, pk: int) -> tuple[ProgramAccess, FlashOffer]:
    """A flash offer, for every member of its program."""
    access = get_program_access(user, slug)
    offer = (
        FlashOffer.objects.filter(program=access.program, pk=pk)
        .select_related("program", "mentor__user", "topic")
        .first()
    )
    if offer is None:
        raise Http404
    return access, offer


def get_flash_slot(user: User, slug: str, pk: int) -> tuple[ProgramAccess, FlashSlot]:
    """A bookable time of a flash offer, for every member of its program."""
    access = get_program_access(user, slug)
    slot = (
        FlashSlot.objects.filter(offer__program=access.program, pk=pk)
        .select_related("offer__program", "offer__mentor__user", "offer__topic", "booked_by__user")
        .first()
    )
    if slot is None:
        raise Http404
    return access, slot


def get_constraint_for_admin(
    user: User, slug: str, pk: int
) -> tuple[ProgramAccess, MatchConstraint]:
    """A lock or forbid of the program, for its admins only."""
    access = get_program_access(user, slug, admin=True)
    constraint = (
        MatchConstraint.objects.filter(program=access.program, pk=pk)
        .select_related("program", "mentee__user", "mentor__user")
        .first()
    )
    if constraint is None:
        raise Http404
    return access, constraint


def get_circle_member(user: User, slug: str, pk: int) -> tuple[ProgramAccess, CircleMember]:
    """A seat in a circle (a member or a request to join), for members of its program."""
    access = get_program_access(user, slug)
    seat = (
        CircleMember.objects.filter(circle__program=access.program, pk=pk)
        .select_related("circle__program", "circle__mentor__user", "mentee__user")
        .first()
    )
    if seat is None:
        raise Http404
    return access, seat
