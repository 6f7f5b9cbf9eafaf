"""No workspace form answers 500, whatever is typed into it.

Each form of the workspace is posted, by a persona who may use it, with hostile values
in every field, one field at a time (the other fields valid): huge text, HTML, SQL, null
bytes, right-to-left, zero-width and emoji characters, letters where numbers and dates
go, dates in year 1 and 9999, negative and huge numbers. Every answer is below 500;
a value that must be refused changes nothing (every row of every ``sessions`` model is
compared); HTML that is accepted is shown escaped; a redirect never leaves the site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions.models import TEXT, Goal, Meeting, RoadmapTopic
from sessions.tests.test_access_matrix import (
    CHECKIN,
    EXPECTATIONS,
    FINAL,
    GOAL,
    MEETING,
    MIDPOINT,
    Matrix,
    app_patterns,
    make_matrix,
    snapshot,
)
from sessions.tests.test_access_matrix import at_when as at_when

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
SQL = "'; DROP TABLE x; --"
UNICODE = "\u202eevil\u202c \u200bzero\u200dwidth\ufeff 🙂👩‍👩‍👧 مرحبا"
HUGE = "99999999999999999999"


@dataclass(frozen=True)
class Value:
    """A hostile value; ``refused`` ones must change nothing."""

    raw: str
    refused: bool


def text(limit: int) -> list[Value]:
    return [
        Value("x" * 10_000, limit < 10_000),
        Value("y" * 100_000, True),
        Value(SCRIPT, False),
        Value(SQL, False),
        Value("nul\x00byte", True),
        Value(UNICODE, False),
    ]


NUMBER = [
    Value("ten", True),
    Value("-1", True),
    Value(HUGE, True),
    Value("1e309", True),
    Value("²", True),
    Value("4\x00", True),
]
DATE = [
    Value("next tuesday", True),
    Value("0001-01-01", True),
    Value("9999-12-31", True),
    Value("2026-02-30", True),
    Value("2026-12-20\x00", True),
    Value("-1", True),
]
TIME = [Value("25:61", True), Value("noon", True), Value("10:00\x00", True), Value("-1", True)]
CHOICE = [Value(SCRIPT, True), Value("nul\x00", True), Value(HUGE, True), Value(UNICODE, True)]
# A choice whose every value may be accepted (a flag, or an optional button name).
FREE = [Value("<b>yes</b>", False), Value("\x00", False), Value(UNICODE, False)]


def kinds(**fields: list[Value]) -> dict[str, list[Value]]:
    return fields


@dataclass(frozen=True)
class Form:
    name: str  # the URL name
    who: str
    url: Callable[[Matrix], str]
    base: Callable[[Matrix], dict[str, Any]]  # valid data
    fields: dict[str, list[Value]]
    # Pages that show what this form saved, for the escaping check.
    shows: Callable[[Matrix], list[str]] = lambda m: []
    multiple: tuple[str, ...] = ()  # fields posted as lists
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}[{self.label}]" if self.label else self.name


def u(name: str, **kwargs: Any) -> Callable[[Matrix], str]:
    """The URL of ``name`` in the pair's workspace; kwargs name attributes of ``m.here``."""
    short = name.removeprefix("workspace:")
    return lambda m: m.world.url(short, **{k: getattr(m.here, v).pk for k, v in kwargs.items()})


def same(data: dict[str, Any]) -> Callable[[Matrix], dict[str, Any]]:
    return lambda m: dict(data)


def goal_pages(m: Matrix) -> list[str]:
    ids = Goal.objects.filter(workspace=m.here.workspace).values_list("pk", flat=True)
    return [m.world.url("goals"), *(m.world.url("goal", gid=pk) for pk in ids)]


def meeting_pages(m: Matrix) -> list[str]:
    ids = Meeting.objects.filter(workspace=m.here.workspace).values_list("pk", flat=True)
    return [m.world.url("meetings"), *(m.world.url("meeting", mid=pk) for pk in ids)]


def second_topic(m: Matrix, data: dict[str, Any]) -> dict[str, Any]:
    """``data``, once a topic follows the first (so that the first can move down)."""
    RoadmapTopic.objects.create(workspace=m.here.workspace, title="Negotiation", position=1)
    return data


