"""A second demo program, five months into its run, with the history that makes the
program health dashboard and each person's constellation worth a look.

"Northwind Leadership Mentoring 2026" is administered by the demo admin. The demo
mentor mentors two people in it (one on track, one at risk); the demo mentee is, here,
the mentor of a senior colleague (reverse mentoring) and had a peer mentoring with an
analyst from another organisation, now completed. Around them: pairs on track, at risk,
with low ratings, ended early, completed, declined, expired, proposed, and just started.

Written straight to the models (seed data, chosen by hand): pairings one by one, so the
workspace receiver in ``sessions.signals`` runs; everything inside the workspaces in
bulk. Idempotent (the program is found by its slug and then left as it is) and
deterministic (generators seeded per pair; dates counted back from the program's today).
Nothing is left overdue for the expiry chore.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from matching.models import MatchingSettings, Pairing
from mentoring.models import User
from programs import demo as programs_demo
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
    Medium,
    Meeting,
    Note,
    Review,
    RoadmapTopic,
    Workspace,
)

SLUG = "northwind-leaders-2026"
NAME = "Northwind Leadership Mentoring 2026"
TIMEZONE = "Europe/London"
STARTED_DAYS_AGO = 150
ENDS_IN_DAYS = 40
PARTNER_EMAIL = "partner01@demo.test"
PARTNER_NAME = "Lena Hoffmann"
PARTNER_ORGANISATION = "Contoso"

# What became of each pairing.
ON_TRACK = "on_track"
AT_RISK = "at_risk"
LOW_RATINGS = "low_ratings"
ENDED_EARLY = "ended_early"
COMPLETED = "completed"
DECLINED = "declined"
EXPIRED = "expired"
PROPOSED = "proposed"
TOO_EARLY = "too_early"
# Those with a workspace, and what it holds.
STARTED = {ON_TRACK, AT_RISK, LOW_RATINGS, ENDED_EARLY, COMPLETED, TOO_EARLY}
STATUS = {
    ON_TRACK: Pairing.Status.ACTIVE,
    AT_RISK: Pairing.Status.ACTIVE,
    LOW_RATINGS: Pairing.Status.ACTIVE,
    TOO_EARLY: Pairing.Status.ACTIVE,
    ENDED_EARLY: Pairing.Status.ENDED_EARLY,
    COMPLETED: Pairing.Status.COMPLETED,
    DECLINED: Pairing.Status.DECLINED,
    EXPIRED: Pairing.Status.EXPIRED,
    PROPOSED: Pairing.Status.PROPOSED,
}
Type = Pairing.RelationshipType


@dataclass(frozen=True)
class Pair:
    mentor: str  # the e-mail's local part, or a full address
    mentee: str
    fate: str
    theme: str
    kind: str = Type.CLASSIC
    silent_days: int = 0  # at risk: days since the last meeting held
    one_review: bool = False  # only the mentee wrote the mid-point review


MENTOR, MENTEE = programs_demo.MENTOR_EMAIL, programs_demo.MENTEE_EMAIL
PAIRS = (
    Pair(MENTOR, "mentee04", ON_TRACK, "team"),
    Pair(MENTOR, "mentee09", AT_RISK, "stakeholders", silent_days=42),
    Pair(MENTEE, "mentor05", ON_TRACK, "data", Type.REVERSE),
    Pair(MENTEE, PARTNER_EMAIL, COMPLETED, "career", Type.PEER),
    Pair("mentor04", "mentee06", ON_TRACK, "speaking"),
    Pair("mentor06", "mentee11", ON_TRACK, "negotiation"),
    Pair("mentor07", "mentee13", ON_TRACK, "stakeholders"),
    Pair("mentor08", "mentee15", ON_TRACK, "team"),
    Pair("mentor02", "mentee10", DECLINED, "time"),
    Pair("mentor09", "mentee10", ON_TRACK, "time"),
    Pair("mentee19", "mentor10", ON_TRACK, "customers", Type.REVERSE),
    Pair("mentee24", "mentee21", ON_TRACK, "career", Type.PEER),
    Pair("mentor11", "mentee25", AT_RISK, "time", silent_days=52, one_review=True),
    Pair("mentor12", "mentee26", LOW_RATINGS, "speaking"),
    Pair("mentor03", "mentee08", ENDED_EARLY, "negotiation"),
    Pair("mentor04", "mentee12", EXPIRED, "team"),
    Pair("mentor07", "mentee12", TOO_EARLY, "team"),
    Pair("mentor06", "mentee14", PROPOSED, "stakeholders"),
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


def _email(name: str) -> str:
    return name if "@" in name else f"{name}@demo.test"


def _rng(*parts: object) -> random.Random:
    return random.Random("-".join(str(p) for p in (SLUG, *parts)))  # noqa: S311  (demo data)


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


# --- People and the program -----------------------------------------------------------------


def _people() -> dict[str, User]:
    emails = {_email(e) for p in PAIRS for e in (p.mentor, p.mentee)}
    users = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
    for email in sorted(emails - set(users)):
        # Only the partner is new; a demo user missing from an older database comes back.
        rng = _rng(email)
        partner = email == PARTNER_EMAIL
        name = (
            PARTNER_NAME
            if partner
            else f"{rng.choice(programs_demo.FIRST)} {rng.choice(programs_demo.LAST)}"
        )
        org = PARTNER_ORGANISATION if partner else "Northwind Traders"
        user = User.objects.create_user(
            email=email,
            password=programs_demo.DEMO_PASSWORD,
            name=name,
            title="Analytics Lead" if partner else "Programme participant",
            organisation=org,
            timezone="Europe/Berlin" if partner else "Europe/London",
            bio=f"{name.split()[0]} works at {org}.",
            # Like every demo person: reachable any day, 07:00 to 22:00.
            contact_days=list(range(7)),
            contact_hours_start=dt.time(7),
            contact_hours_end=dt.time(22),
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        users[email] = user
    return users


def _seniority(rng: random.Random) -> dict[tuple[str, str], int]:
    """Levels that make each pairing's relationship type the one planned."""
    levels: dict[tuple[str, str], int] = {}
    for p in PAIRS:
        mentor, mentee = (_email(p.mentor), "mentor"), (_email(p.mentee), "mentee")
        if p.kind == Type.REVERSE:
            levels.setdefault(mentor, 2)
            levels.setdefault(mentee, 5)
        elif p.kind == Type.PEER:
            levels.setdefault(mentor, 2)
            levels.setdefault(mentee, levels[mentor])
        else:
            levels.setdefault(mentor, rng.randint(4, 6))
            levels.setdefault(mentee, rng.randint(1, 3))
    return levels


