"""Who gets what on every page of the programs app.

The URL patterns are read from the resolver, not listed by hand: a new pattern
in ``programs/urls.py`` or ``programs/invitation_urls.py`` fails these tests
until its expected answer for every persona is written in ``EXPECTATIONS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from programs import services
from programs.models import Invitation, Membership, ParticipantImport, Program, Question, Topic
from programs.tests.factories import (
    ChoiceFactory,
    InvitationFactory,
    MembershipFactory,
    QuestionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "mentor", "mentee", "outsider", "anonymous")
APP_URLCONFS = ("programs.urls", "programs.invitation_urls")
LOGIN = "login"  # expected: a redirect to the login page with ?next=<this url>


def _walk(patterns: list[Any], namespace: str = "", inside: bool = False) -> Iterator[tuple]:
    for p in patterns:
        if isinstance(p, URLResolver):
            module = getattr(p.urlconf_module, "__name__", "")
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, ns, inside or module in APP_URLCONFS)
        elif isinstance(p, URLPattern) and inside:
            yield (namespace + p.name if p.name else f"{namespace}<unnamed {p.pattern}>"), p


def app_patterns() -> dict[str, URLPattern]:
    """Every URL pattern of the programs app, by its namespaced name."""
    return dict(_walk(get_resolver().url_patterns))


# --- The world every check runs in ----------------------------------------------------------


@dataclass
class Objects:
    """One of each object a URL can name, all in one program."""

    program: Program
    topic: Topic
    question: Question
    admin: Membership
    mentor: Membership
    mentee: Membership
    invitation: Invitation
    record: ParticipantImport


def _objects(program: Program, admin: Membership, mentor: Membership, mentee: Membership):
    question = QuestionFactory.create(program=program, kind=Question.Kind.SINGLE)
    ChoiceFactory.create_batch(2, question=question)
    record = ParticipantImport.objects.create(
        program=program,
        uploaded_by=admin.user,
        filename="people.csv",
        status=ParticipantImport.Status.REJECTED,
        content="email,role\nnew@example.org,mentee\nnot-an-email,mentee\n",
        rows_total=2,
        rows_valid=1,
        errors=[{"line": 3, "email": "not-an-email", "reason": "Not an e-mail address."}],
    )
    return Objects(
        program=program,
        topic=TopicFactory.create(program=program),
        question=question,
        admin=admin,
        mentor=mentor,
        mentee=mentee,
        invitation=InvitationFactory.create(program=program, email=f"new@{program.slug}.org"),
        record=record,
    )


@dataclass
class World:
    personas: Any
    here: Objects
    there: Objects  # the same objects in the outsider's program

    @property
    def slug(self) -> str:
        return self.here.program.slug

    def token(self) -> str:
        return services.invitation_token(self.here.invitation)


@pytest.fixture
def world(personas) -> World:
    program, other = personas.program, personas.other_program
    # A second admin, so that removing an admin is allowed.
    co_admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN)
    here = _objects(program, co_admin, personas.membership("mentor"), personas.membership("mentee"))
    there = _objects(
        other,
        Membership.objects.get(program=other, user=personas.outsider),
        MembershipFactory.create(program=other, role=Membership.Role.MENTOR),
        MembershipFactory.create(program=other, role=Membership.Role.MENTEE),
    )
    return World(personas, here, there)


# --- Expectations ---------------------------------------------------------------------------

Kwargs = Callable[[World, Objects], dict[str, Any]]


def slug_only(w: World, o: Objects) -> dict[str, Any]:
    return {"slug": w.slug}


def pk_of(attr: str) -> Kwargs:
    """URL kwargs for this program's slug and the pk of ``o.<attr>`` (``o`` may be elsewhere)."""
    return lambda w, o: {"slug": w.slug, "pk": getattr(o, attr).pk}


def expect(admin: Any, mentor: Any, mentee: Any, outsider: Any, anonymous: Any = LOGIN) -> dict:
    return dict(zip(PERSONAS, (admin, mentor, mentee, outsider, anonymous), strict=True))


MEMBERS = expect(200, 200, 200, 404)
ADMIN_PAGE = expect(200, 403, 403, 404)
ADMIN_ACTION = expect(302, 403, 403, 404)
# require_POST answers 405 before anything is looked up, so a GET reveals
# nothing about the program, not even whether it exists.
POST_ONLY_GET = expect(405, 405, 405, 405)


