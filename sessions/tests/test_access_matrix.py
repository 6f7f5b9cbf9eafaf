"""Who gets what on every page of the relationship workspace.

The URL patterns are read from the resolver, not listed by hand: a new pattern in
the ``workspace`` namespace fails these tests until every persona's expected answer
is written in ``EXPECTATIONS``.

Personas: the pair (mentor, mentee); the program admin in a metadata-only program
(``admin``) and in a program whose admins may read content (``content_admin``); the
other pair of the same program and a circle member (404: they are not in this
relationship); an admin of another program (404); the anonymous visitor (302 to the
login page with ``?next=``). Nobody ever gets a 500, and a refused POST changes nothing.

``make_objects`` (one of every object a workspace URL can name) and ``snapshot`` are
shared with ``test_privacy.py`` and ``test_hostile_input.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from matching.models import Pairing
from mentoring.models import User
from programs.models import Program
from sessions.models import (
    ActionItem,
    Agenda,
    Agreement,
    AgreementRevision,
    CheckIn,
    Goal,
    GoalUpdate,
    Meeting,
    Note,
    Review,
    RoadmapTopic,
    Workspace,
)
from sessions.tests.conftest import World, make_world

pytestmark = pytest.mark.django_db

# After the pair's mid-point (7 Dec 2026), so the mid-point review is open; the pair
# started on 15 Sep 2026 and ends on 1 Mar 2027.
WHEN = dt.datetime(2026, 12, 10, 12, 0, tzinfo=dt.UTC)

LOGIN = "login"  # expected: a redirect to the login page with ?next=<this url>
PERSONAS = (
    "mentor",
    "mentee",
    "admin",  # program admin, metadata-only program
    "content_admin",  # program admin, program whose admins may read content
    "other_mentor",
    "other_mentee",
    "member",
    "outsider",
    "anonymous",
)
OUTSIDE = ("other_mentor", "other_mentee", "member", "outsider")


# --- One of every object a workspace URL can name ------------------------------------------


def marker(tag: str, name: str) -> str:
    """A distinctive word for one text field of one workspace's objects."""
    return f"Zq{tag}{name}Qz"


@dataclass
class Objects:
    """Everything in one workspace, each text field holding its own ``marker``."""

    tag: str
    workspace: Workspace
    mentor: User
    mentee: User
    agreement: Agreement
    future: Meeting  # scheduled, five days ahead
    past: Meeting  # scheduled, started yesterday, not marked yet
    held: Meeting  # held, with a submitted agenda and both check-ins
    agenda: Agenda
    checkins: list[CheckIn]
    goal: Goal
    topic: RoadmapTopic
    action: ActionItem  # the mentee's, added by the mentor after the held meeting
    shared_note: Note  # by the mentor, shared
    private_note: Note  # by the mentee, private
    review: Review  # the mentor's mid-point review (submitted, locked)
    markers: dict[str, list[str]]  # every marker written, by the kind of content it is