def _program(admin: User, today: dt.date) -> Program:
    start = today - dt.timedelta(days=STARTED_DAYS_AGO)
    program = Program.objects.create(
        name=NAME,
        slug=SLUG,
        description=(
            "Northwind's mentoring for people stepping into leadership: first-time leads, "
            "future managers and the senior colleagues who back them, meeting every two "
            "weeks for seven months. Admins match the pairs; flash sessions are open to all."
        ),
        start_date=start,
        end_date=today + dt.timedelta(days=ENDS_IN_DAYS),
        cadence_days=Program.Cadence.FORTNIGHTLY,
        timezone=TIMEZONE,
        matching_mode=Program.MatchingMode.ADMIN,
        default_mentor_capacity=2,
        allow_one_to_one=True,
        allow_circles=False,
        allow_flash=True,
        privacy_policy=Program.PrivacyPolicy.METADATA,
        status=Program.Status.RUNNING,
        created_by=admin,
    )
    # Mentors had two weeks to answer a proposal.
    MatchingSettings.objects.create(program=program, response_days=14)
    return program


def _memberships(
    program: Program, admin: User, users: dict[str, User], today: dt.date, tz: zoneinfo.ZoneInfo
) -> dict[tuple[str, str], Membership]:
    rng = _rng("people")
    start = program.start_date
    topics = {
        t.name: t
        for t in Topic.objects.bulk_create(
            [Topic(program=program, name=name) for name in programs_demo.TOPICS]
        )
    }
    levels = _seniority(rng)
    late = {_email(p.mentee) for p in PAIRS if p.fate in (EXPIRED, TOO_EARLY)}
    rows = [Membership(program=program, user=admin, role=Membership.Role.ADMIN)]
    co_admin = User.objects.filter(email="coadmin@demo.test").first()
    if co_admin is not None:
        rows.append(Membership(program=program, user=co_admin, role=Membership.Role.ADMIN))
    wanted: dict[tuple[str, str], str] = {}
    for p in PAIRS:
        wanted.setdefault((_email(p.mentor), "mentor"), THEMES[p.theme].topic)
        wanted.setdefault((_email(p.mentee), "mentee"), THEMES[p.theme].topic)
    chosen: dict[tuple[str, str], list[Topic]] = {}
    for n, ((email, role), topic) in enumerate(wanted.items()):
        mentor = role == "mentor"
        # The autumn intake joined a month ago; everyone else before the start.
        joined_late = email in late and not mentor
        enrolled = (
            _at(today - dt.timedelta(days=35), 11, tz)
            if joined_late
            else _at(start - dt.timedelta(days=rng.randint(10, 30)), rng.randint(8, 18), tz)
        )
        rows.append(
            Membership(
                program=program,
                user=users[email],
                role=role,
                enrolled_at=enrolled,
                privacy_acknowledged_at=enrolled,
                goals_statement="Help the next leaders at Northwind avoid the mistakes I made."
                if mentor
                else rng.choice(programs_demo.MENTEE_WANTS),
                what_i_bring=rng.choice(programs_demo.BRINGS),
                expectations=rng.choice(programs_demo.EXPECTATIONS),
                goals="" if mentor else rng.choice(programs_demo.MENTEE_GOALS),
                strengths=rng.choice(programs_demo.MENTOR_STRENGTHS) if mentor else "",
                seniority=levels[(email, role)],
                department=rng.choice(programs_demo.DEPARTMENTS),
                cohort=programs_demo.COHORTS[0 if joined_late or n % 3 == 0 else 1],
                capacity=2 if mentor else None,
                availability=rng.choice(programs_demo.AVAILABILITY),
                preferred_medium=rng.choice(list(Membership.Medium.values)),
            )
        )
        others = [t for name, t in topics.items() if name != topic]
        chosen[(email, role)] = [topics[topic], *rng.sample(others, rng.randint(1, 2))]
    saved = Membership.objects.bulk_create(rows)
    # Invited four weeks before the start (auto_now_add stamped them now).
    Membership.objects.filter(program=program).update(
        created_at=_at(start - dt.timedelta(days=35), 9, tz)
    )
    by_key = {(m.user.email.lower(), m.role): m for m in saved}
    Through = Membership.topics.through
    Through.objects.bulk_create(
        [
            Through(membership_id=by_key[key].pk, topic_id=t.pk)
            for key, ts in chosen.items()
            for t in ts
        ]
    )
    return by_key


