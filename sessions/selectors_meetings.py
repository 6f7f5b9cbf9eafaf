"""Reads about meetings, agendas, check-ins and action items, each in a fixed number of queries.

The annotations here carry states and counts only (never the words of an
agenda, a check-in or an action item), so the same queries serve admins who
may not read content.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from matching.models import Circle, Pairing
from mentoring.models import User
from sessions.models import ActionItem, Agenda, AgendaItem, CheckIn, Meeting, Workspace

__all__ = [
    "action_counts",
    "agenda_due_for",
    "meeting_stats",
    "next_meeting",
    "open_actions_for",
    "with_states",
]

SUBMITTED = Agenda.Status.SUBMITTED

# The agenda's state in one word: none, draft, submitted (on time) or late.
AGENDA_STATE = Case(
    When(agenda__status=SUBMITTED, agenda__late=True, then=Value("late")),
    When(agenda__status=SUBMITTED, then=Value("submitted")),
    When(agenda__status=Agenda.Status.DRAFT, then=Value("draft")),
    default=Value("none"),
    output_field=CharField(),
)


def _count(model: type[Model], field: str, **filters: Any) -> Coalesce:
    """How many ``model`` rows point at the outer meeting through ``field``, as a subquery."""
    rows = (
        model._default_manager.filter(**{field: OuterRef("pk")}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_states(meetings: QuerySet[Meeting], user: User | None = None) -> QuerySet[Meeting]:
    """Annotate each meeting's agenda state and counts (and whether ``user`` checked in)."""
    meetings = meetings.annotate(
        agenda_state=AGENDA_STATE,
        agenda_submitted_at=F("agenda__submitted_at"),
        agenda_item_count=_count(AgendaItem, "agenda__meeting"),
        checkin_count=_count(CheckIn, "meeting"),
        action_count=_count(ActionItem, "meeting"),
        open_action_count=_count(ActionItem, "meeting", status=ActionItem.Status.OPEN),
    )
    if user is not None:
        meetings = meetings.annotate(
            my_checkin=Exists(CheckIn.objects.filter(meeting=OuterRef("pk"), author=user))
        )
    return meetings


def next_meeting(workspace: Workspace, counts: bool = True) -> Meeting | None:
    """The workspace's next scheduled meeting, with ``agenda_state`` annotated (one query).

    With ``counts`` (the default) also the other annotations of ``with_states``; without,
    ``agenda_state`` and ``agenda_submitted_at`` only, a cheaper query.
    """
    upcoming = Meeting.objects.filter(
        workspace=workspace,
        status=Meeting.Status.SCHEDULED,
        starts_at__gte=timezone.now(),
    )
    meeting = (
        (
            with_states(upcoming)
            if counts
            else upcoming.annotate(
                agenda_state=AGENDA_STATE, agenda_submitted_at=F("agenda__submitted_at")
            )
        )
        .order_by("starts_at", "pk")
        .first()
    )
    if meeting is not None:
        meeting.workspace = workspace  # for get_absolute_url without another query
    return meeting


def meeting_stats(workspace: Workspace) -> dict[str, Any]:
    """Engagement figures of a workspace (two queries): meetings, agendas, ratings.

    Keys: held, missed, cancelled, scheduled (upcoming), to_mark (scheduled but
    past), last_held (datetime or None), agendas_on_time, agendas_late,
    checkins, average_rating (float or None).
    """
    now = timezone.now()
    status = Meeting.Status
    stats: dict[str, Any] = Meeting.objects.filter(workspace=workspace).aggregate(
        held=Count("pk", filter=Q(status=status.HELD)),
        missed=Count("pk", filter=Q(status=status.MISSED)),
        cancelled=Count("pk", filter=Q(status=status.CANCELLED)),
        scheduled=Count("pk", filter=Q(status=status.SCHEDULED, starts_at__gte=now)),
        to_mark=Count("pk", filter=Q(status=status.SCHEDULED, starts_at__lt=now)),
        last_held=Max("starts_at", filter=Q(status=status.HELD)),
        agendas_on_time=Count("pk", filter=Q(agenda__status=SUBMITTED, agenda__late=False)),
        agendas_late=Count("pk", filter=Q(agenda__status=SUBMITTED, agenda__late=True)),
    )
    ratings = CheckIn.objects.filter(meeting__workspace=workspace).aggregate(
        checkins=Count("pk"), average_rating=Avg("rating")
    )
    stats.update(ratings)
    return stats


def action_counts(workspace: Workspace) -> dict[str, int]:
    """How many of the workspace's action items are open, done, dropped and overdue (one query)."""
    today = timezone.localdate()
    counts: dict[str, int] = ActionItem.objects.filter(workspace=workspace).aggregate(
        open=Count("pk", filter=Q(status=ActionItem.Status.OPEN)),
        done=Count("pk", filter=Q(status=ActionItem.Status.DONE)),
        dropped=Count("pk", filter=Q(status=ActionItem.Status.DROPPED)),
        overdue=Count("pk", filter=Q(status=ActionItem.Status.OPEN, due_date__lt=today)),
    )
    return counts


_RUNNING = Q(workspace__pairing__status=Pairing.Status.ACTIVE) | Q(
    workspace__circle__status=Circle.Status.ACTIVE
)


def open_actions_for(user: User, limit: int = 10) -> list[ActionItem]:
    """``user``'s open action items in running relationships, due soonest first (one query)."""
    return list(
        ActionItem.objects.filter(_RUNNING, owner=user, status=ActionItem.Status.OPEN)
        .select_related(
            "workspace__program",
            "workspace__pairing__mentor__user",
            "workspace__pairing__mentee__user",
            "workspace__circle",
            "meeting",
        )
        .order_by(F("due_date").asc(nulls_last=True), "created_at", "pk")[:limit]
    )


def agenda_due_for(user: User) -> list[Meeting]:
    """Upcoming meetings of ``user``'s running pairings (as the mentee) with no agenda submitted.

    Circles are left out: their agenda is shared and counts as submitted at the first item.
    One query; ``agenda_state`` is annotated ("none" or "draft").
    """
    return list(
        with_states(
            Meeting.objects.filter(
                workspace__pairing__mentee__user=user,
                workspace__pairing__status=Pairing.Status.ACTIVE,
                status=Meeting.Status.SCHEDULED,
                starts_at__gte=timezone.now(),
            ).exclude(agenda__status=SUBMITTED)
        )
        .select_related("workspace__program", "workspace__pairing__mentor__user")
        .order_by("starts_at", "pk")
    )


def agenda_state(agenda: Agenda | None) -> str:
    """An agenda's state in one word, as ``AGENDA_STATE`` annotates it."""
    if agenda is None:
        return "none"
    if agenda.is_submitted:
        return "late" if agenda.late else "submitted"
    return "draft"
