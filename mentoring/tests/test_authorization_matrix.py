"""Access you can prove: who gets what on EVERY URL pattern of the project.

The URL patterns are read from the resolver (ours, allauth's, allauth MFA's and the
Django admin's): a new pattern fails ``test_every_url_pattern_has_an_expectation``
until its expected answer for each of the seven personas is written below, and an
expectation for a pattern that no longer exists fails it too.

Personas (mentoring.tests.project_world): anonymous, outsider (signed in, member of no
program), mentee and mentor (the pair of this program), other_admin (program admin of
the other program), admin (program admin of this program), staff (``is_staff``, member
of no program). Program admins and staff have a TOTP authenticator, so the matrix tests
the access rules, not the two-factor gate.

Answers: a status code, ``LOGIN`` (a redirect to the login page with ``?next=`` this
URL), ``ADMIN_LOGIN`` (the same, to the Django admin's login page) or ``to(name)`` (a
redirect to that page). A GET never writes. POST-only URLs (a GET is 405) are also
POSTed, with an empty body, by every persona who must be refused, and nothing changes.
Another program's objects are 404, never 403, for this program's admin, mentor and
mentee, whether named under this program's slug or under the other one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import pytest
import time_machine
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from mentoring.tests.project_world import PERSONAS, WHEN, World, build_world, snapshot

pytestmark = pytest.mark.django_db

LOGIN = "login"  # 302 to the login page with ?next=<this url>
ADMIN_LOGIN = "admin-login"  # 302 to the Django admin's login page with ?next=<this url>
Answer = int | str
Row = dict[str, Answer | None]


def to(url_name: str) -> str:
    """A redirect to the page named ``url_name`` (its path; any query is not checked)."""
    return f"to:{url_name}"


def row(
    anonymous: Answer,
    outsider: Answer | None,
    mentee: Answer | None,
    mentor: Answer | None,
    other_admin: Answer | None,
    admin: Answer | None,
    staff: Answer | None,
) -> Row:
    """One answer per persona, in PERSONAS order. ``None`` (POST rows only): not posted,
    because this persona may do it (the POST would write)."""
    values = (anonymous, outsider, mentee, mentor, other_admin, admin, staff)
    return dict(zip(PERSONAS, values, strict=True))


def every(answer: Answer, anonymous: Answer = LOGIN) -> Row:
    return row(anonymous, answer, answer, answer, answer, answer, answer)


@dataclass(frozen=True)
class Case:
    get: Row
    # POST with an empty body, for the personas with an answer here (those refused).
    post: Row | None = None
    label: str = ""
    # The URL kwargs; by default the world's for this pattern (World.kwargs_for).
    kwargs: Callable[[World], dict[str, Any]] | None = None


# --- Named rows ------------------------------------------------------------------------------
# Columns: anonymous, outsider, mentee, mentor, other_admin, admin, staff.

PUBLIC = every(200, anonymous=200)
SIGNED_IN = every(200)
SIGNED_OUT_ONLY = every(to("home"), anonymous=200)  # signed in: sent home
# Inside this program: nobody outside it learns that anything exists (404).
MEMBERS = row(LOGIN, 404, 200, 200, 404, 200, 404)
ADMIN_PAGE = row(LOGIN, 404, 403, 403, 404, 200, 404)
PAIR_PAGE = row(LOGIN, 404, 200, 200, 404, 403, 404)  # the pair's forms; admins read only
CONTENT_PAGE = row(LOGIN, 404, 200, 200, 404, 404, 404)  # words admins may not read
MENTEE_PAGE = row(LOGIN, 404, 200, 403, 404, 403, 404)
MENTOR_PAGE = row(LOGIN, 404, 403, 200, 404, 403, 404)
MANAGERS_PAGE = row(LOGIN, 404, 403, 200, 404, 200, 404)  # a circle's mentor, or an admin
STAFF_ONLY = row(LOGIN, 403, 403, 403, 403, 403, 200)

# POST-only URLs: a GET is 405 (after the login check), and the refused POSTs.
GET_405 = every(405)
ADMIN_ACTION = row(LOGIN, 404, 403, 403, 404, None, 404)
PAIR_ACTION = row(LOGIN, 404, None, None, 404, 403, 404)
# An empty body is refused with a message (and a redirect) before the role is looked at:
# the admin may see the workspace, so nothing is revealed; nothing changes.
PAIR_FORM_ACTION = row(LOGIN, 404, None, None, 404, 302, 404)
CONTENT_ACTION = row(LOGIN, 404, None, None, 404, 404, 404)
MENTEE_ACTION = row(LOGIN, 404, None, 403, 404, 403, 404)
MENTOR_ACTION = row(LOGIN, 404, 403, None, 404, 403, 404)
MANAGERS_ACTION = row(LOGIN, 404, 403, None, 404, None, 404)
SIGNED_IN_ACTION = row(LOGIN, None, None, None, None, None, None)


def post_only(refused: Row, get: Row = GET_405) -> Case:
    return Case(get=get, post=refused)


# allauth MFA pages that manage an existing authenticator: 404 without one; with one,
# a session that did not just sign in is asked for the password again.
REAUTH = REAUTH_MFA = to("account_reauthenticate")
MFA_OWNERS = row(LOGIN, 404, 404, 404, REAUTH_MFA, REAUTH_MFA, REAUTH_MFA)


def _bogus(**kwargs: Any) -> Callable[[World], dict[str, Any]]:
    return lambda w: kwargs


EXPECTATIONS: dict[str, Case | tuple[Case, ...]] = {
    # --- mentoring (core)
    "home": Case(SIGNED_IN),
    "profile": Case(SIGNED_IN),
    "healthz": Case(PUBLIC),
    "notifications": Case(SIGNED_IN),
    "notification_badge": Case(SIGNED_IN),
    "notifications_read_all": post_only(SIGNED_IN_ACTION),
    "notification_preferences": Case(SIGNED_IN),
    # The signed token is the credential: anyone holding the link sees the page.
    "notifications_unsubscribe": (
        Case(PUBLIC, label="valid token"),
        Case(every(404, anonymous=404), label="bogus token", kwargs=_bogus(token="not-a-token")),
    ),
    # The mentee's notification: anyone else's is 404.
    "notification_open": post_only(row(LOGIN, 404, None, 404, 404, 404, 404)),
    # --- allauth accounts
    "account_login": Case(SIGNED_OUT_ONLY),
    "account_logout": Case(every(200, anonymous=to("account_login"))),
    "account_inactive": Case(PUBLIC),
    "account_signup": Case(SIGNED_OUT_ONLY),
    "account_reauthenticate": Case(SIGNED_IN),
    "account_email": Case(SIGNED_IN),
    "account_email_verification_sent": Case(PUBLIC),
    "account_change_password": Case(SIGNED_IN),
    # Everyone has a password: setting one sends them to changing it.
    "account_set_password": Case(every(to("account_change_password"))),
    "account_reset_password": Case(PUBLIC),
    # No login code is pending: back to the login page (or home when signed in).
    "account_confirm_login_code": Case(every(to("home"), anonymous=to("account_login"))),
    "account_confirm_email": (
        Case(PUBLIC, label="valid key"),
        Case(PUBLIC, label="bogus key", kwargs=_bogus(key="not-a-key")),
    ),
    "account_reset_password_from_key_done": Case(PUBLIC),
    # A valid key is put in the session and the browser sent to a URL without it.
    "account_reset_password_from_key": (
        Case(every(302, anonymous=302), label="valid key"),
        Case(PUBLIC, label="bogus key", kwargs=_bogus(uidb36="zz", key="set-bogus")),
    ),
    "account_reset_password_done": Case(PUBLIC),
    # --- allauth MFA
    "mfa_index": Case(SIGNED_IN),
    # No login is waiting for a second factor: back to the login page (or home).
    "mfa_authenticate": Case(every(to("home"), anonymous=to("account_login"))),
    # Without an authenticator there is no second factor to ask for: the password page.
    "mfa_reauthenticate": Case(row(LOGIN, REAUTH, REAUTH, REAUTH, 200, 200, 200)),
    "mfa_activate_totp": Case(every(REAUTH_MFA)),
    "mfa_deactivate_totp": Case(MFA_OWNERS),
    "mfa_view_recovery_codes": Case(MFA_OWNERS),
    "mfa_generate_recovery_codes": Case(every(REAUTH_MFA)),
    "mfa_download_recovery_codes": Case(MFA_OWNERS),
    # --- programs
    "programs:list": Case(SIGNED_IN),
    "programs:create": Case(STAFF_ONLY),
    "programs:detail": Case(MEMBERS),
    "programs:edit": Case(ADMIN_PAGE),
    "programs:admins": Case(ADMIN_PAGE),
    "programs:admin_remove": post_only(ADMIN_ACTION),
    "programs:topics": Case(ADMIN_PAGE),
    "programs:topic_edit": Case(ADMIN_PAGE),
    "programs:topic_delete": post_only(ADMIN_ACTION),
    "programs:questions": Case(ADMIN_PAGE),
    "programs:question_create": Case(ADMIN_PAGE),
    "programs:question_edit": Case(ADMIN_PAGE),
    "programs:question_delete": Case(ADMIN_PAGE),
    "programs:question_move": post_only(ADMIN_ACTION),
    # Each participant enrols in the role they hold; "admin" is no enrolment role.
    "programs:enrol": (
        Case(MENTEE_PAGE, label="mentee"),
        Case(
            MENTOR_PAGE,
            label="mentor",
            kwargs=lambda w: {"slug": w.here.slug, "role": "mentor"},
        ),
        Case(
            row(LOGIN, 404, 404, 404, 404, 404, 404),
            label="admin",
            kwargs=lambda w: {"slug": w.here.slug, "role": "admin"},
        ),
    ),
    "programs:participants": Case(ADMIN_PAGE),
    "programs:participants_export": Case(ADMIN_PAGE),
    "programs:participant": Case(ADMIN_PAGE),
    "programs:participant_remove": post_only(ADMIN_ACTION),
    "programs:import": Case(ADMIN_PAGE),
    "programs:import_detail": Case(ADMIN_PAGE),
    "programs:import_valid_rows": post_only(ADMIN_ACTION),
    "programs:invitations": Case(ADMIN_PAGE),
    "programs:invitation_resend": post_only(ADMIN_ACTION),
    "programs:invitation_revoke": post_only(ADMIN_ACTION),
    # The link is the secret: signed out, the invitation and its sign-up form; signed in
    # as anyone but the invited address, the page says why they cannot accept (403).
    "invitations:landing": (
        Case(every(403, anonymous=200), label="valid token"),
        Case(every(404, anonymous=404), label="bogus token", kwargs=_bogus(token="bogus")),
    ),
    "invitations:accept": (
        Case(every(405, anonymous=405), label="valid token"),
        Case(
            every(405, anonymous=405),
            post=every(404, anonymous=404),
            label="bogus token",
            kwargs=_bogus(token="bogus"),
        ),
    ),
    # --- matching: the board
    "matching:board": Case(ADMIN_PAGE),
    "matching:run": post_only(ADMIN_ACTION),
    "matching:publish": post_only(ADMIN_ACTION),
    "matching:suggestion_lock": post_only(ADMIN_ACTION),
    "matching:suggestion_unlock": post_only(ADMIN_ACTION),
    "matching:suggestion_forbid": post_only(ADMIN_ACTION),
    "matching:suggestion_pick": Case(ADMIN_PAGE),
    "matching:constraints": Case(ADMIN_PAGE),
    "matching:constraint_remove": post_only(ADMIN_ACTION),
    # --- matching: pairings (the world's pairing is the active pair)
    "matching:pairings": Case(ADMIN_PAGE),
    "matching:mine": Case(MEMBERS),
    "matching:pairing": Case(MEMBERS),
    # The pair and the admins know the pairing: refused (403), not hidden.
    "matching:pairing_accept": post_only(row(LOGIN, 404, 403, None, 404, 403, 404)),
    "matching:pairing_decline": Case(MENTOR_PAGE),
    "matching:pairing_complete": post_only(row(LOGIN, 404, None, None, 404, None, 404)),
    "matching:pairing_end": Case(MEMBERS),
    # --- matching: requests (a pending request, mentee -> mentor)
    "matching:mentors": Case(MENTEE_PAGE),
    "matching:request_create": Case(MENTEE_PAGE),
    "matching:requests": Case(MEMBERS),
    "matching:mentor_accepting": post_only(MENTOR_ACTION),
    "matching:request": Case(MEMBERS),
    "matching:request_accept": post_only(MENTOR_ACTION),
    "matching:request_decline": Case(MENTOR_PAGE),
    "matching:request_withdraw": post_only(MENTEE_ACTION),
    "matching:preferences": (
        Case(MENTEE_PAGE, label="mentee"),
        Case(
            MENTOR_PAGE,
            label="mentor",
            kwargs=lambda w: {"slug": w.here.slug, "role": "mentor"},
        ),
    ),
    "matching:settings": Case(ADMIN_PAGE),
    # --- matching: circles (led by the mentor; the mentee asked to join)
    "matching:circles": Case(MEMBERS),
    "matching:circle_create": Case(ADMIN_PAGE),
    "matching:circle": Case(MEMBERS),
    "matching:circle_edit": Case(MANAGERS_PAGE),
    "matching:circle_join": post_only(MENTEE_ACTION),
    "matching:circle_member_add": post_only(ADMIN_ACTION),
    "matching:circle_end": Case(MANAGERS_PAGE),
    "matching:circle_member_decide": post_only(MANAGERS_ACTION),
    "matching:circle_member_remove": post_only(MANAGERS_ACTION),
    # --- matching: flash (the mentor's offer; the mentee booked one slot)
    "matching:flash": Case(MEMBERS),
    "matching:flash_offer_create": Case(MENTOR_PAGE),
    "matching:flash_offer": Case(MEMBERS),
    "matching:flash_offer_edit": Case(MENTOR_PAGE),
    "matching:flash_offer_close": post_only(MANAGERS_ACTION),
    "matching:flash_book": Case(MENTEE_PAGE),
    "matching:flash_cancel": post_only(row(LOGIN, 404, None, None, 404, 403, 404)),
    # --- the pair's workspace (a metadata-only program: admins see figures, not words)
    "workspace:detail": Case(MEMBERS),
    "workspace:agreement": Case(MEMBERS),
    "workspace:agreement_edit": Case(PAIR_PAGE),
    "workspace:agreement_accept": post_only(PAIR_FORM_ACTION),
    "workspace:goals": Case(MEMBERS),
    "workspace:goal_create": Case(PAIR_PAGE),
    "workspace:goal": Case(CONTENT_PAGE),
    "workspace:goal_edit": Case(CONTENT_PAGE),
    "workspace:goal_progress": post_only(CONTENT_ACTION),
    "workspace:goal_status": post_only(CONTENT_ACTION),
    "workspace:roadmap": Case(MEMBERS),
    "workspace:roadmap_edit": Case(CONTENT_PAGE),
    "workspace:roadmap_move": post_only(CONTENT_ACTION),
    "workspace:roadmap_delete": post_only(CONTENT_ACTION),
    "workspace:roadmap_cover": post_only(CONTENT_ACTION),
    "workspace:meetings": Case(MEMBERS),
    "workspace:meeting_create": Case(PAIR_PAGE),
    "workspace:meeting": Case(MEMBERS),
    "workspace:meeting_edit": Case(PAIR_PAGE),
    "workspace:meeting_cancel": Case(PAIR_PAGE),
    "workspace:meeting_held": post_only(PAIR_ACTION),
    "workspace:meeting_missed": post_only(PAIR_ACTION),
    "workspace:meeting_ics": Case(MEMBERS),
    # The agenda is the mentee's to write.
    "workspace:agenda_edit": Case(MENTEE_PAGE),
    "workspace:agenda_item_add": post_only(PAIR_ACTION),
    "workspace:checkin": Case(PAIR_PAGE),
    "workspace:actions": Case(MEMBERS),
    "workspace:action_create": Case(PAIR_PAGE),
    "workspace:action_edit": Case(PAIR_PAGE),
    "workspace:action_status": post_only(PAIR_FORM_ACTION),
    "workspace:notes": Case(MEMBERS),
    "workspace:note_create": Case(PAIR_PAGE),
    # The mentor's shared note: only its author edits or deletes it; admins never see it.
    "workspace:note_edit": Case(row(LOGIN, 404, 403, 200, 404, 404, 404)),
    "workspace:note_delete": post_only(row(LOGIN, 404, 403, None, 404, 404, 404)),
    "workspace:reviews": Case(MEMBERS),
    # The mentor's mid-point review is in: they are sent back to the reviews page.
    "workspace:review_midpoint": Case(row(LOGIN, 404, 200, 302, 404, 403, 404)),
    # Only a program admin reopens a review.
    "workspace:review_reopen": post_only(row(LOGIN, 404, 403, 403, 404, None, 404)),
    "workspace:closure": Case(MEMBERS),
    "workspace:complete": post_only(row(LOGIN, 404, None, None, 404, None, 404)),
    "workspace:extend": Case(MEMBERS),
    "workspace:end_early": Case(MEMBERS),
    # --- program health and exports
    "health:dashboard": Case(ADMIN_PAGE),
    "health:pairs": Case(ADMIN_PAGE),
    "exports:index": Case(ADMIN_PAGE),
    "exports:participants": Case(ADMIN_PAGE),
    "exports:pairings": Case(ADMIN_PAGE),
    "exports:engagement": Case(ADMIN_PAGE),
    # --- constellation
    "constellation:mine": Case(SIGNED_IN),
    "account_data": Case(SIGNED_IN),
    "account_data_download": Case(SIGNED_IN),
    "account_delete": Case(SIGNED_IN),
    "account_deleted": Case(PUBLIC),
    "audit:all": Case(row(LOGIN, 404, 404, 404, 404, 404, 200)),
    "audit:all_csv": Case(row(LOGIN, 404, 404, 404, 404, 404, 200)),
    "audit:program": Case(ADMIN_PAGE),
    "audit:program_csv": Case(ADMIN_PAGE),
    "readyz": Case(PUBLIC),
}


# --- The Django admin: one rule, keyed on the ``admin`` namespace ----------------------------
# Every page is behind admin_view: anyone who is not staff is sent to the admin's login
# page, which hands signed-out visitors to allauth's (rate limits and 2FA apply) and
# refuses signed-in people who are not staff (403). Staff here hold no model
# permission: the index opens, every model page is 403, an app's index is 404.


def admin_gate(staff: Answer) -> Row:
    """Everyone but staff to the admin's login page; staff get ``staff``."""
    return {**every(ADMIN_LOGIN, anonymous=ADMIN_LOGIN), "staff": staff}


