"""The program, its people and its pairings: who mentors whom in "Northwind Leadership
Mentoring 2026", what became of each pairing, and the rows that say so.

``PAIRS`` is the plan, one ``Pair`` per pairing with its fate (on track, at risk, low
ratings, ended early, completed, declined, expired, proposed or just started) and its
theme. ``create_pairings`` writes the people missing from the database, the program,
its memberships and the pairings one by one (so the workspace receiver in
``sessions.signals`` runs), and hands back a ``Story`` for each pairing that started,
for ``meetings`` and ``history`` to fill in.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress

from matching.models import MatchingSettings, Pairing
from mentoring.models import User
from programs import demo as programs_demo
from programs.models import Membership, Program, Topic
from sessions.demo_history.text import DECLINE_REASON, END_REASON, THEMES, Theme
from sessions.models import Agreement, Goal, Meeting, Workspace

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


def _email(name: str) -> str:
    return name if "@" in name else f"{name}@demo.test"


def _rng(*parts: object) -> random.Random:
    return random.Random("-".join(str(p) for p in (SLUG, *parts)))  # noqa: S311  (demo data)


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
            local_time(today - dt.timedelta(days=35), 11, tz)
            if joined_late
            else local_time(start - dt.timedelta(days=rng.randint(10, 30)), rng.randint(8, 18), tz)
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
        created_at=local_time(start - dt.timedelta(days=35), 9, tz)
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


def local_time(day: dt.date, hour: int, tz: zoneinfo.ZoneInfo, minute: int = 0) -> dt.datetime:
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
        proposed = local_time(start + dt.timedelta(days=3), 10, tz)
        fields.update(
            respond_by=proposed + dt.timedelta(days=14),
            responded_at=proposed + dt.timedelta(days=2, hours=3),
            decline_reason=DECLINE_REASON,
            planned_end_date=None,
        )
    elif pair.fate == EXPIRED:
        proposed = local_time(today - dt.timedelta(days=30), 10, tz)
        deadline = proposed + dt.timedelta(days=14)
        fields.update(respond_by=deadline, responded_at=deadline, planned_end_date=None)
    elif pair.fate == PROPOSED:
        proposed = local_time(today - dt.timedelta(days=9), 7, tz, minute=30)
        fields.update(respond_by=proposed + dt.timedelta(days=14), planned_end_date=None)
    elif pair.fate == TOO_EARLY:
        proposed = local_time(today - dt.timedelta(days=8), 10, tz)
        started = local_time(today - dt.timedelta(days=5), 9, tz, minute=40)
        fields.update(respond_by=proposed + dt.timedelta(days=14), responded_at=started)
        fields["started_at"] = started
    else:
        # Matched when the program opened; the declined mentee a week later.
        offset = 9 if pair.mentee == "mentee10" else rng.randint(3, 5)
        proposed = local_time(start + dt.timedelta(days=offset), 10, tz)
        started = proposed + dt.timedelta(days=rng.randint(1, 3), hours=rng.randint(1, 6))
        fields.update(
            respond_by=proposed + dt.timedelta(days=14), responded_at=started, started_at=started
        )
    if pair.fate == COMPLETED:
        # A three-and-a-half month peer exchange, closed on time last month.
        fields["planned_end_date"] = today - dt.timedelta(days=32)
        fields.update(
            ended_at=local_time(today - dt.timedelta(days=31), 17, tz), ended_by=mentor.user
        )
    elif pair.fate == ENDED_EARLY:
        fields.update(
            ended_at=local_time(today - dt.timedelta(days=68), 12, tz),
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


def create_pairings(
    admin: User, today: dt.date, tz: zoneinfo.ZoneInfo
) -> tuple[Program, list[Story]]:
    """The program with its people and pairings, and a story for each pairing that started."""
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
    return program, stories
