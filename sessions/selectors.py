"""Reads about whole relationships: their health, and the ones a person takes part in.

The health of a relationship ("on track", "needs a check-in", "too early to tell")
is derived from facts (meetings, check-in ratings, reviews, the agreement) by a
pure function, so that the program dashboard can feed it facts read in bulk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, Q, Subquery
from django.utils import timezone

from matching.models import Circle, Pairing
from mentoring.models import User
from sessions.access import workspaces_of
from sessions.models import Agenda, Agreement, CheckIn, Meeting, Review, Workspace
from sessions.selectors_plan import LOGISTICS

ON_TRACK = "on_track"
NEEDS_CHECK_IN = "needs_check_in"
TOO_EARLY = "too_early"
ENDED = "ended"

LABELS = {
    ON_TRACK: "On track",
    NEEDS_CHECK_IN: "Needs a check-in",
    TOO_EARLY: "Too early to tell",
    ENDED: "Ended",
}

# How long after the mid-point date a missing mid-point review counts as overdue.
REVIEW_GRACE = dt.timedelta(days=14)
# How long a relationship may run without agreed terms before it needs a check-in.
AGREEMENT_GRACE = dt.timedelta(days=21)
# A run of check-in ratings averaging below this needs a conversation.
LOW_RATING = 3.0


@dataclass(frozen=True)
class Facts:
    """What the health of one relationship is derived from."""

    open: bool
    start: dt.date
    midpoint: dt.date
    cadence_days: int
    participants: int
    held: int = 0
    last_held: dt.date | None = None
    next_scheduled: dt.date | None = None
    last_two_missed: bool = False
    recent_ratings: tuple[int, ...] = ()
    midpoint_reviews: int = 0
    wants_to_end: bool = False
    agreed: bool = False
    is_flash: bool = False


# The short names of the reasons a relationship needs a check-in (the dashboard counts
# and filters pairs by them).
NO_MEETING = "no_meeting"
MISSED_MEETINGS = "missed_meetings"
LOW_RATINGS = "low_ratings"
OVERDUE_REVIEW = "overdue_review"
WANTS_TO_END = "wants_to_end"
NO_AGREEMENT = "no_agreement"


@dataclass(frozen=True)
class Health:
    status: str
    reasons: tuple[str, ...] = field(default_factory=tuple)
    # For a relationship that needs a check-in: the short name of each reason, in order.
    codes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return LABELS[self.status]


def _weeks(days: int) -> str:
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{days // 7} weeks"


def derive_health(facts: Facts, today: dt.date) -> Health:
    """On track, needs a check-in, or too early to tell, with the reasons in words."""
    if not facts.open:
        return Health(ENDED)
    since_start = (today - facts.start).days
    cadence = max(facts.cadence_days, 1)
    if facts.is_flash:
        return Health(TOO_EARLY if facts.held == 0 else ON_TRACK)
    found: list[tuple[str, str]] = []
    silence = (today - facts.last_held).days if facts.last_held else since_start
    if silence > 2 * cadence:
        found.append(
            (
                NO_MEETING,
                f"No meeting held for {_weeks(silence)}"
                if facts.last_held
                else f"No meeting held in the {_weeks(silence)} since it started",
            )
        )
    if facts.last_two_missed:
        found.append((MISSED_MEETINGS, "The last two meetings were missed"))
    if len(facts.recent_ratings) >= 2:
        average = sum(facts.recent_ratings) / len(facts.recent_ratings)
        if average < LOW_RATING:
            found.append((LOW_RATINGS, f"Low check-in ratings lately ({average:.1f} of 5)"))
    if today > facts.midpoint + REVIEW_GRACE and facts.midpoint_reviews < facts.participants:
        found.append((OVERDUE_REVIEW, "The mid-point review is overdue"))
    if facts.wants_to_end:
        found.append(
            (WANTS_TO_END, "Someone asked to end the relationship at the mid-point review")
        )
    if not facts.agreed and since_start > AGREEMENT_GRACE.days:
        found.append((NO_AGREEMENT, "The terms of the relationship are not agreed yet"))
    if found:
        codes, reasons = zip(*found, strict=True)
        return Health(NEEDS_CHECK_IN, reasons, codes)
    if facts.held == 0:
        return Health(TOO_EARLY, (f"Started {_weeks(max(since_start, 0))} ago; no meeting yet",))
    why = [f"Last met {_weeks(silence)} ago" if silence else "Met today"]
    if facts.next_scheduled:
        why.append(f"next meeting on {facts.next_scheduled:%-d %b}")
    return Health(ON_TRACK, (", ".join(why),))


def today_in(workspace: Workspace) -> dt.date:
    return workspace.program.local_date()


# What the overview reads of each review: its values and state, never its words.
REVIEW_FIELDS = (
    "pk",
    "kind",
    "author_id",
    "value_received",
    "value_given",
    "decision",
    "submitted_at",
    "reopened_at",
    "submissions",
)
# How many of the latest check-in ratings the health of a relationship looks at.
RECENT_RATINGS = 6


@dataclass(frozen=True)
class WorkspaceReads:
    """One read of what a workspace's overview shows about its meetings, check-ins,
    reviews and agreement, shared by its health, its figures and its plan.

    No free text is read: check-in ratings, review values and the agreement's logistics
    (``selectors_plan.LOGISTICS``) only, so it serves admins who may not read content.
    """

    facts: Facts
    # As ``selectors_meetings.meeting_stats`` returns them.
    meetings: dict[str, Any]
    # Every review of the workspace (any author), its ``REVIEW_FIELDS`` only.
    reviews: list[dict[str, Any]]
    agreement: Agreement | None


def _last_two_missed(figures: dict[str, Any]) -> bool:
    """Whether the two latest past meetings (cancelled ones aside) were both missed."""
    missed = figures["missed_since_attended"] if figures["attended"] else figures["past_missed"]
    return bool(missed >= 2)


def read_workspace(workspace: Workspace, participants: int) -> WorkspaceReads:
    """The facts and figures of one workspace in four queries however much it holds:
    one aggregate over its meetings, then its check-in ratings, reviews and agreement."""
    now = timezone.now()
    tz = workspace.program.tzinfo
    Status = Meeting.Status
    past = Q(starts_at__lte=now) & ~Q(status=Status.CANCELLED)
    # The latest past meeting that was not missed (held, or still to be marked).
    attended = (
        Meeting.objects.filter(past, workspace=workspace)
        .exclude(status=Status.MISSED)
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    figures = Meeting.objects.filter(workspace=workspace).aggregate(
        held=Count("pk", filter=Q(status=Status.HELD)),
        missed=Count("pk", filter=Q(status=Status.MISSED)),
        cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
        scheduled=Count("pk", filter=Q(status=Status.SCHEDULED, starts_at__gte=now)),
        to_mark=Count("pk", filter=Q(status=Status.SCHEDULED, starts_at__lt=now)),
        last_held=Max("starts_at", filter=Q(status=Status.HELD)),
        next_scheduled=Min("starts_at", filter=Q(status=Status.SCHEDULED, starts_at__gt=now)),
        agendas_on_time=Count(
            "pk", filter=Q(agenda__status=Agenda.Status.SUBMITTED, agenda__late=False)
        ),
        agendas_late=Count(
            "pk", filter=Q(agenda__status=Agenda.Status.SUBMITTED, agenda__late=True)
        ),
        attended=Count("pk", filter=past & ~Q(status=Status.MISSED)),
        past_missed=Count("pk", filter=past & Q(status=Status.MISSED)),
        missed_since_attended=Count(
            "pk",
            filter=past & Q(status=Status.MISSED, starts_at__gt=Subquery(attended)),
        ),
    )
    ratings = list(
        CheckIn.objects.filter(meeting__workspace=workspace)
        .order_by("-meeting__starts_at", "-pk")
        .values_list("rating", flat=True)
    )
    reviews = list(Review.objects.filter(workspace=workspace).values(*REVIEW_FIELDS))
    agreement = Agreement.objects.filter(workspace=workspace).only(*LOGISTICS).first()
    midpoint = [r["decision"] for r in reviews if r["kind"] == Review.Kind.MIDPOINT]
    last_held = figures["last_held"]
    upcoming = figures["next_scheduled"]
    facts = Facts(
        open=workspace.is_open,
        start=workspace.start_date,
        midpoint=workspace.midpoint_date,
        cadence_days=agreement.cadence_days if agreement else workspace.program.cadence_days,
        participants=participants,
        held=figures["held"],
        last_held=timezone.localdate(last_held, tz) if last_held else None,
        next_scheduled=timezone.localdate(upcoming, tz) if upcoming else None,
        last_two_missed=_last_two_missed(figures),
        recent_ratings=tuple(ratings[:RECENT_RATINGS]),
        midpoint_reviews=len(midpoint),
        wants_to_end=Review.Decision.END in midpoint,
        agreed=bool(agreement and agreement.accepted_at),
        is_flash=workspace.is_flash,
    )
    meetings = {
        key: figures[key]
        for key in (
            "held",
            "missed",
            "cancelled",
            "scheduled",
            "to_mark",
            "last_held",
            "agendas_on_time",
            "agendas_late",
        )
    }
    meetings["checkins"] = len(ratings)
    meetings["average_rating"] = sum(ratings) / len(ratings) if ratings else None
    return WorkspaceReads(facts=facts, meetings=meetings, reviews=reviews, agreement=agreement)


def workspace_facts(workspace: Workspace, participants: int) -> Facts:
    """The facts of one workspace, in four queries however much it holds."""
    return read_workspace(workspace, participants).facts


def my_workspaces(user: User, limit: int = 50) -> list[Workspace]:
    """The relationships ``user`` takes part in that are running, newest first."""
    return list(
        workspaces_of(user)
        .filter(Q(pairing__status=Pairing.Status.ACTIVE) | Q(circle__status=Circle.Status.ACTIVE))
        .select_related(
            "program",
            "pairing__mentor__user",
            "pairing__mentee__user",
            "pairing__topic",
            "circle__mentor__user",
        )
        .order_by("-start_date", "-pk")[:limit]
    )
