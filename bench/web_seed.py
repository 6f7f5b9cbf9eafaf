"""Seed a database for the web load benchmark (``bench/web_bench.py``): COPY, not services.

Two sizes are seeded by the same code, so that a page's query count can be compared:

- ``large``: 24 programs (20 running, 4 closed), about 12,000 pairings (most active, some
  completed, ended early, proposed, declined or expired), 20,000 users, 134,000 meetings
  with agendas (most submitted on time, some late, drafts or missing) and check-ins with
  ratings, and per relationship an agreement, SMART goals with their history, a roadmap,
  action items, notes and reviews; a published match run per program and a draft run
  for each running program's new intake; a few notifications per person.
- ``small``: three programs of a handful of pairs, made to hold every state the pages
  show (on track, fading, never met, ended, proposed, reviews missing, low ratings ...),
  with fewer rows than a page shows (so that a query per row shows as a different count).

The three personas exist at both sizes with the same shape and less history at the small
size: a mentee in a typical relationship, a mentor with several mentees (five, or two),
the admin of a typical program (about 400 pairs, or 9). Everything is dated from the
moment of seeding, so a seeded database is reused for a few days only (``web_bench``).

Workspaces carry what the services store for them (``sessions.rhythm``): ``last_met_at``
from the meetings, the at-risk and step-in moments while the pair runs, and whether its
mid-point reviews are awaited; :func:`check_stored_rhythm` recomputes them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Model
from sweeps_bench import Copier  # bench/ is on sys.path when web_bench runs

from matching.models import (
    MatchConstraint,
    MatchingSettings,
    MatchRun,
    MatchSuggestion,
    Pairing,
)
from mentoring import stamps
from mentoring.models import Category, Notification, User
from programs.models import Membership, Program, Topic
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
    Meeting,
    Note,
    Review,
    RoadmapTopic,
    Workspace,
)

D = dt.timedelta(days=1)
H = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
PS = Pairing.Status
MS = Meeting.Status

MENTEE_EMAIL = "mentee@bench.example.org"
MENTOR_EMAIL = "mentor@bench.example.org"
ADMIN_EMAIL = "admin@bench.example.org"
TYPICAL_SLUG = "bench-typical"
SECOND_SLUG = "bench-second"
CLOSED_SLUG = "bench-closed-1"

# fmt: off
FIRST = (
    "Aisha", "Ben", "Carmen", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kofi", "Lena", "Mateo", "Nadia", "Omar", "Petra", "Quinn", "Rosa", "Samir", "Tara", "Umar",
    "Vera", "Wei", "Xenia", "Yusuf", "Zoe", "Anders", "Beatriz", "Chen", "Dara", "Emeka",
    "Fatima", "Goran", "Hana", "Ivan", "Julia", "Kwame", "Lucia", "Marek", "Noor",
)
LAST = (
    "Abbott", "Banerjee", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad",
    "Ivanova", "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov",
    "Quintero", "Rossi", "Schmidt", "Tanaka", "Urquhart", "Varga", "Weber", "Xu", "Yilmaz",
    "Zielinski", "Andersen", "Brennan", "Castillo", "Dorsey",
)
# fmt: on
DEPARTMENTS = (
    "Engineering",
    "Finance",
    "Legal",
    "Marketing",
    "Operations",
    "People",
    "Product",
    "Research",
    "Sales",
    "Support",
)
TOPIC_NAMES = (
    "Career growth",
    "Leadership",
    "Public speaking",
    "Negotiation",
    "Managing up",
    "Work-life balance",
    "Technical depth",
    "Strategy",
    "Networking",
    "Feedback",
    "Hiring",
    "Product sense",
)
COHORTS = ("Autumn 2025", "Spring 2026")
TIMEZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC")
CRITERIA = (
    ("topics", "Topic fit", 5),
    ("questions", "Answers to matching questions", 3),
    ("seniority", "Seniority gap", 2),
    ("timezone", "Time-zone distance", 1),
)


# The mix of the background's relationships: (pairing status, silence, low ratings).
# "recent": met within the cadence; "quiet": 33 to 54 days; "gone": 61+ days; "never":
# started lately and not met yet.
VARIETY: tuple[tuple[str, str, bool], ...] = (
    (PS.ACTIVE, "recent", True),
    (PS.ACTIVE, "quiet", False),
    (PS.ACTIVE, "gone", False),
    (PS.ACTIVE, "never", False),
    (PS.COMPLETED, "", False),
    (PS.ENDED_EARLY, "", True),
    (PS.PROPOSED, "", False),
    (PS.DECLINED, "", False),
    (PS.EXPIRED, "", False),
)


# --- Sizes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    name: str
    # (pair slots, running) of each program after the typical, second and closed ones.
    other_programs: tuple[tuple[int, bool], ...]
    typical_pairs: int
    second_pairs: int
    closed_pairs: int
    # The personas' share: the mentor's mentees in the typical program, and how much
    # history the mentee's relationship has.
    mentor_mentees: int
    mentee_past_meetings: int
    mentee_actions: int
    mentee_goals: int
    mentee_roadmap: int
    mentee_notes: int
    mentee_unread: int
    # Each state once, in order, before the random mix (the small size is only these).
    forced_variety: bool
    min_users: int = 0
    min_meetings: int = 0
    min_pairings: int = 0


def _other_programs(rng: random.Random) -> tuple[tuple[int, bool], ...]:
    running = [rng.randint(150, 840) for _ in range(18)]
    scale = 9_000 / sum(running)
    sizes = [(max(100, round(n * scale)), True) for n in running]
    return (*sizes, *[(560, False)] * 3)


LARGE = Size(
    name="large",
    other_programs=_other_programs(random.Random(6)),
    typical_pairs=400,
    second_pairs=300,
    closed_pairs=560,
    mentor_mentees=5,
    mentee_past_meetings=12,
    mentee_actions=14,
    mentee_goals=4,
    mentee_roadmap=6,
    mentee_notes=6,
    mentee_unread=7,
    forced_variety=False,
    min_users=20_000,
    min_meetings=100_000,
    min_pairings=8_000,
)
SMALL = Size(
    name="small",
    other_programs=(),
    typical_pairs=len(VARIETY),  # with the personas' pairs, fewer people than a page shows
    second_pairs=3,
    closed_pairs=3,
    mentor_mentees=2,
    mentee_past_meetings=4,
    mentee_actions=4,
    mentee_goals=2,
    mentee_roadmap=3,
    mentee_notes=2,
    mentee_unread=2,
    forced_variety=True,
)
SIZES = {s.name: s for s in (LARGE, SMALL)}


# --- Buffered rows ----------------------------------------------------------------------------

# The order rows are copied in: every foreign key points at a table copied before it.
COPY_ORDER: tuple[type[Model], ...] = (
    User,
    Membership,
    Membership.topics.through,
    MatchRun,
    MatchSuggestion,
    Pairing,
    MatchConstraint,
    Workspace,
    Agreement,
    AgreementRevision,
    AgreementAcceptance,
    Goal,
    GoalUpdate,
    Meeting,
    Agenda,
    CheckIn,
    RoadmapTopic,
    ActionItem,
    Note,
    Review,
    Notification,
)


class Rows:
    """Rows for COPY, buffered per model, with ids taken as they are added."""

    def __init__(self, copier: Copier) -> None:
        self.copier = copier
        self.columns: dict[type[Model], list[str]] = {}
        self.rows: dict[type[Model], list[tuple[object, ...]]] = {}
        self.counts: dict[type[Model], int] = {}

    def reserve(self, model: type[Model]) -> int:
        """An id for a row added later with ``add(model, pk_=...)``."""
        return self.copier.take(model, 1)

    def add(self, model: type[Model], pk_: int | None = None, **values: object) -> int:
        pk = pk_ if pk_ is not None else self.copier.take(model, 1)
        columns = self.columns.get(model)
        if columns is None:
            columns = self.columns[model] = ["id", *values]
            self.rows[model] = []
        elif len(columns) != len(values) + 1:
            raise ValueError(f"{model.__name__}: rows with different columns {list(values)}")
        self.rows[model].append((pk, *(values[c] for c in columns[1:])))
        return pk

    def flush(self) -> None:
        unknown = set(self.rows) - set(COPY_ORDER)
        if unknown:
            raise ValueError(f"no copy order for {unknown}")
        for model in COPY_ORDER:
            rows = self.rows.get(model)
            if rows:
                self.copier.copy(model, self.columns[model], rows)
                self.counts[model] = self.counts.get(model, 0) + len(rows)
                rows.clear()


# --- Plans ------------------------------------------------------------------------------------


@dataclass
class ActionPlan:
    mentee_owns: bool
    due: dt.date | None
    status: str
    kind: str = ActionItem.Kind.TASK


@dataclass
class MeetingPlan:
    start: dt.datetime
    minutes: int
    status: str
    agenda: str  # none, draft, submitted, late
    mentee_rating: int | None = None  # a check-in, if rated
    mentor_rating: int | None = None
    actions: list[ActionPlan] = field(default_factory=list)


@dataclass
class PairPlan:
    status: str
    created: dt.datetime
    start: dt.date | None = None  # None: no workspace (proposed, declined, expired)
    end: dt.date | None = None
    ended_at: dt.datetime | None = None
    meetings: list[MeetingPlan] = field(default_factory=list)
    agreement: str = "accepted"  # none, draft, accepted, changed (v2 awaits the mentor)
    goals: int = 3
    goals_achieved: int = 1
    roadmap: int = 4
    notes: int = 2
    midpoint_reviews: str = "both"  # none, mentee, mentor, both
    wants_to_end: bool = False
    final_reviews: bool = False
    extra_actions: list[ActionPlan] = field(default_factory=list)
    respond_by: dt.datetime | None = None

    @property
    def midpoint(self) -> dt.date:
        assert self.start is not None
        assert self.end is not None
        return Workspace.midpoint_between(self.start, self.end)


@dataclass(frozen=True)
class Clock:
    now: dt.datetime

    @property
    def today(self) -> dt.date:
        return self.now.date()


@dataclass
class ProgramCtx:
    pk: int
    slug: str
    start: dt.date
    end: dt.date
    cadence: int
    lead_hours: int
    running: bool
    topics: list[int]


def _at(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def _office_hours(rng: random.Random, day: dt.date) -> dt.datetime:
    return _at(day, rng.randint(8, 16), rng.choice((0, 15, 30, 45)))


def _rating(rng: random.Random, low: bool) -> int:
    return rng.choice((1, 2, 2, 3)) if low else rng.choice((3, 4, 4, 5, 5))


def _agenda_for(rng: random.Random, status: str, upcoming: bool) -> str:
    r = rng.random()
    if upcoming:
        return "none" if r < 0.4 else "draft" if r < 0.65 else "submitted"
    if status == MS.CANCELLED:
        return "none" if r < 0.5 else "submitted"
    return "submitted" if r < 0.72 else "late" if r < 0.84 else "draft" if r < 0.88 else "none"


def _past_meetings(
    rng: random.Random,
    clock: Clock,
    start: dt.date,
    stop: dt.date,
    cadence: int,
    *,
    low: bool,
    last_held: bool,
) -> list[MeetingPlan]:
    """Meetings about once a cadence from a week after ``start`` to before ``stop``."""
    meetings = []
    day = start + rng.randint(5, 10) * D
    while day < stop and day < clock.today:
        r = rng.random()
        missed = 0.2 if low else 0.08
        status = MS.HELD if r < 1 - missed - 0.07 else MS.CANCELLED if r < 1 - missed else MS.MISSED
        meetings.append(
            MeetingPlan(
                start=_office_hours(rng, day),
                minutes=rng.choice((30, 45, 60, 60, 90)),
                status=status,
                agenda=_agenda_for(rng, status, upcoming=False),
            )
        )
        day += round(cadence * rng.uniform(0.8, 1.2)) * D
    if meetings and last_held:
        meetings[-1].status = MS.HELD
        if meetings[-1].agenda == "none":
            meetings[-1].agenda = "submitted"
    for m in meetings:
        if m.status == MS.HELD:
            if rng.random() < 0.85:
                m.mentee_rating = _rating(rng, low)
            if rng.random() < 0.75:
                m.mentor_rating = _rating(rng, low)
            for _ in range(rng.choice((0, 1, 1, 1, 2))):
                due = m.start.date() + rng.randint(5, 21) * D if rng.random() < 0.9 else None
                m.actions.append(_action(rng, clock, due, mentee_owns=rng.random() < 0.7))
    return meetings


def _action(
    rng: random.Random, clock: Clock, due: dt.date | None, *, mentee_owns: bool
) -> ActionPlan:
    kind = rng.choice(
        (ActionItem.Kind.TASK, ActionItem.Kind.TASK, ActionItem.Kind.RESOURCE)
        if mentee_owns
        else (ActionItem.Kind.RESOURCE, ActionItem.Kind.INTRODUCTION, ActionItem.Kind.TASK)
    )
    if due is None or due >= clock.today:
        status: str = ActionItem.Status.OPEN
    else:
        r = rng.random()
        status = (
            ActionItem.Status.DONE
            if r < 0.75
            else ActionItem.Status.DROPPED
            if r < 0.83
            else ActionItem.Status.OPEN
        )
    return ActionPlan(mentee_owns=mentee_owns, due=due, status=status, kind=kind)


def _upcoming(rng: random.Random, clock: Clock, days: float, agenda: str = "") -> MeetingPlan:
    start = _office_hours(rng, clock.today + max(1, round(days)) * D)
    return MeetingPlan(
        start=start,
        minutes=60,
        status=MS.SCHEDULED,
        agenda=agenda or _agenda_for(rng, MS.SCHEDULED, upcoming=True),
    )


def _random_kind(rng: random.Random, running: bool) -> tuple[str, str, bool]:
    low = rng.random() < 0.1
    if not running:
        return (PS.COMPLETED if rng.random() < 0.88 else PS.ENDED_EARLY, "", low)
    r = rng.random()
    if r < 0.80:
        s = rng.random()
        silence = "recent" if s < 0.75 else "quiet" if s < 0.87 else "gone" if s < 0.92 else "never"
        return (PS.ACTIVE, silence, low)
    if r < 0.86:
        return (PS.COMPLETED, "", low)
    if r < 0.91:
        return (PS.ENDED_EARLY, "", low)
    if r < 0.95:
        return (PS.PROPOSED, "", low)
    return (PS.DECLINED if r < 0.98 else PS.EXPIRED, "", low)


def plan_pair(
    rng: random.Random, clock: Clock, ctx: ProgramCtx, kind: tuple[str, str, bool]
) -> PairPlan:
    """One background relationship of ``ctx`` in the state ``kind``."""
    status, silence, low = kind
    today = clock.today
    if status in (PS.PROPOSED, PS.DECLINED, PS.EXPIRED):
        created = clock.now - rng.uniform(1, 6) * D if status == PS.PROPOSED else None
        if created is None:
            created = _at(ctx.start) - rng.randint(3, 20) * D
        return PairPlan(status=status, created=created, respond_by=created + 7 * D, agreement="")
    latest_start = today - (20 if silence != "never" else 10) * D
    if status in (PS.COMPLETED, PS.ENDED_EARLY):
        latest_start = today - 80 * D
    start = min(ctx.start + rng.randint(0, 40) * D, latest_start)
    if silence == "never":
        start = today - rng.randint(10, 40) * D
    end = max(ctx.end, start + 90 * D)
    ended_at = None
    if status == PS.COMPLETED:
        end = min(end, today - rng.randint(5, 60) * D) if ctx.running else ctx.end
        end = max(end, start + 60 * D)
        ended_at = _at(end, 17)
    elif status == PS.ENDED_EARLY:
        stop = min(start + rng.randint(30, 150) * D, today - 2 * D)
        ended_at = _at(stop, 12)
    if end > start + 3 * 365 * D:
        end = start + 3 * 365 * D
    plan = PairPlan(status=status, created=_at(start) - 14 * D, start=start, end=end)
    plan.ended_at = ended_at
    cadence = ctx.cadence
    if status == PS.ACTIVE:
        if silence == "never":
            stop = start
        elif silence == "recent":
            stop = today - rng.randint(1, min(cadence, 20)) * D + D
        elif silence == "quiet":
            stop = today - rng.randint(33, 54) * D
        else:
            stop = today - rng.randint(61, 150) * D
        stop = max(stop, start + D)
        plan.meetings = _past_meetings(
            rng, clock, start, stop, cadence, low=low, last_held=silence != "never"
        )
        if silence in ("recent", "never"):
            plan.meetings.append(_upcoming(rng, clock, rng.uniform(1, cadence)))
            if rng.random() < 0.25:
                plan.meetings.append(_upcoming(rng, clock, cadence + rng.uniform(1, cadence)))
        if rng.random() < 0.03 and silence == "recent":
            plan.meetings.insert(
                len(plan.meetings) - 1,
                MeetingPlan(
                    start=clock.now - rng.uniform(1.2, 3) * D,
                    minutes=60,
                    status=MS.SCHEDULED,
                    agenda="submitted",
                ),
            )
    else:
        assert ended_at is not None
        plan.meetings = _past_meetings(
            rng, clock, start, ended_at.date(), cadence, low=low, last_held=True
        )
        if status == PS.ENDED_EARLY:
            plan.wants_to_end = rng.random() < 0.5
    # Agreements: accepted once the pair got going, a draft or nothing for new ones.
    r = rng.random()
    if silence == "never":
        plan.agreement = "draft" if r < 0.5 else "none"
    else:
        plan.agreement = "accepted" if r < 0.92 else "draft" if r < 0.96 else "none"
    plan.goals = rng.randint(2, 4)
    plan.goals_achieved = rng.randint(0, plan.goals - 1) if status == PS.ACTIVE else plan.goals
    plan.roadmap = rng.randint(3, 6)
    plan.notes = rng.randint(0, 3)
    if plan.midpoint <= min(today, ended_at.date() if ended_at else today):
        r = rng.random()
        plan.midpoint_reviews = (
            "both" if r < 0.8 else "mentee" if r < 0.85 else "mentor" if r < 0.9 else "none"
        )
        if rng.random() < 0.05:
            plan.wants_to_end = True
    else:
        plan.midpoint_reviews = "none"
    plan.final_reviews = status == PS.COMPLETED and rng.random() < 0.8
    if status != PS.ACTIVE:
        for m in plan.meetings:
            for a in m.actions:
                if a.status == ActionItem.Status.OPEN:
                    a.status = ActionItem.Status.DROPPED
    return plan


# --- Writing ----------------------------------------------------------------------------------

LOREM = (
    "We talked through the next step and what is in the way. ",
    "A concrete example helped: the quarterly review and how to present it. ",
    "Agreed to try the approach for two weeks and compare notes. ",
)


def _text(rng: random.Random, n: int = 2) -> str:
    return "".join(rng.choice(LOREM) for _ in range(n)).strip()


@dataclass
class Person:
    user: int
    membership: int
    name: str


class Seeder:
    def __init__(self, size: Size, clock: Clock, rng: random.Random) -> None:
        self.size = size
        self.clock = clock
        self.rng = rng
        self.copier = Copier()
        self.rows = Rows(self.copier)
        self.user_serial = 0
        self.user_ids: list[int] = []
        self.names: dict[int, str] = {}
        self.notifications: list[tuple[int, int, int]] = []  # user, count, unread
        self.meetings = 0
        self.pairings = 0

    # People --------------------------------------------------------------------------------

    def user(self, name: str = "", email: str = "") -> int:
        self.user_serial += 1
        rng = self.rng
        name = name or f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        first, _, last = name.partition(" ")
        email = email or f"{first}.{last}.{self.user_serial}@bench.example.org".lower().replace(
            " ", ""
        )
        joined = self.clock.now - rng.randint(30, 900) * D
        pk = self.rows.add(
            User,
            email=email,
            name=name,
            timezone=rng.choice(TIMEZONES),
            password="!bench",  # noqa: S106 - unusable, as for someone never given one
            date_joined=joined,
            last_login=None,
        )
        self.user_ids.append(pk)
        self.names[pk] = name
        return pk

    def member(
        self,
        ctx: ProgramCtx,
        user: int,
        role: str,
        *,
        cohort: str = "",
        enrolled: bool = True,
    ) -> int:
        rng = self.rng
        joined = _at(ctx.start) - rng.randint(20, 60) * D
        participant = role != Membership.Role.ADMIN
        pk = self.rows.add(
            Membership,
            program_id=ctx.pk,
            user_id=user,
            role=role,
            created_at=joined,
            enrolled_at=joined + D if participant and enrolled else None,
            goals_statement=_text(rng, 1) if participant else "",
            what_i_bring=_text(rng, 1) if participant else "",
            department=rng.choice(DEPARTMENTS) if participant else "",
            cohort=cohort,
            seniority=(rng.randint(3, 6) if role == Membership.Role.MENTOR else rng.randint(1, 3))
            if participant
            else None,
            capacity=rng.choice((2, 3)) if role == Membership.Role.MENTOR else None,
            privacy_acknowledged_at=joined if participant else None,
        )
        if participant:
            for topic in rng.sample(ctx.topics, rng.randint(2, 3)):
                self.rows.add(Membership.topics.through, membership_id=pk, topic_id=topic)
        return pk

    def person(
        self, ctx: ProgramCtx, role: str, *, name: str = "", email: str = "", **kw: Any
    ) -> Person:
        user = self.user(name, email)
        membership = self.member(ctx, user, role, **kw)
        return Person(user, membership, self.names[user])

    # Programs ------------------------------------------------------------------------------

    def program(self, slug: str, name: str, *, running: bool, cadence: int = 14) -> ProgramCtx:
        today = self.clock.today
        rng = self.rng
        if running:
            start = today - rng.randint(150, 260) * D
            end = start + 365 * D
        else:
            end = today - rng.randint(30, 200) * D
            start = end - 300 * D
        program = Program.objects.create(
            name=name,
            slug=slug,
            description=f"{name}: a {'running' if running else 'closed'} mentoring program.",
            start_date=start,
            end_date=end,
            cadence_days=cadence,
            timezone=rng.choice(TIMEZONES),
            status=Program.Status.RUNNING if running else Program.Status.CLOSED,
            privacy_policy=Program.PrivacyPolicy.METADATA
            if rng.random() < 0.8
            else Program.PrivacyPolicy.CONTENT,
        )
        topics = [Topic.objects.create(program=program, name=n).pk for n in TOPIC_NAMES]
        MatchingSettings.objects.create(program=program)
        return ProgramCtx(
            pk=program.pk,
            slug=slug,
            start=start,
            end=end,
            cadence=cadence,
            lead_hours=program.agenda_lead_hours,
            running=running,
            topics=topics,
        )

    def fill_program(
        self,
        ctx: ProgramCtx,
        pairs: int,
        *,
        admins: Sequence[Person] = (),
        special: Sequence[tuple[Person, Person, PairPlan]] = (),
        mentor_for: dict[int, Person] | None = None,
    ) -> dict[str, Any]:
        """Admins, mentors, mentees, ``pairs`` background pairs, ``special`` pairs, runs."""
        rng = self.rng
        for a in range(2 - len(admins)):
            self.person(ctx, Membership.Role.ADMIN, name=f"Admin{a + 1} Of-{ctx.slug}")
        n_mentors = max(2, math.ceil(pairs / 2.2))
        mentors = [self.person(ctx, Membership.Role.MENTOR) for _ in range(n_mentors)]
        idle = [self.person(ctx, Membership.Role.MENTOR) for _ in range(math.ceil(pairs * 0.05))]
        kinds = list(VARIETY) if self.size.forced_variety else []
        while len(kinds) < pairs:
            kinds.append(_random_kind(rng, ctx.running))
        kinds = kinds[:pairs]
        if not ctx.running:
            kinds = [
                k if k[0] in (PS.COMPLETED, PS.ENDED_EARLY) else (PS.COMPLETED, "", k[2])
                for k in kinds
            ]
        published = self._run(ctx, MatchRun.Status.PUBLISHED)
        slots: list[tuple[Person, Person, PairPlan]] = list(special)
        for i, kind in enumerate(kinds):
            mentee = self.person(ctx, Membership.Role.MENTEE, cohort=COHORTS[i % 2])
            slots.append((mentors[i % n_mentors], mentee, plan_pair(rng, self.clock, ctx, kind)))
        scores: list[float] = []
        unmatched: list[Person] = []
        for mentor, mentee, plan in slots:
            score, explanation = self._explanation(mentor.name, mentee.name)
            scores.append(score)
            self.rows.add(
                MatchSuggestion,
                run_id=published,
                mentee_id=mentee.membership,
                mentor_id=mentor.membership,
                score=score,
                explanation=explanation,
                locked=False,
                picked_by_hand=False,
                unmatched_reason="",
            )
            self.pair(ctx, mentor, mentee, plan, run=published, score=score, why=explanation)
            if plan.status in (PS.DECLINED, PS.EXPIRED):
                unmatched.append(mentee)
        self._finish_run(published, ctx, slots, scores, len(mentors) + len(idle))
        if ctx.running:
            new_intake = max(3, round(pairs * 0.1)) if not self.size.forced_variety else 2
            for i in range(new_intake):
                unmatched.append(
                    self.person(ctx, Membership.Role.MENTEE, cohort=COHORTS[(i + 1) % 2])
                )
            self._draft_run(ctx, unmatched, mentors + idle)
        return {"mentors": mentors, "idle": idle}

    def _explanation(self, mentor: str, mentee: str) -> tuple[float, list[dict[str, Any]]]:
        rng = self.rng
        items = []
        for criterion, label, weight in CRITERIA:
            fit = rng.uniform(0.2, 1.0)
            items.append(
                {
                    "criterion": criterion,
                    "label": label,
                    "points": round(weight * fit, 2),
                    "max_points": weight,
                    "text": f"{mentor} and {mentee}: {label.lower()} {fit:.0%}",
                    "you_text": f"{label.lower()} {fit:.0%}",
                }
            )
        return round(sum(float(str(i["points"])) for i in items), 2), items

    def _run(self, ctx: ProgramCtx, status: str) -> int:
        created = _at(ctx.start) - 20 * D if status == MatchRun.Status.PUBLISHED else None
        return self.rows.add(
            MatchRun,
            program_id=ctx.pk,
            status=status,
            created_at=created or self.clock.now - 2 * D,
            weights={c: w for c, _, w in CRITERIA},
            mentee_count=0,
            mentor_count=0,
            capacity_total=0,
            matched_count=0,
            total_score=0.0,
            average_score=None,
            lowest_score=None,
            greedy_total=None,
            greedy_matched=0,
            solve_seconds=0.0,
            published_at=created + D if created else None,
        )

    def _finish_run(
        self,
        run: int,
        ctx: ProgramCtx,
        slots: Sequence[Any],
        scores: list[float],
        mentors: int,
    ) -> None:
        """The run's figures (its row is still buffered: change it in place)."""
        rows = self.rows.rows[MatchRun]
        columns = self.rows.columns[MatchRun]
        for i, row in enumerate(rows):
            if row[0] == run:
                values = dict(zip(columns, row, strict=True))
                total = sum(scores)
                values.update(
                    mentee_count=len(slots),
                    mentor_count=mentors,
                    capacity_total=mentors * 2,
                    matched_count=len(scores),
                    total_score=round(total, 2),
                    average_score=round(total / len(scores), 2) if scores else None,
                    lowest_score=min(scores) if scores else None,
                    greedy_total=round(total * 0.93, 2),
                    greedy_matched=len(scores),
                )
                rows[i] = tuple(values[c] for c in columns)
                return
        raise LookupError(run)

    def _draft_run(self, ctx: ProgramCtx, mentees: list[Person], mentors: list[Person]) -> None:
        """The new intake's draft: most matched, a few not; a lock, a hand pick, a forbid."""
        rng = self.rng
        run = self._run(ctx, MatchRun.Status.DRAFT)
        scores = []
        for i, mentee in enumerate(mentees):
            mentor = mentors[rng.randrange(len(mentors))] if i % 12 != 5 else None
            if mentor is None:
                self.rows.add(
                    MatchSuggestion,
                    run_id=run,
                    mentee_id=mentee.membership,
                    mentor_id=None,
                    score=None,
                    explanation=[],
                    locked=False,
                    picked_by_hand=False,
                    unmatched_reason="No mentor with room offers the topics this mentee needs.",
                )
                continue
            score, explanation = self._explanation(mentor.name, mentee.name)
            scores.append(score)
            locked = i % 12 == 0
            self.rows.add(
                MatchSuggestion,
                run_id=run,
                mentee_id=mentee.membership,
                mentor_id=mentor.membership,
                score=score,
                explanation=explanation,
                locked=locked,
                picked_by_hand=i % 12 == 3,
                unmatched_reason="",
            )
            if locked or i % 12 == 1:  # a lock, or a pair forbidden since the run
                self.rows.add(
                    MatchConstraint,
                    program_id=ctx.pk,
                    mentee_id=mentee.membership,
                    mentor_id=mentor.membership,
                    kind=MatchConstraint.Kind.LOCK if locked else MatchConstraint.Kind.FORBID,
                    created_at=self.clock.now - D,
                )
        self._finish_run(run, ctx, mentees, scores, len(mentors))

    # Relationships -------------------------------------------------------------------------

    def pair(
        self,
        ctx: ProgramCtx,
        mentor: Person,
        mentee: Person,
        plan: PairPlan,
        *,
        run: int | None = None,
        score: float | None = None,
        why: list[dict[str, Any]] | None = None,
    ) -> int | None:
        """The pairing and, once it ran, its workspace and everything in it."""
        rng, now = self.rng, self.clock.now
        started = _at(plan.start) if plan.start else None
        status = plan.status
        responded = None if status in (PS.PROPOSED, PS.EXPIRED) else plan.created + 2 * D
        pairing = self.rows.add(
            Pairing,
            program_id=ctx.pk,
            mentor_id=mentor.membership,
            mentee_id=mentee.membership,
            status=status,
            match_run_id=run,
            score=score,
            explanation=why or [],
            created_at=plan.created,
            respond_by=plan.respond_by or plan.created + 7 * D,
            responded_at=responded,
            decline_reason="My diary is full this quarter." if status == PS.DECLINED else "",
            started_at=started,
            planned_end_date=plan.end,
            ended_at=plan.ended_at,
            ended_by_id=mentor.user if status == PS.ENDED_EARLY else None,
            end_reason="We agreed to stop: a change of role." if status == PS.ENDED_EARLY else "",
        )
        self.pairings += 1
        if plan.start is None or plan.end is None:
            return None
        running = status == PS.ACTIVE
        held = [m.start for m in plan.meetings if m.status == MS.HELD]
        last_met = max(held) if held else None
        # The cadence in force is the accepted agreement's (the program's here), and the
        # rhythm is kept only while the pair runs.
        at_risk, step_in = (
            rhythm.moments(last_met, plan.start, ctx.cadence) if running else (None, None)
        )
        ws = self.rows.add(
            Workspace,
            program_id=ctx.pk,
            pairing_id=pairing,
            start_date=plan.start,
            end_date=plan.end,
            midpoint_date=plan.midpoint,
            last_met_at=last_met,
            at_risk_from=at_risk,
            step_in_from=step_in,
            awaiting_midpoint_reviews=running and plan.midpoint_reviews != "both",
            created_at=started,
        )
        self._agreement(ws, ctx, plan, mentor, mentee)
        self._goals(ws, plan, mentor, mentee)
        meeting_ids = self._meetings(ws, ctx, plan, mentor, mentee)
        for i in range(plan.roadmap):
            covered = meeting_ids[i] if i < len(meeting_ids) // 3 else None
            self.rows.add(
                RoadmapTopic,
                workspace_id=ws,
                title=f"{rng.choice(TOPIC_NAMES)}: part {i + 1}",
                details=_text(rng, 1),
                position=i,
                covered_in_id=covered,
                created_by_id=mentee.user,
                created_at=started,
            )
        for a in plan.extra_actions:
            self._action_row(ws, None, a, mentor, mentee, started or now)
        for i in range(plan.notes):
            author = mentee if i % 2 == 0 else mentor
            self.rows.add(
                Note,
                workspace_id=ws,
                author_id=author.user,
                meeting_id=meeting_ids[-1 - i] if len(meeting_ids) > i else None,
                visibility=Note.Visibility.SHARED if i % 3 == 1 else Note.Visibility.PRIVATE,
                body=_text(rng, 3),
                created_at=min(now, started + (i + 1) * 9 * D) if started else now,
                updated_at=now - D,
            )
        self._reviews(ws, plan, mentor, mentee)
        return ws

    def _agreement(
        self, ws: int, ctx: ProgramCtx, plan: PairPlan, mentor: Person, mentee: Person
    ) -> None:
        if plan.agreement in ("none", ""):
            return
        assert plan.start is not None
        assert plan.end is not None
        drafted = _at(plan.start) + 3 * D
        accepted = drafted + 2 * D if plan.agreement in ("accepted",) else None
        version = 2 if plan.agreement == "changed" else 1
        terms = {
            "purpose": "Grow into a team lead within the year.",
            "mentee_success": "Leading the team's planning by the summer.",
            "mentor_success": "Seeing my mentee take the lead with confidence.",
            "cadence_days": ctx.cadence,
            "meeting_minutes": 60,
            "medium": "video",
            "scheduler": "mentee",
            "notice_hours": 24,
            "reschedule_rule": "Move a meeting rather than skip it.",
            "contact_channels": "E-mail, chat",
            "contact_hours": "Weekdays 9 to 17",
            "confidentiality": "What we say stays between us.",
            "shareable": "Attendance and progress in broad terms.",
            "feedback_preference": "Direct, with examples.",
            "planned_end_date": plan.end.isoformat(),
        }
        agreement = self.rows.add(
            Agreement,
            workspace_id=ws,
            version=version,
            purpose=terms["purpose"],
            mentee_success=terms["mentee_success"],
            mentor_success=terms["mentor_success"],
            cadence_days=ctx.cadence,
            meeting_minutes=60,
            medium="video",
            scheduler="mentee",
            notice_hours=24,
            reschedule_rule=terms["reschedule_rule"],
            contact_channels=terms["contact_channels"],
            contact_hours=terms["contact_hours"],
            confidentiality=terms["confidentiality"],
            shareable=terms["shareable"],
            feedback_preference=terms["feedback_preference"],
            planned_end_date=plan.end,
            drafted_by_id=mentee.user,
            created_at=drafted,
            updated_at=drafted + 20 * D if version == 2 else drafted,
            accepted_at=accepted,
        )
        first_accepted = drafted + 2 * D if plan.agreement in ("accepted", "changed") else None
        self.rows.add(
            AgreementRevision,
            agreement_id=agreement,
            version=1,
            terms=terms,
            changed_by_id=mentee.user,
            changed_at=drafted,
            accepted_at=first_accepted,
        )
        for user in (mentee.user, mentor.user):
            if first_accepted or user == mentee.user:
                self.rows.add(
                    AgreementAcceptance,
                    agreement_id=agreement,
                    version=1,
                    user_id=user,
                    accepted_at=first_accepted or drafted,
                )
        if version == 2:  # the mentee changed the terms and accepted them; the mentor has not
            changed = drafted + 20 * D
            self.rows.add(
                AgreementRevision,
                agreement_id=agreement,
                version=2,
                terms={**terms, "meeting_minutes": 45},
                changed_by_id=mentee.user,
                changed_at=changed,
                accepted_at=None,
            )
            self.rows.add(
                AgreementAcceptance,
                agreement_id=agreement,
                version=2,
                user_id=mentee.user,
                accepted_at=changed,
            )

    def _goals(self, ws: int, plan: PairPlan, mentor: Person, mentee: Person) -> None:
        rng, now = self.rng, self.clock.now
        assert plan.start is not None
        assert plan.end is not None
        for i in range(plan.goals):
            achieved = i < plan.goals_achieved
            created = _at(plan.start) + (7 + i) * D
            progress = 100 if achieved else rng.choice((0, 20, 40, 60, 80))
            goal = self.rows.add(
                Goal,
                workspace_id=ws,
                title=f"{rng.choice(TOPIC_NAMES)}: goal {i + 1}",
                specific=_text(rng, 1),
                measurable="Feedback from two colleagues, and the plan written down.",
                achievable="Half a day a week is set aside for it.",
                relevant="It is what the next role asks for.",
                target_date=plan.start + rng.randint(60, max(61, (plan.end - plan.start).days)) * D,
                status=Goal.Status.ACHIEVED if achieved else Goal.Status.OPEN,
                progress=progress,
                created_by_id=mentee.user,
                created_at=created,
                updated_at=min(now, created + 30 * D),
                closed_at=min(now, created + 60 * D) if achieved else None,
            )
            updates: list[tuple[str, int | None, str]] = [(GoalUpdate.Kind.CREATED, None, "")]
            updates += [(GoalUpdate.Kind.PROGRESS, p, "") for p in (20, 40) if p <= progress]
            if achieved:
                updates.append((GoalUpdate.Kind.STATUS, 100, Goal.Status.ACHIEVED))
            for j, (kind, value, status) in enumerate(updates):
                self.rows.add(
                    GoalUpdate,
                    goal_id=goal,
                    kind=kind,
                    author_id=mentee.user if j % 2 == 0 else mentor.user,
                    progress=value,
                    status=status,
                    note=_text(rng, 1) if kind == GoalUpdate.Kind.PROGRESS else "",
                    created_at=min(now, created + j * 14 * D),
                )

    def _meetings(
        self, ws: int, ctx: ProgramCtx, plan: PairPlan, mentor: Person, mentee: Person
    ) -> list[int]:
        """The meetings with their agendas, check-ins and action items; ids of those held."""
        rng, now = self.rng, self.clock.now
        lead = ctx.lead_hours * H
        held = []
        for m in plan.meetings:
            booked = min(m.start - 14 * D, now - D)
            marked = m.start + (m.minutes + 10) * MINUTE if m.status != MS.SCHEDULED else None
            pk = self.rows.reserve(Meeting)
            self.rows.add(
                Meeting,
                pk_=pk,
                workspace_id=ws,
                starts_at=m.start,
                duration_minutes=m.minutes,
                medium=rng.choice(("video", "video", "in_person", "phone")),
                location="https://meet.example.org/bench",
                status=m.status,
                cancel_reason="Something came up." if m.status == MS.CANCELLED else "",
                uid=uuid.UUID(int=pk),
                sequence=0,
                created_by_id=mentee.user,
                created_at=booked,
                updated_at=marked or booked,
                status_changed_by_id=mentor.user if marked else None,
                status_changed_at=marked,
            )
            self.meetings += 1
            if m.status == MS.HELD:
                held.append(pk)
            agenda = m.agenda
            due = m.start - lead
            if agenda in ("submitted", "late"):
                if agenda == "submitted":
                    submitted = due - rng.uniform(1, 72) * H
                else:
                    submitted = m.start - rng.uniform(0.5, max(1.0, ctx.lead_hours - 1)) * H
                if submitted > now:  # not yet: still a draft
                    agenda = "draft"
            if agenda != "none":
                done = agenda in ("submitted", "late")
                self.rows.add(
                    Agenda,
                    meeting_id=pk,
                    author_id=mentee.user,
                    did=_text(rng, 1),
                    learned=_text(rng, 1),
                    topics="How to prepare the planning meeting; who to ask for input.",
                    needs=rng.sample(["feedback", "introductions", "resources", "advice"], 2),
                    needs_detail="",
                    links="",
                    status=Agenda.Status.SUBMITTED if done else Agenda.Status.DRAFT,
                    submitted_at=submitted if done else None,
                    late=done and agenda == "late",
                    created_at=min(now, (submitted if done else due) - D),
                    updated_at=min(now, submitted if done else due - D),
                )
            for person, rating in ((mentee, m.mentee_rating), (mentor, m.mentor_rating)):
                if rating is None:
                    continue
                at = min(now, m.start + (m.minutes * MINUTE) + rng.uniform(1, 48) * H)
                self.rows.add(
                    CheckIn,
                    meeting_id=pk,
                    author_id=person.user,
                    useful=_text(rng, 1),
                    next_steps=_text(rng, 1),
                    before_next="Draft the plan and share it.",
                    change="",
                    rating=rating,
                    created_at=at,
                    updated_at=at,
                )
            for a in m.actions:
                self._action_row(ws, pk, a, mentor, mentee, m.start + m.minutes * MINUTE)
        return held

    def _action_row(
        self,
        ws: int,
        meeting: int | None,
        a: ActionPlan,
        mentor: Person,
        mentee: Person,
        created: dt.datetime,
    ) -> None:
        owner = mentee if a.mentee_owns else mentor
        done = a.status == ActionItem.Status.DONE
        self.rows.add(
            ActionItem,
            workspace_id=ws,
            meeting_id=meeting,
            owner_id=owner.user,
            kind=a.kind,
            description="Share the slides from the planning session"
            if a.kind != ActionItem.Kind.INTRODUCTION
            else "Introduce them to the head of planning",
            due_date=a.due,
            status=a.status,
            created_by_id=owner.user,
            created_at=min(created, self.clock.now),
            updated_at=min(created + D, self.clock.now),
            done_at=min(_at(a.due or created.date(), 12), self.clock.now) if done else None,
        )

    def _reviews(self, ws: int, plan: PairPlan, mentor: Person, mentee: Person) -> None:
        rng, now = self.rng, self.clock.now
        authors = {
            "both": (mentee, mentor),
            "mentee": (mentee,),
            "mentor": (mentor,),
            "none": (),
        }[plan.midpoint_reviews]
        for i, person in enumerate(authors):
            end = plan.wants_to_end and i == 0
            self.rows.add(
                Review,
                workspace_id=ws,
                author_id=person.user,
                kind=Review.Kind.MIDPOINT,
                value_received=rng.randint(2, 5),
                value_given=rng.randint(3, 5),
                working="Regular meetings with a clear agenda.",
                change="More practice between meetings.",
                decision=Review.Decision.END if end else Review.Decision.CONTINUE,
                remains="",
                differently="",
                submitted_at=min(now, _at(plan.midpoint) + rng.randint(0, 10) * D),
                submissions=1,
                previous=[],
            )
        if plan.final_reviews and plan.ended_at:
            for person in (mentee, mentor):
                self.rows.add(
                    Review,
                    workspace_id=ws,
                    author_id=person.user,
                    kind=Review.Kind.FINAL,
                    value_received=rng.randint(3, 5),
                    value_given=rng.randint(3, 5),
                    working="The agenda before each meeting.",
                    change="",
                    decision="",
                    remains="Keep the habit going.",
                    differently="Set goals earlier.",
                    submitted_at=plan.ended_at,
                    submissions=1,
                    previous=[],
                )

    # Notifications -------------------------------------------------------------------------

    def notify(self, user: int, count: int, unread: int) -> None:
        now = self.clock.now
        for i in range(count):
            at = now - (i + 1) * 17 * H
            self.rows.add(
                Notification,
                user_id=user,
                kind="meeting_reminder" if i % 2 == 0 else "checkin_due",
                category=Category.MEETINGS if i % 2 == 0 else Category.FOLLOW_UPS,
                key=f"bench:{user}:{i}",
                title="Your meeting is tomorrow" if i % 2 == 0 else "How did your meeting go?",
                body="Add what you want to talk about to the agenda.",
                url="/",
                created_at=at,
                read_at=None if i < unread else at + 2 * H,
                email_state=Notification.EmailState.SENT,
                send_after=at,
                emailed_at=at,
            )