ADMIN_MODEL_VIEWS = ("changelist", "add", "history", "delete", "change")


def admin_rule(key: str) -> Case:
    """The expected answers of one Django admin URL pattern (``admin:<name>``)."""
    name = key.removeprefix("admin:")
    special: dict[str, Row] = {
        "login": row(LOGIN, 403, 403, 403, 403, 403, to("admin:index")),
        "index": admin_gate(200),
        # POST only since Django 5.0; admin_view sends others to the index, not the login.
        "logout": every(to("admin:index"), anonymous=to("admin:index")) | {"staff": 405},
        "password_change": admin_gate(200),
        "password_change_done": admin_gate(200),
        "autocomplete": admin_gate(403),
        "jsi18n": admin_gate(200),
        "view_on_site": admin_gate(302),  # to the object's own page
        "app_list": admin_gate(404),
        "auth_user_password_change": admin_gate(403),
    }
    if name in special:
        return Case(special[name])
    if name.startswith("<unnamed admin/(?P<url>"):  # the catch-all: unknown admin URLs
        return Case(admin_gate(404))
    if name.startswith("<unnamed "):  # <model>/<id>/ -> <model>/<id>/change/
        return Case(admin_gate(302))
    if name.rsplit("_", 1)[-1] in ADMIN_MODEL_VIEWS:
        return Case(admin_gate(403))
    raise KeyError(key)


