"""The program admins' weekly digest: what in their program needs them this week.

On the program's digest day (Monday unless its admins chose another), in its time
zone, every admin of a program with something to report gets one notice listing the
pairs at risk (no held meeting for twice their cadence), the overdue mid-point reviews
(more than two weeks past the mid-point with a review missing) and the proposals nobody
answered yet, with counts and the first few names, linking to the program's pairings
page. The sweep runs hourly; the key names the program's ISO week, so each admin hears
once a week. An admin with nothing to report hears nothing.

Queries, none per row: the programs (a small table), their admins and the digests
already recorded this week; then, only for programs still due, two per section: the
count per program, and each program's first few rows (ranked in SQL). Each section
is an index range over what it reports, never over every pair: a pair's silence is
stored as ``Workspace.at_risk_from`` (sessions.rhythm), a review still missing as
``Workspace.awaiting_midpoint_reviews``, both only while the pair runs; the meetings and
reviews are never read.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Count, Exists, F, OrderBy, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from matching.models import Pairing
from mentoring.models import Category, Notification, User
from mentoring.notifications import Notice
from mentoring.sweeps import sweep
from programs.models import Membership, Program
from sessions import rhythm
from sessions.models import Workspace
from sessions.selectors import REVIEW_GRACE
from sessions.sweeps._common import any_of

__all__ = ["admin_digest"]

# How many names each line shows before "and N more".
FEW = 3

T = TypeVar("T", Workspace, Pairing)


@dataclass(frozen=True)
class Section(Generic[T]):
    """One line of the digest: how many, per program, and the first few of each."""

    counts: dict[int, int]
    first: dict[int, list[T]]

    def of(self, program_id: int) -> tuple[int, list[T]]:
        return self.counts.get(program_id, 0), self.first.get(program_id, [])


def _section(rows: QuerySet[T], order: Sequence[OrderBy], related: Sequence[str]) -> Section[T]:
    """How many rows each program has and its first few, ranked and counted in one query
    that reads no more than the rows' index entries; then only those few rows, with
    ``related``."""
    ranked = (
        rows.order_by()
        .annotate(
            rank=Window(RowNumber(), partition_by=F("program_id"), order_by=list(order)),
            total=Window(Count("pk"), partition_by=F("program_id")),
        )
        .filter(rank__lte=FEW)
        .values_list("program_id", "rank", "pk", "total")
    )
    counts, shown = {}, []
    # The outer query has no ORDER BY of its own (SQL promises no order from a window):
    # the rank it computed puts each program's few in order.
    for program_id, _rank, pk, total in sorted(ranked):
        counts[program_id] = total
        shown.append(pk)
    first: dict[int, list[T]] = defaultdict(list)
    if shown:
        model = rows.model
        chosen = model._default_manager.filter(pk__in=shown).select_related(*related)
        by_pk = {row.pk: row for row in chosen}
        for pk in shown:
            row = by_pk[pk]
            first[row.program_id].append(row)
    return Section(counts, first)


def _tz(program: Program) -> zoneinfo.ZoneInfo:
    return program.tzinfo


def _week(program: Program, at: dt.datetime) -> str:
    year, week, _ = at.astimezone(_tz(program)).isocalendar()
    return f"{year}-W{week:02d}"


def _key(program: Program, at: dt.datetime, admin: User) -> str:
    return f"admin_digest:{program.pk}:{_week(program, at)}:u{admin.pk}"


def _pairs(program_ids: Sequence[int]) -> QuerySet[Workspace]:
    """The workspaces of the programs' running pairings.

    Their stored rhythm is kept only while a one-to-one pairing runs, but the status is
    asked all the same: a refresh that raced with the end of a pairing must not keep an
    ended pair in every digest to come.
    """
    return Workspace.objects.filter(
        program_id__in=program_ids, pairing__status=Pairing.Status.ACTIVE
    )


PAIR_PEOPLE = ("pairing__mentor__user", "pairing__mentee__user")


def _at_risk(program_ids: Sequence[int], at: dt.datetime) -> Section[Workspace]:
    """Running pairs without a held meeting for twice their cadence, at risk longest first."""
    return _section(
        _pairs(program_ids).filter(at_risk_from__lte=at),
        [F("at_risk_from").asc(), F("pk").asc()],
        PAIR_PEOPLE,
    )


def _reviews_overdue(programs: Sequence[Program], at: dt.datetime) -> Section[Workspace]:
    """Running pairs more than two weeks past their mid-point with a mid-point review missing."""
    late = any_of(
        Q(program_id=p.pk, midpoint_date__lt=p.local_date(at) - REVIEW_GRACE) for p in programs
    )
    return _section(
        _pairs([p.pk for p in programs]).filter(late, awaiting_midpoint_reviews=True),
        [F("midpoint_date").asc(), F("pk").asc()],
        PAIR_PEOPLE,
    )


def _unanswered(program_ids: Sequence[int]) -> Section[Pairing]:
    """Proposals still waiting for their mentor's answer, the soonest deadline first."""
    return _section(
        Pairing.objects.filter(program_id__in=program_ids, status=Pairing.Status.PROPOSED),
        [F("respond_by").asc(nulls_last=True), F("pk").asc()],
        ("mentor__user", "mentee__user"),
    )


