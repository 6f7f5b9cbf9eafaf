"""No 500 on any input: every form in the project, driven with hostile values.

The forms are found the way a browser finds them: every page of the authorization
matrix is opened by every persona who gets it (200), and each ``<form method="post">``
on it is read (its fields, their types, options and hidden values). While crawling,
``BaseForm.__init__`` records which Django form classes were built; every form class
defined in the project must be reached, or be listed in ``EXEMPT`` with the reason.

Each (form, persona) is then posted a fixed set of hostile payloads (very long strings,
HTML and script tags, SQL fragments, Unicode edge cases, NUL bytes, wrong types, far
dates, huge and negative numbers, unknown choices, lists, missing fields) and a few
hypothesis-generated mixes. Every answer is below 500 and says something; a refused
post (4xx, a 200 that shows the form again, a redirect with a message) changed nothing;
accepted HTML is shown escaped. Each (form, persona) runs in a transaction rolled back
afterwards, so every form meets the same world.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from unittest import mock
from urllib.parse import urljoin, urlparse

import pytest
import time_machine
from django import forms
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.models import Pairing
from mentoring.tests.project_world import PERSONAS, WHEN, World, build_world, snapshot
from mentoring.tests.test_authorization_matrix import (
    all_patterns,
    expectations_for,
    has_expectation,
    url_for,
)
from programs.models import Program

pytestmark = pytest.mark.django_db


def _project_packages() -> tuple[str, ...]:
    """The top-level packages of the installed apps that live in this checkout."""
    base = str(django_settings.BASE_DIR)
    return tuple(
        sorted(
            {
                app.name.split(".")[0]
                for app in django_apps.get_app_configs()
                if app.path.startswith(base) and ".venv" not in app.path
            }
        )
    )


PROJECT_PACKAGES = _project_packages()  # mentoring, programs, matching, sessions, ...
SESSION_COOKIE = "sessionid"

# Project form classes the crawl cannot reach, and why. Keep this short: a form that
# is shown on a page belongs in the crawl.
EXEMPT: dict[str, str] = {
    "matching.forms.PickForm": "used by no view: suggestion_pick reads its one field itself",
}

# allauth's forms the project shows (its own templates): they must be reached too.
ALLAUTH_SHOWN = (
    "allauth.account.forms.LoginForm",
    "allauth.account.forms.SignupForm",
    "allauth.account.forms.ResetPasswordForm",
    "allauth.account.forms.ChangePasswordForm",
    "allauth.account.forms.AddEmailForm",
    "allauth.account.forms.ReauthenticateForm",
)

# --- Hostile values --------------------------------------------------------------------------

XSS = "<script>zqxss()</script><img src=x onerror=zqxss()>"
LONG = "Zq" + "A" * 12_000
SQL = "'; DROP TABLE programs_program; -- \" OR 1=1 --"
UNICODE = (
    "\u202egnp.exe\u200b\u200d e\u0301\u0301\u0301 \U0001f469\U0001f3fd\u200d\U0001f4bb \ufeff"
)
NUL = "nul\x00byte"
TEXT_VALUES = (LONG, XSS, SQL, UNICODE, NUL, "", "   ", "-1", "\r\n\t")
NUMBER_VALUES = ("-1", "-99999999999999999999999", "1e309", "NaN", "abc", "3.5", "0x10", "")
DATE_VALUES = ("0001-01-01", "9999-12-31", "10000-01-01", "2026-02-30", "yesterday", "-1")
TIME_VALUES = ("25:61", "24:00", "abc", "-1:00", "00:00:00.0000001")
DATETIME_VALUES = ("0001-01-01T00:00", "9999-12-31T23:59", "10000-01-01T00:00", "now")
CHOICE_VALUES = ("zz-not-a-choice", "-1", "99999999999", SQL, XSS, "")
MISSING = object()  # the field is left out of the post
LIST = ("a", "b")  # a list where one value goes


@dataclass
class Field:
    name: str
    kind: str  # text, number, date, time, datetime, choice, multi, file, check
    options: list[str] = field(default_factory=list)
    value: str = ""  # what the page filled in


@dataclass
class Form:
    page: str
    action: str
    multipart: bool
    fields: dict[str, Field] = field(default_factory=dict)
    formactions: list[str] = field(default_factory=list)  # buttons posting elsewhere

    def signature(self) -> tuple[str, tuple[str, ...]]:
        return self.action, tuple(sorted(self.fields))


INPUT_KINDS = {
    "number": "number",
    "range": "number",
    "date": "date",
    "time": "time",
    "datetime-local": "datetime",
    "file": "file",
    "checkbox": "check",
    "radio": "choice",
}


class FormParser(HTMLParser):
    """The ``<form method="post">`` elements of a page, with their fields."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                action = urljoin(self.page, a.get("action") or self.page)
                multipart = a.get("enctype", "") == "multipart/form-data"
                self.form = Form(self.page, action, multipart)
                self.forms.append(self.form)
            return
        if self.form is None:
            return
        if tag in ("button", "input") and a.get("formaction") and not a.get("name"):
            self.form.formactions.append(urljoin(self.page, a["formaction"]))
        if not a.get("name"):
            if tag == "option" and self.select is not None:
                self.select.options.append(a.get("value", ""))
            return
        if tag in ("button", "input") and a.get("formaction"):
            self.form.formactions.append(urljoin(self.page, a["formaction"]))
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                self._field(name, "choice").options.append(a.get("value", ""))
            elif kind in ("checkbox", "radio"):
                f = self._field(name, "multi" if kind == "checkbox" else "choice")
                f.options.append(a.get("value", "on"))
                if "checked" in a:
                    f.value = a.get("value", "on")
            else:
                f = self._field(name, INPUT_KINDS.get(kind, "text"))
                f.value = a.get("value", "")
        elif tag == "button":
            self._field(name, "choice").options.append(a.get("value", ""))
        elif tag == "select":
            self.select = self._field(name, "multi" if "multiple" in a else "choice")
        elif tag == "textarea":
            self.textarea = self._field(name, "text")
        elif tag == "option" and self.select is not None:
            self.select.options.append(a.get("value", ""))

    def _field(self, name: str, kind: str) -> Field:
        assert self.form is not None
        if name not in self.form.fields:
            self.form.fields[name] = Field(name, kind)
        return self.form.fields[name]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.form is not None:
            # A browser submits through a button: with formaction, to the button's URL.
            form, self.form = self.form, None
            if form.formactions:
                self.forms.remove(form)
                for action in dict.fromkeys(form.formactions):
                    self.forms.append(Form(form.page, action, form.multipart, dict(form.fields)))
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.value += data


