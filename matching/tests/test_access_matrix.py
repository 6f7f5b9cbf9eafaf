"""Who gets what on every matching page.

The URL patterns are read from the resolver: a new pattern in ``matching``
fails these tests until every persona's expected answer is written in one of
the ``access_<area>.py`` modules.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from matching.models import MatchRun, MentorRequest, Pairing
from matching.tests import (
    access_board,
    access_circles,
    access_flash,
    access_pairings,
    access_preferences,
    access_requests,
)
from matching.tests.access_common import (
    LOGIN,
    PERSONAS,
    POST_ONLY_GET,
    Case,
    World,
    make_objects,
    slug_only,
)
from matching.tests.factories import MenteeFactory, MentorFactory
from programs.models import Membership
from programs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

EXPECTATIONS: dict[str, list[Case]] = {}
for module in (
    access_board,
    access_pairings,
    access_requests,
    access_preferences,
    access_circles,
    access_flash,
):
    overlap = set(EXPECTATIONS) & set(module.EXPECTATIONS)
    assert not overlap, f"expectations written twice: {overlap}"
    EXPECTATIONS.update(module.EXPECTATIONS)


def _walk(patterns: list[Any], namespace: str = "") -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found.update(_walk(p.url_patterns, ns))
        elif isinstance(p, URLPattern) and namespace.startswith("matching:"):
            found[namespace + (p.name or f"<unnamed {p.pattern}>")] = p
    return found


def app_patterns() -> dict[str, URLPattern]:
    """Every URL pattern of the matching app, by its namespaced name."""
    return _walk(get_resolver().url_patterns)


@pytest.fixture
def world(personas) -> World:
    program, other = personas.program, personas.other_program
    here = make_objects(
        program,
        personas.membership("admin"),
        personas.membership("mentor"),
        personas.membership("mentee"),
    )
    there = make_objects(
        other,
        Membership.objects.get(program=other, user=personas.outsider),
        MentorFactory.create(program=other),
        MenteeFactory.create(program=other),
    )
    # Someone else in this program, whose pairing and request the mentor and mentee
    # of ``here`` must not see.
    MembershipFactory.create(program=program, role=Membership.Role.MENTEE)
    return World(personas, here, there)


def _params(foreign: bool) -> list[Any]:
    params = []
    for name in sorted(app_patterns()):
        for case in EXPECTATIONS.get(name, [Case("", slug_only, get={})]):
            for method in ("get", "post"):
                table = case.get if method == "get" else case.post
                if table is None:
                    continue
                label = f"{name}[{case.label}]" if case.label else name
                if foreign:
                    if case.foreign and table is not POST_ONLY_GET:
                        params.append(pytest.param(name, case, method, id=f"{label}-{method}"))
                else:
                    for who in PERSONAS:
                        params.append(
                            pytest.param(name, case, method, who, id=f"{label}-{method}-{who}")
                        )
    return params


def test_every_matching_url_pattern_has_an_expectation_for_every_persona():
    patterns = app_patterns()
    assert len(patterns) >= 10, "the resolver walk found too few patterns"
    missing = sorted(set(patterns) - set(EXPECTATIONS))
    assert not missing, f"URL patterns without an access expectation: {missing}"
    stale = sorted(set(EXPECTATIONS) - set(patterns))
    assert not stale, f"expectations for URL patterns that no longer exist: {stale}"
    for name, cases in EXPECTATIONS.items():
        for case in cases:
            for table in (case.get, case.post):
                if table is not None:
                    assert set(table) == set(PERSONAS), name


def test_every_object_url_is_checked_with_another_programs_id():
    for name, pattern in app_patterns().items():
        if "pk" in pattern.pattern.converters:
            assert any(c.foreign for c in EXPECTATIONS.get(name, [])), name


@pytest.mark.parametrize(("name", "case", "method", "who"), _params(foreign=False))
def test_persona_gets_the_expected_answer(world, name, case, method, who):
    table = case.get if method == "get" else case.post
    expected = table[who]
    url = reverse(name, kwargs=case.kwargs(world, world.here))
    response = getattr(world.personas.client(who), method)(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"
    else:
        assert response.status_code == expected, (
            f"{who} {method.upper()} {url}: {response.status_code}, expected {expected}"
        )
    if expected == 404:
        assert world.here.program.name not in response.content.decode()


@pytest.mark.parametrize(("name", "case", "method"), _params(foreign=True))
def test_admin_gets_404_for_another_programs_object_through_their_own_program(
    world, name, case, method
):
    url = reverse(name, kwargs=case.kwargs(world, world.there))
    response = getattr(world.personas.client("admin"), method)(url)
    assert response.status_code == 404
    there = world.there
    assert Pairing.objects.get(pk=there.pairing.pk).status == Pairing.Status.PROPOSED
    assert MentorRequest.objects.get(pk=there.request.pk).status == MentorRequest.Status.PENDING
    assert MatchRun.objects.get(pk=there.run.pk).status == MatchRun.Status.DRAFT
