"""Sweeps about meetings: reminders before, the agenda due, and prompts after."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Sequence
from typing import TypeVar

from django.db.models import Q, QuerySet

from mentoring.models import Category
from mentoring.notifications import Notice
from mentoring.sweeps import sweep
from programs.models import Program
from sessions.models import Agenda, CheckIn, Meeting
from sessions.services.meetings import LONGEST, when
from sessions.sweeps._common import (
    CATCH_UP,
    any_of,
    load_people,
    mentor_of,
    running,
    short_time,
    with_people,
    with_whom,
    workspace_url,
)

T = TypeVar("T")

# After-meeting prompts are about the last week's meetings only.
AFTER_MEETING_DAYS = 7


def _lead_windows(at: dt.datetime, leads: Iterable[dt.timedelta]) -> Q:
    """Meetings whose moment (start less a lead) came within the catch-up, or that were
    booked or moved within it (every lead may have passed at once)."""
    return any_of(
        [
            Q(updated_at__gt=at - CATCH_UP),
            *(Q(starts_at__gt=at + lead - CATCH_UP, starts_at__lte=at + lead) for lead in leads),
        ]
    )


def _nearest_due(m: Meeting, stages: Sequence[tuple[dt.timedelta, T]], at: dt.datetime) -> T | None:
    """The stage (a lead before the start) that fell due last, or None if none is due.

    Only the nearest is sent when several passed at once (a meeting booked late). Like
    the query, it counts only within the catch-up of its moment or of the booking, so
    whether a reminder goes never depends on what else the query happened to find.
    """
    passed = [(lead, stage) for lead, stage in stages if m.starts_at - lead <= at]
    if not passed:
        return None
    lead, stage = min(passed, key=operator.itemgetter(0))
    if m.starts_at - lead <= at - CATCH_UP and m.updated_at <= at - CATCH_UP:
        return None
    return stage


def _scheduled_meetings(at: dt.datetime, until: dt.timedelta, *extra: Q) -> QuerySet[Meeting]:
    """Scheduled meetings starting in (at, at + until] (the (status, starts_at) index)."""
    return (
        Meeting.objects.filter(
            running("workspace__"),
            *extra,
            status=Meeting.Status.SCHEDULED,
            starts_at__gt=at,
            starts_at__lte=at + until,
        )
        .select_related(*with_people("workspace__"))
        .order_by("starts_at", "pk")
    )


# --- Meeting reminders ----------------------------------------------------------------------


def _reminder_hours(program: Program) -> list[int]:
    hours = program.meeting_reminder_hours
    if not isinstance(hours, list):
        return []
    return [h for h in hours if isinstance(h, int) and not isinstance(h, bool) and 1 <= h <= 336]


@sweep("meeting_reminders")
def meeting_reminders(at: dt.datetime) -> list[Notice]:
    """Every participant of a scheduled meeting, at each of the program's reminder hours.

    When several have passed at once (a meeting booked late), only the nearest is sent.
    """
    every = {
        h
        for program in Program.objects.only("meeting_reminder_hours")
        for h in _reminder_hours(program)
    }
    if not every:
        return []
    leads = [dt.timedelta(hours=h) for h in sorted(every)]
    meetings = list(_scheduled_meetings(at, max(leads), _lead_windows(at, leads)))
    people = load_people([m.workspace for m in meetings])
    notices = []
    for m in meetings:
        ws = m.workspace
        hours = _nearest_due(
            m, [(dt.timedelta(hours=h), h) for h in _reminder_hours(ws.program)], at
        )
        if hours is None:
            continue
        for user in people.participants(ws):
            lines = (f"When: {when(m.starts_at, m.ends_at, user.tzinfo)}.", _place(m))
            notices.append(
                Notice(
                    user=user,
                    kind="meeting_reminder",
                    # Keyed by the start itself: an edit that keeps the time (a new
                    # place, say) must not remind twice; a new time reminds afresh.
                    key=f"meeting_reminder:{m.pk}:{m.starts_at:%Y%m%dT%H%M}:h{hours}:u{user.pk}",
                    title=(
                        f"Reminder: meeting with {with_whom(ws, user)} on "
                        f"{short_time(m.starts_at, user.tzinfo)}"
                    ),
                    category=Category.MEETINGS,
                    lines=lines,
                    url=workspace_url(ws, "meeting", mid=m.pk),
                    action="Open the meeting",
                    attachment=f"meeting_ics:{m.pk}",
                    expires_at=m.starts_at,
                )
            )
    return notices


def _place(m: Meeting) -> str:
    medium = m.get_medium_display()
    return f"{medium}: {m.location}" if m.location else f"{medium}."


# --- Agenda due -----------------------------------------------------------------------------

AGENDA_DUE = "due"
AGENDA_FINAL = "final"


def _agenda_stages(lead_hours: int) -> list[tuple[dt.timedelta, str]]:
    """The agenda's nudges before a meeting: at the lead time, and a final one at a quarter."""
    lead = dt.timedelta(hours=lead_hours)
    return [(lead, AGENDA_DUE), (lead / 4, AGENDA_FINAL)]


