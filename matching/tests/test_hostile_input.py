"""No matching page answers 500, whatever is typed into it or its URL."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import MatchRun, MentorRequest, Pairing
from matching.tests.access_common import World
from matching.tests.test_access_matrix import EXPECTATIONS, app_patterns
from matching.tests.test_access_matrix import world as world

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    "x" * 5000,
    "<script>alert(1)</script>",
    "' OR 1=1; DROP TABLE matching_pairing; --",
    "nul\x00byte",
    "-1",
    "99999999999999999999999",
    "1e309",
    "2026-02-30T25:61",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "\u202e\ufeff🙂",
]
FIELDS = [
    "reason", "note", "mentor", "mentee", "mentees", "decision", "outcome", "accepting",
    "topic", "q", "slots", "remove", "name", "description", "max_mentees", "open_to_requests",
    "title", "length_minutes", "medium", "choice_1", "choice_2", "weight_topics",
    "ideal_seniority_gap", "max_open_requests", "response_days", "next", "completed",
]  # fmt: skip
QUERY = ["page", "sort", "show", "status", "topic", "q"]


def _cases() -> list[tuple[str, int]]:
    return [(name, i) for name in sorted(app_patterns()) for i in range(len(EXPECTATIONS[name]))]


@pytest.mark.parametrize(("name", "index"), _cases())
@pytest.mark.parametrize("who", ["admin", "mentor", "mentee"])
def test_hostile_values_never_cause_a_server_error(world: World, name, index, who):
    case = EXPECTATIONS[name][index]
    url = reverse(name, kwargs=case.kwargs(world, world.here))
    client = world.personas.client(who)
    for n, value in enumerate(HOSTILE):
        # The test client re-raises any exception a view lets escape (a 500).
        response = client.get(url, dict.fromkeys(QUERY, value))
        assert response.status_code < 500
        data = {key: HOSTILE[(n + k) % len(HOSTILE)] for k, key in enumerate(FIELDS)}
        response = client.post(url, data)
        assert response.status_code < 500, (who, url, data)


def test_hostile_posts_leave_the_other_programs_objects_alone(world: World):
    there = world.there
    assert Pairing.objects.get(pk=there.pairing.pk).status == Pairing.Status.PROPOSED
    assert MentorRequest.objects.get(pk=there.request.pk).status == MentorRequest.Status.PENDING
    assert MatchRun.objects.get(pk=there.run.pk).status == MatchRun.Status.DRAFT
