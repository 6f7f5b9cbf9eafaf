"""A program's health figures: summed from the pair rows, with monthly trends, cached briefly.

Every program-wide figure is a sum over the same rows the pair list and the engagement
export show, so a figure and the pairs behind it always agree. Definitions (also shown
on the page):

- match rate: enrolled mentees with an active or completed pairing (or a seat in a
  circle) / enrolled mentees;
- meetings per pair per month: meetings held by running one-to-one pairs / the months
  they have run (flash sessions meet once and are left out);
- agendas on time: held meetings whose agenda was submitted at least the program's
  agenda lead time before the meeting began / held meetings;
- check-in rating: the average of every check-in's rating (1 to 5);
- action items done on time: items done no later than their due date / items with a
  due date that were done or are past due (dropped items aside);
- mid-point reviews complete: pairs past their mid-point whose two mid-point reviews
  are in / pairs past their mid-point (flash sessions have none).

Queries on a miss: the pair rows (six), two for the monthly trends, one for the match
rate. The result is cached for ``SECONDS`` per program and filters, so a busy dashboard
costs a cache read.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from matching.models import Circle, CircleMember, Pairing
from programs.access import ADMIN_ONLY, ProgramAccess
from programs.models import Membership, Program
from sessions.health.filters import Filters
from sessions.health.rows import OPEN, REASONS, PairRow, pair_rows
from sessions.models import Agenda, CheckIn, Meeting
from sessions.selectors import LABELS, NEEDS_CHECK_IN, ON_TRACK, TOO_EARLY

T = TypeVar("T")

SECONDS = 60
TREND_MONTHS = 12
VERSION = 1

MATCHED = (Pairing.Status.ACTIVE, Pairing.Status.COMPLETED)
STATUS_ORDER = (
    Pairing.Status.PROPOSED,
    Pairing.Status.ACTIVE,
    Pairing.Status.COMPLETED,
    Pairing.Status.ENDED_EARLY,
    Pairing.Status.DECLINED,
    Pairing.Status.EXPIRED,
)
LABEL_ORDER = (NEEDS_CHECK_IN, TOO_EARLY, ON_TRACK)


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole``."""

    part: int
    whole: int

    @property
    def pct(self) -> int | None:
        return round(100 * self.part / self.whole) if self.whole else None


@dataclass(frozen=True)
class Tally:
    """One clickable count: a status, a label or a reason."""

    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Month:
    start: dt.date
    held: int
    agendas_on_time: int
    rating: float | None
    checkins: int
    new_pairs: int

    @property
    def label(self) -> str:
        return f"{self.start:%b %Y}"

    @property
    def agenda_pct(self) -> int | None:
        return Share(self.agendas_on_time, self.held).pct


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows (figures, counts and dates; no one's words)."""

    computed_at: dt.datetime
    pairs: int
    match: Share
    circles_counted: bool
    statuses: list[Tally]
    labels: list[Tally]
    reasons: list[Tally]
    open_pairs: int
    running: int
    held_running: int
    months_running: float
    held: int
    agendas: Share
    checkins: int
    rating: float | None
    actions: Share
    reviews: Share
    midpoint_reviews: int
    value_received: float | None
    value_given: float | None
    months: list[Month]

    @property
    def per_month(self) -> float | None:
        """Meetings held per running one-to-one pair per month."""
        if self.months_running < 0.5:
            return None
        return self.held_running / self.months_running

    def chart(self) -> dict[str, Any]:
        """The monthly series, for the charts (drawn by static/js/health.js)."""
        return {
            "labels": [m.label for m in self.months],
            "held": [m.held for m in self.months],
            "new_pairs": [m.new_pairs for m in self.months],
            "agenda_pct": [m.agenda_pct for m in self.months],
            "rating": [round(m.rating, 2) if m.rating is not None else None for m in self.months],
        }


@dataclass(frozen=True)
class Snapshot:
    """The pair rows behind a dashboard, and when they were read."""

    computed_at: dt.datetime
    rows: list[PairRow]


def _ratio(total: int, n: int) -> float | None:
    return total / n if n else None


def _month_starts(today: dt.date) -> list[dt.date]:
    starts = []
    year, month = today.year, today.month
    for _ in range(TREND_MONTHS):
        starts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _month_of(value: dt.datetime | dt.date, tz: dt.tzinfo) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, tz)
        return dt.date(value.year, value.month, 1)
    return dt.date(value.year, value.month, 1)


