"""What the workspace's sweeps share: catch-up windows, the people to tell, wording."""

from __future__ import annotations

import datetime as dt
import operator
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce

from django.db.models import F, IntegerField, Q, Value
from django.urls import reverse

from matching.models import Circle, CircleMember, Pairing
from mentoring.models import User
from programs.models import Membership, Program
from sessions.models import Workspace

# How long after its moment a reminder is still looked for (a stopped beat, a retry).
CATCH_UP = dt.timedelta(hours=6)
CATCH_UP_DAYS = 3
# The earliest and latest time zones there are: "today" somewhere is within these.
EARLIEST_ZONE = dt.timedelta(hours=12)
LATEST_ZONE = dt.timedelta(hours=14)


# --- Shared pieces --------------------------------------------------------------------------


def running(prefix: str = "") -> Q:
    """Rows of relationships still running: an active pairing or an active circle."""
    return Q(**{f"{prefix}pairing__status": Pairing.Status.ACTIVE}) | Q(
        **{f"{prefix}circle__status": Circle.Status.ACTIVE}
    )


def with_people(prefix: str = "") -> list[str]:
    """What to join so that a workspace's program and pair (or circle mentor) come along."""
    return [
        f"{prefix}program",
        f"{prefix}pairing__mentor__user",
        f"{prefix}pairing__mentee__user",
        f"{prefix}circle__mentor__user",
    ]


def any_of(conditions: Iterable[Q]) -> Q:
    return reduce(operator.or_, conditions)


@dataclass(frozen=True)
class People:
    """Circle members and program admins of the rows a sweep found (active users only)."""

    members: dict[int, list[User]]  # circle id -> its members
    admins: dict[int, list[User]]  # program id -> its admins

    def participants(self, ws: Workspace) -> list[User]:
        """The mentor first, then the mentee(s); people whose account is closed are left out."""
        if ws.pairing is not None:
            users = [ws.pairing.mentor.user, ws.pairing.mentee.user]
        elif ws.circle is not None:
            users = [ws.circle.mentor.user, *self.members.get(ws.circle.pk, [])]
        else:  # the workspace's check constraint rules this out
            users = []
        return [u for u in users if u.is_active]

    def admins_of(self, ws: Workspace) -> list[User]:
        return self.admins.get(ws.program_id, [])


def load_people(workspaces: Sequence[Workspace], *, admins: bool = False) -> People:
    """One query for the circle members (and, if asked, the program admins) of these rows.

    Two indexed halves joined by UNION ALL: seats by circle, admins by program.
    """
    circles = {ws.circle_id for ws in workspaces if ws.circle_id is not None}
    programs = {ws.program_id for ws in workspaces} if admins else set()
    people = Membership.objects.filter(user__is_active=True).select_related("user")
    people = people.only("program_id", "role", "user").order_by()
    parts = []
    if circles:
        parts.append(
            people.filter(
                circle_seats__circle_id__in=circles,
                circle_seats__status=CircleMember.Status.MEMBER,
            ).annotate(seat_circle=F("circle_seats__circle_id"))
        )
    if programs:
        parts.append(
            people.filter(program_id__in=programs, role=Membership.Role.ADMIN).annotate(
                seat_circle=Value(None, output_field=IntegerField())
            )
        )
    if not parts:
        return People(members={}, admins={})
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    members: dict[int, list[User]] = defaultdict(list)
    admins_of: dict[int, list[User]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.user.display_name.lower(), r.user.pk)):
        if row.seat_circle is not None:
            members[row.seat_circle].append(row.user)
        else:
            admins_of[row.program_id].append(row.user)
    return People(members=dict(members), admins=dict(admins_of))


def mentor_of(ws: Workspace) -> User:
    if ws.pairing is not None:
        return ws.pairing.mentor.user
    assert ws.circle is not None  # noqa: S101 (a workspace has a pairing or a circle)
    return ws.circle.mentor.user


def with_whom(ws: Workspace, user: User) -> str:
    """Whom ``user`` meets in this relationship: the partner's name, or the circle."""
    if ws.circle is not None:
        return f"the circle “{ws.circle.name}”"
    assert ws.pairing is not None  # noqa: S101 (a workspace has a pairing or a circle)
    mentor, mentee = ws.pairing.mentor.user, ws.pairing.mentee.user
    return (mentee if user.pk == mentor.pk else mentor).display_name


def relationship_name(ws: Workspace) -> str:
    """The relationship as a program admin sees it: who is matched with whom."""
    if ws.circle is not None:
        return f"the circle “{ws.circle.name}”"
    assert ws.pairing is not None  # noqa: S101
    return f"{ws.pairing.mentor.user.display_name} and {ws.pairing.mentee.user.display_name}"


def short_time(moment: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    """A moment as "Thu 3 Dec, 14:00" in one person's time zone."""
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def long_day(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def workspace_url(ws: Workspace, name: str, **kwargs: int) -> str:
    return reverse(f"workspace:{name}", kwargs={"slug": ws.program.slug, "pk": ws.pk, **kwargs})


def program_today(program: Program, at: dt.datetime) -> dt.date:
    return program.local_date(at)


def todays(at: dt.datetime) -> tuple[dt.date, dt.date]:
    """The earliest and latest date it is anywhere at ``at`` (programs' zones differ)."""
    return (at - EARLIEST_ZONE).date(), (at + LATEST_ZONE).date()


def date_windows(field: str, at: dt.datetime, offsets: Iterable[int]) -> Q:
    """Rows whose ``field`` plus each offset (days) is today somewhere, or was lately."""
    first, last = todays(at)
    return any_of(
        Q(
            **{
                f"{field}__gte": first - dt.timedelta(days=offset + CATCH_UP_DAYS),
                f"{field}__lte": last - dt.timedelta(days=offset),
            }
        )
        for offset in offsets
    )