def circle_meeting(m: Matrix) -> Meeting:
    meeting = Meeting.objects.filter(workspace=m.world.circle_workspace).first()
    if meeting is None:
        meeting = Meeting.objects.create(
            workspace=m.world.circle_workspace,
            starts_at=m.here.future.starts_at,
            duration_minutes=60,
        )
    return meeting


def circle_meeting_url(name: str) -> Callable[[Matrix], str]:
    return lambda m: m.world.url(name, workspace=m.world.circle_workspace, mid=circle_meeting(m).pk)


AGREEMENT = {
    "purpose": "Grow into a team lead",
    "mentee_success": "Leading the weekly stand-up",
    "mentor_success": "Seeing her lead",
    "cadence_days": "14",
    "meeting_minutes": "45",
    "medium": "video",
    "scheduler": "either",
    "notice_hours": "24",
    "reschedule_rule": "Within the week",
    "contact_channels": "Chat",
    "contact_hours": "Weekdays",
    "confidentiality": "All of it",
    "shareable": "That we meet",
    "feedback_preference": "Direct",
    "planned_end_date": "2027-03-01",
}
MEETING_FIELDS = kinds(
    date=DATE,
    start_time=TIME,
    end_time=TIME,
    medium=CHOICE,
    location=text(500),
    schedule_anyway=FREE,
)
ACTION_FIELDS = kinds(
    owner=[*NUMBER, Value(SCRIPT, True)],
    kind=CHOICE,
    description=text(2000),
    due_date=DATE,
    next=[Value("https://evil.example/", False), Value("//evil.example", False)],
)


def _action(m: Matrix) -> dict[str, Any]:
    return {"owner": m.world.mentee.pk, "kind": "task", "description": "Send the deck"}