# --- URL patterns ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # namespace:name, or namespace:<unnamed route>
    route: str  # the full route, from the site root
    pattern: URLPattern

    @property
    def converters(self) -> set[str]:
        return set(self.pattern.pattern.regex.groupindex)


def _walk(patterns: list[Any], namespace: str = "", prefix: str = "") -> Iterator[Pattern]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            key = namespace + (p.name if p.name else f"<unnamed {route}>")
            yield Pattern(key, route, p)


def all_patterns() -> dict[str, Pattern]:
    """Every URL pattern of the project, by namespaced name (unnamed: by full route)."""
    found: dict[str, Pattern] = {}
    for p in _walk(get_resolver().url_patterns):
        assert p.key not in found, f"two URL patterns answer to {p.key}"
        found[p.key] = p
    return found


def expectations_for(key: str) -> tuple[Case, ...]:
    if key.startswith("admin:"):
        return (admin_rule(key),)
    found = EXPECTATIONS[key]
    return found if isinstance(found, tuple) else (found,)


def _admin_url(p: Pattern, w: World) -> str:
    """A URL for a Django admin pattern (unnamed ones cannot be reversed)."""
    route = p.route
    if "(?P<app_label>" in route:
        return "/admin/programs/"
    if "(?P<url>" in route:
        return "/admin/no-such-page/"
    if "<path:content_type_id>" in route:
        ct = ContentType.objects.get_for_model(type(w.here.program))
        return f"/{route}".replace("<path:content_type_id>", str(ct.pk)).replace(
            "<path:object_id>", str(w.here.program.pk)
        )
    match = re.match(r"admin/(\w+)/(\w+)/", route)
    if match and ("<path:object_id>" in route or "<id>" in route):
        model = apps.get_model(match[1], match[2])
        first = model._default_manager.order_by("pk").first()
        assert first is not None, f"the world has no {model.__name__} for {p.key}"
        pk = str(first.pk)
        route = route.replace("<path:object_id>", pk).replace("<id>", pk)
    return f"/{route}"