def make_objects(workspace: Workspace, mentor: User, mentee: User, tag: str) -> Objects:
    """Create one of every workspace object in ``workspace`` (call inside ``WHEN``)."""
    markers: dict[str, list[str]] = {}

    def mark(kind: str, name: str) -> str:
        value = marker(tag, name)
        markers.setdefault(kind, []).append(value)
        return value

    o = SimpleNamespace(tag=tag, workspace=workspace, mentor=mentor, mentee=mentee, markers=markers)
    o.agreement = Agreement.objects.create(
        workspace=workspace,
        purpose=mark("agreement", "AgrPurpose"),
        mentee_success=mark("agreement", "AgrMenteeSuccess"),
        mentor_success=mark("agreement", "AgrMentorSuccess"),
        cadence_days=14,
        meeting_minutes=60,
        reschedule_rule=mark("agreement", "AgrReschedule"),
        contact_channels=mark("agreement", "AgrChannels"),
        contact_hours=mark("agreement", "AgrHours"),
        confidentiality=mark("agreement", "AgrConfidential"),
        shareable=mark("agreement", "AgrShareable"),
        feedback_preference=mark("agreement", "AgrFeedback"),
        planned_end_date=workspace.end_date,
        drafted_by=mentor,
    )
    AgreementRevision.objects.create(
        agreement=o.agreement, version=1, terms={"purpose": "(kept)"}, changed_by=mentor
    )
    o.future = Meeting.objects.create(
        workspace=workspace,
        starts_at=WHEN + dt.timedelta(days=5, hours=2),
        duration_minutes=60,
        location="https://meet.example.com/future",
        created_by=mentee,
    )
    o.past = Meeting.objects.create(
        workspace=workspace,
        starts_at=WHEN - dt.timedelta(days=1),
        duration_minutes=45,
        medium="phone",
        created_by=mentor,
    )
    o.held = Meeting.objects.create(
        workspace=workspace,
        starts_at=WHEN - dt.timedelta(days=7),
        duration_minutes=60,
        status=Meeting.Status.HELD,
        medium="in_person",
        location="Room 4",
        created_by=mentor,
    )
    o.agenda = Agenda.objects.create(
        meeting=o.held,
        author=mentee,
        did=mark("agenda", "AgDid"),
        learned=mark("agenda", "AgLearned"),
        topics=mark("agenda", "AgTopics"),
        needs=["feedback"],
        needs_detail=mark("agenda", "AgNeedsDetail"),
        links=mark("agenda", "AgLinks"),
        status=Agenda.Status.SUBMITTED,
        submitted_at=WHEN - dt.timedelta(days=9),
    )
    o.checkins = [
        CheckIn.objects.create(
            meeting=o.held,
            author=who,
            useful=mark("checkin", f"Ci{role}Useful"),
            next_steps=mark("checkin", f"Ci{role}Next"),
            before_next=mark("checkin", f"Ci{role}Before"),
            change=mark("checkin", f"Ci{role}Change"),
            rating=rating,
        )
        for who, role, rating in ((mentor, "Mentor", 4), (mentee, "Mentee", 5))
    ]
    o.goal = Goal.objects.create(
        workspace=workspace,
        title=mark("goal", "GoTitle"),
        specific=mark("goal", "GoSpecific"),
        measurable=mark("goal", "GoMeasurable"),
        achievable=mark("goal", "GoAchievable"),
        relevant=mark("goal", "GoRelevant"),
        target_date=dt.date(2027, 2, 1),
        progress=30,
        created_by=mentee,
    )
    GoalUpdate.objects.create(
        goal=o.goal, kind=GoalUpdate.Kind.PROGRESS, author=mentee, progress=30,
        note=mark("goal", "GoUpdateNote"),
    )  # fmt: skip
    o.topic = RoadmapTopic.objects.create(
        workspace=workspace,
        title=mark("roadmap", "RmTitle"),
        details=mark("roadmap", "RmDetails"),
        created_by=mentor,
    )
    o.action = ActionItem.objects.create(
        workspace=workspace,
        meeting=o.held,
        owner=mentee,
        description=mark("action", "AcDescription"),
        due_date=dt.date(2026, 12, 20),
        created_by=mentor,
    )
    o.shared_note = Note.objects.create(
        workspace=workspace,
        author=mentor,
        meeting=o.held,
        visibility=Note.Visibility.SHARED,
        body=mark("shared_note", "NoShared"),
    )
    o.private_note = Note.objects.create(
        workspace=workspace,
        author=mentee,
        visibility=Note.Visibility.PRIVATE,
        body=mark("private_note", "NoPrivate"),
    )
    o.review = Review.objects.create(
        workspace=workspace,
        author=mentor,
        kind=Review.Kind.MIDPOINT,
        value_received=4,
        value_given=3,
        working=mark("review", "RvWorking"),
        change=mark("review", "RvChange"),
        decision=Review.Decision.ADJUST,
        submitted_at=WHEN - dt.timedelta(days=1),
    )
    return Objects(**vars(o))


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ``sessions`` model, and each pairing's status."""
    rows = {
        model.__name__: sorted(
            model._default_manager.order_by().values_list(),
            key=lambda row: [str(v) for v in row],
        )
        for model in apps.get_app_config("mentoring_sessions").get_models()
    }
    rows["Pairing"] = list(Pairing.objects.order_by("pk").values_list("pk", "status"))
    return rows


@dataclass
class Matrix:
    """The world (under one privacy policy) and the objects of both pairs in it."""

    world: World
    here: Objects  # world.workspace: mentor and mentee
    there: Objects  # world.other_workspace: other_mentor and other_mentee

    def client(self, who: str) -> Client:
        return self.world.client("admin" if who == "content_admin" else who)

    @property
    def slug(self) -> str:
        return self.world.program.slug


