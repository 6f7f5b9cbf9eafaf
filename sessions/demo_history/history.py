"""The rest of a started pair's history, and the entry point that writes it all.

``History`` extends ``meetings.Meetings`` with what followed each meeting held (the
agreement's first revision and acceptances, agendas, check-ins, action items), the
goals' progress, the roadmap, notes and reviews; then saves every row in bulk, in the
order the foreign keys need, and stores the rhythm the meeting and review services would
have kept up to date.

``seed`` creates the program once (found by its slug after that) inside one transaction
and returns the ``DemoHistory`` seed_demo reports.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from matching.models import Pairing
from mentoring.models import User
from programs.models import Program
from sessions import rhythm
from sessions.demo_history.meetings import Meetings
from sessions.demo_history.program import (
    AT_RISK,
    COMPLETED,
    ENDED_EARLY,
    LOW_RATINGS,
    ON_TRACK,
    SLUG,
    TIMEZONE,
    Story,
    create_pairings,
)
from sessions.demo_history.text import (
    BEFORE_NEXT,
    CHANGE,
    CHANGE_LOW,
    DIFFERENTLY,
    LEARNED,
    NEEDS_DETAIL,
    NEXT_STEPS,
    NOTES_MENTEE,
    NOTES_MENTOR,
    NOTES_SHARED,
    PROGRESS_NOTES,
    REMAINS,
    REVIEW_CHANGE,
    USEFUL,
    WORKING,
)
from sessions.models import (
    ActionItem,
    Agenda,
    Agreement,
    AgreementAcceptance,
    AgreementRevision,
    CheckIn,
    Goal,
    GoalUpdate,
    Meeting,
    Note,
    Review,
    RoadmapTopic,
    Workspace,
)


@dataclass(frozen=True)
class DemoHistory:
    program: Program
    created: bool
    statuses: dict[str, int]  # pairings per status
    at_risk: int  # running pairs silent for twice their cadence

    def line(self) -> str:
        """What seed_demo prints about it."""
        counts = ", ".join(
            f"{self.statuses[status]} {Pairing.Status(status).label.lower()}"
            for status in Pairing.Status.values
            if self.statuses.get(status)
        )
        return (
            f"{'Created' if self.created else 'Found'} “{self.program.name}”, running since "
            f"{self.program.start_date:%-d %b}: {sum(self.statuses.values())} pairings "
            f"({counts}), {self.at_risk} at risk, with five months of meetings, check-ins "
            "and reviews."
        )


def summary(program: Program) -> DemoHistory:
    statuses = Counter(program.pairings.values_list("status", flat=True))
    at_risk = Workspace.objects.filter(
        program=program, pairing__status=Pairing.Status.ACTIVE, at_risk_from__lte=timezone.now()
    ).count()
    return DemoHistory(program, created=False, statuses=dict(statuses), at_risk=at_risk)


@transaction.atomic
def seed(admin: User) -> DemoHistory:
    """Create (or find) the program with five months of history."""
    program = Program.objects.filter(slug=SLUG).first()
    if program is None:
        program = _seed(admin)
        result = replace(summary(program), created=True)
    else:
        result = summary(program)
    # Like the first demo program: the admins' digest comes today, whatever day it is.
    Program.objects.filter(pk=program.pk).update(digest_weekday=program.local_date().weekday())
    return result


def _seed(admin: User) -> Program:
    tz = zoneinfo.ZoneInfo(TIMEZONE)
    now = timezone.now()
    today = timezone.localdate(now, tz)
    program, stories = create_pairings(admin, today, tz)
    history = History(program, tz, now, today)
    for s in stories:
        history.plan(s)
    history.save(stories)
    return program


# --- What followed, inside the workspaces ------------------------------------------------


class History(Meetings):
    """Writes the started pairs' agreements, goals, meetings and what followed, in bulk."""

    # Phase two: what hangs on them.

    def follow(self, s: Story) -> None:
        assert s.agreement is not None  # noqa: S101
        agreement = s.agreement
        terms = {
            name: (value.isoformat() if isinstance(value, dt.date) else value)
            for name in Agreement.TERMS
            for value in [getattr(agreement, name)]
        }
        self.add(
            AgreementRevision(
                agreement=agreement,
                version=1,
                terms=terms,
                changed_by=s.mentee,
                changed_at=agreement.created_at,
                accepted_at=agreement.accepted_at,
            )
        )
        accepted = agreement.accepted_at or agreement.created_at
        for who, moment in ((s.mentee, agreement.created_at), (s.mentor, accepted)):
            self.add(
                AgreementAcceptance(agreement=agreement, version=1, user=who, accepted_at=moment)
            )
        held = s.held
        for i, m in enumerate(held):
            self.after_meeting(s, i, m)
        self.goal_history(s, held)
        self.roadmap(s, held)
        self.notes(s, held)
        self.reviews(s, held)

    def after_meeting(self, s: Story, i: int, m: Meeting) -> None:
        rng, fate, theme = s.rng, s.pair.fate, s.theme
        on_time, late = {
            ON_TRACK: (0.88, 0.07),
            COMPLETED: (0.9, 0.06),
            AT_RISK: (0.6, 0.2),
            LOW_RATINGS: (0.5, 0.3),
        }.get(fate, (0.5, 0.25))
        roll = rng.random()
        if roll < on_time + late:
            lead = rng.uniform(50, 110) if roll < on_time else rng.uniform(3, 40)
            submitted = m.starts_at - dt.timedelta(hours=lead)
            needs = rng.sample(list(Agenda.Need.values), rng.randint(0, 2))
            self.add(
                Agenda(
                    meeting=m,
                    author=s.mentee,
                    did=s.fill(theme.steps[i % len(theme.steps)]),
                    learned=rng.choice(LEARNED),
                    topics=s.fill(theme.questions[i % len(theme.questions)]),
                    needs=needs,
                    needs_detail=rng.choice(NEEDS_DETAIL) if needs else "",
                    links=rng.choice(["", "", "https://docs.example.org/northwind/plan"]),
                    status=Agenda.Status.SUBMITTED,
                    submitted_at=submitted,
                    late=roll >= on_time,
                    created_at=submitted - dt.timedelta(hours=1),
                    updated_at=submitted,
                )
            )
        held_count = len(s.held)
        for who in (s.mentor, s.mentee):
            if fate != LOW_RATINGS and rng.random() < 0.08:
                continue  # forgot to check in
            written = self.past(m.ends_at + dt.timedelta(hours=rng.uniform(0.5, 30)))
            low = fate == LOW_RATINGS and i >= held_count - 4
            self.add(
                CheckIn(
                    meeting=m,
                    author=who,
                    useful=rng.choice(USEFUL),
                    next_steps=rng.choice(NEXT_STEPS),
                    before_next=rng.choice(BEFORE_NEXT),
                    change=rng.choice(CHANGE_LOW if low else CHANGE),
                    rating=self.rating(s, who, low),
                    created_at=written,
                    updated_at=written,
                )
            )
        day = timezone.localdate(m.starts_at, self.tz)
        for _ in range(rng.choice([1, 1, 2])):
            owner, kind, line = rng.choice(theme.actions)
            self.action(s, m, day, owner, kind, s.fill(line))

    def rating(self, s: Story, who: User, low: bool) -> int:
        rng, fate = s.rng, s.pair.fate
        if low:
            return 2 if who == s.mentee else rng.choice([2, 3])
        if fate == LOW_RATINGS:
            return rng.choice([3, 3, 4])
        if fate in (AT_RISK, ENDED_EARLY):
            return rng.choices([2, 3, 4, 5], weights=[1, 4, 4, 1])[0]
        return rng.choices([3, 4, 5], weights=[1, 8, 9])[0]

    def action(self, s: Story, m: Meeting, day: dt.date, owner: str, kind: str, line: str) -> None:
        rng, fate, today = s.rng, s.pair.fate, self.today
        due = day + dt.timedelta(days=rng.randint(5, 12))
        done_at, status = None, ActionItem.Status.OPEN
        on_time, late = {ON_TRACK: (0.85, 0.1), COMPLETED: (0.9, 0.08)}.get(fate, (0.55, 0.2))
        roll = rng.random()
        if due < today:
            if roll < on_time:
                done_day = due - dt.timedelta(days=rng.randint(0, (due - day).days - 1))
            elif roll < on_time + late:
                done_day = min(due + dt.timedelta(days=rng.randint(1, 4)), today)
            else:
                done_day = None
        else:
            done_day = day + dt.timedelta(days=1) if roll < 0.3 else None
        if fate in (COMPLETED, ENDED_EARLY) and done_day is None:
            status = ActionItem.Status.DROPPED
        if done_day is not None:
            status = ActionItem.Status.DONE
            done_at = self.past(self.at(done_day, rng.randint(8, 18)))
        created = self.past(m.ends_at + dt.timedelta(minutes=20))
        self.add(
            ActionItem(
                workspace=s.ws,
                meeting=m,
                owner=s.mentor if owner == "mentor" else s.mentee,
                kind=kind,
                description=line,
                due_date=due,
                status=status,
                created_by=s.mentor if owner == "mentor" or rng.random() < 0.5 else s.mentee,
                created_at=created,
                updated_at=done_at or created,
                done_at=done_at,
            )
        )

    def goal_history(self, s: Story, held: list[Meeting]) -> None:
        rng, fate = s.rng, s.pair.fate
        for g in s.goals:
            self.add(
                GoalUpdate(
                    goal=g, kind=GoalUpdate.Kind.CREATED, author=s.mentee, created_at=g.created_at
                )
            )
            if fate == COMPLETED or (fate == ON_TRACK and rng.random() < 0.3):
                final = 100
            elif fate in (ON_TRACK, LOW_RATINGS):
                final = rng.choice([40, 50, 60, 70, 80])
            else:
                final = rng.choice([10, 20, 30]) if held else 0
            marks = rng.sample(held, min(len(held), 3)) if final else []
            marks.sort(key=lambda m: m.starts_at)
            for k, m in enumerate(marks, start=1):
                g.progress = final * k // len(marks)
                g.updated_at = self.past(m.ends_at + dt.timedelta(hours=3))
                self.add(
                    GoalUpdate(
                        goal=g,
                        kind=GoalUpdate.Kind.PROGRESS,
                        author=s.mentee,
                        progress=g.progress,
                        note=rng.choice(PROGRESS_NOTES),
                        created_at=g.updated_at,
                    )
                )
            closing = None
            if final == 100:
                g.status = Goal.Status.ACHIEVED
            elif fate == ENDED_EARLY:
                g.status = Goal.Status.DROPPED
                closing = s.pairing.ended_at
            if g.status != Goal.Status.OPEN:
                g.closed_at = closing or g.updated_at
                g.updated_at = g.closed_at
                self.add(
                    GoalUpdate(
                        goal=g,
                        kind=GoalUpdate.Kind.STATUS,
                        author=s.mentee,
                        status=g.status,
                        created_at=g.closed_at,
                    )
                )

    def roadmap(self, s: Story, held: list[Meeting]) -> None:
        titles = s.theme.roadmap
        for position, title in enumerate(titles):
            k = position * max(len(held), 1) // len(titles)
            covered = held[k] if k < len(held) and position < len(titles) - 1 else None
            if s.pair.fate == COMPLETED and held:
                covered = held[min(k, len(held) - 1)]
            self.add(
                RoadmapTopic(
                    workspace=s.ws,
                    title=title,
                    position=position,
                    covered_in=covered,
                    created_by=s.mentee,
                    created_at=s.agreement.created_at if s.agreement else self.now,
                )
            )

    def notes(self, s: Story, held: list[Meeting]) -> None:
        rng = s.rng
        if not held:
            return
        picks = rng.sample(held, min(len(held), 3))
        for m, (author, visibility, pool) in zip(
            picks,
            (
                (s.mentor, Note.Visibility.PRIVATE, NOTES_MENTOR),
                (s.mentee, Note.Visibility.SHARED, NOTES_SHARED),
                (s.mentee, Note.Visibility.PRIVATE, NOTES_MENTEE),
            ),
            strict=False,
        ):
            written = self.past(m.ends_at + dt.timedelta(hours=rng.randint(1, 20)))
            self.add(
                Note(
                    workspace=s.ws,
                    author=author,
                    meeting=m if visibility == Note.Visibility.SHARED else None,
                    visibility=visibility,
                    body=s.fill(rng.choice(pool)),
                    created_at=written,
                    updated_at=written,
                )
            )

    def reviews(self, s: Story, held: list[Meeting]) -> None:
        rng, fate, ws = s.rng, s.pair.fate, s.ws
        if not held or ws.midpoint_date >= self.today - dt.timedelta(days=7):
            return
        if fate == ENDED_EARLY:
            return
        writers = [s.mentee] if s.pair.one_review else [s.mentee, s.mentor]
        for who in writers:
            low = fate == LOW_RATINGS
            values = (2, 3) if low else (3, 4) if fate == AT_RISK else (4, 5)
            adjust = low or rng.random() < 0.2
            decision = Review.Decision.ADJUST if adjust else Review.Decision.CONTINUE
            self.add(
                Review(
                    workspace=ws,
                    author=who,
                    kind=Review.Kind.MIDPOINT,
                    value_received=rng.choice(values),
                    value_given=rng.choice((3, 4) if low else values),
                    working=rng.choice(WORKING),
                    change=rng.choice(CHANGE_LOW if low else REVIEW_CHANGE),
                    decision=decision,
                    submitted_at=self.past(
                        self.at(ws.midpoint_date + dt.timedelta(days=rng.randint(0, 10)), 18)
                    ),
                )
            )
        if fate == COMPLETED:
            for who in (s.mentee, s.mentor):
                assert s.pairing.ended_at is not None  # noqa: S101
                self.add(
                    Review(
                        workspace=ws,
                        author=who,
                        kind=Review.Kind.FINAL,
                        value_received=5,
                        value_given=rng.choice([4, 5]),
                        working=rng.choice(WORKING),
                        remains=rng.choice(REMAINS),
                        differently=rng.choice(DIFFERENTLY),
                        submitted_at=s.pairing.ended_at - dt.timedelta(hours=rng.randint(2, 30)),
                    )
                )

    # Saving, in the order the foreign keys need.

    def insert(self, *models: type[Model]) -> None:
        for model in models:
            model._default_manager.bulk_create(self.rows.pop(model, []), batch_size=500)

    def save(self, stories: list[Story]) -> None:
        self.insert(Agreement, Goal, Meeting)
        for s in stories:
            self.follow(s)
        Goal.objects.bulk_update(
            [g for s in stories for g in s.goals],
            ["progress", "status", "updated_at", "closed_at"],
            batch_size=500,
        )
        self.insert(
            AgreementRevision,
            AgreementAcceptance,
            GoalUpdate,
            Agenda,
            CheckIn,
            ActionItem,
            RoadmapTopic,
            Note,
            Review,
        )
        self.rhythm(stories)

    def rhythm(self, stories: list[Story]) -> None:
        """Store what the meeting and review services would have kept up to date."""
        reviewed = Counter(
            Review.objects.filter(
                workspace__program=self.program, kind=Review.Kind.MIDPOINT
            ).values_list("workspace_id", flat=True)
        )
        changed = []
        for s in stories:
            held = s.held
            s.ws.last_met_at = max(m.starts_at for m in held) if held else None
            if s.pairing.status == Pairing.Status.ACTIVE:
                # Awaited until both have written theirs (rhythm.note_midpoint_review).
                s.ws.awaiting_midpoint_reviews = reviewed[s.ws.pk] < 2
            changed.append(s.ws)
        Workspace.objects.bulk_update(
            changed, ["created_at", "last_met_at", "awaiting_midpoint_reviews"]
        )
        rhythm.refresh([s.ws.pk for s in stories])