def url_for(p: Pattern, case: Case, w: World) -> str:
    if p.key.startswith("admin:"):
        return _admin_url(p, w)
    kwargs = case.kwargs(w) if case.kwargs else w.kwargs_for(p.key)
    return reverse(p.key, kwargs=kwargs or None)


def check(response: Any, expected: Answer, url: str) -> str | None:
    """What is wrong with ``response`` (None if it is the expected answer)."""
    status = response.status_code
    location = response.get("Location", "")
    if expected in (LOGIN, ADMIN_LOGIN):
        login = reverse("account_login" if expected == LOGIN else "admin:login")
        path, _, query = location.partition("?")
        ok = status == 302 and path == login and parse_qs(query).get("next") == [url]
        return None if ok else f"{status} {location}"
    if isinstance(expected, str) and expected.startswith("to:"):
        want = reverse(expected.removeprefix("to:"))
        ok = status == 302 and location.split("?")[0] == want
        return None if ok else f"{status} {location}"
    return None if status == expected else f"{status} {location}".strip()


# --- The world (one per test; every request inside WHEN) -------------------------------------


@pytest.fixture
def world(db) -> Iterator[World]:
    with time_machine.travel(WHEN, tick=False):
        yield build_world()


@pytest.fixture
def clients(world: World) -> dict[str, Client]:
    return {who: world.client(who, raise_request_exception=False) for who in PERSONAS}