def matrix_of(world: World) -> Matrix:
    """Both pairs' objects in ``world`` (call inside ``WHEN``)."""
    return Matrix(
        world=world,
        here=make_objects(world.workspace, world.mentor, world.mentee, "here"),
        there=make_objects(world.other_workspace, world.other_mentor, world.other_mentee, "there"),
    )


def make_matrix(privacy: str = Program.PrivacyPolicy.METADATA) -> Matrix:
    return matrix_of(make_world(privacy=privacy))


@pytest.fixture
def at_when() -> Iterator[None]:
    with time_machine.travel(WHEN, tick=False):
        yield


@pytest.fixture
def matrix(at_when, world) -> Matrix:
    """The metadata-only world, with every object of both pairs."""
    return matrix_of(world)


@pytest.fixture
def content_matrix(at_when, content_world) -> Matrix:
    """The same, in a program whose admins may read content."""
    return matrix_of(content_world)


# --- URL patterns ----------------------------------------------------------------------------


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and namespace == "workspace:":
            yield namespace + (p.name or f"<unnamed {p.pattern}>"), p


def app_patterns() -> dict[str, URLPattern]:
    """Every URL pattern of the workspace, by its namespaced name."""
    return dict(_walk(get_resolver().url_patterns))


# --- Expectations ----------------------------------------------------------------------------


def expect(mentor: Any, mentee: Any, admin: Any, content_admin: Any = None) -> dict[str, Any]:
    """The answer for each persona; everyone outside the relationship gets 404."""
    table = {
        "mentor": mentor,
        "mentee": mentee,
        "admin": admin,
        "content_admin": admin if content_admin is None else content_admin,
        "anonymous": LOGIN,
    }
    return table | dict.fromkeys(OUTSIDE, 404)


ALL_200 = expect(200, 200, 200)
PARTICIPANTS = expect(200, 200, 403)  # a form for the pair; admins are refused
# require_POST answers 405 before anything is looked up (login_required comes first).
POST_ONLY_GET = dict.fromkeys(PERSONAS, 405) | {"anonymous": LOGIN}

Kwargs = Callable[[Objects], dict[str, Any]]
Data = Callable[[Objects], dict[str, Any]]


def ws(o: Objects) -> dict[str, Any]:
    return {"pk": o.workspace.pk}


def obj(key: str, attr: str) -> Kwargs:
    """URL kwargs naming ``o.<attr>`` as ``key`` inside ``o``'s workspace."""
    return lambda o: {"pk": o.workspace.pk, key: getattr(o, attr).pk}


def no_data(o: Objects) -> dict[str, Any]:
    return {}


def fixed(**values: Any) -> Data:
    return lambda o: values


PAIR = ("mentor", "mentee")
ADMINS = ("admin", "content_admin")


@dataclass(frozen=True)
class Case:
    label: str
    kwargs: Kwargs
    get: dict[str, Any] | None
    post: dict[str, Any] | None = None
    data: Data = no_data  # the POST body (valid where simple; the answers still hold)
    # The object id in the URL can be taken from the other pair's workspace (404).
    foreign: bool = False
    # The personas whose POST (with ``data``) must change something.
    changes: tuple[str, ...] = ()


def page(
    kwargs: Kwargs,
    get: dict[str, Any],
    post: dict[str, Any],
    data: Data = no_data,
    changes: tuple[str, ...] = (),
    label: str = "",
) -> list[Case]:
    """A page (GET) that also takes a POST; one naming an object is also checked with the
    other pair's object."""
    return [Case(label, kwargs, get, post, data, foreign=kwargs is not ws, changes=changes)]


def post_only(
    kwargs: Kwargs,
    post: dict[str, Any],
    data: Data = no_data,
    changes: tuple[str, ...] = (),
    label: str = "",
) -> list[Case]:
    """A POST-only URL (``require_POST``)."""
    return page(kwargs, POST_ONLY_GET, post, data, changes, label)