def _trends(
    program: Program, filters: Filters, now: dt.datetime, rows: list[PairRow]
) -> list[Month]:
    """The last twelve months on the program's clock, in two queries."""
    tz = program.tzinfo
    starts = _month_starts(program.local_date(now))
    since = dt.datetime.combine(starts[0], dt.time(0, 0), tzinfo=tz)
    pairs = Q(workspace__program=program, workspace__pairing__isnull=False) & filters.pairings(
        "workspace__pairing__"
    )
    held: dict[dt.date, tuple[int, int]] = {}
    for r in (
        Meeting.objects.filter(pairs, status=Meeting.Status.HELD, starts_at__gte=since)
        .annotate(month=TruncMonth("starts_at", tzinfo=tz))
        .order_by()
        .values("month")
        .annotate(
            n=Count("pk"),
            on_time=Count(
                "pk", filter=Q(agenda__status=Agenda.Status.SUBMITTED, agenda__late=False)
            ),
        )
    ):
        held[_month_of(r["month"], tz)] = (r["n"], r["on_time"])
    ratings: dict[dt.date, tuple[float, int]] = {}
    checkin_pairs = Q(
        meeting__workspace__program=program, meeting__workspace__pairing__isnull=False
    ) & filters.pairings("meeting__workspace__pairing__")
    for r in (
        CheckIn.objects.filter(checkin_pairs, meeting__starts_at__gte=since)
        .annotate(month=TruncMonth("meeting__starts_at", tzinfo=tz))
        .order_by()
        .values("month")
        .annotate(avg=Avg("rating"), n=Count("pk"))
    ):
        ratings[_month_of(r["month"], tz)] = (r["avg"], r["n"])
    new = Counter(_month_of(r.start, tz) for r in rows if r.start and r.start >= starts[0])
    months = []
    for start in starts:
        n, on_time = held.get(start, (0, 0))
        avg, checkins = ratings.get(start, (None, 0))
        months.append(
            Month(
                start=start,
                held=n,
                agendas_on_time=on_time,
                rating=float(avg) if avg is not None else None,
                checkins=checkins,
                new_pairs=new.get(start, 0),
            )
        )
    return months


def _match(program: Program, filters: Filters) -> tuple[Share, bool]:
    """Enrolled mentees with an active or completed pairing (or a circle seat), in one query."""
    paired = Exists(
        Pairing.objects.filter(mentee=OuterRef("pk"), status__in=MATCHED).filter(filters.kinds())
    )
    seated = Exists(
        CircleMember.objects.filter(
            mentee=OuterRef("pk"),
            status=CircleMember.Status.MEMBER,
            circle__status__in=(Circle.Status.ACTIVE, Circle.Status.COMPLETED),
        )
    )
    circles = not filters.about_kind
    figures = (
        Membership.objects.filter(
            program=program, role=Membership.Role.MENTEE, enrolled_at__isnull=False
        )
        .filter(filters.people())
        .aggregate(
            enrolled=Count("pk"),
            matched=Count("pk", filter=Q(paired) | Q(seated) if circles else Q(paired)),
        )
    )
    return Share(figures["matched"], figures["enrolled"]), circles