def _count() -> tuple[int, int]:
    patterns = all_patterns()
    checks = sum(len(expectations_for(k)) for k in patterns if has_expectation(k)) * len(PERSONAS)
    return len(patterns), checks


def has_expectation(key: str) -> bool:
    try:
        expectations_for(key)
    except KeyError:
        return False
    return True


# --- The checks ------------------------------------------------------------------------------


def _matrix_id() -> str:
    n, checks = _count()
    return f"{n}-patterns-x-{len(PERSONAS)}-personas-{checks}-checks"


@pytest.mark.parametrize("size", [pytest.param(None, id=_matrix_id())])
def test_every_url_pattern_has_an_expectation_for_every_persona(size):
    patterns = all_patterns()
    assert len(patterns) >= 200, "the resolver walk found too few patterns"
    missing = sorted(k for k in patterns if not has_expectation(k))
    stale = sorted(set(EXPECTATIONS) - set(patterns))
    problems = []
    for key in patterns:
        if not has_expectation(key):
            continue
        for case in expectations_for(key):
            if set(case.get) != set(PERSONAS) or any(v is None for v in case.get.values()):
                problems.append(f"{key}: GET row must answer for all {len(PERSONAS)} personas")
            if case.post is not None and set(case.post) != set(PERSONAS):
                problems.append(f"{key}: POST row must name all {len(PERSONAS)} personas")
    n, checks = _count()
    print(  # noqa: T201
        f"\nauthorization matrix: {n} URL patterns x {len(PERSONAS)} personas = {checks} checks"
    )
    assert not missing, f"{len(missing)} of {n} URL patterns have no access expectation: {missing}"
    assert not stale, f"expectations for URL patterns that no longer exist: {stale}"
    assert not problems, problems


