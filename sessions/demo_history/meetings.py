"""The first phase of a started pair's history: its agreement, its goals and its
meetings, the rows everything else hangs on.

``Meetings`` collects them (and holds the clock the whole history is written against:
the program's time zone, now and today); ``history.History`` adds what followed and
inserts it all in bulk. The meetings' days are counted back from the last one held, so
each pair's rhythm matches its fate: on track, at risk, ended early or completed.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any

from django.utils import timezone

from programs.models import Program
from sessions.demo_history.program import (
    AT_RISK,
    COMPLETED,
    LOW_RATINGS,
    ON_TRACK,
    TOO_EARLY,
    Story,
    local_time,
)
from sessions.demo_history.text import (
    ACHIEVABLE,
    CANCEL_REASONS,
    CONFIDENTIALITY,
    FEEDBACK,
    RELEVANT,
    RESCHEDULE_RULE,
    SHAREABLE,
    location,
)
from sessions.models import Agreement, Goal, Medium, Meeting


class Meetings:
    """Writes the started pairs' agreements, goals and meetings, kept for inserting in bulk."""

    def __init__(self, program: Program, tz: zoneinfo.ZoneInfo, now: dt.datetime, today: dt.date):
        self.program, self.tz, self.now, self.today = program, tz, now, today
        self.rows: dict[type, list[Any]] = {}

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return local_time(day, hour, self.tz, minute)

    def past(self, moment: dt.datetime) -> dt.datetime:
        """No later than a few minutes ago: the history is all in the past."""
        return min(moment, self.now - dt.timedelta(minutes=5))

    def add(self, row: Any) -> Any:
        self.rows.setdefault(type(row), []).append(row)
        return row

    # Phase one: the rows everything else hangs on.

    def plan(self, s: Story) -> None:
        ws, rng = s.ws, s.rng
        ws.created_at = s.pairing.started_at or self.now
        agreed = self.at(ws.start_date + dt.timedelta(days=1), 17)
        cadence = 21 if s.n == 7 else 14  # one pair agreed to meet every three weeks
        medium = rng.choice([Medium.VIDEO, Medium.VIDEO, Medium.IN_PERSON, Medium.PHONE])
        s.agreement = self.add(
            Agreement(
                workspace=ws,
                purpose=s.fill(s.theme.purpose),
                mentee_success=s.fill(s.theme.mentee_success),
                mentor_success=s.fill(s.theme.mentor_success),
                cadence_days=cadence,
                meeting_minutes=rng.choice([45, 45, 60]),
                medium=medium,
                scheduler=rng.choice(list(Agreement.Scheduler.values)),
                notice_hours=24,
                reschedule_rule=RESCHEDULE_RULE,
                contact_channels=rng.choice(["E-mail, chat", "Chat only", "E-mail"]),
                contact_hours="Weekdays 9:00-18:00",
                confidentiality=CONFIDENTIALITY,
                shareable=SHAREABLE,
                feedback_preference=rng.choice(FEEDBACK),
                planned_end_date=ws.end_date,
                drafted_by=s.mentee,
                created_at=agreed,
                updated_at=agreed,
                accepted_at=self.past(agreed + dt.timedelta(hours=rng.randint(2, 30))),
            )
        )
        count = 1 if s.pair.fate == TOO_EARLY else min(rng.randint(2, 3), len(s.theme.goals))
        for spec in rng.sample(s.theme.goals, count):
            title, specific, measurable = spec
            s.goals.append(
                self.add(
                    Goal(
                        workspace=ws,
                        title=title,
                        specific=s.fill(specific),
                        measurable=measurable,
                        achievable=s.fill(rng.choice(ACHIEVABLE)),
                        relevant=rng.choice(RELEVANT),
                        target_date=ws.end_date - dt.timedelta(days=rng.randint(0, 20)),
                        created_by=s.mentee,
                        created_at=self.past(agreed + dt.timedelta(days=1)),
                        updated_at=self.past(agreed + dt.timedelta(days=1)),
                    )
                )
            )
        for day, status in self.meeting_days(s, cadence):
            self.meeting(s, day, status)

    def meeting_days(self, s: Story, cadence: int) -> list[tuple[dt.date, str]]:
        """The meetings' days and how they went, counted back from the last one held."""
        rng, fate, today = s.rng, s.pair.fate, self.today
        Status = Meeting.Status
        if fate == TOO_EARLY:
            return [(today + dt.timedelta(days=3), Status.SCHEDULED)]
        after: list[tuple[dt.date, str]] = []
        if fate in (ON_TRACK, LOW_RATINGS):
            last = today - dt.timedelta(days=rng.randint(2, 11))
            upcoming = max(last + dt.timedelta(days=cadence), today + dt.timedelta(days=2))
            after.append((upcoming, Status.SCHEDULED))
        elif fate == AT_RISK:
            last = today - dt.timedelta(days=s.pair.silent_days)
            # The next one fell through, and nobody booked another.
            gone = Status.MISSED if s.pair.one_review else Status.CANCELLED
            after.append((last + dt.timedelta(days=cadence), gone))
        elif fate == COMPLETED:
            last = s.ws.end_date - dt.timedelta(days=1)
        else:  # ended early: the meetings thinned out, then stopped
            ended = timezone.localdate(s.pairing.ended_at, self.tz)
            last = ended - dt.timedelta(days=rng.randint(15, 20))
            after.append((last + dt.timedelta(days=cadence), Status.MISSED))
        held = []
        day = last
        while day >= s.ws.start_date + dt.timedelta(days=4):
            held.append((day, Status.HELD))
            if day != last and rng.random() < 0.1:
                held.append((day - dt.timedelta(days=2), Status.CANCELLED))
            day -= dt.timedelta(days=cadence + rng.choice([-2, -1, 0, 0, 1, 2, 3]))
        return sorted(held) + after

    def meeting(self, s: Story, day: dt.date, status: str) -> None:
        rng, agreement = s.rng, s.agreement
        assert agreement is not None  # noqa: S101 (planned first)
        starts = self.at(day, rng.choice([9, 10, 11, 13, 14, 15, 16]), rng.choice([0, 0, 30]))
        # Booked a week or two ahead, and at the latest yesterday.
        booked = min(
            starts - dt.timedelta(days=rng.randint(6, 13), hours=-2),
            self.now - dt.timedelta(days=1, hours=rng.randint(0, 20)),
        )
        booked = max(booked, self.at(s.ws.start_date, 12))
        scheduler = s.mentor if agreement.scheduler == Agreement.Scheduler.MENTOR else s.mentee
        ends = starts + dt.timedelta(minutes=agreement.meeting_minutes)
        marked = None
        if status == Meeting.Status.HELD:
            marked = ends + dt.timedelta(minutes=rng.randint(5, 180))
        elif status != Meeting.Status.SCHEDULED:
            marked = starts - dt.timedelta(hours=rng.randint(3, 40))
            if status == Meeting.Status.MISSED:
                marked = starts + dt.timedelta(days=1, hours=2)
        s.meetings.append(
            self.add(
                Meeting(
                    workspace=s.ws,
                    starts_at=starts,
                    duration_minutes=agreement.meeting_minutes,
                    medium=agreement.medium,
                    location=location(agreement.medium, s.n),
                    status=status,
                    cancel_reason=rng.choice(CANCEL_REASONS)
                    if status == Meeting.Status.CANCELLED
                    else "",
                    uid=uuid.UUID(int=rng.getrandbits(128), version=4),
                    created_by=scheduler,
                    created_at=booked,
                    updated_at=self.past(marked or booked),
                    status_changed_by=s.mentor if marked else None,
                    status_changed_at=self.past(marked) if marked else None,
                )
            )
        )
