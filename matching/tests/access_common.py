"""The world the matching access matrix runs in, and the vocabulary of expectations.

Each area's expectations live in ``matching/tests/access_<area>.py`` as
``EXPECTATIONS``; ``test_access_matrix.py`` joins them and fails for any
matching URL pattern without one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matching.models import (
    Circle,
    FlashOffer,
    FlashSlot,
    MatchConstraint,
    MatchRun,
    MatchSuggestion,
    MentorRequest,
    Pairing,
)
from matching.tests.factories import (
    CircleFactory,
    FlashOfferFactory,
    FlashSlotFactory,
    MentorRequestFactory,
    PairingFactory,
)
from programs.models import Membership, Program
from programs.tests.test_access_matrix import (
    LOGIN,
    PERSONAS,
    POST_ONLY_GET,
    Case,
    expect,
    post_only,
)

__all__ = [
    "ADMIN_ACTION",
    "ADMIN_PAGE",
    "LOGIN",
    "MEMBERS",
    "PERSONAS",
    "POST_ONLY_GET",
    "Case",
    "Objects",
    "World",
    "expect",
    "make_objects",
    "pk_of",
    "post_only",
    "slug_only",
]

MEMBERS = expect(200, 200, 200, 404)
ADMIN_PAGE = expect(200, 403, 403, 404)
ADMIN_ACTION = expect(302, 403, 403, 404)


@dataclass
class Objects:
    """One of each matching object a URL can name, all in one program."""

    program: Program
    admin: Membership
    mentor: Membership
    mentee: Membership
    pairing: Pairing  # proposed: mentor -> mentee
    run: MatchRun  # a draft
    suggestion: MatchSuggestion
    request: MentorRequest  # pending: mentee asks mentor
    circle: Circle  # led by mentor
    offer: FlashOffer  # by mentor
    slot: FlashSlot  # free
    constraint: MatchConstraint  # an admin's lock of mentee with mentor


def make_objects(
    program: Program, admin: Membership, mentor: Membership, mentee: Membership
) -> Objects:
    for m in (mentor, mentee):
        if m.enrolled_at is None:
            Membership.objects.filter(pk=m.pk).update(enrolled_at=program.created_at)
            m.refresh_from_db()
    run = MatchRun.objects.create(program=program, created_by=admin.user, mentee_count=1)
    suggestion = MatchSuggestion.objects.create(run=run, mentee=mentee, mentor=mentor, score=5)
    offer = FlashOfferFactory.create(program=program, mentor=mentor)
    return Objects(
        program=program,
        admin=admin,
        mentor=mentor,
        mentee=mentee,
        pairing=PairingFactory.create(program=program, mentor=mentor, mentee=mentee),
        run=run,
        suggestion=suggestion,
        request=MentorRequestFactory.create(program=program, mentor=mentor, mentee=mentee),
        circle=CircleFactory.create(program=program, mentor=mentor),
        offer=offer,
        slot=FlashSlotFactory.create(offer=offer),
        constraint=MatchConstraint.objects.create(
            program=program, mentee=mentee, mentor=mentor, kind=MatchConstraint.Kind.LOCK
        ),
    )


@dataclass
class World:
    personas: Any
    here: Objects
    there: Objects  # the same objects in the outsider's program

    @property
    def slug(self) -> str:
        return self.here.program.slug


Kwargs = Callable[[World, Objects], dict[str, Any]]


def slug_only(w: World, o: Objects) -> dict[str, Any]:
    return {"slug": w.slug}


def pk_of(attr: str) -> Kwargs:
    """URL kwargs for this program's slug and the pk of ``o.<attr>`` (``o`` may be elsewhere)."""
    return lambda w, o: {"slug": w.slug, "pk": getattr(o, attr).pk}
