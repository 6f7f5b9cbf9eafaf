"""Reading one person's relationships, across all their programs, and grouping them.

Reads only, always for the acting user, in two queries however many relationships or
programs there are. What a relationship shows follows ``matching.access``: only running
(active) and completed pairings and circles, so a mentee never learns of a proposal, a
decline or an expiry through this page. Each relationship is sorted into its kind (mine
or theirs to mentor, peer inside or outside my organisation, reverse, flash, circle),
from my side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from matching.constellation.diagram import Diagram, layout
from matching.constellation.kinds import (
    CIRCLES,
    FLASH,
    KINDS,
    MENTEES,
    MENTORS,
    PEERS_INSIDE,
    PEERS_OUTSIDE,
    REVERSE,
    Group,
    Relationship,
)
from matching.models import Circle, CircleMember, Pairing
from mentoring.models import User

Type = Pairing.RelationshipType

SHOWN_PAIRINGS = (Pairing.Status.ACTIVE, Pairing.Status.COMPLETED)
SHOWN_CIRCLES = (Circle.Status.ACTIVE, Circle.Status.COMPLETED)


@dataclass
class Constellation:
    user: User
    groups: list[Group]
    diagram: Diagram

    @property
    def count(self) -> int:
        return sum(len(g.relationships) for g in self.groups)

    @property
    def program_count(self) -> int:
        return len({r.program.pk for g in self.groups for r in g.relationships})


def _same_organisation(a: User, b: User) -> bool:
    """Both name the same organisation (an empty one matches nobody)."""
    mine, theirs = a.organisation.strip().casefold(), b.organisation.strip().casefold()
    return bool(mine) and mine == theirs


def _day(moment: dt.datetime | None, user: User) -> dt.date | None:
    return timezone.localdate(moment, user.tzinfo) if moment else None


def _workspace_url(slug: str, pk: int | None, fallback: str) -> str:
    if pk is None:
        return fallback
    return reverse("workspace:detail", kwargs={"slug": slug, "pk": pk})


def _pairing_relationship(p: Pairing, user: User) -> Relationship:
    i_mentor = p.mentor.user_id == user.pk
    other = p.mentee.user if i_mentor else p.mentor.user
    if p.kind == Pairing.Kind.FLASH:
        kind = FLASH
        side = "they booked your flash session" if i_mentor else "you booked their flash session"
    elif p.relationship_type == Type.REVERSE:
        kind = REVERSE
        side = (
            "you mentor them; they are more senior"
            if i_mentor
            else "they mentor you; you are more senior"
        )
    elif p.relationship_type == Type.PEER:
        kind = PEERS_INSIDE if _same_organisation(user, other) else PEERS_OUTSIDE
        side = "you mentor them (peer)" if i_mentor else "they mentor you (peer)"
    elif i_mentor:
        kind, side = MENTEES, "you mentor them"
    else:
        kind, side = MENTORS, "mentors you"
    return Relationship(
        kind=kind,
        key=f"user-{other.pk}",
        name=other.display_name,
        program=p.program,
        completed=p.status == Pairing.Status.COMPLETED,
        side=side,
        started=_day(p.started_at or p.created_at, user),
        ended=_day(p.ended_at, user),
        url=_workspace_url(p.program.slug, p.workspace_pk, p.get_absolute_url()),  # type: ignore[attr-defined]
        format="Flash session" if p.kind == Pairing.Kind.FLASH else "One-to-one",
    )


def _circle_relationship(c: Circle, user: User) -> Relationship:
    members = c.member_count  # type: ignore[attr-defined]
    people = f"{members} member{'s' if members != 1 else ''}"
    if c.mentor.user_id == user.pk:
        side = f"you lead it; {people}"
    else:
        side = f"led by {c.mentor.user.display_name}; {people}"
    return Relationship(
        kind=CIRCLES,
        key=f"circle-{c.pk}",
        name=c.name,
        program=c.program,
        completed=c.status == Circle.Status.COMPLETED,
        side=side,
        started=_day(c.created_at, user),
        ended=_day(c.ended_at, user),
        url=_workspace_url(c.program.slug, c.workspace_pk, c.get_absolute_url()),  # type: ignore[attr-defined]
        format="Circle",
    )


def relationships(user: User) -> list[Relationship]:
    """Every running or completed relationship of ``user``, in every program (two queries)."""
    pairings = (
        Pairing.objects.filter(Q(mentor__user=user) | Q(mentee__user=user))
        .filter(status__in=SHOWN_PAIRINGS)
        .exclude(mentor__user=F("mentee__user"))
        .select_related("program", "mentor__user", "mentee__user")
        # The workspace is the upper layer's; naming the relation spares an import.
        .annotate(workspace_pk=F("workspace__id"))
    )
    seat = CircleMember.objects.filter(
        circle=OuterRef("pk"), mentee__user=user, status=CircleMember.Status.MEMBER
    )
    circles = (
        Circle.objects.filter(Q(mentor__user=user) | Q(Exists(seat)))
        .filter(status__in=SHOWN_CIRCLES)
        .select_related("program", "mentor__user")
        .annotate(
            workspace_pk=F("workspace__id"),
            member_count=Count(
                "members", filter=Q(members__status=CircleMember.Status.MEMBER), distinct=True
            ),
        )
    )
    found = [_pairing_relationship(p, user) for p in pairings]
    found += [_circle_relationship(c, user) for c in circles]
    # Running before completed, then by name and program: a stable order for the page.
    found.sort(key=lambda r: (r.completed, r.name.casefold(), r.program.name, r.url))
    return found


def constellation(user: User) -> Constellation:
    """``user``'s constellation: their relationships in groups, and the diagram of them."""
    by_kind: dict[str, list[Relationship]] = {}
    for r in relationships(user):
        by_kind.setdefault(r.kind.key, []).append(r)
    groups = [Group(k, by_kind[k.key]) for k in KINDS if k.key in by_kind]
    return Constellation(user=user, groups=groups, diagram=layout(groups))