def _at(day: dt.date, hour: int, tz: zoneinfo.ZoneInfo, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


# --- The pairings ---------------------------------------------------------------------------


def _pairing(
    program: Program,
    pair: Pair,
    mentor: Membership,
    mentee: Membership,
    today: dt.date,
    tz: zoneinfo.ZoneInfo,
    rng: random.Random,
) -> Pairing:
    """The pairing as it stands today; the receiver gives the started ones a workspace."""
    start = program.start_date
    fields: dict[str, Any] = {"planned_end_date": program.end_date}
    if pair.fate == DECLINED:
        proposed = _at(start + dt.timedelta(days=3), 10, tz)
        fields.update(
            respond_by=proposed + dt.timedelta(days=14),
            responded_at=proposed + dt.timedelta(days=2, hours=3),
            decline_reason=DECLINE_REASON,
            planned_end_date=None,
        )
    elif pair.fate == EXPIRED:
        proposed = _at(today - dt.timedelta(days=30), 10, tz)
        deadline = proposed + dt.timedelta(days=14)
        fields.update(respond_by=deadline, responded_at=deadline, planned_end_date=None)
    elif pair.fate == PROPOSED:
        proposed = _at(today - dt.timedelta(days=9), 7, tz, minute=30)
        fields.update(respond_by=proposed + dt.timedelta(days=14), planned_end_date=None)
    elif pair.fate == TOO_EARLY:
        proposed = _at(today - dt.timedelta(days=8), 10, tz)
        started = _at(today - dt.timedelta(days=5), 9, tz, minute=40)
        fields.update(respond_by=proposed + dt.timedelta(days=14), responded_at=started)
        fields["started_at"] = started
    else:
        # Matched when the program opened; the declined mentee a week later.
        offset = 9 if pair.mentee == "mentee10" else rng.randint(3, 5)
        proposed = _at(start + dt.timedelta(days=offset), 10, tz)
        started = proposed + dt.timedelta(days=rng.randint(1, 3), hours=rng.randint(1, 6))
        fields.update(
            respond_by=proposed + dt.timedelta(days=14), responded_at=started, started_at=started
        )
    if pair.fate == COMPLETED:
        # A three-and-a-half month peer exchange, closed on time last month.
        fields["planned_end_date"] = today - dt.timedelta(days=32)
        fields.update(ended_at=_at(today - dt.timedelta(days=31), 17, tz), ended_by=mentor.user)
    elif pair.fate == ENDED_EARLY:
        fields.update(
            ended_at=_at(today - dt.timedelta(days=68), 12, tz),
            ended_by=mentee.user,
            end_reason=END_REASON.format(mentee=mentee.user.get_short_name()),
        )
    return Pairing.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        relationship_type=pair.kind,
        status=STATUS[pair.fate],
        source=Pairing.Source.MATCHING,
        topic=Topic.objects.filter(program=program, name=THEMES[pair.theme].topic).first(),
        created_at=proposed,
        **fields,
    )