def hostile_values(f: Field) -> tuple[Any, ...]:
    """The fixed hostile values for one field (its valid value among them)."""
    valid = (f.options[0] if f.options else f.value,)
    by_kind: dict[str, tuple[Any, ...]] = {
        "text": TEXT_VALUES,
        "number": (*NUMBER_VALUES, XSS, LONG),
        "date": (*DATE_VALUES, XSS, NUL),
        "time": (*TIME_VALUES, XSS),
        "datetime": (*DATETIME_VALUES, XSS),
        "choice": CHOICE_VALUES + valid,
        "multi": (*CHOICE_VALUES, [*f.options, "zz-not-a-choice"], *valid),
        "check": ("on", "zz", LONG),
        "file": ("file",),
    }
    return (*by_kind[f.kind], MISSING, list(LIST))


def file_upload(value: str) -> SimpleUploadedFile:
    body = "email,role,name\n" + "\n".join(
        [f"{XSS}@example.org,mentee,{LONG}", f"a@b.c,{SQL},{UNICODE}", "\x00,\x00,\x00"]
    )
    return SimpleUploadedFile("hostile.csv", body.encode("utf-8"), content_type="text/csv")


def fixed_payloads(form: Form) -> Iterator[dict[str, Any]]:
    """Rotated hostile values: payload i gives field j its (i + j)-th hostile value, so a
    handful of posts put every hostile value into every field."""
    values = {name: hostile_values(f) for name, f in form.fields.items()}
    rounds = max((len(v) for v in values.values()), default=1)
    for i in range(min(rounds, FIXED_POSTS)):
        yield {
            name: options[(i * 3 + j) % len(options)]
            for j, (name, options) in enumerate(sorted(values.items()))
        }