FORMS = [
    Form(
        "workspace:agreement_edit",
        "mentor",
        u("workspace:agreement_edit"),
        same(AGREEMENT),
        kinds(
            **{k: text(4000) for k in ("purpose", "mentee_success", "mentor_success")},
            **{k: text(4000) for k in ("reschedule_rule", "confidentiality", "shareable")},
            feedback_preference=text(4000),
            contact_channels=text(200),
            contact_hours=text(200),
            cadence_days=NUMBER,
            meeting_minutes=NUMBER,
            notice_hours=NUMBER,
            medium=CHOICE,
            scheduler=CHOICE,
            planned_end_date=DATE,
        ),
        shows=lambda m: [m.world.url("agreement")],
    ),
    Form(
        "workspace:agreement_accept",
        "mentee",
        u("workspace:agreement_accept"),
        lambda m: {"version": m.here.agreement.version},
        kinds(version=NUMBER),
    ),
    Form(
        "workspace:goal_create",
        "mentee",
        u("workspace:goal_create"),
        same(GOAL),
        kinds(
            title=text(200),
            **{k: text(TEXT) for k in ("specific", "measurable", "achievable", "relevant")},
            target_date=DATE,
        ),
        shows=goal_pages,
    ),
    Form(
        "workspace:goal_edit",
        "mentor",
        u("workspace:goal_edit", gid="goal"),
        same(GOAL),
        kinds(title=text(200), specific=text(TEXT), measurable=text(TEXT), target_date=DATE),
        shows=goal_pages,
    ),
    Form(
        "workspace:goal_progress",
        "mentee",
        u("workspace:goal_progress", gid="goal"),
        same({"progress": "50", "note": "Halfway"}),
        kinds(progress=[*NUMBER, Value("101", True)], note=text(TEXT)),
        shows=goal_pages,
    ),
    Form(
        "workspace:goal_status",
        "mentor",
        u("workspace:goal_status", gid="goal"),
        same({"action": "dropped", "note": "No longer needed"}),
        kinds(action=CHOICE, note=text(TEXT)),
        shows=goal_pages,
    ),
    Form(
        "workspace:roadmap",
        "mentor",
        u("workspace:roadmap"),
        same({"title": "Negotiation", "details": "Bring a case"}),
        kinds(title=text(200), details=text(TEXT)),
        shows=lambda m: [m.world.url("roadmap")],
    ),
    Form(
        "workspace:roadmap_edit",
        "mentee",
        u("workspace:roadmap_edit", tid="topic"),
        same({"title": "Time management", "details": ""}),
        kinds(title=text(200), details=text(TEXT)),
        shows=lambda m: [m.world.url("roadmap")],
    ),
    Form(
        "workspace:roadmap_move",
        "mentor",
        u("workspace:roadmap_move", tid="topic"),
        lambda m: second_topic(m, {"direction": "down"}),
        kinds(direction=CHOICE),
    ),
    Form(
        "workspace:roadmap_cover",
        "mentee",
        u("workspace:roadmap_cover", tid="topic"),
        lambda m: {"meeting": m.here.held.pk},
        kinds(meeting=[*NUMBER, Value(SCRIPT, True)]),
    ),
    Form(
        "workspace:meeting_create",
        "mentor",
        u("workspace:meeting_create"),
        same(MEETING),
        MEETING_FIELDS,
        shows=meeting_pages,
    ),
    Form(
        "workspace:meeting_create",
        "mentee",
        lambda m: m.world.url("meeting_create") + "?log=1",
        same(MEETING | {"date": "2026-12-01"}),
        MEETING_FIELDS,
        shows=meeting_pages,
        label="log",
    ),
    Form(
        "workspace:meeting_edit",
        "mentee",
        u("workspace:meeting_edit", mid="future"),
        same(MEETING),
        MEETING_FIELDS,
        shows=meeting_pages,
    ),
    Form(
        "workspace:meeting_cancel",
        "mentor",
        u("workspace:meeting_cancel", mid="future"),
        same({"reason": "I am ill"}),
        kinds(reason=text(1000)),
        shows=meeting_pages,
    ),
    Form(
        "workspace:agenda_edit",
        "mentee",
        u("workspace:agenda_edit", mid="future"),
        same({"topics": "Saying no", "needs": ["advice"], "action": "submit"}),
        kinds(
            **{k: text(TEXT) for k in ("did", "learned", "topics", "needs_detail", "links")},
            needs=CHOICE,
            action=FREE,
        ),
        shows=lambda m: [m.world.url("meeting", mid=m.here.future.pk)],
        multiple=("needs",),
    ),
    Form(
        "workspace:agenda_item_add",
        "member",
        circle_meeting_url("agenda_item_add"),
        same({"kind": "question", "text": "Hiring?"}),
        kinds(kind=CHOICE, text=text(TEXT)),
        shows=lambda m: [circle_meeting_url("meeting")(m)],
        label="circle",
    ),
    Form(
        "workspace:checkin",
        "mentee",
        u("workspace:checkin", mid="held"),
        same(CHECKIN),
        kinds(
            **{k: text(TEXT) for k in ("useful", "next_steps", "before_next", "change")},
            rating=[*NUMBER, Value("6", True), Value("0", True)],
        ),
        shows=lambda m: [m.world.url("meeting", mid=m.here.held.pk)],
    ),
    Form(
        "workspace:action_create",
        "mentor",
        lambda m: m.world.url("action_create") + f"?meeting={m.here.held.pk}",
        _action,
        ACTION_FIELDS,
        shows=lambda m: [m.world.url("actions"), m.world.url("meeting", mid=m.here.held.pk)],
    ),
    Form(
        "workspace:action_edit",
        "mentor",
        u("workspace:action_edit", aid="action"),
        _action,
        ACTION_FIELDS,
        shows=lambda m: [m.world.url("actions")],
    ),
    Form(
        "workspace:action_status",
        "mentee",
        u("workspace:action_status", aid="action"),
        same({"status": "done"}),
        kinds(status=CHOICE, next=ACTION_FIELDS["next"]),
    ),
    Form(
        "workspace:note_create",
        "mentee",
        u("workspace:note_create"),
        same({"body": "Read chapter 3", "visibility": "shared"}),
        kinds(body=text(10_000), visibility=CHOICE, meeting=[*NUMBER, Value(SCRIPT, True)]),
        shows=lambda m: [m.world.url("notes")],
    ),
    Form(
        "workspace:note_edit",
        "mentor",
        u("workspace:note_edit", nid="shared_note"),
        same({"body": "Edited", "visibility": "shared"}),
        kinds(body=text(10_000), visibility=CHOICE, meeting=[*NUMBER, Value(SCRIPT, True)]),
        shows=lambda m: [m.world.url("notes")],
    ),
    Form(
        "workspace:review_midpoint",
        "mentee",
        u("workspace:review_midpoint"),
        same(MIDPOINT),
        kinds(
            value_received=NUMBER,
            value_given=NUMBER,
            working=text(TEXT),
            change=text(TEXT),
            decision=CHOICE,
        ),
        shows=lambda m: [m.world.url("reviews")],
    ),
    Form(
        "workspace:closure",
        "mentor",
        u("workspace:closure"),
        same(FINAL),
        kinds(
            value_received=NUMBER,
            value_given=NUMBER,
            working=text(TEXT),
            remains=text(TEXT),
            differently=text(TEXT),
        ),
        shows=lambda m: [m.world.url("closure")],
    ),
    Form(
        "workspace:extend",
        "mentor",
        u("workspace:extend"),
        same({"new_end_date": "2027-04-01", "reason": "More time for the goal"}),
        kinds(new_end_date=DATE, reason=text(1000)),
        shows=lambda m: [m.world.url("closure"), m.world.url("extend")],
    ),
    Form(
        "workspace:end_early",
        "mentee",
        u("workspace:end_early"),
        same({"reason": "Moving abroad"}),
        kinds(reason=text(1000)),
        shows=lambda m: [m.world.url("closure"), m.world.url("detail")],
    ),
]
# Buttons: no fields of their own; stray hostile fields must not matter.
BUTTONS = [
    ("workspace:meeting_held", "mentor", u("workspace:meeting_held", mid="past")),
    ("workspace:meeting_missed", "mentee", u("workspace:meeting_missed", mid="past")),
    ("workspace:roadmap_delete", "mentee", u("workspace:roadmap_delete", tid="topic")),
    ("workspace:note_delete", "mentee", u("workspace:note_delete", nid="private_note")),
    ("workspace:review_reopen", "admin", u("workspace:review_reopen", rid="review")),
    ("workspace:complete", "admin", u("workspace:complete")),
]
STRAY = {"id": HUGE, "pk": "-1", "status": SCRIPT, "workspace": "\x00", "next": "//evil.example"}


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    response = client.post(url, data)
    assert response.status_code < 500, (url, data)
    if response.status_code in (301, 302, 303):
        assert urlparse(response["Location"]).netloc in ("", "testserver"), response["Location"]
    return response