def _agreement_terms(o: Objects) -> dict[str, Any]:
    return {
        "purpose": "Grow into a team lead",
        "mentee_success": "Leading the weekly stand-up",
        "mentor_success": "Seeing her lead",
        "cadence_days": 14,
        "meeting_minutes": 45,
        "medium": "video",
        "scheduler": "either",
        "notice_hours": 24,
        "reschedule_rule": "",
        "contact_channels": "",
        "contact_hours": "",
        "confidentiality": "All of it",
        "shareable": "",
        "feedback_preference": "",
        "planned_end_date": "2027-03-01",
    }


GOAL = {
    "title": "Speak at the all-hands",
    "specific": "Give a ten minute talk at the all-hands",
    "measurable": "One talk given, 3 questions answered",
    "achievable": "I present to my team already",
    "relevant": "I want to be seen beyond my team",
    "target_date": "2027-02-15",
}
MEETING = {"date": "2026-12-22", "start_time": "10:00", "end_time": "11:00", "medium": "phone"}
CHECKIN = {"useful": "Practice", "next_steps": "Draft", "before_next": "Read", "rating": 4}
MIDPOINT = {"value_received": 4, "value_given": 3, "working": "Our talks", "decision": "continue"}
FINAL = {"value_received": 4, "value_given": 4, "working": "Talks", "differently": "Sooner"}


def _action(o: Objects) -> dict[str, Any]:
    return {"owner": o.mentee.pk, "kind": "task", "description": "Send the deck"}


def _cover(o: Objects) -> dict[str, Any]:
    return {"meeting": o.held.pk}


def _accept(o: Objects) -> dict[str, Any]:
    return {"version": o.agreement.version}


# Pages that only show things answer a POST like a GET (none of them writes).
SHOW: dict[str, Any] = {"get": ALL_200, "post": ALL_200}
FORM: dict[str, Any] = {"get": PARTICIPANTS, "post": expect(302, 302, 403), "changes": PAIR}
# A goal's and a roadmap topic's own pages are content: 404 for admins who may not read it.
CONTENT_FORM: dict[str, Any] = {
    "get": expect(200, 200, 404, 403),
    "post": expect(302, 302, 404, 403),
    "changes": PAIR,
}
CONTENT_ACTION: dict[str, Any] = {"post": expect(302, 302, 404, 403), "changes": PAIR}
PAIR_ACTION: dict[str, Any] = {"post": expect(302, 302, 403), "changes": PAIR}
goal, topic = obj("gid", "goal"), obj("tid", "topic")
future, past, held = obj("mid", "future"), obj("mid", "past"), obj("mid", "held")
action = obj("aid", "action")

