"""One row of figures per pairing, read in bulk: what the dashboard sums and the export lists.

Each row carries states, counts and dates only (never the words of an agenda, a
check-in, a note or a review), and the relationship's health as
:func:`sessions.selectors.derive_health` sees it, fed the same facts as a workspace's own
page, or, for a proposal, whether its answer is overdue.

Queries, none per pair: the pairings (one query, streamed), then five per batch of
pairings (their meetings, latest meeting statuses, check-in ratings, mid-point reviews,
action items), each scoped to the batch's range of pairing ids and the filters.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db.models import Count, F, Max, Min, Q, Sum, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from matching.models import Pairing
from programs.models import Program
from sessions.health.filters import Filters
from sessions.models import ActionItem, Agenda, CheckIn, Meeting, Review
from sessions.selectors import ENDED, LABELS, NEEDS_CHECK_IN, TOO_EARLY, Facts, derive_health

# A proposal without a deadline counts as unanswered after this long.
UNANSWERED_AFTER = dt.timedelta(days=7)
# How many pairings each batch of fact queries covers when rows are streamed.
BATCH = 1000
# How many recent check-in ratings the health looks at (as on the workspace page).
RECENT_RATINGS = 6
DAYS_PER_MONTH = 365.25 / 12

UNANSWERED = "unanswered_proposal"
# The reasons a pair needs a check-in, by the start of the words derive_health uses.
REASONS = {
    "no_meeting": "No meeting for over twice the cadence",
    "missed_meetings": "The last two meetings were missed",
    "low_ratings": "Low check-in ratings",
    "overdue_review": "Mid-point review overdue",
    "wants_to_end": "Someone asked to end at the mid-point",
    "no_agreement": "Terms not agreed after three weeks",
    UNANSWERED: "Proposal unanswered",
    "other": "Other",
}
HEALTH_LABELS = LABELS
STATUS_LABELS = dict(Pairing.Status.choices)
KIND_LABELS = dict(Pairing.Kind.choices)
RELATIONSHIP_LABELS: dict[str, str] = {
    Pairing.RelationshipType.CLASSIC: "Classic",
    Pairing.RelationshipType.PEER: "Peer",
    Pairing.RelationshipType.REVERSE: "Reverse",
}
OPEN = (Pairing.Status.PROPOSED, Pairing.Status.ACTIVE)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def proposal_health(
    created_at: dt.datetime, respond_by: dt.datetime | None, now: dt.datetime, tz: dt.tzinfo
) -> tuple[str, tuple[str, ...]]:
    """A proposal needs a check-in once its answer is overdue; until then it is too early."""
    waited = max((now - created_at).days, 0)
    if respond_by is not None:
        if respond_by <= now:
            due = timezone.localtime(respond_by, tz)
            return NEEDS_CHECK_IN, (f"The proposal was not answered by {due:%-d %b}",)
        return TOO_EARLY, (f"Proposed {_days(waited)} ago; waiting for an answer",)
    if now - created_at > UNANSWERED_AFTER:
        return NEEDS_CHECK_IN, (f"The proposal has waited {_days(waited)} for an answer",)
    return TOO_EARLY, (f"Proposed {_days(waited)} ago; waiting for an answer",)


@dataclass(frozen=True)
class PairRow:
    """The figures of one pairing (states, counts and dates; never anyone's words)."""

    pk: int
    status: str
    kind: str
    relationship: str
    mentor: str
    mentee: str
    mentor_email: str
    mentee_email: str
    workspace_id: int | None = None
    proposed: dt.date | None = None
    start: dt.date | None = None
    midpoint: dt.date | None = None
    end: dt.date | None = None
    ended: dt.date | None = None
    held: int = 0
    last_held: dt.date | None = None
    next_scheduled: dt.date | None = None
    agendas_on_time: int = 0
    checkins: int = 0
    rating_total: int = 0
    actions_counted: int = 0
    actions_on_time: int = 0
    midpoint_reviews: int = 0
    value_given_total: int = 0
    value_received_total: int = 0
    months: float = 0.0  # how long it has run, for a running pair (else 0)
    midpoint_due: bool = False  # its mid-point has passed (a running or ended pair)
    health: str = ENDED
    reasons: tuple[str, ...] = ()
    codes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return f"{self.mentor} and {self.mentee}"

    @property
    def health_label(self) -> str:
        return HEALTH_LABELS[self.health]

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def relationship_label(self) -> str:
        return str(RELATIONSHIP_LABELS.get(self.relationship, self.relationship))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_running(self) -> bool:
        return self.status == Pairing.Status.ACTIVE

    @property
    def agenda_share(self) -> float | None:
        return self.agendas_on_time / self.held if self.held else None

    @property
    def rating(self) -> float | None:
        return self.rating_total / self.checkins if self.checkins else None

    @property
    def action_share(self) -> float | None:
        return self.actions_on_time / self.actions_counted if self.actions_counted else None

    @property
    def per_month(self) -> float | None:
        """Meetings held per month, for a one-to-one pair running two weeks or more."""
        if not self.counts_rhythm or self.months < 0.5:
            return None
        return self.held / self.months

    @property
    def counts_rhythm(self) -> bool:
        """A running one-to-one pair (a flash session meets once)."""
        return self.is_running and self.kind != Pairing.Kind.FLASH

    @property
    def value_given(self) -> float | None:
        return self.value_given_total / self.midpoint_reviews if self.midpoint_reviews else None

    @property
    def value_received(self) -> float | None:
        if not self.midpoint_reviews:
            return None
        return self.value_received_total / self.midpoint_reviews

    @property
    def reviews_complete(self) -> bool:
        return self.midpoint_reviews >= 2


@dataclass
class _Context:
    program: Program
    filters: Filters
    now: dt.datetime
    today: dt.date
    tz: dt.tzinfo


def _pairings(program: Program, filters: Filters) -> Any:
    return (
        Pairing.objects.filter(program=program)
        .filter(filters.pairings())
        .order_by("pk")
        .values(
            "pk",
            "status",
            "kind",
            "relationship_type",
            "created_at",
            "respond_by",
            "ended_at",
            "mentor__user__name",
            "mentor__user__email",
            "mentee__user__name",
            "mentee__user__email",
            "workspace__id",
            "workspace__start_date",
            "workspace__midpoint_date",
            "workspace__end_date",
            "workspace__agreement__cadence_days",
            "workspace__agreement__accepted_at",
        )
    )


def _scope(c: _Context, lo: int, hi: int, prefix: str) -> Q:
    """Rows reached through ``prefix`` (a workspace) of the batch's pairings."""
    return (
        Q(**{f"{prefix}program": c.program})
        & Q(**{f"{prefix}pairing__pk__gte": lo, f"{prefix}pairing__pk__lte": hi})
        & c.filters.pairings(f"{prefix}pairing__")
    )


@dataclass
class _Batch:
    meetings: dict[int, dict[str, Any]] = field(default_factory=dict)
    recent: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    ratings: dict[int, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    rating_totals: dict[int, tuple[int, int]] = field(default_factory=dict)
    reviews: dict[int, dict[str, Any]] = field(default_factory=dict)
    actions: dict[int, dict[str, Any]] = field(default_factory=dict)


def _batch(c: _Context, lo: int, hi: int) -> _Batch:
    """The facts of the workspaces of pairings ``lo``..``hi``, in five queries."""
    b = _Batch()
    held = Q(status=Meeting.Status.HELD)
    for r in (
        Meeting.objects.filter(_scope(c, lo, hi, "workspace__"))
        .order_by()
        .values("workspace_id")
        .annotate(
            held=Count("pk", filter=held),
            last_held=Max("starts_at", filter=held),
            next_scheduled=Min(
                "starts_at", filter=Q(status=Meeting.Status.SCHEDULED, starts_at__gt=c.now)
            ),
            on_time=Count(
                "pk",
                filter=held & Q(agenda__status=Agenda.Status.SUBMITTED, agenda__late=False),
            ),
        )
    ):
        b.meetings[r["workspace_id"]] = r
    # The two latest meetings that were due (cancelled ones aside): both missed?
    for ws, status in (
        Meeting.objects.filter(_scope(c, lo, hi, "workspace__"), starts_at__lte=c.now)
        .exclude(status=Meeting.Status.CANCELLED)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("workspace_id"),
                order_by=[F("starts_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=2)
        .order_by()
        .values_list("workspace_id", "status")
    ):
        b.recent[ws].append(status)
    by_ws = F("meeting__workspace_id")
    for ws, rank, rating, total, n in (
        CheckIn.objects.filter(_scope(c, lo, hi, "meeting__workspace__"))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=by_ws,
                order_by=[F("meeting__starts_at").desc(), F("pk").desc()],
            ),
            total=Window(Sum("rating"), partition_by=by_ws),
            n=Window(Count("pk"), partition_by=by_ws),
        )
        .filter(rank__lte=RECENT_RATINGS)
        .order_by()
        .values_list("meeting__workspace_id", "rank", "rating", "total", "n")
    ):
        b.ratings[ws].append((rank, rating))
        b.rating_totals[ws] = (total, n)
    for r in (
        Review.objects.filter(_scope(c, lo, hi, "workspace__"), kind=Review.Kind.MIDPOINT)
        .order_by()
        .values("workspace_id")
        .annotate(
            n=Count("pk"),
            ends=Count("pk", filter=Q(decision=Review.Decision.END)),
            given=Sum("value_given"),
            received=Sum("value_received"),
        )
    ):
        b.reviews[r["workspace_id"]] = r
    # Counted: not dropped, with a due date, and done or past due. On time: done no later
    # than the due date (the day it was done, on the program's clock).
    counted = (
        ~Q(status=ActionItem.Status.DROPPED)
        & Q(due_date__isnull=False)
        & (Q(status=ActionItem.Status.DONE) | Q(due_date__lt=c.today))
    )
    for r in (
        ActionItem.objects.filter(_scope(c, lo, hi, "workspace__"))
        .alias(done_day=TruncDate("done_at", tzinfo=c.tz))
        .order_by()
        .values("workspace_id")
        .annotate(
            counted=Count("pk", filter=counted),
            on_time=Count(
                "pk",
                filter=counted
                & Q(status=ActionItem.Status.DONE, done_at__isnull=False)
                & Q(done_day__lte=F("due_date")),
            ),
        )
    ):
        b.actions[r["workspace_id"]] = r
    return b


def _local(moment: dt.datetime | None, tz: dt.tzinfo) -> dt.date | None:
    return timezone.localdate(moment, tz) if moment else None


def _row(p: dict[str, Any], b: _Batch, c: _Context) -> PairRow:
    ws = p["workspace__id"]
    status = p["status"]
    base: dict[str, Any] = {
        "pk": p["pk"],
        "status": status,
        "kind": p["kind"],
        "relationship": p["relationship_type"],
        "mentor": p["mentor__user__name"] or p["mentor__user__email"],
        "mentee": p["mentee__user__name"] or p["mentee__user__email"],
        "mentor_email": p["mentor__user__email"],
        "mentee_email": p["mentee__user__email"],
        "proposed": _local(p["created_at"], c.tz),
        "ended": _local(p["ended_at"], c.tz),
    }
    if status == Pairing.Status.PROPOSED:
        label, why = proposal_health(p["created_at"], p["respond_by"], c.now, c.tz)
        codes: tuple[str, ...] = (UNANSWERED,) if label == NEEDS_CHECK_IN else ()
        return PairRow(**base, health=label, reasons=why, codes=codes)
    if ws is None:  # declined or expired: it never started
        return PairRow(**base)
    meetings = b.meetings.get(ws, {})
    reviews = b.reviews.get(ws, {})
    actions = b.actions.get(ws, {})
    total, n = b.rating_totals.get(ws, (0, 0))
    start, midpoint = p["workspace__start_date"], p["workspace__midpoint_date"]
    ended = base["ended"]
    last_held = _local(meetings.get("last_held"), c.tz)
    flash = p["kind"] == Pairing.Kind.FLASH
    running = status == Pairing.Status.ACTIVE
    cadence = p["workspace__agreement__cadence_days"] or c.program.cadence_days
    facts = Facts(
        open=running,
        start=start,
        midpoint=midpoint,
        cadence_days=cadence,
        participants=2,
        held=meetings.get("held", 0),
        last_held=last_held,
        next_scheduled=_local(meetings.get("next_scheduled"), c.tz),
        last_two_missed=b.recent.get(ws, []) == [Meeting.Status.MISSED] * 2,
        recent_ratings=tuple(r for _, r in sorted(b.ratings.get(ws, []))),
        midpoint_reviews=reviews.get("n", 0),
        wants_to_end=reviews.get("ends", 0) > 0,
        agreed=p["workspace__agreement__accepted_at"] is not None,
        is_flash=flash,
    )
    health = derive_health(facts, c.today)
    codes = health.codes
    return PairRow(
        **base,
        workspace_id=ws,
        start=start,
        midpoint=midpoint,
        end=p["workspace__end_date"],
        held=facts.held,
        last_held=last_held,
        next_scheduled=facts.next_scheduled,
        agendas_on_time=meetings.get("on_time", 0),
        checkins=n,
        rating_total=total or 0,
        actions_counted=actions.get("counted", 0),
        actions_on_time=actions.get("on_time", 0),
        midpoint_reviews=facts.midpoint_reviews,
        value_given_total=reviews.get("given") or 0,
        value_received_total=reviews.get("received") or 0,
        months=max((c.today - start).days, 0) / DAYS_PER_MONTH if running else 0.0,
        # Past the mid-point: its reviews open that day and are not missing until after.
        midpoint_due=not flash and midpoint < min(c.today, ended or c.today),
        health=health.status,
        reasons=health.reasons,
        codes=codes,
    )


def pair_rows(
    program: Program,
    filters: Filters,
    *,
    now: dt.datetime | None = None,
    batch: int | None = BATCH,
) -> Iterator[PairRow]:
    """One row per pairing of ``program`` that ``filters`` keep, by id; ``batch`` pairings
    at a time (all at once if None), so a long export holds one batch in memory."""
    now = now or timezone.now()
    c = _Context(program, filters, now, program.local_date(now), program.tzinfo)
    pairs = _pairings(program, filters).iterator(chunk_size=batch or 2000)
    while True:
        chunk = list(islice(pairs, batch) if batch else pairs)
        if not chunk:
            return
        facts = _batch(c, chunk[0]["pk"], chunk[-1]["pk"])
        for p in chunk:
            yield _row(p, facts, c)
        if not batch:
            return
