"""Demo data for programs: one program with admins, 12 mentors and 30 mentees.

Idempotent: run it again and it reuses what exists. Deterministic: the same
people with the same answers every time.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from mentoring.models import User
from programs import services
from programs.models import Membership, Program, Question, Topic

DEMO_PASSWORD = "constellation-demo"  # noqa: S105  (documented demo password)
DEMO_SLUG = "northwind-mentoring"
ADMIN_EMAIL = "admin@demo.test"
MENTOR_EMAIL = "mentor@demo.test"
MENTEE_EMAIL = "mentee@demo.test"

TOPICS = [
    "Career planning",
    "Data literacy",
    "Giving feedback",
    "Leading a team",
    "Negotiation",
    "Networking",
    "Product strategy",
    "Public speaking",
    "Stakeholder management",
    "Technical leadership",
    "Time management",
    "Work-life balance",
]

QUESTIONS: list[dict[str, Any]] = [
    {
        "text": "Which working style suits you best?",
        "kind": Question.Kind.SINGLE,
        "choices": ["Structured and planned", "Flexible and spontaneous", "A mix of both"],
        "used_for_matching": True,
        "matching_rule": Question.MatchingRule.SAME,
        "required": True,
    },
    {
        "text": "Which skills do you want to grow (mentees) or can you coach (mentors)?",
        "kind": Question.Kind.MULTIPLE,
        "choices": ["Coaching others", "Presenting", "Writing", "Budgeting", "Hiring", "Strategy"],
        "used_for_matching": True,
        "matching_rule": Question.MatchingRule.OFFERS_NEEDS,
        "required": True,
    },
    {
        "text": "How much does this program matter for your next career step?",
        "help_text": "1 = a little, 5 = a lot",
        "kind": Question.Kind.SCALE,
        "used_for_matching": True,
        "matching_rule": Question.MatchingRule.SAME,
    },
    {
        "text": "Which function do you work in?",
        "kind": Question.Kind.SINGLE,
        "choices": ["Engineering", "Sales", "Marketing", "Finance", "Operations", "People"],
        "used_for_matching": True,
        "matching_rule": Question.MatchingRule.DIFFERENT,
    },
    {
        "text": "Anything else your match should know about you?",
        "kind": Question.Kind.TEXT,
    },
]

FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Farah",
    "Gabriel",
    "Hana",
    "Ivan",
    "Jonas",
    "Kemi",
    "Leo",
    "Mei",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
    "Zoe",
    "Aisha",
    "Bruno",
    "Carmen",
    "Daniel",
    "Esther",
    "Felix",
    "Grace",
    "Hugo",
    "Ines",
    "Jamal",
    "Kira",
    "Lukas",
    "Marta",
    "Noah",
    "Olga",
    "Pablo",
]
LAST = [
    "Almeida",
    "Brennan",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fofana",
    "Garcia",
    "Haddad",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Mensah",
    "Novak",
    "Osei",
    "Petrov",
    "Quispe",
    "Rossi",
    "Sato",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhang",
]
COHORTS = ["Autumn 2026", "Spring 2026"]
DEPARTMENTS = ["Engineering", "Sales", "Marketing", "Finance", "Operations", "People"]
TIMEZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Singapore", "UTC"]
TITLES = {
    "mentor": [
        "Director of Engineering",
        "Head of Sales",
        "Principal Product Manager",
        "Finance Director",
        "VP Operations",
        "People Partner Lead",
        "Staff Engineer",
        "Marketing Director",
    ],
    "mentee": [
        "Software Engineer",
        "Account Executive",
        "Product Analyst",
        "Financial Analyst",
        "Operations Coordinator",
        "HR Generalist",
        "Marketing Associate",
        "Data Engineer",
    ],
}
MENTEE_WANTS = [
    "I want to grow into my first team-lead role within a year and learn how to run 1:1s well.",
    "I would like to get better at speaking up in large meetings and presenting to executives.",
    "I am moving from engineering towards product and want to understand how strategy is set.",
    "I want a sounding board for career choices and help building a network outside my team.",
    "I need to negotiate more confidently with suppliers and internal stakeholders.",
    "I want to manage my time better; I say yes to everything and my own priorities slip.",
]
MENTEE_GOALS = [
    "Lead a project of three people by the end of the program.",
    "Give a 10-minute presentation at the quarterly all-hands.",
    "Write a one-page career plan and review it with my manager.",
    "Hold weekly prioritisation sessions and protect two focus mornings a week.",
    "Run my next contract negotiation with a prepared BATNA.",
]
MENTOR_STRENGTHS = [
    "Built and led teams from 3 to 40 people; hiring, feedback, and hard conversations.",
    "Twenty years in enterprise sales; negotiation, pipeline discipline, executive presence.",
    "Product strategy and roadmapping; moved from engineering into product myself.",
    "Finance and budgeting for non-finance managers; making numbers tell a story.",
    "Public speaking coach on the side; I help people find a confident, authentic voice.",
    "Career changes and networking: I have worked in four industries on three continents.",
]
BRINGS = [
    "Curiosity, honesty, and a habit of preparing before every meeting.",
    "Stories from failed projects and what they taught me.",
    "An introduction or two to people worth knowing.",
    "A structured approach and templates I have used for years.",
    "Patience, and practical exercises between meetings.",
]
EXPECTATIONS = [
    "Meet every two weeks, keep to time, and come with an agenda.",
    "Honest feedback, even when it is uncomfortable.",
    "A confidential space to think out loud.",
    "Small, concrete next steps after each conversation.",
]
AVAILABILITY = [
    "Tuesday and Thursday mornings",
    "Most afternoons after 14:00",
    "Monday lunchtimes, Friday mornings",
    "Flexible, with a week's notice",
]


@dataclass
class DemoProgram:
    program: Program
    admin: User
    mentors: list[User]
    mentees: list[User]
    created: bool


def _rng(*parts: object) -> random.Random:
    """A generator seeded by what it is for, so reruns give the same data."""
    return random.Random("-".join(str(p) for p in parts))  # noqa: S311  (demo data)


def _user(email: str, name: str, *, role: str, staff: bool = False) -> User:
    rng = _rng(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            name=name,
            is_staff=staff,
            title=rng.choice(TITLES.get(role, ["Programme Manager"])),
            organisation="Northwind Traders",
            timezone=rng.choice(TIMEZONES),
            bio=f"{name.split()[0]} works at Northwind Traders.",
        )
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def _people(rng: random.Random, count: int, skip: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in names and name not in skip:
            names.append(name)
    return names


def _enrol(membership: Membership, topics: list[Topic], questions: list[Question]) -> None:
    rng = _rng(membership.user.email, membership.role)
    is_mentor = membership.role == Membership.Role.MENTOR
    answers: dict[int, Any] = {}
    for q in questions:
        choice_ids = [c.pk for c in q.choices.all()]
        if q.kind == Question.Kind.SINGLE:
            answers[q.pk] = rng.choice(choice_ids)
        elif q.kind == Question.Kind.MULTIPLE:
            answers[q.pk] = sorted(rng.sample(choice_ids, rng.randint(1, 3)))
        elif q.kind == Question.Kind.SCALE:
            answers[q.pk] = rng.randint(2, 5)
        elif rng.random() < 0.5:
            answers[q.pk] = rng.choice(BRINGS)
    profile: dict[str, Any] = {
        "goals_statement": rng.choice(MENTEE_WANTS)
        if not is_mentor
        else "Give back, and learn how the next generation sees our company.",
        "what_i_bring": rng.choice(BRINGS),
        "expectations": rng.choice(EXPECTATIONS),
        "seniority": rng.randint(4, 6) if is_mentor else rng.randint(1, 3),
        "department": rng.choice(DEPARTMENTS),
        "availability": rng.choice(AVAILABILITY),
        "preferred_medium": rng.choice(list(Membership.Medium.values)),
        "manager_email": "",
    }
    if is_mentor:
        profile["strengths"] = rng.choice(MENTOR_STRENGTHS)
        profile["capacity"] = rng.choice([None, 2, 3])
    else:
        profile["goals"] = rng.choice(MENTEE_GOALS)
    services.enrolment_submit(
        membership=membership,
        actor=membership.user,
        topics=rng.sample(topics, rng.randint(2, 4)),
        answers=answers,
        **profile,
    )


@transaction.atomic
def seed(today: dt.date | None = None) -> DemoProgram:
    """Create (or find) the demo program and its people."""
    rng = _rng("demo-names")
    today = today or timezone.localdate()
    admin = _user(ADMIN_EMAIL, "Alex Morgan", role="admin", staff=True)
    program = Program.objects.filter(slug=DEMO_SLUG).first()
    created = program is None
    if program is None:
        program = services.program_create(
            actor=admin,
            name="Northwind Mentoring 2026–27",
            description=(
                "Northwind's company-wide mentoring program: six months of regular "
                "conversations between experienced colleagues and people who want to grow. "
                "Mentees set the agenda; mentors share what they have learned."
            ),
            start_date=today - dt.timedelta(days=14),
            end_date=today + dt.timedelta(days=168),
            cadence_days=Program.Cadence.FORTNIGHTLY,
            timezone="Europe/London",
            matching_mode=Program.MatchingMode.HYBRID,
            default_mentor_capacity=3,
            allow_one_to_one=True,
            allow_circles=True,
            allow_flash=True,
            privacy_policy=Program.PrivacyPolicy.METADATA,
            status=Program.Status.ENROLLING,
        )
        Program.objects.filter(pk=program.pk).update(slug=DEMO_SLUG)
        program.refresh_from_db()
        for name in TOPICS:
            services.topic_create(program=program, actor=admin, name=name)
        for spec in QUESTIONS:
            spec = dict(spec)
            services.question_create(
                program=program, actor=admin, choices=spec.pop("choices", []), **spec
            )
        co_admin = _user("coadmin@demo.test", "Robin Adeyemi", role="admin")
        Membership.objects.get_or_create(program=program, user=co_admin, role="admin")

    topics = list(program.topics.all())
    questions = list(program.questions.prefetch_related("choices"))
    mentor_names = ["Maya Okafor", *_people(rng, 11, {"Maya Okafor", "Sam Rivera"})]
    mentee_names = ["Sam Rivera", *_people(rng, 29, set(mentor_names) | {"Sam Rivera"})]
    people: dict[str, list[User]] = {"mentor": [], "mentee": []}
    for role, names, known in (
        ("mentor", mentor_names, MENTOR_EMAIL),
        ("mentee", mentee_names, MENTEE_EMAIL),
    ):
        for i, name in enumerate(names):
            email = known if i == 0 else f"{role}{i + 1:02d}@demo.test"
            user = _user(email, name, role=role)
            people[role].append(user)
            membership, new = Membership.objects.get_or_create(
                program=program, user=user, role=role
            )
            # Three mentees have been invited but not enrolled yet.
            if new and not (role == "mentee" and i >= len(names) - 3):
                _enrol(membership, topics, questions)
            if new:
                # Two intakes, so the health dashboard's cohort filter has a choice.
                cohort = COHORTS[0] if i % 3 else COHORTS[1]
                Membership.objects.filter(pk=membership.pk).update(cohort=cohort)
    return DemoProgram(program, admin, people["mentor"], people["mentee"], created)