def _pair(p: Pairing) -> str:
    return f"{p.mentor.user.display_name} and {p.mentee.user.display_name}"


def _some(names: list[str], total: int) -> str:
    """The first few names, then how many more."""
    shown = ", ".join(names[:FEW])
    more = total - min(len(names), FEW)
    return f"{shown} and {more} more" if more > 0 else shown


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _lines(
    admin: User,
    at: dt.datetime,
    at_risk: tuple[int, list[Workspace]],
    overdue: tuple[int, list[Workspace]],
    proposals: tuple[int, list[Pairing]],
) -> list[str]:
    lines = []
    count, first = at_risk
    if count:
        names = []
        for ws in first:
            assert ws.pairing is not None  # noqa: S101 (running pairs only)
            days = (at - rhythm.silent_since(ws.last_met_at, ws.start_date)).days
            silence = f"no meeting for {days} days" if ws.last_met_at else "never met"
            names.append(f"{_pair(ws.pairing)} ({silence})")
        lines.append(
            f"{_count(count, 'pair', 'pairs')} at risk, without a meeting for twice "
            f"their cadence: {_some(names, count)}."
        )
    count, first = overdue
    if count:
        names = []
        for ws in first:
            assert ws.pairing is not None  # noqa: S101
            names.append(f"{_pair(ws.pairing)} (mid-point {ws.midpoint_date:%-d %b})")
        lines.append(
            f"{_count(count, 'pair', 'pairs')} more than two weeks past the mid-point "
            f"with a review missing: {_some(names, count)}."
        )
    count, waiting = proposals
    if count:
        names = []
        tz = admin.tzinfo
        for p in waiting:
            deadline = f", answer due {p.respond_by.astimezone(tz):%-d %b}" if p.respond_by else ""
            names.append(f"{p.mentor.user.display_name} for {p.mentee.user.display_name}{deadline}")
        lines.append(
            f"{_count(count, 'proposal', 'proposals')} still unanswered: {_some(names, count)}."
        )
    return lines


def _title(program: Program, at_risk: int, overdue: int, proposals: int) -> str:
    parts = []
    if at_risk:
        parts.append(f"{_count(at_risk, 'pair', 'pairs')} at risk")
    if overdue:
        parts.append(f"{_count(overdue, 'review', 'reviews')} overdue")
    if proposals:
        parts.append(f"{_count(proposals, 'proposal', 'proposals')} unanswered")
    return f"{program.name}, this week: {', '.join(parts)}"


@sweep("admin_digest")
def admin_digest(at: dt.datetime) -> list[Notice]:
    """On each program's digest day, in its time zone: each admin's weekly digest."""
    # Programs with running pairs or open proposals: the others have nothing to report.
    busy = Pairing.objects.filter(program=OuterRef("pk"), status__in=Pairing.OPEN_STATUSES)
    programs = Program.objects.filter(Exists(busy)).only(
        "pk", "name", "slug", "timezone", "digest_weekday"
    )
    today = [p for p in programs.order_by() if at.astimezone(_tz(p)).weekday() == p.digest_weekday]
    if not today:
        return []
    by_pk = {p.pk: p for p in today}
    admins: dict[int, list[User]] = defaultdict(list)
    for m in (
        Membership.objects.filter(
            program_id__in=by_pk, role=Membership.Role.ADMIN, user__is_active=True
        )
        .select_related("user")
        .order_by("user__name", "user__email")
    ):
        admins[m.program_id].append(m.user)
    keys = {_key(by_pk[pk], at, a): (pk, a) for pk, people in admins.items() for a in people}
    # The hourly runs after the first on the day cost this look-up, nothing more.
    done = set(
        Notification.objects.filter(key__in=list(keys)).order_by().values_list("key", flat=True)
    )
    todo: dict[int, list[User]] = defaultdict(list)
    for key, (pk, admin) in keys.items():
        if key not in done:
            todo[pk].append(admin)
    if not todo:
        return []
    due = sorted(todo)
    at_risk = _at_risk(due, at)
    overdue = _reviews_overdue([by_pk[pk] for pk in due], at)
    proposals = _unanswered(due)
    notices = []
    for pk in due:
        program = by_pk[pk]
        risky, late, waiting = at_risk.of(pk), overdue.of(pk), proposals.of(pk)
        if not (risky[0] or late[0] or waiting[0]):
            continue
        url = reverse("matching:pairings", kwargs={"slug": program.slug})
        for admin in todo[pk]:
            notices.append(
                Notice(
                    user=admin,
                    kind="admin_digest",
                    key=_key(program, at, admin),
                    title=_title(program, risky[0], late[0], waiting[0]),
                    category=Category.ADMIN,
                    lines=tuple(_lines(admin, at, risky, late, waiting)),
                    url=url,
                    action="Open the pairings",
                )
            )
    return notices