@dataclass
class Story:
    """One started pairing while its history is written."""

    n: int
    pair: Pair
    pairing: Pairing
    ws: Workspace
    rng: random.Random
    theme: Theme
    mentor: User
    mentee: User
    agreement: Agreement | None = None
    goals: list[Goal] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def held(self) -> list[Meeting]:
        return [m for m in self.meetings if m.status == Meeting.Status.HELD]

    def fill(self, line: str) -> str:
        return line.format(mentor=self.mentor.get_short_name(), mentee=self.mentee.get_short_name())


def _seed(admin: User) -> Program:
    tz = zoneinfo.ZoneInfo(TIMEZONE)
    now = timezone.now()
    today = timezone.localdate(now, tz)
    users = _people()
    program = _program(admin, today)
    members = _memberships(program, admin, users, today, tz)
    stories = []
    for n, pair in enumerate(PAIRS):
        rng = _rng("pair", n)
        mentor = members[(_email(pair.mentor), "mentor")]
        mentee = members[(_email(pair.mentee), "mentee")]
        pairing = _pairing(program, pair, mentor, mentee, today, tz, rng)
        if pair.fate in STARTED:
            ws = Workspace.objects.get(pairing=pairing)
            theme = THEMES[pair.theme]
            stories.append(Story(n, pair, pairing, ws, rng, theme, mentor.user, mentee.user))
    history = History(program, tz, now, today)
    for s in stories:
        history.plan(s)
    history.save(stories)
    return program


# --- What happened inside the workspaces ----------------------------------------------------


class History:
    """Writes the started pairs' agreements, goals, meetings and what followed, in bulk."""

    def __init__(self, program: Program, tz: zoneinfo.ZoneInfo, now: dt.datetime, today: dt.date):
        self.program, self.tz, self.now, self.today = program, tz, now, today
        self.rows: dict[type, list[Any]] = {}

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return _at(day, hour, self.tz, minute)

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


# --- The words: what the pairs wrote -----------------------------------------------------------
# "{mentor}" and "{mentee}" become the first names of the pair.


@dataclass(frozen=True)
class Theme:
    topic: str  # one of programs.demo.TOPICS
    purpose: str
    mentee_success: str
    mentor_success: str
    goals: list[tuple[str, str, str]]  # title, specific, measurable
    steps: list[str]  # an agenda's "what I did since last time", in order
    questions: list[str]  # an agenda's topics and questions
    actions: list[tuple[str, str, str]]  # owner ("mentor"/"mentee"), kind, what
    roadmap: list[str]


TASK, RESOURCE, INTRO = ActionItem.Kind.TASK, ActionItem.Kind.RESOURCE, ActionItem.Kind.INTRODUCTION