# --- The personas -----------------------------------------------------------------------------


def _persona_mentee_plan(size: Size, clock: Clock, ctx: ProgramCtx) -> PairPlan:
    """A typical relationship, seven months in: past its mid-point (both reviewed), an
    agreement, goals, meetings every fortnight; an agenda to write for next week."""
    rng = random.Random(101)
    today = clock.today
    start = max(ctx.start, today - 200 * D)
    plan = PairPlan(status=PS.ACTIVE, created=_at(start) - 14 * D, start=start, end=today + 145 * D)
    n = size.mentee_past_meetings
    for i in range(n):
        day = today - (6 + 14 * (n - 1 - i)) * D
        status = MS.CANCELLED if i == 1 else MS.MISSED if i == n // 2 and n > 6 else MS.HELD
        agenda = "late" if i == 2 else "none" if status == MS.CANCELLED else "submitted"
        held = status == MS.HELD
        plan.meetings.append(
            MeetingPlan(
                start=_at(day, 10),
                minutes=60,
                status=status,
                agenda=agenda,
                mentee_rating=rng.choice((4, 5)) if held else None,
                mentor_rating=rng.choice((4, 5)) if held else None,
            )
        )
    plan.meetings.append(_upcoming(rng, clock, 5, agenda="draft"))
    plan.meetings.append(_upcoming(rng, clock, 19, agenda="none"))
    held_meetings = [m for m in plan.meetings if m.status == MS.HELD]
    # Action items: the last few open (one overdue), the rest done or dropped.
    for i in range(size.mentee_actions):
        m = held_meetings[i % len(held_meetings)]
        if i >= size.mentee_actions - 2:
            due = today - 3 * D if i == size.mentee_actions - 2 else today + 10 * D
            state: str = ActionItem.Status.OPEN
        else:
            due = m.start.date() + 10 * D
            state = ActionItem.Status.DROPPED if i == 1 else ActionItem.Status.DONE
            if due >= today:
                state = ActionItem.Status.OPEN
        m.actions.append(ActionPlan(mentee_owns=i % 3 != 2, due=due, status=state))
    plan.goals, plan.goals_achieved = size.mentee_goals, 1
    plan.roadmap, plan.notes = size.mentee_roadmap, size.mentee_notes
    plan.midpoint_reviews = "both"
    return plan