def every_get(world: World, clients: dict[str, Client], wrong: list[str]) -> int:
    """GET every URL pattern as every persona; a GET never writes."""
    checked = 0
    for key, p in sorted(all_patterns().items()):
        if not has_expectation(key):
            continue  # reported by the completeness test
        for case in expectations_for(key):
            url = url_for(p, case, world)
            before = snapshot()
            for who in PERSONAS:
                expected = case.get[who]
                assert expected is not None
                problem = check(clients[who].get(url), expected, url)
                checked += 1
                if problem:
                    label = f"[{case.label}]" if case.label else ""
                    wrong.append(f"{key}{label} GET {url} as {who}: {problem}, want {expected}")
            if snapshot() != before:
                wrong.append(f"{key}: a GET of {url} changed the database")
    return checked


def refused_posts(world: World, clients: dict[str, Client], wrong: list[str]) -> int:
    """POST-only URLs, posted with an empty body by every persona who may not: refused,
    and nothing changed."""
    posted = 0
    for key, p in sorted(all_patterns().items()):
        if not has_expectation(key):
            continue
        for case in expectations_for(key):
            if case.post is None:
                continue
            url = url_for(p, case, world)
            for who in PERSONAS:
                expected = case.post[who]
                if expected is None:
                    continue
                before = snapshot()
                problem = check(clients[who].post(url), expected, url)
                posted += 1
                if problem:
                    wrong.append(f"{key} POST {url} as {who}: {problem}, want {expected}")
                if snapshot() != before:
                    wrong.append(f"{key} POST {url} as {who} was refused but changed data")
    return posted