@dataclass(frozen=True)
class Case:
    label: str
    # Any app's world and objects (matching has its own): typed loosely on purpose.
    kwargs: Callable[[Any, Any], dict[str, Any]]
    get: dict[str, Any]
    post: dict[str, Any] | None = None
    # The objects of this URL, named with an id from ANOTHER program.
    foreign: bool = False


def post_only(
    kwargs: Callable[[Any, Any], dict[str, Any]], post: dict[str, Any], foreign: bool = True
) -> list[Case]:
    return [Case("", kwargs, get=POST_ONLY_GET, post=post, foreign=foreign)]


EXPECTATIONS: dict[str, list[Case]] = {
    "programs:list": [Case("", lambda w, o: {}, get=expect(200, 200, 200, 200))],
    # Only staff create programs; none of the personas is staff.
    "programs:create": [
        Case("", lambda w, o: {}, get=expect(403, 403, 403, 403), post=expect(403, 403, 403, 403))
    ],
    "programs:detail": [Case("", slug_only, get=MEMBERS, post=MEMBERS)],
    "programs:edit": [Case("", slug_only, get=ADMIN_PAGE, post=ADMIN_PAGE)],
    "programs:admins": [Case("", slug_only, get=ADMIN_PAGE, post=ADMIN_PAGE)],
    "programs:admin_remove": post_only(pk_of("admin"), ADMIN_ACTION),
    "programs:topics": [Case("", slug_only, get=ADMIN_PAGE, post=ADMIN_PAGE)],
    "programs:topic_edit": [
        Case("", pk_of("topic"), get=ADMIN_PAGE, post=ADMIN_PAGE, foreign=True)
    ],
    "programs:topic_delete": post_only(pk_of("topic"), ADMIN_ACTION),
    "programs:questions": [Case("", slug_only, get=ADMIN_PAGE, post=ADMIN_PAGE)],
    "programs:question_create": [Case("", slug_only, get=ADMIN_PAGE, post=ADMIN_PAGE)],
    "programs:question_edit": [
        Case("", pk_of("question"), get=ADMIN_PAGE, post=ADMIN_PAGE, foreign=True)
    ],
    "programs:question_delete": [
        Case("", pk_of("question"), get=ADMIN_PAGE, post=ADMIN_ACTION, foreign=True)
    ],
    "programs:question_move": post_only(pk_of("question"), ADMIN_ACTION),
    # Each participant opens their own enrolment in the role they hold; the
    # admin holds neither role, so gets 403 for both.
    "programs:enrol": [
        Case(
            "mentor",
            lambda w, o: {"slug": w.slug, "role": "mentor"},
            get=expect(403, 200, 403, 404),
            post=expect(403, 200, 403, 404),  # 200: the empty form, with its errors
        ),
        Case(
            "mentee",
            lambda w, o: {"slug": w.slug, "role": "mentee"},
            get=expect(403, 403, 200, 404),
            post=expect(403, 403, 200, 404),
        ),
        Case(
            "admin",
            lambda w, o: {"slug": w.slug, "role": "admin"},
            get=expect(404, 404, 404, 404),
        ),
    ],
    "programs:participants": [Case("", slug_only, get=ADMIN_PAGE)],
    "programs:participants_export": [Case("", slug_only, get=ADMIN_PAGE)],
    "programs:participant": [
        Case("mentor", pk_of("mentor"), get=ADMIN_PAGE, foreign=True),
        Case("mentee", pk_of("mentee"), get=ADMIN_PAGE, foreign=True),
        # Admins are not participants: their page is the Admins list.
        Case("admin", pk_of("admin"), get=expect(403, 403, 403, 404)),
    ],
    "programs:participant_remove": post_only(pk_of("mentee"), ADMIN_ACTION),
    "programs:import": [Case("", slug_only, get=ADMIN_PAGE, post=ADMIN_PAGE)],
    "programs:import_detail": [Case("", pk_of("record"), get=ADMIN_PAGE, foreign=True)],
    "programs:import_valid_rows": post_only(pk_of("record"), ADMIN_ACTION),
    "programs:invitations": [Case("", slug_only, get=ADMIN_PAGE, post=ADMIN_PAGE)],
    "programs:invitation_resend": post_only(pk_of("invitation"), ADMIN_ACTION),
    "programs:invitation_revoke": post_only(pk_of("invitation"), ADMIN_ACTION),
    # The landing page is reached with a secret token, not through a program:
    # anyone holding the link sees it; signed in as someone other than the
    # invited address, the page explains why they cannot accept (403).
    "invitations:landing": [
        Case(
            "",
            lambda w, o: {"token": w.token()},
            get=expect(403, 403, 403, 403, 200),
            post=expect(403, 403, 403, 403, 200),  # 200: the empty sign-up form, with errors
        )
    ],
    # Accepting as someone else, or signed out, sends them back to the landing
    # page, which explains what to do (the link itself is the secret).
    "invitations:accept": [
        Case(
            "",
            lambda w, o: {"token": w.token()},
            get=expect(405, 405, 405, 405, 405),
            post=expect(302, 302, 302, 302, 302),
        )
    ],
}