FIXED_POSTS = 6
HYPOTHESIS_EXAMPLES = 4

# Valid UTF-8 only: lone surrogates (Cs) cannot be encoded into a request.
safe_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=0, max_size=40)


def strategy(form: Form) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            name: st.one_of(st.sampled_from(hostile_values(f)), safe_text)
            for name, f in sorted(form.fields.items())
        }
    )


def encode(form: Form, payload: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in payload.items():
        if value is MISSING:
            continue
        if form.fields[name].kind == "file" and value == "file":
            data[name] = file_upload(value)
        else:
            data[name] = value
    return data


# --- Form classes ----------------------------------------------------------------------------


def project_form_classes() -> set[type[forms.BaseForm]]:
    """Every Form/ModelForm subclass defined in the project's own modules."""
    for package in PROJECT_PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if any(part in info.name for part in (".tests", ".migrations", ".management")):
                continue
            if info.name.endswith(("settings_test", "asgi", "wsgi", "celery")):
                continue
            importlib.import_module(info.name)
    found: set[type[forms.BaseForm]] = set()
    stack: list[type] = [forms.BaseForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.__module__.split(".")[0] in PROJECT_PACKAGES and ".tests" not in sub.__module__:
                found.add(sub)
    return found


def qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# --- The crawl -------------------------------------------------------------------------------


def pages(world: World) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(url, personas who get it): every page of the matrix, and a few the matrix's world
    names no URL for (a circle's workspace, a circle the mentee may ask to join)."""
    for key, p in sorted(all_patterns().items()):
        if not has_expectation(key):
            continue  # the matrix fails for it; its forms are reached once it has one
        for case in expectations_for(key):
            yield url_for(p, case, world), tuple(w for w in PERSONAS if case.get[w] == 200)
    here = world.here
    meeting = here.circle_meeting
    yield (
        reverse(
            "workspace:meeting",
            kwargs={"slug": here.slug, "pk": meeting.workspace_id, "mid": meeting.pk},
        ),
        ("mentor", "admin"),
    )
    yield (
        reverse("matching:circle", kwargs={"slug": here.slug, "pk": here.open_circle.pk}),
        ("mentee",),
    )


def crawl(world: World, clients: dict[str, Client]) -> dict[tuple[str, Any], Form]:
    """Every post form on every page each persona gets, by (persona, action and fields)."""
    found: dict[tuple[str, Any], Form] = {}
    for url, personas in pages(world):
        for who in personas:
            response = clients[who].get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = FormParser(url)
            parser.feed(response.content.decode())
            for form in parser.forms:
                if urlparse(form.action).netloc in ("", "testserver"):
                    found.setdefault((who, form.signature()), form)
    return found


@pytest.fixture
def world(db) -> Iterator[World]:
    with time_machine.travel(WHEN, tick=False):
        yield build_world()


@pytest.fixture
def clients(world: World) -> dict[str, Client]:
    return {who: world.client(who, raise_request_exception=False) for who in PERSONAS}


# --- The checks ------------------------------------------------------------------------------

ERROR_MARKS = ("errorlist", "invalid-feedback", "is-invalid", "alert", 'role="alert"', "error")


LOGOUT = "/accounts/logout/"  # signing out needs no message


def judge(form: Form, who: str, response: Any, before: dict[str, Any], client: Client) -> list[str]:
    """What is wrong with the answer to one hostile post."""
    where = f"{who} POST {form.action} (form on {form.page})"
    status = response.status_code
    if status >= 500:
        return [f"{where}: {status}"]
    problems = []
    body = response.content.decode(errors="replace")
    if b"<script>zqxss()" in response.content:
        problems.append(f"{where}: the script tag is shown unescaped")
    changed = snapshot() != before
    if 400 <= status < 500:
        if not body.strip():
            problems.append(f"{where}: {status} with an empty body")
        if changed:
            problems.append(f"{where}: refused ({status}) but changed data")
    elif status == 200 and not changed:
        if not any(mark in body for mark in ERROR_MARKS):
            problems.append(f"{where}: 200, nothing saved, and no error shown")
    elif 300 <= status < 400 and not changed and form.action != LOGOUT:
        location = response.get("Location", "")
        said = list(get_messages(response.wsgi_request))
        if not said and "login" not in location and "reauthenticate" not in location:
            problems.append(f"{where}: redirected to {location} with nothing saved and no message")
    elif 300 <= status < 400 and changed:
        # Saved: the page it leads to shows what was written, escaped.
        location = response.get("Location", "")
        if location.startswith("/") and not location.startswith("//"):
            shown = client.get(location)
            if shown.status_code >= 500:
                problems.append(f"{where}: the page after it, {location}, is {shown.status_code}")
            elif b"<script>zqxss()" in shown.content:
                problems.append(f"{where}: {location} shows the script tag unescaped")
    return problems


def _import(dotted: str) -> type:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def unreached(built: set[type]) -> list[str]:
    """Project form classes (and allauth forms the project shows) never built."""
    project = project_form_classes()
    missing = [
        qualname(cls)
        for cls in project
        if qualname(cls) not in EXEMPT and not any(issubclass(b, cls) for b in built)
    ]
    names = {qualname(cls) for cls in project}
    stale = [f"EXEMPT (stale): {name}" for name in sorted(set(EXEMPT) - names)]
    allauth = [
        name for name in ALLAUTH_SHOWN if not any(issubclass(b, _import(name)) for b in built)
    ]
    return sorted(missing) + stale + allauth


def test_every_form_meets_hostile_input_without_a_server_error(world, clients):
    """Crawl, post hostile values to every (form, persona), then check every form class
    was built on the way (on a page, or when a post bound it)."""
    built: set[type] = set()
    original = forms.BaseForm.__init__

    def recording(self: forms.BaseForm, *args: Any, **kwargs: Any) -> None:
        built.add(type(self))
        original(self, *args, **kwargs)

    problems: list[str] = []
    posts = 0

    def post(form: Form, who: str, payload: dict[str, Any]) -> None:
        nonlocal posts
        before = snapshot()
        client = clients[who]
        session = client.cookies.get(SESSION_COOKIE)
        with transaction.atomic():
            response = client.post(form.action, encode(form, payload))
            posts += 1
            problems.extend(judge(form, who, response, before, client))
            transaction.set_rollback(True)
        if client.cookies.get(SESSION_COOKIE) != session:  # signed out, or in as another
            clients[who] = world.client(who, raise_request_exception=False)

    def mixed(form: Form, who: str) -> None:
        @settings(
            max_examples=HYPOTHESIS_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(payload=strategy(form))
        def run(payload: dict[str, Any]) -> None:
            post(form, who, payload)

        run()

    def drive(found: dict[tuple[str, Any], Form]) -> None:
        for (who, _), form in sorted(found.items(), key=lambda kv: kv[0]):
            for payload in fixed_payloads(form):
                post(form, who, payload)
            mixed(form, who)

    program = world.here.program
    with mock.patch.object(forms.BaseForm, "__init__", recording):
        found = crawl(world, clients)
        drive(found)
        # The same program while it enrols and mentees choose, the pair's relationship
        # over: the enrolment, preference and mentor-request forms it shows then (only
        # forms not met already are posted).
        with transaction.atomic():
            Program.objects.filter(pk=program.pk).update(
                status=Program.Status.ENROLLING, matching_mode=Program.MatchingMode.MENTEE_CHOICE
            )
            Pairing.objects.filter(pk=world.here.pairing.pk).update(status=Pairing.Status.COMPLETED)
            enrolling = {k: f for k, f in crawl(world, clients).items() if k not in found}
            drive(enrolling)
            transaction.set_rollback(True)
        found |= enrolling

    project_built = {b for b in built if b.__module__.split(".")[0] in PROJECT_PACKAGES}
    errors = sum(1 for p in problems if p.rsplit(": ", 1)[-1].isdigit())
    print(  # noqa: T201
        f"\nhostile input: {len({f.signature() for f in found.values()})} forms "
        f"({len(project_built)} form classes) x personas = {posts} posts, {errors} server errors"
    )
    missing = unreached(built)
    assert posts >= 200
    report = f"{len(problems)} problems in {posts} posts:\n" + "\n".join(problems)
    assert not missing, f"form classes no page shows and no post builds: {missing}\n{report}"
    assert not problems, report