FOREIGN_AS = ("admin", "mentor", "mentee")


def _foreign_urls(world: World, p: Pattern) -> list[tuple[str, str]]:
    """(where, url): the other program's objects under this slug and under the other slug."""
    if not p.converters & {"slug", "pk"} or p.key.startswith("admin:"):
        return []
    here = reverse(p.key, kwargs=world.kwargs_for(p.key))
    urls = {("in the other program", reverse(p.key, kwargs=world.kwargs_for(p.key, "there")))}
    if "slug" in p.converters:
        foreign = reverse(p.key, kwargs=world.foreign_kwargs_for(p.key))
        urls.add(("under this program's slug", foreign))
    return sorted((where, url) for where, url in urls if url != here)


def other_programs_objects(world: World, clients: dict[str, Client], wrong: list[str]) -> int:
    """Another program's objects, named as this program's admin, mentor and mentee: 404,
    never 403, the 404 page names nothing, and nothing changes."""
    checked = 0
    before = snapshot()
    for key, p in sorted(all_patterns().items()):
        if not has_expectation(key):
            continue
        post_only_url = expectations_for(key)[0].get["admin"] == 405
        method = "POST" if post_only_url else "GET"
        for where, url in _foreign_urls(world, p):
            for who in FOREIGN_AS:
                client = clients[who]
                response = client.post(url) if post_only_url else client.get(url)
                checked += 1
                if response.status_code != 404:
                    wrong.append(f"{key} {method} {url} ({where}) as {who}: {response.status_code}")
                elif world.there.program.name in response.content.decode():
                    wrong.append(f"{key} {url} ({where}) as {who}: the 404 names the program")
    if snapshot() != before:
        wrong.append("a request for another program's object changed data")
    return checked


def test_every_persona_gets_the_expected_answer_everywhere(world, clients):
    """The whole matrix in one world: every mismatch is listed at once."""
    wrong: list[str] = []
    gets = every_get(world, clients, wrong)
    posts = refused_posts(world, clients, wrong)
    foreign = other_programs_objects(world, clients, wrong)
    n, _ = _count()
    print(  # noqa: T201
        f"\nauthorization matrix: {n} URL patterns x {len(PERSONAS)} personas = {gets} checks"
        f" (+ {posts} refused POSTs, + {foreign} another-program 404 checks)"
    )
    assert posts >= 100
    assert foreign >= 150
    total = gets + posts + foreign
    assert not wrong, f"{len(wrong)} of {total} answers are wrong:\n" + "\n".join(wrong)