def _cases() -> list[Any]:
    params = []
    for name in sorted(app_patterns()):
        for case in EXPECTATIONS.get(name, [Case("", slug_only, get={})]):
            for method in ("get", "post"):
                table = case.get if method == "get" else case.post
                if table is None:
                    continue
                for who in PERSONAS:
                    label = f"{name}[{case.label}]" if case.label else name
                    params.append(
                        pytest.param(name, case, method, who, id=f"{label}-{method}-{who}")
                    )
    return params


def _foreign_cases() -> list[Any]:
    params = []
    for name in sorted(app_patterns()):
        for case in EXPECTATIONS.get(name, []):
            if case.foreign:
                for method in ("get", "post"):
                    table = case.get if method == "get" else case.post
                    if table is not None and table is not POST_ONLY_GET:
                        label = f"{name}[{case.label}]" if case.label else name
                        params.append(pytest.param(name, case, method, id=f"{label}-{method}"))
    return params


# --- The checks -----------------------------------------------------------------------------


def test_every_url_pattern_has_an_expectation_for_every_persona():
    patterns = app_patterns()
    assert len(patterns) >= 20, "the resolver walk found too few patterns"
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


@pytest.mark.parametrize(("name", "case", "method", "who"), _cases())
def test_persona_gets_the_expected_answer(world, name, case, method, who):
    table = case.get if method == "get" else case.post
    assert who in table, f"{name} has no {method.upper()} expectation for {who}"
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
        # The friendly 404 page, which says nothing about the program.
        assert world.here.program.name not in response.content.decode()
    if expected == 403 and name.startswith("programs:"):
        assert "You do not have access to this page" in response.content.decode()


@pytest.mark.parametrize(("name", "case", "method"), _foreign_cases())
def test_admin_gets_404_for_another_programs_object_through_their_own_program(
    world, name, case, method
):
    url = reverse(name, kwargs=case.kwargs(world, world.there))
    response = getattr(world.personas.client("admin"), method)(url)
    assert response.status_code == 404
    # Nothing of the other program was touched.
    there = world.there
    assert Topic.objects.filter(pk=there.topic.pk).exists()
    assert Question.objects.filter(pk=there.question.pk).exists()
    assert Membership.objects.filter(pk=there.mentee.pk).exists()
    assert Membership.objects.filter(pk=there.admin.pk).exists()
    invitation = Invitation.objects.get(pk=there.invitation.pk)
    assert invitation.revoked_at is None
    assert invitation.expires_at == there.invitation.expires_at


def test_outsider_gets_404_on_every_program_page(world):
    """The outsider is an admin elsewhere: powerful, just not here."""
    client = world.personas.client("outsider")
    for name in app_patterns():
        if not name.startswith("programs:") or name in ("programs:list", "programs:create"):
            continue
        for case in EXPECTATIONS[name]:
            url = reverse(name, kwargs=case.kwargs(world, world.here))
            method = "get" if case.get != POST_ONLY_GET else "post"
            response = getattr(client, method)(url)
            assert response.status_code == 404, f"{method.upper()} {url}"


def test_staff_who_are_not_members_get_404_on_program_pages_too(world, staff_user):
    """Staff may create programs; they do not see inside programs they are not in."""
    from django.test import Client

    client = Client()
    client.force_login(staff_user)
    for name in ("programs:detail", "programs:edit", "programs:participants"):
        url = reverse(name, kwargs={"slug": world.slug})
        assert client.get(url).status_code == 404, url
    assert world.here.program.name not in client.get(reverse("programs:list")).content.decode()