def _refused(response: Any) -> bool:
    """A form shown again (its errors next to the fields), or a redirect with an error."""
    if response.status_code != 302:
        return True
    return any(m.level == messages.ERROR for m in get_messages(response.wsgi_request))


def test_every_post_endpoint_of_the_workspace_is_posted_with_hostile_values():
    """Every URL that takes a POST (not the pages that answer a POST like a GET)."""
    posted = {f.name for f in FORMS} | {name for name, *_ in BUTTONS}
    takes_post = {
        name
        for name, cases in EXPECTATIONS.items()
        for case in cases
        if case.post is not None and case.post != case.get
    }
    assert set(app_patterns()) == set(EXPECTATIONS)
    missing = sorted(takes_post - posted)
    assert not missing, f"forms without a hostile-input test: {missing}"
    print(f"\nhostile input: {len(FORMS)} forms and {len(BUTTONS)} buttons covered")  # noqa: T201


@pytest.mark.parametrize("form", FORMS, ids=[f.id for f in FORMS])
def test_the_valid_data_each_form_starts_from_is_accepted(at_when, form: Form):
    """The hostile posts change one field at a time: the others must be valid."""
    m = make_matrix()
    data = form.base(m)
    before = snapshot()
    response = _post(m.client(form.who), form.url(m), data)
    assert not _refused(response), f"{form.id}: {data} is refused"
    assert snapshot() != before


