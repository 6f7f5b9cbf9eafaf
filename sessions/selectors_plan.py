"""Reads of the plan of a relationship: its agreement, its goals, its roadmap.

The overview page calls ``agreement_state_of`` (on the terms
``selectors.read_workspace`` read), ``goal_summary`` and ``upcoming_topics``; each runs
a fixed number of queries however much the workspace holds. ``agreement_state`` and
``goal_summary`` read no free text, so they are safe for admins who may not read content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Avg, Count, Field, Q

from mentoring.models import User
from sessions.access import WorkspaceAccess
from sessions.models import (
    Agreement,
    AgreementAcceptance,
    Goal,
    Meeting,
    RoadmapTopic,
    Workspace,
)

__all__ = [
    "LOGISTICS",
    "PlannedTopic",
    "Version",
    "agreement_history",
    "agreement_state",
    "agreement_state_of",
    "goal_summary",
    "held_count",
    "planned_topics",
    "term_label",
    "upcoming_topics",
]

# What a program admin who may not read content still sees of the agreement: no free text.
LOGISTICS = (
    "id",
    "workspace_id",
    "version",
    "cadence_days",
    "meeting_minutes",
    "medium",
    "scheduler",
    "planned_end_date",
    "created_at",
    "updated_at",
    "accepted_at",
)


def term_label(name: str) -> str:
    label = str(cast(Field, Agreement._meta.get_field(name)).verbose_name)
    return label[:1].upper() + label[1:]


# --- Agreement --------------------------------------------------------------------------------


def agreement_state(wa: WorkspaceAccess) -> dict[str, Any]:
    """Whether terms exist and are agreed, their version, and who has yet to accept them.

    Two queries at most, and no free text is read. ``pending`` and ``accepted_by``
    are Users among ``wa.participants``; ``mine_pending`` says whether the viewer
    still has to accept.
    """
    agreement = Agreement.objects.filter(workspace=wa.workspace).only(*LOGISTICS).first()
    return agreement_state_of(wa, agreement)


def agreement_state_of(wa: WorkspaceAccess, agreement: Agreement | None) -> dict[str, Any]:
    """``agreement_state`` of terms already read (``LOGISTICS`` suffice): one query at most."""
    if agreement is None:
        return {
            "exists": False,
            "accepted": False,
            "version": None,
            "accepted_at": None,
            "accepted_by": [],
            "pending": [],
            "mine_pending": False,
            "planned_end_date": None,
        }
    accepted_ids = set(
        AgreementAcceptance.objects.filter(
            agreement=agreement, version=agreement.version
        ).values_list("user_id", flat=True)
    )
    pending = [u for u in wa.participants if u.pk not in accepted_ids]
    return {
        "exists": True,
        "accepted": agreement.is_accepted,
        "version": agreement.version,
        "accepted_at": agreement.accepted_at,
        "accepted_by": [u for u in wa.participants if u.pk in accepted_ids],
        "pending": pending,
        "mine_pending": wa.is_participant and any(u.pk == wa.user.pk for u in pending),
        "planned_end_date": agreement.planned_end_date,
    }


@dataclass
class Version:
    """One version of the terms, for the history: who, when, what changed, who accepted."""

    version: int
    changed_by: User | None
    changed_at: dt.datetime
    accepted_at: dt.datetime | None
    changed: list[str] = field(default_factory=list)
    acceptances: list[AgreementAcceptance] = field(default_factory=list)


def agreement_history(agreement: Agreement) -> list[Version]:
    """Every version, newest first, with the terms that changed from the one before.

    Two queries however many versions there are.
    """
    revisions = list(agreement.revisions.select_related("changed_by").order_by("version"))
    acceptances: dict[int, list[AgreementAcceptance]] = {}
    for acceptance in agreement.acceptances.select_related("user").order_by("accepted_at", "pk"):
        acceptances.setdefault(acceptance.version, []).append(acceptance)
    versions: list[Version] = []
    previous: dict[str, Any] | None = None
    for revision in revisions:
        terms = revision.terms or {}
        changed = (
            []
            if previous is None
            else [term_label(n) for n in Agreement.TERMS if terms.get(n) != previous.get(n)]
        )
        versions.append(
            Version(
                version=revision.version,
                changed_by=revision.changed_by,
                changed_at=revision.changed_at,
                accepted_at=revision.accepted_at,
                changed=changed,
                acceptances=acceptances.get(revision.version, []),
            )
        )
        previous = terms
    versions.reverse()
    return versions


# --- Goals ------------------------------------------------------------------------------------


def goal_summary(workspace: Workspace) -> dict[str, Any]:
    """Counts of goals by status (``open``, ``achieved``, ``dropped``, ``total``) and the
    average progress of the open ones (``average_progress``, None without open goals).

    One query, no free text.
    """
    Status = Goal.Status
    figures = Goal.objects.filter(workspace=workspace).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=Status.OPEN)),
        achieved=Count("pk", filter=Q(status=Status.ACHIEVED)),
        dropped=Count("pk", filter=Q(status=Status.DROPPED)),
        average=Avg("progress", filter=Q(status=Status.OPEN)),
    )
    average = figures.pop("average")
    figures["average_progress"] = round(average) if average is not None else None
    return figures


# --- Roadmap ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedTopic:
    """A topic not covered yet, with the meeting it is planned for (“Meeting 3”)."""

    number: int
    topic: RoadmapTopic


def held_count(workspace: Workspace) -> int:
    return workspace.meetings.filter(status=Meeting.Status.HELD).count()


def planned_topics(topics: list[RoadmapTopic], held: int) -> list[PlannedTopic]:
    """Number the uncovered ``topics`` (given in order) from the next meeting on:
    meeting number = meetings held so far + rank + 1."""
    planned = [t for t in topics if t.covered_in_id is None]
    return [PlannedTopic(number=held + rank + 1, topic=t) for rank, t in enumerate(planned)]


def upcoming_topics(
    workspace: Workspace, limit: int = 3, held: int | None = None
) -> list[PlannedTopic]:
    """The next ``limit`` planned topics, numbered by meeting. Two queries (one where the
    number of meetings ``held`` is given).

    Topics are content: call it only where ``wa.can_read_content``.
    """
    topics = list(
        RoadmapTopic.objects.filter(workspace=workspace, covered_in__isnull=True).order_by(
            "position", "pk"
        )[:limit]
    )
    return planned_topics(topics, held_count(workspace) if held is None else held)
