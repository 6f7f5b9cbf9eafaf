"""Query budgets of the pages people open most: the count stays flat as the data grows.

Each test renders a page at a small and a large size of the data it lists and
asserts the same number of queries at both (an N+1 shows as a difference), and a
ceiling at the large size. Counts are taken after one warm-up request, so a
per-process cache that fills on the first request does not show as growth.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring.models import User
from mentoring.tests.factories import UserFactory
from programs.models import Invitation, Membership, Program, Question
from programs.tests.factories import (
    ChoiceFactory,
    InvitationFactory,
    MembershipFactory,
    ProgramFactory,
    QuestionFactory,
    TopicFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]

Role = Membership.Role

# The most queries each page may make, whatever the amount of data.
# Measured: session, user, then what the page itself reads.
# The home page: session, user, program cards, and one query each for the sections of
# someone without relationships: notifications, proposals to answer, my relationships.
# (sessions/tests/test_home.py holds the budget of someone with relationships.)
HOME_BUDGET = 6
PROGRAM_LIST_BUDGET = 3
OVERVIEW_BUDGET = 7
INVITATIONS_BUDGET = 5  # paginated: one query counts the rows, one reads a page
QUESTIONS_BUDGET = 5
TOPICS_BUDGET = 4


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx.captured_queries)


def counts_at_two_sizes(client: Client, url: str, grow) -> tuple[int, int]:
    """Queries for ``url`` before and after ``grow()`` adds data (after a warm-up request)."""
    client.get(url)
    small = count_queries(client, url)
    grow()
    large = count_queries(client, url)
    return small, large


# --- The home page and the program list: one card per program the person is in ----------


def join_programs(user: User, n: int, start: int) -> None:
    """Put ``user`` in ``n`` more programs, in every role and state a card shows."""
    statuses = [Program.Status.DRAFT, Program.Status.ENROLLING, Program.Status.RUNNING]
    for i in range(start, start + n):
        program = ProgramFactory.create(
            status=statuses[i % 3], start_date=dt.date(2026, 1, 1) + dt.timedelta(days=i)
        )
        if i % 4 == 0:
            MembershipFactory.create(program=program, user=user, role=Role.ADMIN)
        MembershipFactory.create(
            program=program,
            user=user,
            role=Role.MENTEE if i % 2 else Role.MENTOR,
            enrolled_at=timezone.now() if i % 3 == 0 else None,
        )
        # Other people in the program are not on the card; they must not cost queries.
        MembershipFactory.create(program=program, role=Role.MENTOR)


@pytest.mark.parametrize(
    ("url_name", "budget"),
    [("home", HOME_BUDGET), ("programs:list", PROGRAM_LIST_BUDGET)],
)
def test_program_cards_cost_the_same_for_2_and_20_programs(personas, url_name, budget):
    user = UserFactory.create()
    join_programs(user, 2, start=0)
    client = Client()
    client.force_login(user)
    url = reverse(url_name)
    small, large = counts_at_two_sizes(client, url, lambda: join_programs(user, 18, start=2))
    page = client.get(url).content.decode()
    assert page.count('class="card h-100"') == 20  # the cards really are there
    assert small == large, (small, large)
    assert large <= budget


# --- A program's pages, for its admins ----------------------------------------------------


def grow_program(program: Program, n: int, prefix: str) -> None:
    """``n`` more of all the overview counts: participants, invitations, topics, questions."""
    for i in range(n):
        MembershipFactory.create(
            program=program,
            role=Role.MENTOR if i % 2 else Role.MENTEE,
            enrolled_at=timezone.now() if i % 3 else None,
        )
        InvitationFactory.create(program=program, email=f"{prefix}{i}@example.org")
        TopicFactory.create(program=program, name=f"{prefix} topic {i}")
        QuestionFactory.create(program=program, text=f"{prefix} question {i}?")


def test_program_overview_costs_the_same_however_big_the_program(personas):
    program = personas.program
    grow_program(program, 2, "s")
    url = program.get_absolute_url()
    small, large = counts_at_two_sizes(
        personas.client("admin"), url, lambda: grow_program(program, 30, "l")
    )
    assert small == large, (small, large)
    assert large <= OVERVIEW_BUDGET


def invite(program: Program, n: int, prefix: str) -> None:
    """``n`` invitations in every state the list shows: pending, accepted, withdrawn, expired."""
    now = timezone.now()
    for i in range(n):
        invitation = InvitationFactory.create(
            program=program,
            email=f"{prefix}{i}@example.org",
            role=(Role.MENTEE, Role.MENTOR)[i % 2],
        )
        state = i % 4
        if state == 1:
            invitation.accepted_at = now
            invitation.accepted_by = UserFactory.create(email=invitation.email)
        elif state == 2:
            invitation.revoked_at = now
        elif state == 3:
            invitation.expires_at = now - dt.timedelta(days=1)
        if i % 2:
            invitation.sent_at = now
            invitation.send_count = 1 + i % 3
        invitation.save()


def test_invitation_list_costs_the_same_for_2_and_30_invitations(personas):
    # Whether the list is cut at a page size or paginated, the count must not grow.
    program = personas.program
    invite(program, 2, "s")
    url = reverse("programs:invitations", args=[program.slug])
    small, large = counts_at_two_sizes(
        personas.client("admin"), url, lambda: invite(program, 28, "l")
    )
    assert Invitation.objects.filter(program=program).count() == 30
    assert small == large, (small, large)
    assert large <= INVITATIONS_BUDGET


def add_questions(program: Program, n: int, prefix: str) -> None:
    """``n`` questions of every kind, the choice kinds with three options each."""
    kinds = list(Question.Kind)
    for i in range(n):
        kind = kinds[i % len(kinds)]
        question = QuestionFactory.create(
            program=program,
            text=f"{prefix} question {i}?",
            kind=kind,
            required=bool(i % 2),
        )
        if kind in Question.CHOICE_KINDS:
            for label in ("One", "Two", "Three"):
                ChoiceFactory.create(question=question, label=f"{prefix}{i} {label}")


def test_question_list_costs_the_same_for_2_and_20_questions_with_choices(personas):
    program = personas.program
    add_questions(program, 2, "s")
    url = reverse("programs:questions", args=[program.slug])
    small, large = counts_at_two_sizes(
        personas.client("admin"), url, lambda: add_questions(program, 18, "l")
    )
    page = personas.client("admin").get(url).content.decode()
    assert "l17 Three" in page  # the options really are listed
    assert small == large, (small, large)
    assert large <= QUESTIONS_BUDGET


def test_topic_list_costs_the_same_for_2_and_30_topics(personas):
    program = personas.program

    def add_topics(n: int, prefix: str) -> None:
        for i in range(n):
            TopicFactory.create(program=program, name=f"{prefix} topic {i}")

    add_topics(2, "s")
    url = reverse("programs:topics", args=[program.slug])
    small, large = counts_at_two_sizes(personas.client("admin"), url, lambda: add_topics(28, "l"))
    assert small == large, (small, large)
    assert large <= TOPICS_BUDGET
