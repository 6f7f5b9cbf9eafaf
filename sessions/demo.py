"""The demo pair's workspace: a relationship a few weeks in, with an agenda due now.

Written straight to the models (seed data, chosen by hand) and idempotent: a
workspace that already has meetings is left as it is.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from matching.models import Pairing
from mentoring.models import User
from programs.models import Program
from sessions import rhythm
from sessions.models import (
    ActionItem,
    Agenda,
    Agreement,
    AgreementAcceptance,
    AgreementRevision,
    CheckIn,
    Goal,
    GoalUpdate,
    Medium,
    Meeting,
    Note,
    RoadmapTopic,
    Workspace,
)

VIDEO_LINK = "https://meet.example.org/constellation-demo"


@dataclass(frozen=True)
class DemoWorkspace:
    workspace: Workspace
    created: bool
    upcoming: Meeting | None


def _at(day: dt.date, hour: int, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=tz)


def _next_civil_hour(now: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """A whole hour 12 to 23 hours ahead, in working hours where one exists.

    Inside a day, so the 24-hour meeting reminder is due; inside the default agenda lead
    time (48 hours), so the agenda is due too.
    """
    base = now.replace(minute=0, second=0, microsecond=0)
    candidates = [base + dt.timedelta(hours=h) for h in range(12, 24)]
    civil = [c for c in candidates if 8 <= c.astimezone(tz).hour <= 18]
    return (civil or candidates)[0]


@transaction.atomic
def seed(pairing: Pairing) -> DemoWorkspace:
    """Give the demo pair an agreed relationship with history and a meeting coming up."""
    workspace = Workspace.objects.select_related("program").get(pairing=pairing)
    # The admins' weekly digest comes on the program's digest day: make it today's, so
    # the demo shows one whatever day it is tried.
    Program.objects.filter(pk=pairing.program_id).update(
        digest_weekday=workspace.program.local_date().weekday()
    )
    if workspace.meetings.exists():
        upcoming = workspace.meetings.filter(status=Meeting.Status.SCHEDULED).first()
        return DemoWorkspace(workspace, created=False, upcoming=upcoming)
    program = workspace.program
    tz = zoneinfo.ZoneInfo(program.timezone)
    now = timezone.now()
    today = timezone.localdate(now, tz)
    mentor, mentee = pairing.mentor.user, pairing.mentee.user
    started = timezone.localdate(pairing.started_at or now, tz)
    workspace.start_date = min(started, workspace.start_date)
    workspace.end_date = pairing.planned_end_date or program.end_date
    workspace.midpoint_date = Workspace.midpoint_between(workspace.start_date, workspace.end_date)
    workspace.save(update_fields=["start_date", "end_date", "midpoint_date"])

    # The kickoff agreement, drafted by the mentee and accepted by both.
    agreed_at = _at(workspace.start_date, 17, tz)
    agreement = Agreement.objects.create(
        workspace=workspace,
        purpose=(
            "Help Sam grow from individual contributor to leading a small product team "
            "within the year."
        ),
        mentee_success="I run my first project kickoff and get honest feedback on it.",
        mentor_success="Sam makes calls with confidence and knows who to ask for what.",
        cadence_days=7,
        meeting_minutes=45,
        medium=Medium.VIDEO,
        scheduler=Agreement.Scheduler.MENTEE,
        notice_hours=24,
        reschedule_rule="Move it with a day's notice; cancel only with a new time proposed.",
        contact_channels="E-mail, chat",
        contact_hours="Weekdays 9:00-18:00",
        confidentiality="What we discuss stays between us.",
        shareable="Meeting counts and goals' progress may be shared with the program.",
        feedback_preference="Direct, written after the meeting, with one example.",
        planned_end_date=workspace.end_date,
        drafted_by=mentee,
        created_at=agreed_at,
        updated_at=agreed_at,
        accepted_at=agreed_at + dt.timedelta(hours=3),
    )
    AgreementRevision.objects.create(
        agreement=agreement,
        version=1,
        terms={
            name: (value.isoformat() if isinstance(value, dt.date) else value)
            for name in Agreement.TERMS
            for value in [getattr(agreement, name)]
        },
        changed_by=mentee,
        changed_at=agreed_at,
        accepted_at=agreement.accepted_at,
    )
    for who, delay in ((mentee, 0), (mentor, 3)):
        AgreementAcceptance.objects.create(
            agreement=agreement,
            version=1,
            user=who,
            accepted_at=agreed_at + dt.timedelta(hours=delay),
        )

    # Two SMART goals with some history.
    goals = [
        Goal.objects.create(
            workspace=workspace,
            title="Lead my first project kickoff",
            specific="Plan and run the kickoff of the Q1 onboarding project with 6 people.",
            measurable="Kickoff held, a written plan, at least 4 of 6 people rate it useful.",
            achievable="My manager agreed I lead it; Maya reviews my plan first.",
            relevant="Leading kickoffs is the first step to leading a team.",
            target_date=min(workspace.end_date, today + dt.timedelta(days=60)),
            progress=40,
            created_by=mentee,
            created_at=agreed_at,
        ),
        Goal.objects.create(
            workspace=workspace,
            title="Give feedback every week",
            specific="Give one piece of written feedback to a teammate every week.",
            measurable="At least 1 feedback note per week, 10 in total.",
            achievable="Five minutes on Friday afternoons.",
            relevant="Feedback is the habit I most need as a future lead.",
            target_date=min(workspace.end_date, today + dt.timedelta(days=90)),
            progress=20,
            created_by=mentee,
            created_at=agreed_at,
        ),
    ]
    for goal in goals:
        GoalUpdate.objects.create(
            goal=goal, kind=GoalUpdate.Kind.CREATED, author=mentee, created_at=agreed_at
        )
        GoalUpdate.objects.create(
            goal=goal,
            kind=GoalUpdate.Kind.PROGRESS,
            author=mentee,
            progress=goal.progress,
            note="A first step done; more after our next meeting.",
            created_at=now - dt.timedelta(days=3),
        )

    # Two held meetings with agendas, check-ins and action items; one coming up.
    first_day = max(workspace.start_date, today - dt.timedelta(days=9))
    second_day = today - dt.timedelta(days=3)
    held = []
    for n, (day, late, ratings) in enumerate(
        ((first_day, False, (4, 5)), (second_day, True, (5, 4))), start=1
    ):
        starts = _at(day, 16, tz)
        meeting = Meeting.objects.create(
            workspace=workspace,
            starts_at=starts,
            duration_minutes=45,
            medium=Medium.VIDEO,
            location=VIDEO_LINK,
            status=Meeting.Status.HELD,
            created_by=mentee,
            created_at=starts - dt.timedelta(days=5),
            status_changed_by=mentor,
            status_changed_at=starts + dt.timedelta(minutes=50),
        )
        submitted = starts - dt.timedelta(hours=20 if late else 72)
        Agenda.objects.create(
            meeting=meeting,
            author=mentee,
            did="Drafted the kickoff plan." if n == 1 else "Ran a dry run of the kickoff.",
            learned="Scoping is harder than it looks." if n == 1 else "Timeboxing helps.",
            topics="How do I handle a stakeholder who disagrees?"
            if n == 1
            else "Which metrics should the plan track?",
            needs=["feedback"] if n == 1 else ["feedback", "introductions"],
            needs_detail="Feedback on the plan's first page." if n == 1 else "Someone in finance.",
            links="https://docs.example.org/kickoff-plan",
            status=Agenda.Status.SUBMITTED,
            submitted_at=submitted,
            late=late,
            created_at=submitted,
            updated_at=submitted,
        )
        for who, rating in zip((mentee, mentor), ratings, strict=True):
            CheckIn.objects.create(
                meeting=meeting,
                author=who,
                useful="Walking through the stakeholder map together.",
                next_steps="Rewrite the plan's goals section.",
                before_next="Read the chapter on decision records.",
                change="Start with the hardest question.",
                rating=rating,
                created_at=starts + dt.timedelta(hours=2),
                updated_at=starts + dt.timedelta(hours=2),
            )
        held.append(meeting)
    Workspace.objects.filter(pk=workspace.pk).update(last_met_at=held[-1].starts_at)
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                workspace=workspace,
                meeting=held[0],
                owner=mentee,
                description="Rewrite the plan's goals section and send it to Maya.",
                due_date=first_day + dt.timedelta(days=3),
                status=ActionItem.Status.DONE,
                created_by=mentor,
                done_at=_at(first_day + dt.timedelta(days=2), 11, tz),
            ),
            ActionItem(
                workspace=workspace,
                meeting=held[0],
                owner=mentor,
                kind=ActionItem.Kind.RESOURCE,
                description="Share the kickoff checklist we use in my team.",
                due_date=first_day + dt.timedelta(days=2),
                status=ActionItem.Status.DONE,
                created_by=mentor,
                done_at=_at(first_day + dt.timedelta(days=1), 9, tz),
            ),
            ActionItem(
                workspace=workspace,
                meeting=held[1],
                owner=mentee,
                description="Draft the three metrics for the plan.",
                due_date=today + dt.timedelta(days=1),
                created_by=mentor,
            ),
            ActionItem(
                workspace=workspace,
                meeting=held[1],
                owner=mentor,
                kind=ActionItem.Kind.INTRODUCTION,
                description="Introduce Sam to Priya in finance.",
                due_date=today - dt.timedelta(days=1),
                created_by=mentor,
            ),
        ]
    )
    # The roadmap: the first two topics covered, two still to come.
    for position, (title, covered) in enumerate(
        (
            ("Stakeholder mapping", held[0]),
            ("Writing a project plan", held[1]),
            ("Metrics that matter", None),
            ("Running the kickoff meeting", None),
        )
    ):
        RoadmapTopic.objects.create(
            workspace=workspace,
            title=title,
            position=position,
            covered_in=covered,
            created_by=mentee,
        )
    # Coming up within a day and a half: inside the agenda lead time, and no agenda yet.
    upcoming = Meeting.objects.create(
        workspace=workspace,
        starts_at=_next_civil_hour(now, tz),
        duration_minutes=45,
        medium=Medium.VIDEO,
        location=VIDEO_LINK,
        created_by=mentee,
    )
    # An hour ago, and nobody has marked it held yet: the after-meeting prompts are due.
    Meeting.objects.create(
        workspace=workspace,
        starts_at=(now - dt.timedelta(hours=2)).replace(minute=0, second=0, microsecond=0),
        duration_minutes=45,
        medium=Medium.PHONE,
        created_by=mentor,
    )
    Note.objects.create(
        workspace=workspace,
        author=mentor,
        visibility=Note.Visibility.PRIVATE,
        body="Sam undersells their progress; ask for specifics next time.",
    )
    Note.objects.create(
        workspace=workspace,
        author=mentee,
        visibility=Note.Visibility.SHARED,
        body="Reading list: 'The Manager's Path', chapters 3 and 4.",
        meeting=held[1],
    )
    _circle_near_its_end(pairing)
    # The dates and the last meeting were written directly: store the rhythm they make.
    rhythm.refresh(Workspace.objects.filter(program=program))
    # The demo's people may be contacted any day from 07:00 to 22:00, so that its
    # reminders show in the console whatever day you try it.
    User.objects.filter(email__endswith="@demo.test").update(
        contact_days=list(range(7)), contact_hours_start=dt.time(7), contact_hours_end=dt.time(22)
    )
    return DemoWorkspace(workspace, created=True, upcoming=upcoming)


def _circle_near_its_end(pairing: Pairing) -> None:
    """The demo program's circle reaches three moments today: its mid-point (the review
    opens), three weeks before its end (the closing prompt) and twice its cadence
    without a meeting (the fading-pair nudge), so the reminder sweeps have something of
    each kind to say (README, "Reminders")."""
    program = pairing.program
    today = program.local_date()
    start = today - dt.timedelta(days=2 * program.cadence_days)
    Workspace.objects.filter(circle__program=program, circle__status="active").update(
        start_date=start, end_date=today + dt.timedelta(days=21), midpoint_date=today
    )