def _persona_mentor_plans(size: Size, clock: Clock, ctx: ProgramCtx) -> list[PairPlan]:
    """The mentor's running relationships: on track with a meeting booked (A); terms
    changed by the mentee awaiting her acceptance, mid-point review hers to write (B); and
    at the large size also a quiet pair (at risk) and more of A and B."""
    rng = random.Random(202)
    today = clock.today
    plans = []
    shapes = ("A", "B", "quiet", "A", "B")[: size.mentor_mentees]
    for i, shape in enumerate(shapes):
        start = max(ctx.start, today - (190 - 10 * i) * D)
        plan = PairPlan(
            status=PS.ACTIVE, created=_at(start) - 14 * D, start=start, end=today + 150 * D
        )
        stop = today - (40 if shape == "quiet" else 3) * D
        plan.meetings = _past_meetings(
            rng, clock, start, stop, ctx.cadence, low=False, last_held=True
        )
        if shape != "quiet":
            plan.meetings.append(_upcoming(rng, clock, 3 + 4 * i, agenda="submitted"))
        held = [m for m in plan.meetings if m.status == MS.HELD]
        held[-1].actions.append(  # the mentor's follow-up, open
            ActionPlan(mentee_owns=False, due=today + 4 * D, status=ActionItem.Status.OPEN)
        )
        plan.agreement = "changed" if shape == "B" else "accepted"
        plan.midpoint_reviews = "mentee" if shape == "B" else "both"
        plans.append(plan)
    return plans