EXPECTATIONS: dict[str, list[Case]] = {
    "workspace:detail": page(ws, **SHOW),
    # --- Agreement
    "workspace:agreement": page(ws, **SHOW),
    "workspace:agreement_edit": page(ws, **FORM, data=_agreement_terms),
    "workspace:agreement_accept": post_only(ws, **PAIR_ACTION, data=_accept),
    # --- Goals
    "workspace:goals": page(ws, **SHOW),
    "workspace:goal_create": page(ws, **FORM, data=fixed(**GOAL)),
    "workspace:goal": page(goal, get=expect(200, 200, 404, 200), post=expect(200, 200, 404, 200)),
    "workspace:goal_edit": page(goal, **CONTENT_FORM, data=fixed(**GOAL)),
    "workspace:goal_progress": post_only(goal, **CONTENT_ACTION, data=fixed(progress=60)),
    "workspace:goal_status": post_only(goal, **CONTENT_ACTION, data=fixed(action="achieved")),
    # --- Roadmap: the list page takes the form that adds a topic.
    "workspace:roadmap": page(
        ws, get=ALL_200, post=expect(302, 302, 403), data=fixed(title="Negotiation"), changes=PAIR
    ),
    "workspace:roadmap_edit": page(topic, **CONTENT_FORM, data=fixed(title="Time management")),
    # The only topic cannot move down: refused with a message, nothing changes.
    "workspace:roadmap_move": post_only(topic, expect(302, 302, 404, 403), fixed(direction="down")),
    "workspace:roadmap_delete": post_only(topic, **CONTENT_ACTION),
    "workspace:roadmap_cover": post_only(topic, **CONTENT_ACTION, data=_cover),
    # --- Meetings, agendas, check-ins
    "workspace:meetings": page(ws, **SHOW),
    "workspace:meeting_create": page(ws, **FORM, data=fixed(**MEETING)),
    "workspace:meeting": page(held, **SHOW),
    "workspace:meeting_edit": page(future, **FORM, data=fixed(**MEETING)),
    "workspace:meeting_cancel": page(future, **FORM, data=fixed(reason="I am ill")),
    "workspace:meeting_held": post_only(past, **PAIR_ACTION),
    "workspace:meeting_missed": post_only(past, **PAIR_ACTION),
    "workspace:meeting_ics": page(future, **SHOW),
    # The agenda is the mentee's: the mentor is refused (403) like the admin.
    "workspace:agenda_edit": page(
        future,
        get=expect(403, 200, 403),
        post=expect(403, 302, 403),
        data=fixed(topics="How to say no", needs=["advice"], action="submit"),
        changes=("mentee",),
    ),
    # A pair's meeting has no shared list of items: the meeting page says so (200).
    "workspace:agenda_item_add": post_only(
        future, expect(200, 200, 403), fixed(kind="question", text="Hiring?")
    ),
    "workspace:checkin": page(held, **FORM, data=fixed(**CHECKIN)),
    # --- Action items
    "workspace:actions": page(ws, **SHOW),
    "workspace:action_create": page(ws, **FORM, data=_action),
    "workspace:action_edit": page(action, **FORM, data=_action),
    "workspace:action_status": post_only(action, **PAIR_ACTION, data=fixed(status="done")),
    # --- Notes: only the author edits or deletes; a private note is 404 for everyone else.
    "workspace:notes": page(ws, **SHOW),
    "workspace:note_create": page(
        ws,
        get=expect(200, 200, 403),
        post=expect(302, 302, 403),
        data=fixed(body="Read chapter 3", visibility="shared"),
        changes=PAIR,
    ),
    "workspace:note_edit": [
        *page(
            obj("nid", "shared_note"),
            get=expect(200, 403, 404, 403),
            post=expect(302, 403, 404, 403),
            data=fixed(body="Edited", visibility="shared"),
            changes=("mentor",),
            label="shared",
        ),
        *page(
            obj("nid", "private_note"),
            get=expect(404, 200, 404),
            post=expect(404, 302, 404),
            data=fixed(body="Edited", visibility="private"),
            changes=("mentee",),
            label="private",
        ),
    ],
    "workspace:note_delete": [
        *post_only(
            obj("nid", "shared_note"),
            expect(302, 403, 404, 403),
            changes=("mentor",),
            label="shared",
        ),
        *post_only(
            obj("nid", "private_note"),
            expect(404, 302, 404),
            changes=("mentee",),
            label="private",
        ),
    ],
    # --- Reviews and closure
    "workspace:reviews": page(ws, **SHOW),
    # The mentor's review is in (locked): they are sent back to the reviews page.
    "workspace:review_midpoint": page(
        ws,
        get=expect(302, 200, 403),
        post=expect(302, 302, 403),
        data=fixed(**MIDPOINT),
        changes=("mentee",),
    ),
    # Only a program admin reopens a review.
    "workspace:review_reopen": post_only(
        obj("rid", "review"), expect(403, 403, 302), changes=ADMINS
    ),
    # The closing checklist takes each participant's final review.
    "workspace:closure": page(
        ws, get=ALL_200, post=expect(302, 302, 403), data=fixed(**FINAL), changes=PAIR
    ),
    # Completing waits for both final reviews, except for an admin (who completes it).
    "workspace:complete": post_only(ws, expect(302, 302, 302), changes=ADMINS),
    "workspace:extend": page(
        ws,
        get=ALL_200,
        post=expect(302, 302, 302),
        data=fixed(new_end_date="2027-04-01", reason="More time for the goal"),
        changes=PAIR + ADMINS,
    ),
    "workspace:end_early": page(
        ws,
        get=ALL_200,
        post=expect(302, 302, 302),
        data=fixed(reason="Moved away"),
        changes=PAIR + ADMINS,
    ),
}


# --- The tests -------------------------------------------------------------------------------


def _label(name: str, case: Case) -> str:
    return f"{name}[{case.label}]" if case.label else name


def _params() -> list[Any]:
    params = []
    for name in sorted(EXPECTATIONS):
        for case in EXPECTATIONS[name]:
            for method in ("get", "post"):
                if (case.get if method == "get" else case.post) is None:
                    continue
                for who in PERSONAS:
                    params.append(
                        pytest.param(
                            name,
                            case,
                            method,
                            who,
                            id=f"{_label(name, case)}-{method}-{who}",
                        )
                    )
    return params


