"""Meetings: schedule, log, reschedule, cancel, and mark held or missed.

Either participant schedules (the agreement's "who schedules" is advice, not a
lock). Every change that a calendar should see (reschedule, cancel) raises the
meeting's ``sequence``, so the ``.ics`` file updates the event instead of adding
a second one. A new time that overlaps another meeting of anyone in the
relationship is refused unless the caller says to schedule it anyway.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from matching.models import CircleMember
from mentoring.models import User
from sessions import rhythm
from sessions.access import WorkspaceAccess
from sessions.models import Medium, Meeting, Workspace
from sessions.services._common import TransitionError, check_can_write, notify_later

__all__ = [
    "OVERLAP_FIELD",
    "meeting_cancel",
    "meeting_create",
    "meeting_mark_held",
    "meeting_mark_missed",
    "meeting_reschedule",
    "overlapping_meetings",
]

# Where the overlap warning goes on the meeting form (the "Schedule anyway" checkbox).
OVERLAP_FIELD = "schedule_anyway"
ACTIVE_STATUSES = (Meeting.Status.SCHEDULED, Meeting.Status.HELD)
LONGEST = dt.timedelta(minutes=480)  # Meeting.duration_minutes' upper bound


def when(start: dt.datetime, end: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    """A meeting's time in one person's time zone: "Thu 3 Dec 2026, 14:00–15:00 (Europe/Paris)"."""
    start, end = start.astimezone(tz), end.astimezone(tz)
    last = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a} {end.day} {end:%b %H:%M}"
    return f"{start:%a} {start.day} {start:%b %Y}, {start:%H:%M}–{last} ({tz.key})"


def _relationship_name(workspace: Workspace) -> str:
    if workspace.circle is not None:
        return f"the circle “{workspace.circle.name}”"
    if workspace.pairing is not None:
        return (
            f"{workspace.pairing.mentor.user.display_name} and "
            f"{workspace.pairing.mentee.user.display_name}"
        )
    return "another relationship"


def _meetings_of(user: User) -> Q:
    """Meetings in every workspace ``user`` takes part in (as mentor, mentee or member)."""
    return (
        Q(workspace__pairing__mentor__user=user)
        | Q(workspace__pairing__mentee__user=user)
        | Q(workspace__circle__mentor__user=user)
        | Q(
            workspace__circle__members__mentee__user=user,
            workspace__circle__members__status=CircleMember.Status.MEMBER,
        )
    )


def overlapping_meetings(
    user: User, start: dt.datetime, end: dt.datetime, *, exclude: Meeting | None = None
) -> list[Meeting]:
    """``user``'s scheduled or held meetings, in any workspace, that overlap start–end."""
    # The end is a property (start + length): bound the start in SQL, check the end here.
    candidates = (
        Meeting.objects.filter(
            _meetings_of(user),
            status__in=ACTIVE_STATUSES,
            starts_at__lt=end,
            starts_at__gt=start - LONGEST,
        )
        .select_related(
            "workspace__pairing__mentor__user",
            "workspace__pairing__mentee__user",
            "workspace__circle",
        )
        .distinct()
        .order_by("starts_at", "pk")
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    return [m for m in candidates if m.ends_at > start]


def _check_overlap(
    wa: WorkspaceAccess, start: dt.datetime, end: dt.datetime, exclude: Meeting | None
) -> None:
    """Refuse a time that clashes with a participant's other meeting, naming the clash.

    The viewer is told which of their own meetings clashes; for a partner only that
    they are busy then, so another relationship's meetings do not leak.
    """
    tz = wa.user.tzinfo
    clashes: list[str] = []
    for person in wa.participants:
        for other in overlapping_meetings(person, start, end, exclude=exclude):
            span = when(other.starts_at, other.ends_at, tz)
            if person.pk == wa.user.pk:
                with_whom = _relationship_name(other.workspace)
                clashes.append(f"You already have a meeting ({with_whom}) on {span}.")
            else:
                clashes.append(f"{person.display_name} already has a meeting on {span}.")
    if clashes:
        clashes.append("Tick “Schedule anyway” to keep this time.")
        raise ValidationError({OVERLAP_FIELD: " ".join(clashes)})


def _check_times(starts_at: dt.datetime, duration_minutes: int, *, past: bool) -> None:
    now = timezone.now()
    if past and starts_at >= now:
        raise ValidationError(
            {"date": "A meeting you log has already happened: choose a time in the past."}
        )
    if not past and starts_at <= now:
        raise ValidationError({"date": "Choose a date and start time in the future."})
    if not 5 <= duration_minutes <= 480:
        raise ValidationError({"end_time": "A meeting lasts between 5 minutes and 8 hours."})


def _check_location(medium: str, location: str) -> str:
    location = (location or "").strip()
    if medium not in Medium.values:
        raise ValidationError({"medium": "Choose in person, video call or phone."})
    if (
        medium == Medium.VIDEO
        and location
        and not location.lower().startswith(("http://", "https://"))
    ):
        raise ValidationError({"location": "Give the video link as a web address (https://…)."})
    return location


def _locked(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    locked.workspace = meeting.workspace
    return locked


def _keep_last_met(meeting: Meeting, *, was_held: bool) -> None:
    """Keep ``Workspace.last_met_at`` (the start of the latest held meeting) right.

    The fading-pair sweep reads it instead of every meeting. A meeting newly held moves
    it forward (never back: a meeting logged late may be older than the last one); a
    held meeting that stops being held makes it be recomputed from the held ones.
    """
    workspace = meeting.workspace
    held = meeting.status == Meeting.Status.HELD
    if held and not was_held:
        # One conditional update: two meetings marked held at once both leave the later.
        Workspace.objects.filter(pk=workspace.pk).filter(
            Q(last_met_at__isnull=True) | Q(last_met_at__lt=meeting.starts_at)
        ).update(last_met_at=meeting.starts_at)
    elif was_held and not held:
        latest = Meeting.objects.filter(
            workspace=OuterRef("pk"), status=Meeting.Status.HELD
        ).order_by("-starts_at")
        Workspace.objects.filter(pk=workspace.pk).update(
            last_met_at=Subquery(latest.values("starts_at")[:1])
        )
    else:
        return
    workspace.last_met_at = (
        Workspace.objects.filter(pk=workspace.pk).values_list("last_met_at", flat=True).get()
    )
    rhythm.refresh([workspace.pk])


def _tell_partners(wa: WorkspaceAccess, meeting: Meeting, *, kind: str, title: str) -> None:
    notify_later(
        users=list(wa.partners),
        kind=kind,
        key=f"{kind}:{meeting.pk}:{meeting.sequence}",
        title=title,
        url=meeting.get_absolute_url(),
        # The calendar file, so the invitation (or its update) lands in their calendar.
        attachment=f"meeting_ics:{meeting.pk}",
    )


@transaction.atomic
def meeting_create(
    *,
    wa: WorkspaceAccess,
    starts_at: dt.datetime,
    duration_minutes: int,
    medium: str,
    location: str = "",
    held: bool = False,
    allow_overlap: bool = False,
) -> Meeting:
    """Schedule a meeting ahead, or (``held``) log one that already happened."""
    check_can_write(wa)
    _check_times(starts_at, duration_minutes, past=held)
    location = _check_location(medium, location)
    end = starts_at + dt.timedelta(minutes=duration_minutes)
    if not allow_overlap:
        _check_overlap(wa, starts_at, end, exclude=None)
    now = timezone.now()
    meeting = Meeting(
        workspace=wa.workspace,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        medium=medium,
        location=location,
        status=Meeting.Status.HELD if held else Meeting.Status.SCHEDULED,
        created_by=wa.user,
        created_at=now,
        updated_at=now,
        status_changed_by=wa.user if held else None,
        status_changed_at=now if held else None,
    )
    meeting.full_clean(exclude=["created_by"])
    meeting.save()
    if held:
        _keep_last_met(meeting, was_held=False)
    else:
        _tell_partners(
            wa,
            meeting,
            kind="meeting_scheduled",
            title=f"{wa.user.display_name} scheduled a meeting",
        )
    return meeting


@transaction.atomic
def meeting_reschedule(
    *,
    wa: WorkspaceAccess,
    meeting: Meeting,
    starts_at: dt.datetime,
    duration_minutes: int,
    medium: str,
    location: str = "",
    allow_overlap: bool = False,
) -> Meeting:
    """Move a scheduled meeting (or change its medium or place); partners are told."""
    check_can_write(wa)
    meeting = _locked(meeting)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise TransitionError(
            f"This meeting is {meeting.get_status_display().lower()}; only a scheduled "
            "meeting can be moved."
        )
    _check_times(starts_at, duration_minutes, past=False)
    location = _check_location(medium, location)
    end = starts_at + dt.timedelta(minutes=duration_minutes)
    if not allow_overlap:
        _check_overlap(wa, starts_at, end, exclude=meeting)
    meeting.starts_at = starts_at
    meeting.duration_minutes = duration_minutes
    meeting.medium = medium
    meeting.location = location
    meeting.sequence += 1
    meeting.updated_at = timezone.now()
    meeting.full_clean(exclude=["created_by"])
    meeting.save()
    _tell_partners(
        wa, meeting, kind="meeting_rescheduled", title=f"{wa.user.display_name} moved a meeting"
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, wa: WorkspaceAccess, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a scheduled meeting with a reason; partners are told."""
    check_can_write(wa)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the meeting is cancelled."})
    if len(reason) > 1000:
        raise ValidationError({"reason": "Keep the reason under 1,000 characters."})
    meeting = _locked(meeting)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise TransitionError(
            f"This meeting is {meeting.get_status_display().lower()}; only a scheduled "
            "meeting can be cancelled."
        )
    now = timezone.now()
    if meeting.starts_at <= now:
        raise TransitionError(
            "This meeting's time has passed: mark it held or missed instead of cancelling it."
        )
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason
    meeting.sequence += 1
    meeting.updated_at = now
    meeting.status_changed_by = wa.user
    meeting.status_changed_at = now
    meeting.save()
    _tell_partners(
        wa,
        meeting,
        kind="meeting_cancelled",
        title=f"{wa.user.display_name} cancelled a meeting",
    )
    return meeting


def _mark(
    wa: WorkspaceAccess, meeting: Meeting, status: str, allowed_from: tuple[str, ...]
) -> Meeting:
    check_can_write(wa)
    meeting = _locked(meeting)
    now = timezone.now()
    if meeting.starts_at > now:
        raise TransitionError("This meeting has not started yet; mark it once its time has come.")
    if meeting.status not in allowed_from:
        raise TransitionError(
            f"This meeting is already {meeting.get_status_display().lower()}; it cannot be "
            f"marked {Meeting.Status(status).label.lower()}."
        )
    was_held = meeting.status == Meeting.Status.HELD
    meeting.status = status
    meeting.updated_at = now
    meeting.status_changed_by = wa.user
    meeting.status_changed_at = now
    meeting.save(update_fields=["status", "updated_at", "status_changed_by", "status_changed_at"])
    _keep_last_met(meeting, was_held=was_held)
    return meeting


@transaction.atomic
def meeting_mark_held(*, wa: WorkspaceAccess, meeting: Meeting) -> Meeting:
    """Record that a meeting took place (also corrects one marked missed)."""
    return _mark(
        wa, meeting, Meeting.Status.HELD, (Meeting.Status.SCHEDULED, Meeting.Status.MISSED)
    )


@transaction.atomic
def meeting_mark_missed(*, wa: WorkspaceAccess, meeting: Meeting) -> Meeting:
    """Record that a scheduled meeting did not take place."""
    return _mark(wa, meeting, Meeting.Status.MISSED, (Meeting.Status.SCHEDULED,))