def compute(
    program: Program, filters: Filters, now: dt.datetime | None = None
) -> tuple[Dashboard, Snapshot]:
    """The dashboard of ``program`` under ``filters``, and its pair rows (not cached)."""
    now = now or timezone.now()
    rows = list(pair_rows(program, filters, now=now, batch=None))
    statuses = Counter(r.status for r in rows)
    open_rows = [r for r in rows if r.status in OPEN]
    labels = Counter(r.health for r in open_rows)
    reasons = Counter(code for r in open_rows for code in r.codes)
    running = [r for r in rows if r.counts_rhythm]
    due = [r for r in rows if r.midpoint_due]
    reviews = sum(r.midpoint_reviews for r in rows)
    checkins = sum(r.checkins for r in rows)
    match, circles = _match(program, filters)
    status_labels = dict(Pairing.Status.choices)
    dashboard = Dashboard(
        computed_at=now,
        pairs=len(rows),
        match=match,
        circles_counted=circles,
        statuses=[Tally(s.value, str(status_labels[s]), statuses.get(s, 0)) for s in STATUS_ORDER],
        labels=[Tally(code, LABELS[code], labels.get(code, 0)) for code in LABEL_ORDER],
        reasons=[Tally(code, REASONS[code], n) for code, n in sorted(reasons.items())],
        open_pairs=len(open_rows),
        running=len(running),
        held_running=sum(r.held for r in running),
        months_running=sum(r.months for r in running),
        held=sum(r.held for r in rows),
        agendas=Share(sum(r.agendas_on_time for r in rows), sum(r.held for r in rows)),
        checkins=checkins,
        rating=_ratio(sum(r.rating_total for r in rows), checkins),
        actions=Share(sum(r.actions_on_time for r in rows), sum(r.actions_counted for r in rows)),
        reviews=Share(sum(1 for r in due if r.reviews_complete), len(due)),
        midpoint_reviews=reviews,
        value_received=_ratio(sum(r.value_received_total for r in rows), reviews),
        value_given=_ratio(sum(r.value_given_total for r in rows), reviews),
        months=_trends(program, filters, now, rows),
    )
    return dashboard, Snapshot(now, rows)


def cache_key(program: Program, filters: Filters, part: str) -> str:
    """Where one part (``dashboard``, ``rows``, or a rendering of them) is cached."""
    return f"health:v{VERSION}:{program.pk}:{filters.key()}:{part}"


def _keys(program: Program, filters: Filters) -> tuple[str, str]:
    return cache_key(program, filters, "dashboard"), cache_key(program, filters, "rows")


def fresh(found: object, kind: type[T]) -> T | None:
    """``found`` if it is a ``kind`` worked out less than ``SECONDS`` ago by our clock.

    The cache server expires entries by its own clock; the age is asked of ours as well,
    so that figures never outlive their minute whatever the server's clock says.
    """
    if not isinstance(found, kind):
        return None
    age = (timezone.now() - cast(Any, found).computed_at).total_seconds()
    return found if 0 <= age < SECONDS else None


def _compute_and_keep(program: Program, filters: Filters) -> tuple[Dashboard, Snapshot]:
    dashboard, snapshot = compute(program, filters)
    summary_key, rows_key = _keys(program, filters)
    cache.set_many({summary_key: dashboard, rows_key: snapshot}, SECONDS)
    return dashboard, snapshot


def admins_program(access: ProgramAccess) -> Program:
    """The program of ``access``, for its admins only (the figures are theirs)."""
    if not access.is_admin:
        raise PermissionDenied(ADMIN_ONLY)
    return access.program


def program_dashboard(access: ProgramAccess, filters: Filters) -> Dashboard:
    """The program's figures under ``filters``, at most ``SECONDS`` old (its admins only)."""
    program = admins_program(access)
    found = fresh(cache.get(_keys(program, filters)[0]), Dashboard)
    if found is not None:
        return found
    return _compute_and_keep(program, filters)[0]


def program_pairs(access: ProgramAccess, filters: Filters) -> Snapshot:
    """The pair rows behind the figures (the same moment as the dashboard's, when cached)."""
    program = admins_program(access)
    found = fresh(cache.get(_keys(program, filters)[1]), Snapshot)
    if found is not None:
        return found
    return _compute_and_keep(program, filters)[1]