def url_of(name: str, slug: str, kwargs: dict[str, Any]) -> str:
    return reverse(name, kwargs={"slug": slug, **kwargs})


def test_every_workspace_url_pattern_has_an_expectation_for_every_persona():
    patterns = app_patterns()
    assert len(patterns) >= 30, "the resolver walk found too few patterns"
    missing = sorted(set(patterns) - set(EXPECTATIONS))
    assert not missing, f"URL patterns without an access expectation: {missing}"
    stale = sorted(set(EXPECTATIONS) - set(patterns))
    assert not stale, f"expectations for URL patterns that no longer exist: {stale}"
    for name, cases in EXPECTATIONS.items():
        for case in cases:
            assert case.get is not None, name
            for table in (case.get, case.post):
                if table is not None:
                    assert set(table) == set(PERSONAS), name
    print(f"\nworkspace access matrix: {len(patterns)} URL patterns covered")  # noqa: T201


def test_every_url_naming_an_object_is_checked_with_the_other_pairs_object():
    for name, pattern in app_patterns().items():
        if set(pattern.pattern.converters) - {"pk"}:
            assert any(c.foreign for c in EXPECTATIONS[name]), name


@pytest.mark.parametrize(("name", "case", "method", "who"), _params())
def test_persona_gets_the_expected_answer(request, name, case, method, who):
    m = request.getfixturevalue("content_matrix" if who == "content_admin" else "matrix")
    expected = (case.get if method == "get" else case.post)[who]
    url = url_of(name, m.slug, case.kwargs(m.here))
    before = snapshot()
    client = m.client(who)
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, case.data(m.here))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"
    else:
        assert response.status_code == expected, (
            f"{who} {method.upper()} {url}: {response.status_code}, expected {expected}"
        )
    # A GET never writes; a POST writes only for the personas who may (and a refusal,
    # whether 403, 404 or a message on a redirect, changes nothing).
    if method == "post" and who in case.changes:
        assert snapshot() != before, f"{who} POST {url} with valid data changed nothing"
    else:
        assert snapshot() == before, f"{who} {method.upper()} {url} changed data"
    if expected == 404:
        assert m.world.program.name not in response.content.decode()


def _foreign_params() -> list[Any]:
    params = []
    for name in sorted(EXPECTATIONS):
        for case in EXPECTATIONS[name]:
            if not case.foreign:
                continue
            for method in ("get", "post"):
                table = case.get if method == "get" else case.post
                if table is None or table is POST_ONLY_GET:
                    continue
                params.append(pytest.param(name, case, method, id=f"{_label(name, case)}-{method}"))
    return params


@pytest.mark.parametrize(("name", "case", "method"), _foreign_params())
def test_another_workspaces_object_under_this_workspace_is_404_for_everyone(
    matrix, content_matrix, name, case, method
):
    for m in (matrix, content_matrix):
        # This workspace's pk, the other pair's object.
        kwargs = case.kwargs(m.there) | {"pk": m.here.workspace.pk}
        url = url_of(name, m.slug, kwargs)
        before = snapshot()
        for who in ("mentor", "mentee", "admin", "other_mentor", "other_mentee"):
            client = m.client(who)
            response = client.get(url) if method == "get" else client.post(url, case.data(m.there))
            assert response.status_code == 404, f"{who} {method.upper()} {url}"
        assert snapshot() == before


def test_a_workspace_named_under_another_programs_slug_is_404(matrix):
    """The outsider, admin of another program, names this workspace under their own program."""
    other = Program.objects.exclude(pk=matrix.world.program.pk).get(
        memberships__user=matrix.world.outsider
    )
    client = matrix.client("outsider")
    admin = matrix.client("admin")
    before = snapshot()
    checked = 0
    for name in sorted(EXPECTATIONS):
        for case in EXPECTATIONS[name]:
            url = url_of(name, other.slug, case.kwargs(matrix.here))
            for c in (client, admin):
                if case.post is not None:
                    assert c.post(url, case.data(matrix.here)).status_code == 404, url
                if case.get is not POST_ONLY_GET:
                    assert c.get(url).status_code == 404, url
            checked += 1
    assert snapshot() == before
    assert checked >= len(app_patterns())