# --- The whole database -----------------------------------------------------------------------


def seed(size: Size, now: dt.datetime, log: Any = print) -> dict[str, Any]:
    """Seed ``size`` into the (migrated, empty) database; returns the personas' ids."""
    clock = Clock(now)
    rng = random.Random(20260601)
    s = Seeder(size, clock, rng)

    typical = s.program(TYPICAL_SLUG, "Typical program", running=True)
    second = s.program(SECOND_SLUG, "Second program", running=True)
    closed = s.program(CLOSED_SLUG, "Closed program", running=False)
    for c in (typical, second):  # the personas' program dates, whatever the draw
        c.start = clock.today - 220 * D
        c.end = c.start + 365 * D
        Program.objects.filter(pk=c.pk).update(start_date=c.start, end_date=c.end)

    # Personas: users first, then their memberships and pairs with each program.
    admin = s.person(typical, Membership.Role.ADMIN, name="Alex Morgan", email=ADMIN_EMAIL)
    mentee = s.person(typical, "mentee", name="Maya Okafor", email=MENTEE_EMAIL, cohort=COHORTS[1])
    mentor = s.person(typical, "mentor", name="Priya Raman", email=MENTOR_EMAIL)
    mentee_user, mentor_user = mentee.user, mentor.user
    her_mentor = s.person(typical, Membership.Role.MENTOR, name="Jonas Lindqvist")

    special: list[tuple[Person, Person, PairPlan]] = [
        (her_mentor, mentee, _persona_mentee_plan(size, clock, typical))
    ]
    for plan in _persona_mentor_plans(size, clock, typical):
        special.append((mentor, s.person(typical, "mentee", cohort=COHORTS[0]), plan))
    # A proposal waiting for the mentor's answer.
    proposed = PairPlan(
        status=PS.PROPOSED,
        created=now - 2 * D,
        respond_by=now + 5 * D,
        agreement="",
    )
    special.append((mentor, s.person(typical, "mentee", cohort=COHORTS[1]), proposed))
    s.fill_program(typical, size.typical_pairs, admins=[admin], special=special)
    s.rows.flush()

    # The mentor also mentors in a second program; the mentee had a mentor in a closed one.
    mentor_2 = Person(mentor_user, s.member(second, mentor_user, "mentor"), "Priya Raman")
    plan_2 = _persona_mentor_plans(size, clock, second)[0]
    s.fill_program(
        second,
        size.second_pairs,
        special=[(mentor_2, s.person(second, "mentee"), plan_2)],
    )
    mentee_old = Person(mentee_user, s.member(closed, mentee_user, "mentee"), "Maya Okafor")
    past = plan_pair(random.Random(303), clock, closed, (PS.COMPLETED, "", False))
    s.fill_program(
        closed,
        size.closed_pairs,
        special=[(s.person(closed, Membership.Role.MENTOR), mentee_old, past)],
    )
    s.rows.flush()
    log(f"seed {size.name}: personas and their programs ({s.meetings} meetings)")

    for i, (pairs, running) in enumerate(size.other_programs):
        ctx = s.program(
            f"bench-{i + 1:02d}",
            f"Program {i + 1:02d}",
            running=running,
            cadence=rng.choice((14, 14, 14, 7, 30)),
        )
        s.fill_program(ctx, pairs)
        s.rows.flush()
        if i % 5 == 4:
            log(f"seed {size.name}: {i + 4} programs, {s.meetings} meetings")

    # Top up to the number of users: people enrolled in no running pair (e.g. alumni).
    users = s.rows.counts.get(User, 0)
    extra = max(0, size.min_users - users)
    for _ in range(extra):
        s.user()
    # Notifications: a few for everyone, the mentee's unread ones known.
    for user in s.user_ids:
        if user == mentee_user:
            s.notify(user, size.mentee_unread + 3, size.mentee_unread)
        elif user == mentor_user:
            s.notify(user, 6, 3)
        else:
            count = rng.randint(0, 6)
            s.notify(user, count, rng.randint(0, count))
    s.rows.flush()
    s.copier.sync_sequences()

    counts = {m._meta.label: n for m, n in s.rows.counts.items()}
    for what, minimum, have in (
        ("users", size.min_users, counts.get("mentoring.User", 0)),
        ("meetings", size.min_meetings, counts.get("mentoring_sessions.Meeting", 0)),
        ("pairings", size.min_pairings, counts.get("matching.Pairing", 0)),
    ):
        if have < minimum:
            raise SystemExit(f"seed {size.name}: {have} {what}, fewer than {minimum}")
    mentee_ws = (
        Workspace.objects.filter(pairing__mentee_id=mentee.membership).values_list("pk", flat=True)
    ).get()
    return {
        "counts": counts,
        "typical_slug": TYPICAL_SLUG,
        "mentee_email": MENTEE_EMAIL,
        "mentor_email": MENTOR_EMAIL,
        "admin_email": ADMIN_EMAIL,
        "mentee_workspace": mentee_ws,
        "mentor_mentees": size.mentor_mentees + 1,  # and the second program's
    }


def check_stored_rhythm() -> None:
    """The seeded rows hold what the services would have stored: recomputing moves none."""
    moved = rhythm.refresh(Workspace.objects.all())
    if moved:
        raise SystemExit(f"seed: {moved} workspaces' stored rhythm differs from sessions.rhythm")
    awaited = Workspace.objects.filter(awaiting_midpoint_reviews=True).exclude(
        pairing__status=Pairing.Status.ACTIVE
    )
    if awaited.exists():
        raise SystemExit("seed: an ended relationship awaits mid-point reviews")


def vacuum_analyze() -> None:
    # The page cache's change stamps as beat leaves them: one row per scope.
    stamps.compact()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
