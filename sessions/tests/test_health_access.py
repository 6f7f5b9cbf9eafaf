"""Who gets what on every page of the health dashboard and the exports.

The URL patterns are read from the resolver: a new pattern in the ``health`` or
``exports`` namespace fails these tests until every persona's answer is written in
``EXPECTATIONS``. These are program-admin pages, answered like the participant
directory: the program's admins get them; its mentors, mentees and circle members are
refused (403); an admin of another program gets 404; the anonymous visitor is sent to
the login page with ``?next=``. They only show things: a POST is 405 for everyone
signed in, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sessions.tests.conftest import World
from sessions.tests.test_access_matrix import snapshot

pytestmark = pytest.mark.django_db

LOGIN = "login"
NAMESPACES = ("health", "exports")
PERSONAS = (
    "admin",
    "mentor",
    "mentee",
    "other_mentor",
    "other_mentee",
    "member",
    "outsider",
    "anonymous",
)
ADMIN_PAGE = {
    "admin": 200,
    "mentor": 403,
    "mentee": 403,
    "other_mentor": 403,
    "other_mentee": 403,
    "member": 403,
    "outsider": 404,
    "anonymous": LOGIN,
}
EXPECTATIONS: dict[str, dict[str, Any]] = {
    "health:dashboard": ADMIN_PAGE,
    "health:pairs": ADMIN_PAGE,
    "exports:index": ADMIN_PAGE,
    "exports:participants": ADMIN_PAGE,
    "exports:pairings": ADMIN_PAGE,
    "exports:engagement": ADMIN_PAGE,
}
# Query strings each page is also asked with (filters, selections, nonsense).
QUERIES = {
    "health:dashboard": ["", "?cohort=Spring&kind=flash&relationship=peer", "?kind=%00bogus"],
    "health:pairs": ["", "?label=needs_check_in&page=2", "?reason=no_meeting", "?figure=x"],
    "exports:index": ["", "?department=Sales"],
    "exports:participants": ["", "?kind=one_to_one"],
    "exports:pairings": ["", "?cohort=nope"],
    "exports:engagement": ["", "?relationship=reverse"],
}


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and namespace.rstrip(":") in NAMESPACES:
            yield namespace + (p.name or f"<unnamed {p.pattern}>"), p


def app_patterns() -> dict[str, URLPattern]:
    """Every URL pattern of the health and exports namespaces, by namespaced name."""
    return dict(_walk(get_resolver().url_patterns))


def test_every_health_and_export_url_has_an_expectation_for_every_persona():
    patterns = app_patterns()
    assert len(patterns) >= 6
    assert sorted(patterns) == sorted(EXPECTATIONS)
    assert sorted(QUERIES) == sorted(EXPECTATIONS)
    for name, table in EXPECTATIONS.items():
        assert set(table) == set(PERSONAS), name
        assert not set(patterns[name].pattern.converters), "only the program slug in the URL"


def _url(name: str, world: World, query: str = "") -> str:
    return reverse(name, kwargs={"slug": world.program.slug}) + query


def _body(response: Any) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_persona_gets_the_expected_answer(world, name, who):
    expected = EXPECTATIONS[name][who]
    client = world.client(who)
    for query in QUERIES[name]:
        url = _url(name, world, query)
        response = client.get(url)
        if expected == LOGIN:
            assert response.status_code == 302
            assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"
            continue
        assert response.status_code == expected, f"{who} GET {url}: {response.status_code}"
        body = _body(response)
        if expected == 404:
            assert world.program.name not in body
        if expected == 200 and not response.streaming:
            assert world.program.name in body


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_a_post_is_refused_and_changes_nothing(world, name):
    url = _url(name, world)
    before = snapshot()
    for who in PERSONAS:
        response = world.client(who).post(url, {"cohort": "x"})
        if who == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == 405, who
    assert snapshot() == before


def test_a_program_admin_naming_another_program_gets_404(world):
    """The outsider is an admin, of another program: this program's pages are not theirs,
    and this program's admin gets nothing under the outsider's program either."""
    other = world.outsider.memberships.get().program
    for name in EXPECTATIONS:
        url = reverse(name, kwargs={"slug": other.slug})
        assert world.client("admin").get(url).status_code == 404, url
        assert world.client("outsider").get(url).status_code == 200, url


def test_an_unknown_program_is_404(world):
    for name in EXPECTATIONS:
        url = reverse(name, kwargs={"slug": "no-such-program"})
        assert world.client("admin").get(url).status_code == 404


def test_the_dashboard_links_to_the_pair_list_and_the_exports(world):
    body = world.client("admin").get(_url("health:dashboard", world)).content.decode()
    assert _url("health:pairs", world) + "?figure=agendas" in body
    assert _url("health:pairs", world) + "?label=needs_check_in" in body
    assert _url("exports:index", world) in body
    exports = world.client("admin").get(_url("exports:index", world)).content.decode()
    for name in ("participants", "pairings", "engagement"):
        assert _url(f"exports:{name}", world) in exports