THEMES = {
    "team": Theme(
        topic="Leading a team",
        purpose="Help {mentee} step into a first team-lead role: 1:1s, delegation and feedback.",
        mentee_success="I run weekly 1:1s with my three reports and they tell me they are useful.",
        mentor_success="{mentee} hands over a whole piece of work and does not take it back.",
        goals=[
            (
                "Run 1:1s people want to come to",
                "A 30-minute 1:1 with each of my three reports every week; they set the agenda.",
                "Every 1:1 held for eight weeks; each report rates them 4 of 5 or better.",
            ),
            (
                "Delegate the release checklist",
                "Hand the monthly release checklist to a teammate, with a written guide.",
                "Two releases run without me stepping in.",
            ),
            (
                "Give feedback within a day",
                "Give specific feedback within 24 hours of anything worth mentioning.",
                "At least two pieces of feedback a week, noted in my log.",
            ),
        ],
        steps=[
            "Started weekly 1:1s with all three of my reports.",
            "Wrote the guide for the release checklist and walked a teammate through it.",
            "Gave two pieces of feedback the same day, one of them hard.",
            "Let the team run the planning meeting without me.",
        ],
        questions=[
            "How do I stop 1:1s turning into status updates?",
            "When is it right to step back in on something I delegated?",
            "How do I give feedback to someone who used to be my peer?",
            "How much of my own coding should I still do?",
        ],
        actions=[
            ("mentee", TASK, "Draft a 1:1 template and try it with one report."),
            ("mentor", RESOURCE, "Send {mentee} the delegation checklist I give new leads."),
            ("mentee", TASK, "Write down the three decisions the team can make without me."),
            ("mentor", INTRO, "Introduce {mentee} to a lead who went through the same move."),
        ],
        roadmap=["The first 90 days as a lead", "1:1s that work", "Delegating", "Hard feedback"],
    ),
    "stakeholders": Theme(
        topic="Stakeholder management",
        purpose="Help {mentee} win support for the warehouse-routing project across four teams.",
        mentee_success="The steering group backs the project's next phase without a second round.",
        mentor_success="{mentee} knows who to talk to before every big meeting, and does.",
        goals=[
            (
                "Map the project's stakeholders",
                "Map everyone the routing project touches, their interest and their influence.",
                "A one-page map reviewed with {mentor} and kept up to date monthly.",
            ),
            (
                "Win the steering group's go-ahead",
                "Prepare and present the case for phase two to the steering group.",
                "Phase two approved at the next steering group.",
            ),
            (
                "Meet the sceptics early",
                "Hold a one-to-one with each of the three most sceptical managers.",
                "Three conversations held before the steering group, their concerns written down.",
            ),
        ],
        steps=[
            "Drew the stakeholder map and found two people I had never spoken to.",
            "Had coffee with the operations manager who blocked us last time.",
            "Rewrote the steering group paper around their questions, not my answers.",
            "Sent a short update to everyone on the map.",
        ],
        questions=[
            "How do I handle a stakeholder who agrees in the meeting and objects afterwards?",
            "What goes in a pre-meeting so the real meeting is short?",
            "How much detail does the steering group actually want?",
            "Who should present the numbers: me or finance?",
        ],
        actions=[
            ("mentee", TASK, "Book one-to-ones with the three sceptical managers."),
            ("mentor", RESOURCE, "Share the steering-group paper I was proudest of."),
            ("mentee", TASK, "Cut the paper to two pages and send it to {mentor}."),
            ("mentor", INTRO, "Introduce {mentee} to the head of logistics finance."),
        ],
        roadmap=["Who cares and why", "Pre-meetings", "Writing for executives", "Saying no"],
    ),
    "data": Theme(
        topic="Data literacy",
        purpose=(
            "{mentor} helps {mentee} read the team's dashboards, question the numbers and "
            "write simple queries; {mentee} shows {mentor} how decisions get made at the top."
        ),
        mentee_success="I pull my own numbers for the Monday leadership meeting.",
        mentor_success="{mentee} writes a query alone and spots a misleading chart.",
        goals=[
            (
                "Read the sales dashboard unaided",
                "Each Monday, pull the three numbers I need for the leadership meeting myself.",
                "Six Mondays in a row without asking the analytics team.",
            ),
            (
                "Write my first SQL queries",
                "Learn SELECT, WHERE and GROUP BY on the sandbox copy of the orders data.",
                "Ten practice queries; one real question answered with a query I wrote.",
            ),
            (
                "Spot a misleading chart",
                "Go through the quarterly board pack for charts that mislead.",
                "Three charts flagged, and a better version of one proposed.",
            ),
        ],
        steps=[
            "Pulled the weekly numbers myself twice this fortnight.",
            "Did the first four exercises in the SQL sandbox.",
            "Rebuilt the regional chart with a zero baseline.",
            "Asked the analytics team for read access to the orders data.",
        ],
        questions=[
            "Why do the dashboard totals differ from the finance report?",
            "When should I use a median rather than an average?",
            "How do I join the orders and customers tables?",
            "Which chart would show the churn trend honestly?",
        ],
        actions=[
            ("mentee", TASK, "Do the GROUP BY exercise on the sandbox orders table."),
            ("mentor", RESOURCE, "Send {mentee} my cheat sheet of everyday SQL patterns."),
            ("mentor", INTRO, "Introduce {mentee} to the analytics team's data steward."),
            ("mentee", TASK, "Mark up two charts in the board pack that could mislead."),
        ],
        roadmap=["Reading a dashboard", "Averages and outliers", "First queries", "Honest charts"],
    ),
    "customers": Theme(
        topic="Product strategy",
        purpose=(
            "{mentor} shows {mentee} how customers under thirty find, judge and buy our "
            "products, and {mentee} shares how product bets are weighed at director level."
        ),
        mentee_success="I can explain how our youngest customers discover us, with examples.",
        mentor_success="{mentee} changes one decision in the roadmap because of what we saw.",
        goals=[
            (
                "Watch five customer sessions",
                "Sit in on five usability sessions with customers under thirty.",
                "Five sessions watched, one page of what surprised me after each.",
            ),
            (
                "Try the product as a new customer",
                "Sign up and order through the mobile app with no help from the team.",
                "Every step timed and the three worst moments written up.",
            ),
        ],
        steps=[
            "Watched two usability sessions and wrote up what surprised me.",
            "Ordered through the app from scratch; checkout took eleven minutes.",
            "Read the reviews of our app and our two main competitors.",
            "Shared my notes with the product team.",
        ],
        questions=[
            "Why do younger customers abandon the basket at delivery options?",
            "Which social channels matter for us, and which are noise?",
            "How would you explain our pricing to a friend?",
            "What should I ask in my next session?",
        ],
        actions=[
            ("mentor", RESOURCE, "Send {mentee} three short videos of real checkout sessions."),
            ("mentee", TASK, "Order through the app again after the redesign and compare."),
            ("mentor", INTRO, "Introduce {mentee} to the team running the student panel."),
        ],
        roadmap=["How they find us", "The first order", "Trust and reviews", "What to change"],
    ),
    "career": Theme(
        topic="Career planning",
        purpose=(
            "Two analysts compare how careers grow in their organisations: portfolios, "
            "promotions and getting noticed, with honest notes from both sides."
        ),
        mentee_success="I have a written two-year plan and a portfolio I am proud to show.",
        mentor_success="We each make one concrete move we would not have made alone.",
        goals=[
            (
                "Write a two-year career plan",
                "Write a one-page plan: the role I want, the skills it needs, the gaps.",
                "Plan written and reviewed with my manager.",
            ),
            (
                "Build a portfolio of my work",
                "Collect five pieces of work with a paragraph on the impact of each.",
                "Five pieces online and shared with {mentor}.",
            ),
            (
                "Speak at a meetup",
                "Give a 15-minute talk at a local analytics meetup.",
                "Talk given, with feedback from at least three people.",
            ),
        ],
        steps=[
            "Drafted my two-year plan and marked the three gaps.",
            "Put the first three portfolio pieces online.",
            "Submitted a talk to the analytics meetup.",
            "Talked to my manager about the senior role's expectations.",
        ],
        questions=[
            "How did promotion to senior work at your place?",
            "What makes a portfolio piece convincing?",
            "Specialise now, or stay broad for another year?",
            "How do I ask for a stretch project?",
        ],
        actions=[
            ("mentee", TASK, "Finish the one-page plan and send it to {mentor}."),
            ("mentor", RESOURCE, "Share my promotion case as an example."),
            ("mentee", TASK, "Write up one portfolio piece with its impact."),
        ],
        roadmap=["Where we are now", "What good looks like", "Portfolios", "Next steps"],
    ),
    "speaking": Theme(
        topic="Public speaking",
        purpose="Help {mentee} present to executives calmly and clearly, without reading slides.",
        mentee_success="I give the quarterly update to the leadership team without notes.",
        mentor_success="{mentee} asks for the next big presentation instead of avoiding it.",
        goals=[
            (
                "Present at the all-hands",
                "Give a 10-minute update at the quarterly all-hands.",
                "Done, with feedback from three colleagues.",
            ),
            (
                "Cut my slides in half",
                "Rebuild the project update deck with one idea per slide.",
                "Deck down from 24 slides to 12 or fewer.",
            ),
            (
                "Practise every week",
                "Record a two-minute talk each week and watch it back.",
                "Eight recordings, with one thing improved each time.",
            ),
        ],
        steps=[
            "Recorded three short practice talks and watched them back.",
            "Cut the project deck from 24 slides to 14.",
            "Presented at the team meeting without notes.",
            "Asked to present the update at the all-hands.",
        ],
        questions=[
            "How do I handle a question I cannot answer in front of directors?",
            "What do I do with my hands?",
            "How do I open so people listen?",
            "How long should I pause before answering?",
        ],
        actions=[
            ("mentee", TASK, "Record a two-minute version of the update and watch it back."),
            ("mentor", RESOURCE, "Send {mentee} the talk on storytelling we discussed."),
            ("mentee", TASK, "Rehearse the opening with a colleague."),
            ("mentor", TASK, "Sit in on {mentee}'s team presentation and give written notes."),
        ],
        roadmap=["Structure", "Slides", "Delivery", "Questions from the floor"],
    ),
    "negotiation": Theme(
        topic="Negotiation",
        purpose="Help {mentee} prepare and run supplier negotiations with confidence.",
        mentee_success="I go into the freight contract renewal with a plan and a walk-away point.",
        mentor_success="{mentee} prepares alternatives before every negotiation, as a habit.",
        goals=[
            (
                "Prepare the freight renewal",
                "Write the negotiation plan for the freight contract: interests, options, BATNA.",
                "Plan reviewed with {mentor} two weeks before the first meeting.",
            ),
            (
                "Hold my walk-away point",
                "Agree my walk-away point beforehand and keep to it in the room.",
                "Contract signed inside my range, or a clear no.",
            ),
        ],
        steps=[
            "Listed what the supplier needs from us, not just what we want.",
            "Wrote our alternatives down and priced the best one.",
            "Ran a mock negotiation with a colleague playing the supplier.",
            "Held the first meeting with the supplier and kept to the plan.",
        ],
        questions=[
            "How do I answer when they ask for our budget?",
            "Should I make the first offer?",
            "What do I do when they say the price is final?",
            "How do I keep the relationship good after a hard deal?",
        ],
        actions=[
            ("mentee", TASK, "Price our best alternative to the current supplier."),
            ("mentor", RESOURCE, "Send {mentee} the one-page negotiation plan template."),
            ("mentee", TASK, "Run a mock negotiation and note where I gave ground."),
        ],
        roadmap=["Interests, not positions", "Your alternatives", "Anchoring", "Closing"],
    ),
    "time": Theme(
        topic="Time management",
        purpose="Help {mentee} protect time for the work that matters and say no without guilt.",
        mentee_success="Two focus mornings a week, and my own priorities no longer slip.",
        mentor_success="{mentee} turns down a request politely and feels fine about it.",
        goals=[
            (
                "Protect two focus mornings",
                "Block Tuesday and Thursday mornings for focused work, no meetings.",
                "Kept for six weeks out of eight.",
            ),
            (
                "Cut my meetings by a third",
                "Review every recurring meeting and leave or shorten the ones I do not need.",
                "Meeting hours down from 18 to 12 a week.",
            ),
            (
                "Plan the week on Mondays",
                "Spend 20 minutes each Monday choosing the week's three priorities.",
                "Done eight Mondays running, priorities shared with my manager.",
            ),
        ],
        steps=[
            "Kept both focus mornings this week for the first time.",
            "Left two recurring meetings and shortened three others.",
            "Planned the week on Monday and finished two of my three priorities.",
            "Said no to a request and offered an alternative instead.",
        ],
        questions=[
            "How do I say no to my manager's manager?",
            "What do I do when a focus morning gets invaded by an emergency?",
            "How do I decide which meetings to leave?",
            "How do you plan your own week?",
        ],
        actions=[
            ("mentee", TASK, "Keep a log of where my time goes for one week."),
            ("mentor", RESOURCE, "Share the weekly planning template I use."),
            ("mentee", TASK, "Decline or shorten two recurring meetings."),
        ],
        roadmap=["Where the time goes", "Focus time", "Saying no", "Weekly planning"],
    ),
}