@pytest.mark.parametrize("form", FORMS, ids=[f.id for f in FORMS])
def test_hostile_values_in_every_field_never_cause_a_server_error(at_when, form: Form):
    m = make_matrix()
    client = m.client(form.who)
    url = form.url(m)
    base = form.base(m)
    for name, values in form.fields.items():
        for value in values:
            data = dict(base)
            data[name] = [value.raw] if name in form.multiple else value.raw
            before = snapshot()
            response = _post(client, url, data)
            if value.refused:
                assert _refused(response), f"{form.id}: {name}={value.raw[:40]!r} was accepted"
                assert snapshot() == before, f"{form.id}: {name}={value.raw[:40]!r} changed data"
            elif value.raw == SCRIPT and not _refused(response) and form.shows(m):
                # Shown where it was saved (before a later value overwrites it), escaped.
                pages = [client.get(page).content.decode() for page in form.shows(m)]
                assert not any(SCRIPT in page for page in pages), f"{form.id}: {name} unescaped"
                assert any(ESCAPED in page for page in pages), f"{form.id}: {name} not shown"
    for page in form.shows(m):
        response = client.get(page)
        assert response.status_code < 500
        assert SCRIPT not in response.content.decode(), "HTML shown unescaped"


@pytest.mark.parametrize(("name", "who", "url"), BUTTONS, ids=[b[0] for b in BUTTONS])
def test_stray_hostile_fields_on_buttons_never_cause_a_server_error(at_when, name, who, url):
    m = make_matrix()
    _post(m.client(who), url(m), STRAY)


def test_an_agreement_cannot_plan_the_end_in_year_9999(at_when):
    m = make_matrix()
    before = snapshot()
    response = _post(
        m.client("mentor"),
        m.world.url("agreement_edit"),
        AGREEMENT | {"planned_end_date": "9999-12-31"},
    )
    assert _refused(response)
    assert snapshot() == before


def test_an_extension_cannot_run_to_year_9999(at_when):
    m = make_matrix()
    before = snapshot()
    response = _post(
        m.client("mentor"),
        m.world.url("extend"),
        {"new_end_date": "9999-12-31", "reason": "Forever"},
    )
    assert _refused(response)
    assert snapshot() == before


QUERY_VALUES = ["²", HUGE, "-1", SCRIPT, "\x00", "1e309", UNICODE]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("workspace:action_create", "meeting"),
        ("workspace:note_create", "meeting"),
        ("workspace:meeting_create", "log"),
        ("workspace:actions", "show"),
    ],
)
def test_hostile_query_strings_never_cause_a_server_error(at_when, name, key):
    m = make_matrix()
    client = m.client("mentor")
    for value in QUERY_VALUES:
        response = client.get(m.world.url(name.split(":")[1]), {key: value})
        assert response.status_code < 500, value


def test_huge_and_negative_ids_in_urls_are_404(at_when):
    names = [n for n, p in app_patterns().items() if set(p.pattern.converters) - {"pk"}]
    m = make_matrix()
    client = m.client("mentor")
    for name in names:
        pattern = app_patterns()[name]
        key = next(k for k in pattern.pattern.converters if k != "pk")
        for pk in (int(HUGE), 2**63, 0):
            kwargs: dict[str, Any] = {key: pk}
            url = m.world.url(name.split(":")[1], **kwargs)
            assert client.get(url).status_code in (404, 405), url
            assert client.post(url).status_code == 404, url


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(title=st.text(max_size=300), details=st.text(max_size=300))
def test_any_text_in_a_roadmap_topic_is_refused_or_shown_escaped(at_when, db, title, details):
    m = make_matrix()
    client = m.client("mentee")
    before = snapshot()
    response = _post(client, m.world.url("roadmap"), {"title": title, "details": details})
    if _refused(response):
        assert snapshot() == before
    else:
        page = client.get(m.world.url("roadmap")).content.decode()
        assert escape(title.strip()) in page


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.text(max_size=200),
    visibility=st.sampled_from(["private", "shared", "", "\x00", "other"]),
    meeting=st.one_of(st.integers(), st.text(max_size=5)),
)
def test_any_note_is_refused_or_saved_never_a_server_error(at_when, db, body, visibility, meeting):
    m = make_matrix()
    before = snapshot()
    response = _post(
        m.client("mentor"),
        m.world.url("note_create"),
        {"body": body, "visibility": visibility, "meeting": str(meeting)},
    )
    if _refused(response):
        assert snapshot() == before
