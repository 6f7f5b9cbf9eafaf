"""Two answers at the same moment, each on its own database connection (PostgreSQL).

SQLite serialises whole-database writes, so only PostgreSQL shows whether the row
locks do their job: these tests skip locally without it and fail in CI.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from conftest import require_service
from matching import services
from matching.models import MentorRequest, Pairing
from matching.services import pairings as pairing_services
from matching.tests.factories import (
    MenteeFactory,
    MentorFactory,
    MentorRequestFactory,
    PairingFactory,
)
from programs.models import Program
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.services

# How long each thread holds on after its capacity check: long enough that, without
# the row lock, the other thread would count the same places.
WINDOW_S = 0.5


def _run_together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls at once, one thread and one connection each; return result or error."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


@pytest.fixture
def slow_capacity_check(monkeypatch):
    """Hold each accept open just after it counted the mentor's places."""
    original = pairing_services.check_mentor_has_room

    def check_then_wait(mentor):
        original(mentor)
        time.sleep(WINDOW_S)

    monkeypatch.setattr(pairing_services, "check_mentor_has_room", check_then_wait)


@pytest.mark.django_db(transaction=True)
def test_rule6_two_accepts_at_once_never_exceed_the_mentors_capacity(slow_capacity_check):
    require_service("PostgreSQL", connection.vendor == "postgresql")
    program = ProgramFactory.create(matching_mode=Program.MatchingMode.MENTEE_CHOICE)
    mentor = MentorFactory.create(program=program, capacity=2)
    PairingFactory.create(program=program, mentor=mentor, status=Pairing.Status.ACTIVE)
    requests = [
        MentorRequestFactory.create(program=program, mentor=mentor, mentee=mentee)
        for mentee in MenteeFactory.create_batch(2, program=program)
    ]

    results = _run_together(
        [partial(services.request_accept, request=r, actor=mentor.user) for r in requests]
    )

    accepted = [r for r in results if isinstance(r, MentorRequest)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(accepted) == 1, results
    assert len(refused) == 1, results
    assert "no place left" in " ".join(refused[0].messages)
    assert Pairing.objects.open().filter(mentor=mentor).count() == 2
    statuses = sorted(MentorRequest.objects.values_list("status", flat=True))
    assert statuses == [MentorRequest.Status.ACCEPTED, MentorRequest.Status.PENDING]


@pytest.mark.django_db(transaction=True)
def test_two_mentors_accepting_the_same_mentee_at_once_give_them_one_mentor(
    slow_capacity_check,
):
    require_service("PostgreSQL", connection.vendor == "postgresql")
    program = ProgramFactory.create(matching_mode=Program.MatchingMode.MENTEE_CHOICE)
    mentee = MenteeFactory.create(program=program)
    requests = [
        MentorRequestFactory.create(program=program, mentor=mentor, mentee=mentee)
        for mentor in MentorFactory.create_batch(2, program=program)
    ]

    results = _run_together(
        [partial(services.request_accept, request=r, actor=r.mentor.user) for r in requests]
    )

    accepted = [r for r in results if isinstance(r, MentorRequest)]
    assert len(accepted) == 1, results
    other = next(r for r in results if not isinstance(r, MentorRequest))
    # The loser either found its request already withdrawn or the mentee already paired.
    assert isinstance(other, ValidationError), other
    assert Pairing.objects.open().filter(mentee=mentee).count() == 1
    statuses = sorted(MentorRequest.objects.values_list("status", flat=True))
    assert statuses == [MentorRequest.Status.ACCEPTED, MentorRequest.Status.WITHDRAWN]