LEARNED = [
    "Preparing the first two minutes makes the rest easier.",
    "Asking one more question before answering saves time later.",
    "Writing things down forces me to be specific.",
    "People respond better to a clear ask than to a long explanation.",
    "Small experiments are less scary than big plans.",
    "I over-prepare the parts that matter least.",
]
NEEDS_DETAIL = [
    "Feedback on the draft I linked.",
    "An introduction to someone who has done this before.",
    "Advice on whether to raise it now or wait a month.",
    "Any reading you found useful on this.",
]
USEFUL = [
    "Role-playing the conversation before having it for real.",
    "Hearing how the same situation was handled elsewhere.",
    "Breaking the goal into steps for this week.",
    "The questions about what I actually want from this.",
    "Going through the draft line by line.",
    "A simple way to decide what to say no to.",
]
NEXT_STEPS = [
    "Try the new approach in Thursday's team meeting.",
    "Rewrite the plan with the changes we discussed.",
    "Book time with my manager to talk about scope.",
    "Send the draft round for comments by Friday.",
    "Practise the opening twice before the real thing.",
]
BEFORE_NEXT = [
    "Read the chapter we talked about and note two ideas to try.",
    "Collect feedback from two colleagues.",
    "Keep a short log of where my time goes.",
    "Finish the first draft and bring it along.",
]
CHANGE = [
    "",
    "",
    "Start with the hardest question.",
    "Leave ten minutes at the end for next steps.",
    "Meet in person next time if we can.",
    "Share the agenda a day earlier.",
]
CHANGE_LOW = [
    "We ran out of time before my questions.",
    "More concrete examples and less general advice, please.",
    "Could we agree the focus at the start?",
    "I left unsure what to do next.",
]
CANCEL_REASONS = [
    "Clashed with the quarterly planning offsite; moved to later in the week.",
    "Off sick; we moved it by a few days.",
    "A customer escalation came up; rebooked for two days later.",
]
PROGRESS_NOTES = [
    "A first step done; more after our next meeting.",
    "Good progress this fortnight.",
    "Slower than planned, but moving.",
    "Nearly there; one piece left.",
]
ACHIEVABLE = [
    "My manager agreed to the time, and {mentor} reviews my plan first.",
    "An hour a week, planned on Monday.",
    "Small steps between our meetings, checked at each one.",
]
RELEVANT = [
    "It is the skill my next role depends on.",
    "My last review named this as the thing to work on.",
    "It makes my team's work easier, not just mine.",
]
NOTES_MENTOR = [
    "{mentee} undersells their progress; ask for specifics next time.",
    "Bring the story about my first reorganisation; it fits what {mentee} is facing.",
    "{mentee} seemed tired; check how the workload is before we dig in.",
]
NOTES_MENTEE = [
    "Ask {mentor} about the promotion panel before the end of the program.",
    "I keep avoiding the hard conversation. Next week, no excuses.",
    "Remember to thank {mentor} for the introduction.",
]
NOTES_SHARED = [
    "Reading list: 'The Manager's Path', chapters 3 and 4.",
    "The plan we sketched: three steps, one per fortnight.",
    "Link to the template we discussed: https://docs.example.org/northwind/templates",
]
WORKING = [
    "We keep our rhythm and every meeting ends with a next step.",
    "Honest feedback, and the practical exercises between meetings.",
    "The agenda makes our time together focused.",
    "I feel heard, and I leave with something to try.",
]
REVIEW_CHANGE = [
    "",
    "More time on the goals, less on updates.",
    "Try one meeting in person.",
    "Review the goals again before the end.",
]
REMAINS = [
    "Keep the portfolio up to date, and give the meetup talk in the spring.",
    "Follow up on the two introductions.",
]
DIFFERENTLY = [
    "Set fewer goals at the start and go deeper on each.",
    "Meet in person at least once; it changed the conversation.",
]
RESCHEDULE_RULE = "Move it with a day's notice; cancel only with a new time proposed."
CONFIDENTIALITY = "What we discuss stays between us unless we both agree otherwise."
SHAREABLE = "Meeting counts and goals' progress may be shared with the program."
FEEDBACK = [
    "Direct, written after the meeting, with one example.",
    "Spoken, in the meeting, and straight to the point.",
    "Gentle first, then specific.",
]
DECLINE_REASON = (
    "My team has a product launch this quarter and I cannot give this the time it deserves."
)
END_REASON = (
    "{mentee} moved to the Singapore office; with the time difference we could not keep a "
    "rhythm and agreed to stop here."
)
PLACES: dict[str, str] = {
    Medium.IN_PERSON: "Meeting room 4.12, London office",
    Medium.PHONE: "",
}


def location(medium: str, n: int) -> str:
    return PLACES.get(medium, f"https://meet.example.org/northwind-leaders-{n + 1:02d}")
