"""The roadmap: topics planned for the coming meetings, in the order the pair wants them.

Positions stay dense (0..n-1). Every write locks the workspace row first, so two
people reordering at once take turns instead of leaving gaps or duplicates.
Topics not yet covered are numbered by the meeting they are planned for:
meetings held so far + their rank + 1.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from sessions.access import WorkspaceAccess
from sessions.models import Meeting, RoadmapTopic, Workspace
from sessions.selectors_plan import upcoming_topics  # re-exported: the reads live there
from sessions.services._common import TransitionError, check_can_write

__all__ = [
    "coverable_meetings",
    "roadmap_add",
    "roadmap_cover",
    "roadmap_delete",
    "roadmap_move",
    "roadmap_update",
    "upcoming_topics",
]

UP = "up"
DOWN = "down"


def _lock(workspace: Workspace) -> list[RoadmapTopic]:
    """Lock the workspace (the roadmap's mutex) and return its topics in order."""
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
    return list(RoadmapTopic.objects.filter(workspace=workspace).order_by("position", "pk"))


def _renumber(topics: list[RoadmapTopic]) -> None:
    changed = []
    for position, topic in enumerate(topics):
        if topic.position != position:
            topic.position = position
            changed.append(topic)
    if changed:
        RoadmapTopic.objects.bulk_update(changed, ["position"])


def _clean(topic: RoadmapTopic) -> None:
    topic.title = topic.title.strip()
    topic.details = topic.details.strip()
    if not topic.title:
        raise ValidationError({"title": "Give the topic a title."})
    topic.full_clean(exclude=["workspace", "created_by", "covered_in"])


def roadmap_add(*, wa: WorkspaceAccess, title: str, details: str = "") -> RoadmapTopic:
    """Add a topic at the end of the roadmap."""
    check_can_write(wa)
    topic = RoadmapTopic(workspace=wa.workspace, title=title, details=details, created_by=wa.user)
    _clean(topic)
    with transaction.atomic():
        topics = _lock(wa.workspace)
        _renumber(topics)
        topic.position = len(topics)
        topic.save()
    return topic


def roadmap_update(
    *, wa: WorkspaceAccess, topic: RoadmapTopic, title: str, details: str = ""
) -> RoadmapTopic:
    """Change a topic's title and details."""
    check_can_write(wa)
    topic.title = title
    topic.details = details
    _clean(topic)
    with transaction.atomic():
        RoadmapTopic.objects.filter(pk=topic.pk).update(title=topic.title, details=topic.details)
    return topic


def roadmap_move(*, wa: WorkspaceAccess, topic: RoadmapTopic, direction: str) -> None:
    """Move a planned topic one place up or down among the topics not yet covered."""
    check_can_write(wa)
    if direction not in (UP, DOWN):
        raise ValidationError({"direction": "Move a topic up or down."})
    with transaction.atomic():
        topics = _lock(wa.workspace)
        current = next((t for t in topics if t.pk == topic.pk), None)
        if current is None:
            raise TransitionError("This topic is no longer on the roadmap.")
        if current.covered_in_id is not None:
            raise TransitionError(
                "This topic was covered in a meeting; only planned topics are reordered."
            )
        planned = [t for t in topics if t.covered_in_id is None]
        rank = planned.index(current)
        other_rank = rank - 1 if direction == UP else rank + 1
        if not 0 <= other_rank < len(planned):
            where = "first" if direction == UP else "last"
            raise TransitionError(f"“{current.title}” is already the {where} planned topic.")
        other = planned[other_rank]
        i, j = topics.index(current), topics.index(other)
        topics[i], topics[j] = other, current
        _renumber(topics)


def roadmap_delete(*, wa: WorkspaceAccess, topic: RoadmapTopic) -> None:
    """Take a topic off the roadmap; the others close up."""
    check_can_write(wa)
    with transaction.atomic():
        topics = _lock(wa.workspace)
        RoadmapTopic.objects.filter(pk=topic.pk, workspace=wa.workspace).delete()
        _renumber([t for t in topics if t.pk != topic.pk])


def coverable_meetings(workspace: Workspace) -> QuerySet[Meeting]:
    """The meetings a topic can be marked as covered in: any that was not cancelled."""
    return workspace.meetings.exclude(status=Meeting.Status.CANCELLED).order_by("starts_at", "pk")


def roadmap_cover(
    *, wa: WorkspaceAccess, topic: RoadmapTopic, meeting: Meeting | None
) -> RoadmapTopic:
    """Link a topic to the meeting where it was covered, or unlink it (``meeting=None``)."""
    check_can_write(wa)
    if meeting is not None and not coverable_meetings(wa.workspace).filter(pk=meeting.pk).exists():
        raise ValidationError(
            {"meeting": "Choose a meeting of this relationship that was not cancelled."}
        )
    with transaction.atomic():
        _lock(wa.workspace)
        RoadmapTopic.objects.filter(pk=topic.pk).update(covered_in=meeting)
    topic.covered_in = meeting
    return topic