@sweep("agenda_due")
def agenda_due(at: dt.datetime) -> list[Notice]:
    """The mentee of a one-to-one or flash meeting whose agenda is not submitted yet."""
    every = set(Program.objects.values_list("agenda_lead_hours", flat=True))
    if not every:
        return []
    leads = [lead for hours in every for lead, _ in _agenda_stages(hours)]
    meetings = _scheduled_meetings(
        at,
        max(leads),
        _lead_windows(at, leads),
        # Circles keep a shared agenda with no one person to nudge.
        Q(workspace__pairing__isnull=False),
        # A left join on the agenda: none yet, or a draft.
        Q(agenda__isnull=True) | Q(agenda__status=Agenda.Status.DRAFT),
    )
    notices = []
    for m in meetings:
        ws = m.workspace
        assert ws.pairing is not None  # noqa: S101 (filtered above)
        mentee, mentor = ws.pairing.mentee.user, ws.pairing.mentor.user
        stage = _nearest_due(m, _agenda_stages(ws.program.agenda_lead_hours), at)
        if stage is None or not mentee.is_active:
            continue
        tz = mentee.tzinfo
        if stage == AGENDA_DUE:
            title = f"Your agenda is due: meeting with {mentor.display_name}"
        else:
            title = f"Last reminder: your agenda for {short_time(m.starts_at, tz)} is not filed"
        notices.append(
            Notice(
                user=mentee,
                kind=f"agenda_{stage}",
                key=f"agenda_{stage}:{m.pk}:{m.starts_at:%Y%m%dT%H%M}:u{mentee.pk}",
                title=title,
                category=Category.MEETINGS,
                lines=(
                    f"Your meeting with {mentor.display_name}: {when(m.starts_at, m.ends_at, tz)}.",
                    "Say what you did since last time, your questions and what you need, so "
                    f"{mentor.get_short_name()} can prepare.",
                ),
                url=workspace_url(ws, "agenda_edit", mid=m.pk),
                action="File the agenda",
                expires_at=m.starts_at,
            )
        )
    return notices


# --- After a meeting ------------------------------------------------------------------------


@sweep("after_meeting")
def after_meeting(at: dt.datetime) -> list[Notice]:
    """A check-in prompt to each participant once a meeting ended, and to the mentor a
    prompt to log follow-ups (and to mark it held or missed if it is still scheduled)."""
    recent = at - CATCH_UP
    found = (
        Meeting.objects.filter(
            running("workspace__"),
            # Ended lately, or marked held or logged lately (the status index, then these).
            Q(starts_at__gt=recent - LONGEST)
            | Q(status_changed_at__gt=recent)
            | Q(created_at__gt=recent),
            status__in=(Meeting.Status.SCHEDULED, Meeting.Status.HELD),
            starts_at__gt=at - dt.timedelta(days=AFTER_MEETING_DAYS) - LONGEST,
            starts_at__lte=at,
        )
        .select_related(*with_people("workspace__"))
        .order_by("starts_at", "pk")
    )
    oldest = at - dt.timedelta(days=AFTER_MEETING_DAYS)
    meetings = [m for m in found if oldest < m.ends_at <= at]
    if not meetings:
        return []
    people = load_people([m.workspace for m in meetings])
    checked_in = set(
        CheckIn.objects.filter(meeting_id__in=[m.pk for m in meetings]).values_list(
            "meeting_id", "author_id"
        )
    )
    notices = []
    for m in meetings:
        ws = m.workspace
        participants = people.participants(ws)
        scheduled = m.status == Meeting.Status.SCHEDULED
        for user in participants:
            if (m.pk, user.pk) in checked_in:
                continue
            span = when(m.starts_at, m.ends_at, user.tzinfo)
            notices.append(
                Notice(
                    user=user,
                    kind="checkin_prompt",
                    key=f"checkin_prompt:{m.pk}:u{user.pk}",
                    title=f"How did your meeting with {with_whom(ws, user)} go?",
                    category=Category.FOLLOW_UPS,
                    lines=(
                        f"Your meeting on {span} has ended.",
                        (
                            "Mark it held, then answer four short questions: what was useful, "
                            "your next steps, what you will do before next time, what to change."
                            if scheduled
                            else "Take two minutes to check in: what was useful, your next "
                            "steps, what you will do before next time, what to change."
                        ),
                    ),
                    url=workspace_url(ws, "meeting" if scheduled else "checkin", mid=m.pk),
                    action="Open the meeting" if scheduled else "Check in",
                )
            )
        mentor = participants[0] if participants else None
        if mentor is None or mentor.pk != mentor_of(ws).pk:
            continue  # the mentor's account is closed
        span = when(m.starts_at, m.ends_at, mentor.tzinfo)
        whom = with_whom(ws, mentor)
        if scheduled:
            title = f"Was your meeting with {whom} held? Mark it, then log follow-ups"
            ask = "Mark it held or missed, then log the follow-ups you promised."
        else:
            title = f"Log the follow-ups from your meeting with {whom}"
            ask = (
                "Add the resources, introductions and tasks you promised as follow-ups, "
                "so nothing is forgotten."
            )
        notices.append(
            Notice(
                user=mentor,
                kind="followup_prompt",
                key=f"followup_prompt:{m.pk}:u{mentor.pk}",
                title=title,
                category=Category.FOLLOW_UPS,
                lines=(f"Your meeting on {span} has ended.", ask),
                url=workspace_url(ws, "meeting", mid=m.pk),
                action="Open the meeting",
            )
        )
    return notices
