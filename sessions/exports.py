"""The program admins' CSV exports: participants, pairings and engagement figures.

Each export is a generator of rows (a header first) that reads the database in chunks,
so a 50,000-row file streams in constant memory; ``mentoring.csvutil.csv_response``
writes them, defusing cells a spreadsheet would run as formulas. They honour the
dashboard's filters and hold figures and metadata only: names, e-mail addresses,
cohorts, departments, states, dates and counts, never the words of an agenda, a
check-in, a note or a review, whatever the program's privacy policy.

Queries: one for the participants (counts are correlated subqueries) and one for the
pairings, each streamed; the engagement rows cost one streamed query plus five per
batch of ``rows.BATCH`` pairings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from matching.models import Circle, CircleMember, Pairing
from programs.access import ProgramAccess
from programs.models import Membership
from sessions.health.figures import admins_program
from sessions.health.filters import Filters
from sessions.health.rows import BATCH, pair_rows

CHUNK = 2000

Status = Pairing.Status


def _count(rows: QuerySet[Any]) -> Coalesce:
    """How many ``rows`` there are, as a correlated subquery (no GROUP BY)."""
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _date(value: dt.datetime | dt.date | None, tz: dt.tzinfo) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localdate(value, tz).isoformat()
    return value.isoformat()


def _num(value: float | None, places: int = 2) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _pct(part: int, whole: int) -> str:
    return "" if not whole else str(round(100 * part / whole))


PARTICIPANT_COLUMNS = [
    "membership_id",
    "name",
    "email",
    "role",
    "cohort",
    "department",
    "seniority",
    "enrolled_on",
    "mentor_capacity",
    "pairings_proposed",
    "pairings_active",
    "pairings_completed",
    "pairings_ended_early",
    "pairings_declined",
    "pairings_expired",
    "circles",
    "matched",
]
PAIRING_STATUSES = (
    Status.PROPOSED,
    Status.ACTIVE,
    Status.COMPLETED,
    Status.ENDED_EARLY,
    Status.DECLINED,
    Status.EXPIRED,
)
SEAT_CIRCLES = (Circle.Status.ACTIVE, Circle.Status.COMPLETED)


def participant_rows(access: ProgramAccess, filters: Filters) -> Iterator[list[Any]]:
    """Header, then one row per mentor and mentee: profile metadata and pairing counts."""
    program = admins_program(access)
    tz = program.tzinfo
    yield PARTICIPANT_COLUMNS
    theirs = Q(mentor=OuterRef("pk")) | Q(mentee=OuterRef("pk"))
    pairings = Pairing.objects.filter(theirs).filter(filters.kinds())
    counts = {f"n_{status}": _count(pairings.filter(status=status)) for status in PAIRING_STATUSES}
    seats = CircleMember.objects.filter(
        mentee=OuterRef("pk"), status=CircleMember.Status.MEMBER, circle__status__in=SEAT_CIRCLES
    )
    led = Circle.objects.filter(mentor=OuterRef("pk"), status__in=SEAT_CIRCLES)
    people = (
        Membership.objects.filter(program=program, role__in=Membership.PARTICIPANT_ROLES)
        .filter(filters.people())
        .annotate(**counts, n_seats=_count(seats), n_led=_count(led))
        .order_by("role", "user__name", "user__email", "pk")
        .values(
            "pk",
            "role",
            "cohort",
            "department",
            "seniority",
            "enrolled_at",
            "capacity",
            "user__name",
            "user__email",
            "n_seats",
            "n_led",
            *counts,
        )
    )
    seniority = dict(Membership.Seniority.choices)
    circles_count = not filters.about_kind
    for m in people.iterator(chunk_size=CHUNK):
        mentor = m["role"] == Membership.Role.MENTOR
        circles = (m["n_led"] if mentor else m["n_seats"]) if circles_count else 0
        matched = m[f"n_{Status.ACTIVE}"] + m[f"n_{Status.COMPLETED}"] + circles > 0
        yield [
            m["pk"],
            m["user__name"],
            m["user__email"],
            m["role"],
            m["cohort"],
            m["department"],
            seniority.get(m["seniority"], ""),
            _date(m["enrolled_at"], tz),
            (m["capacity"] or program.default_mentor_capacity) if mentor else "",
            *(m[f"n_{status}"] for status in PAIRING_STATUSES),
            circles,
            "" if mentor else ("yes" if matched else "no"),
        ]


PAIRING_COLUMNS = [
    "pairing_id",
    "status",
    "kind",
    "relationship",
    "source",
    "mentor",
    "mentor_email",
    "mentor_cohort",
    "mentor_department",
    "mentee",
    "mentee_email",
    "mentee_cohort",
    "mentee_department",
    "proposed_on",
    "answer_due_on",
    "answered_on",
    "started_on",
    "midpoint_on",
    "planned_end_on",
    "ended_on",
]


def pairing_rows(access: ProgramAccess, filters: Filters) -> Iterator[list[Any]]:
    """Header, then one row per pairing: who, what kind, its state and its dates."""
    program = admins_program(access)
    tz = program.tzinfo
    yield PAIRING_COLUMNS
    pairings = (
        Pairing.objects.filter(program=program)
        .filter(filters.pairings())
        .order_by("pk")
        .values_list(
            "pk",
            "status",
            "kind",
            "relationship_type",
            "source",
            "mentor__user__name",
            "mentor__user__email",
            "mentor__cohort",
            "mentor__department",
            "mentee__user__name",
            "mentee__user__email",
            "mentee__cohort",
            "mentee__department",
            "created_at",
            "respond_by",
            "responded_at",
            "workspace__start_date",
            "workspace__midpoint_date",
            "workspace__end_date",
            "ended_at",
        )
    )
    for row in pairings.iterator(chunk_size=CHUNK):
        yield [*row[:13], *(_date(v, tz) for v in row[13:])]


ENGAGEMENT_COLUMNS = [
    "pairing_id",
    "mentor",
    "mentor_email",
    "mentee",
    "mentee_email",
    "status",
    "kind",
    "relationship",
    "started_on",
    "midpoint_on",
    "ends_on",
    "ended_on",
    "health",
    "health_reasons",
    "meetings_held",
    "last_met_on",
    "meetings_per_month",
    "agendas_on_time",
    "agendas_on_time_pct",
    "checkins",
    "average_rating",
    "actions_due",
    "actions_done_on_time",
    "actions_on_time_pct",
    "midpoint_reviews",
    "average_value_received",
    "average_value_given",
]


def engagement_rows(
    access: ProgramAccess, filters: Filters, *, batch: int = BATCH
) -> Iterator[list[Any]]:
    """Header, then one row of engagement figures per pairing (as on the dashboard)."""
    program = admins_program(access)
    tz = program.tzinfo
    yield ENGAGEMENT_COLUMNS
    for r in pair_rows(program, filters, batch=batch):
        yield [
            r.pk,
            r.mentor,
            r.mentor_email,
            r.mentee,
            r.mentee_email,
            r.status,
            r.kind,
            r.relationship,
            _date(r.start, tz),
            _date(r.midpoint, tz),
            _date(r.end, tz),
            _date(r.ended, tz),
            r.health_label,
            "; ".join(r.reasons),
            r.held,
            _date(r.last_held, tz),
            _num(r.per_month),
            r.agendas_on_time,
            _pct(r.agendas_on_time, r.held),
            r.checkins,
            _num(r.rating),
            r.actions_counted,
            r.actions_on_time,
            _pct(r.actions_on_time, r.actions_counted),
            r.midpoint_reviews,
            _num(r.value_received),
            _num(r.value_given),
        ]


EXPORTS: dict[str, Callable[[ProgramAccess, Filters], Iterator[list[Any]]]] = {
    "participants": participant_rows,
    "pairings": pairing_rows,
    "engagement": engagement_rows,
}
