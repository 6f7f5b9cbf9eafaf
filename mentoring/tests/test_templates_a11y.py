"""The pages' HTML meets our accessibility and CSP rules, read with Python's HTML parser.

Every form control has a label (<label for>, a wrapping <label>, aria-label or
aria-labelledby); a page has one <main>, one <h1> and a <nav>; headings do not
skip a level and rank below the heading of the section they are in; live regions
are not nested; ids are unique and every id an aria-* attribute points to exists;
no element repeats an attribute; and there is no inline script or event-handler
attribute (a CSP without 'unsafe-inline' comes later).

The browser tests at the end check what only a browser shows: the focus
indicator, the error summary taking focus, and a POST form that submits once.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from programs import services
from programs.models import Membership, ParticipantImport, Program, Question
from programs.tests.factories import (
    ChoiceFactory,
    InvitationFactory,
    QuestionFactory,
    TopicFactory,
)

Kind = Question.Kind

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}
ARIA_CURRENT_VALUES = {"page", "step", "location", "date", "time", "true", "false"}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    line: int
    ancestors: list[Element] = field(default_factory=list)
    text: str = ""

    def describe(self) -> str:
        shown = " ".join(f'{k}="{v}"' for k, v in self.attrs.items() if k in ("id", "name", "type"))
        return f"<{self.tag} {shown}> (line {self.line})"

    def inside(self, predicate) -> bool:
        return any(predicate(a) for a in self.ancestors)


class Page(HTMLParser):
    """The elements of an HTML page, each with its open ancestors."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.duplicate_attributes: list[str] = []
        self.scripts_without_src: list[str] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _ in attrs]
        for name, count in Counter(names).items():
            if count > 1:
                self.duplicate_attributes.append(
                    f"<{tag}> has {count} {name}= (line {self.lineno})"
                )
        element = Element(tag, {k: v or "" for k, v in attrs}, self.getpos()[0], list(self._open))
        self.elements.append(element)
        if tag == "script" and "src" not in element.attrs:
            self.scripts_without_src.append(element.describe())
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self._open and self._open[-1].tag == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                return

    def find(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if (tag is None or e.tag == tag) and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    @property
    def ids(self) -> Counter[str]:
        return Counter(e.attrs["id"] for e in self.elements if "id" in e.attrs)


def problems_in(html: str) -> list[str]:
    """Everything on the page that breaks the rules in this module's docstring."""
    page = Page(html)
    problems = list(page.duplicate_attributes)
    problems += [f"inline script {s}" for s in page.scripts_without_src]
    ids = page.ids
    problems += [f'id="{i}" is used {n} times' for i, n in ids.items() if n > 1]

    labelled = {e.attrs.get("for") for e in page.find("label")}
    for e in page.elements:
        if e.tag not in ("input", "select", "textarea"):
            continue
        if e.tag == "input" and e.attrs.get("type", "text") in UNLABELLED_INPUT_TYPES:
            continue
        if e.attrs.get("aria-label", "").strip():
            continue
        if e.attrs.get("aria-labelledby"):
            missing = [i for i in e.attrs["aria-labelledby"].split() if i not in ids]
            if not missing:
                continue
            problems.append(f"{e.describe()} is labelled by missing ids {missing}")
            continue
        if e.attrs.get("id") and e.attrs["id"] in labelled:
            continue
        if e.inside(lambda a: a.tag == "label"):
            continue
        problems.append(f"{e.describe()} has no label")

    for tag, expected in (("main", 1), ("h1", 1)):
        found = len(page.find(tag))
        if found != expected:
            problems.append(f"{found} <{tag}> elements, not {expected}")
    if not page.find("nav"):
        problems.append("no <nav>")

    for e in page.elements:
        handlers = [name for name in e.attrs if name.startswith("on")]
        if handlers:
            problems.append(f"{e.describe()} has inline event handlers {handlers}")
        described = [i for i in e.attrs.get("aria-describedby", "").split() if i not in ids]
        if described:
            problems.append(f"{e.describe()} is described by missing ids {described}")
        if "aria-current" in e.attrs and e.attrs["aria-current"] not in ARIA_CURRENT_VALUES:
            problems.append(f'{e.describe()} has aria-current="{e.attrs["aria-current"]}"')
        if e.attrs.get("role") in ("alert", "status") and e.inside(
            lambda a: "aria-live" in a.attrs or a.attrs.get("role") in ("alert", "status")
        ):
            problems.append(f"{e.describe()} is a live region inside another")

    headings = [e for e in page.elements if re.fullmatch(r"h[1-6]", e.tag)]
    previous = 1
    for e in headings:
        level = int(e.tag[1])
        if level > previous + 1:
            problems.append(f"<{e.tag}> follows <h{previous}> (line {e.line})")
        previous = level
    # A heading inside a section ranks below the heading that names the section.
    by_id = {e.attrs["id"]: e for e in headings if "id" in e.attrs}
    for e in headings:
        for section in e.ancestors:
            title = by_id.get(section.attrs.get("aria-labelledby", ""))
            if section.tag == "section" and title and title is not e and title.tag >= e.tag:
                problems.append(
                    f"<{e.tag}> (line {e.line}) is inside a section headed <{title.tag}>"
                )
    return problems


# --- The checker itself ---------------------------------------------------------------------

GOOD = """<html><body><header><nav aria-label="Main"><a href="/">Home</a></nav></header>
<main><h1>Title</h1><section aria-labelledby="part"><h2 id="part">Part</h2><h3>Sub</h3></section>
<h2>Part</h2>
<label for="a">A</label><input id="a" name="a">
<label>B <input name="b" type="checkbox"></label>
<select aria-label="C" name="c"></select>
<span id="d-label">D</span><textarea aria-labelledby="d-label" name="d"></textarea>
<input type="hidden" name="csrf"><button type="submit">Go</button>
<div class="messages"><div role="status">Saved.</div></div>
<script src="/static/app.js"></script></main></body></html>"""


def test_the_checker_passes_a_good_page():
    assert problems_in(GOOD) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ('<input id="a" name="a">', '<input id="x" name="a">'),
            '<input id="x" name="a"> (line 4) has no label',
        ),
        (("<textarea aria-labelledby", "<textarea aria-describedby"), "has no label"),
        (('aria-labelledby="d-label"', 'aria-labelledby="gone"'), "missing ids ['gone']"),
        (("<h3>Sub</h3>", "<h4>Sub</h4>"), "<h4> follows <h2>"),
        (("<h3>Sub</h3>", "<h2>Sub</h2>"), "is inside a section headed <h2>"),
        (("\n<h2>Part</h2>", "\n<h1>Again</h1>"), "2 <h1> elements"),
        (("<main>", "<div>"), "0 <main> elements"),
        (('<nav aria-label="Main">', "<div>"), "no <nav>"),
        (("<button type", '<button onclick="go()" type'), "inline event handlers ['onclick']"),
        (('<script src="/static/app.js">', "<script>go()"), "inline script"),
        (('<div class="messages">', '<div class="messages" aria-live="polite">'), "inside another"),
        (('<input id="a"', '<input class="x" id="a" class="y"'), "has 2 class="),
        (('<span id="d-label">', '<span id="a">'), 'id="a" is used 2 times'),
        (('<a href="/">', '<a aria-current="yes" href="/">'), 'aria-current="yes"'),
        (("<select aria-label", '<select aria-describedby="c-help" aria-label'), "['c-help']"),
    ],
)
def test_the_checker_finds_each_problem(change, problem):
    old, new = change
    assert old in GOOD
    found = problems_in(GOOD.replace(old, new, 1))
    assert any(problem in p for p in found), found


# --- The pages ------------------------------------------------------------------------------


@pytest.fixture
def furnished(personas):
    """The personas' program with something on every page: topics, questions, invitations."""
    program = personas.program
    for name in ("Negotiation", "Public speaking"):
        TopicFactory.create(program=program, name=name)
    single = QuestionFactory.create(
        program=program, text="Working style?", kind=Kind.SINGLE, required=True
    )
    multiple = QuestionFactory.create(
        program=program, text="Skills?", kind=Kind.MULTIPLE, required=True
    )
    for question in (single, multiple):
        for label in ("One", "Two", "Three"):
            ChoiceFactory.create(question=question, label=label)
    QuestionFactory.create(
        program=program, text="How much does it matter?", kind=Kind.SCALE, required=True
    )
    QuestionFactory.create(program=program, text="Anything else?", kind=Kind.TEXT)
    InvitationFactory.create(program=program, email="invitee@example.org")
    ParticipantImport.objects.create(
        program=program,
        uploaded_by=personas.admin,
        filename="people.csv",
        status=ParticipantImport.Status.REJECTED,
        rows_total=3,
        rows_valid=2,
        errors=[{"line": 3, "email": "x@example", "reason": "Not an e-mail address."}],
    )
    return personas


def first_question(program: Program) -> Question:
    question = program.questions.first()
    assert question is not None
    return question


# Each page an admin uses, from the program and its mentee's membership.
ADMIN_PAGES = {
    "home": lambda p, m: reverse("home"),
    "profile": lambda p, m: reverse("profile"),
    "program list": lambda p, m: reverse("programs:list"),
    "overview": lambda p, m: reverse("programs:detail", args=[p.slug]),
    "participants": lambda p, m: reverse("programs:participants", args=[p.slug]),
    "participant": lambda p, m: reverse("programs:participant", args=[p.slug, m.pk]),
    "settings": lambda p, m: reverse("programs:edit", args=[p.slug]),
    "admins": lambda p, m: reverse("programs:admins", args=[p.slug]),
    "questions": lambda p, m: reverse("programs:questions", args=[p.slug]),
    "new question": lambda p, m: reverse("programs:question_create", args=[p.slug]),
    "question": lambda p, m: reverse("programs:question_edit", args=[p.slug, first_question(p).pk]),
    "topics": lambda p, m: reverse("programs:topics", args=[p.slug]),
    "invitations": lambda p, m: reverse("programs:invitations", args=[p.slug]),
    "import": lambda p, m: reverse("programs:import", args=[p.slug]),
    "rename topic": lambda p, m: reverse("programs:topic_edit", args=[p.slug, p.topics.first().pk]),
    "delete question": lambda p, m: reverse(
        "programs:question_delete", args=[p.slug, first_question(p).pk]
    ),
    "import report": lambda p, m: reverse(
        "programs:import_detail", args=[p.slug, p.imports.get().pk]
    ),
    "e-mail addresses": lambda p, m: reverse("account_email"),
    "password": lambda p, m: reverse("account_change_password"),
}


def assert_accessible(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert problems_in(html) == []
    return html


@pytest.mark.parametrize("name", list(ADMIN_PAGES))
def test_admin_pages_are_accessible(furnished, name):
    url = ADMIN_PAGES[name](furnished.program, furnished.membership("mentee"))
    assert_accessible(furnished.client("admin").get(url))


# An empty POST would show an unbound form: one blank answer makes it bound.
NOTHING_ANSWERED = {"goals_statement": ""}


def enrol_url(program: Program) -> str:
    return reverse("programs:enrol", args=[program.slug, Membership.Role.MENTEE])


def test_the_enrolment_form_is_accessible(furnished):
    html = assert_accessible(furnished.client("mentee").get(enrol_url(furnished.program)))
    assert "How much does it matter?" in html


def test_the_enrolment_form_with_errors_is_accessible(furnished):
    response = furnished.client("mentee").post(enrol_url(furnished.program), NOTHING_ANSWERED)
    assert response.context["form"].errors
    assert_accessible(response)


@pytest.mark.parametrize("url_name", ["account_login", "account_signup", "account_reset_password"])
def test_the_sign_in_pages_are_accessible(db, url_name):
    assert_accessible(Client().get(reverse(url_name)))


def test_the_invitation_landing_page_is_accessible(furnished):
    invitation = furnished.program.invitations.get()
    url = reverse("invitations:landing", args=[services.invitation_token(invitation)])
    html = assert_accessible(Client().get(url))
    assert "Set up your account" in html


def test_the_not_found_page_is_accessible(furnished):
    response = furnished.client("admin").get("/programs/no-such-program/")
    assert response.status_code == 404
    assert problems_in(response.content.decode()) == []


def test_a_message_after_a_change_is_announced_once(furnished):
    response = furnished.client("admin").post(
        reverse("programs:topics", args=[furnished.program.slug]),
        {"name": "Mentoring"},
        follow=True,
    )
    html = assert_accessible(response)
    page = Page(html)
    [message] = [e for e in page.elements if "alert-success" in e.attrs.get("class", "")]
    assert message.attrs["role"] == "status"


# --- Where am I: aria-current --------------------------------------------------------------


def current_links(html: str) -> dict[str, str]:
    """{link text: aria-current} for the links that carry it (and are shown as active)."""
    found = {}
    for match in re.finditer(r"<a ([^>]*)>([^<]*)</a>", html):
        attrs, text = match.groups()
        current = re.search(r'aria-current="([^"]*)"', attrs)
        if current:
            assert re.search(r'class="[^"]*\bactive\b', attrs), attrs
            found[text.strip()] = current.group(1)
    return found


def test_the_page_itself_is_current_page_and_its_section_current_true(furnished):
    client = furnished.client("admin")
    program = furnished.program
    listing = current_links(client.get(reverse("programs:list")).content.decode())
    assert listing == {"Programs": "page"}
    participants = reverse("programs:participants", args=[program.slug])
    assert current_links(client.get(participants).content.decode()) == {
        "Programs": "true",
        "Participants": "page",
    }
    mentee = furnished.membership("mentee")
    one = reverse("programs:participant", args=[program.slug, mentee.pk])
    assert current_links(client.get(one).content.decode()) == {
        "Programs": "true",
        "Participants": "true",
    }
    new_question = reverse("programs:question_create", args=[program.slug])
    assert current_links(client.get(new_question).content.decode()) == {
        "Programs": "true",
        "Enrolment questions": "true",
    }
    # Every program page is under the overview's address: the overview is no section.
    overview = client.get(program.get_absolute_url()).content.decode()
    assert current_links(overview) == {"Programs": "true", "Overview": "page"}


def test_the_account_pages_mark_the_current_one(furnished):
    client = furnished.client("admin")
    assert current_links(client.get(reverse("profile")).content.decode()) == {
        "Profile and contact hours": "page"
    }
    assert current_links(client.get(reverse("account_email")).content.decode()) == {
        "E-mail addresses": "page"
    }


# --- Headings of the program cards ----------------------------------------------------------


def card_headings(html: str) -> list[str]:
    return re.findall(r'<(h\d) class="h5 card-title">', html)


def test_program_cards_rank_below_the_heading_of_their_list(furnished):
    client = furnished.client("admin")
    home = client.get(reverse("home")).content.decode()
    assert '<h2 class="h5" id="home-programs">' in home
    assert card_headings(home) == ["h3"]
    listing = client.get(reverse("programs:list")).content.decode()
    assert card_headings(listing) == ["h2"]


# --- The enrolment form: error summary, scale, privacy --------------------------------------


def test_the_error_summary_links_to_every_field_with_an_error(furnished):
    response = furnished.client("mentee").post(enrol_url(furnished.program), NOTHING_ANSWERED)
    form = response.context["form"]
    html = response.content.decode()
    page = Page(html)
    [summary] = page.find(id="error-summary")
    assert summary.attrs["tabindex"] == "-1"
    assert "data-error-summary" in summary.attrs
    links = [e for e in page.find("a") if e.inside(lambda a: a is summary)]
    errors = sum(len(errors) for errors in form.errors.values())
    assert len(links) == errors >= 5
    ids = page.ids
    targets = [link.attrs["href"] for link in links]
    for href in targets:
        assert href.startswith("#")
        assert ids[href[1:]] == 1, href
        [target] = page.find(id=href[1:])
        assert target.tag in ("input", "select", "textarea"), href
    assert "#id_goals_statement" in targets
    assert "#id_acknowledge_privacy" in targets
    # A group of radios or checkboxes: the link goes to the first one.
    scale = furnished.program.questions.get(kind=Kind.SCALE)
    assert f"#id_q_{scale.pk}_0" in targets
    assert "Please check the highlighted answers" not in html


def test_no_error_summary_without_errors(furnished):
    html = furnished.client("mentee").get(enrol_url(furnished.program)).content.decode()
    assert "data-error-summary" not in html


def test_the_scale_is_a_row_of_radios_in_a_fieldset_named_by_its_question(furnished):
    scale = furnished.program.questions.get(kind=Kind.SCALE)
    for response in (
        furnished.client("mentee").get(enrol_url(furnished.program)),
        furnished.client("mentee").post(enrol_url(furnished.program), NOTHING_ANSWERED),
    ):
        page = Page(response.content.decode())
        assert page.duplicate_attributes == []
        radios = page.find("input", name=f"q_{scale.pk}")
        assert [r.attrs["value"] for r in radios] == ["1", "2", "3", "4", "5"]
        fieldsets = set()
        for radio in radios:
            assert radio.attrs["type"] == "radio"
            assert radio.attrs["class"].split() in (
                ["form-check-input"],
                ["form-check-input", "is-invalid"],
            )
            assert radio.inside(lambda a: "form-check-inline" in a.attrs.get("class", "").split())
            fieldsets.add(id(next(a for a in reversed(radio.ancestors) if a.tag == "fieldset")))
        # All five in one group (the innermost fieldset), named by the question.
        [fieldset] = [e for e in page.find("fieldset") if id(e) in fieldsets]
        [legend] = [e for e in page.find("legend") if any(a is fieldset for a in e.ancestors)]
        assert legend.text.strip().startswith("How much does it matter?")
    # After a failed submit, the error under the row is shown, not hidden by Bootstrap.
    [error] = page.find("div", id=f"id_q_{scale.pk}_error")
    assert "d-block" in error.attrs["class"].split()
    assert "This field is required." in error.text


def test_the_dead_scale_css_is_gone():
    from django.contrib.staticfiles import finders

    path = finders.find("css/app.css")
    assert path
    with open(path, encoding="utf-8") as css:
        assert ".scale" not in css.read()


@pytest.mark.parametrize("policy", list(Program.PrivacyPolicy))
def test_the_privacy_note_says_admins_read_the_profile_and_answers(furnished, policy):
    program = furnished.program
    program.privacy_policy = policy
    program.save()
    html = furnished.client("mentee").get(enrol_url(program)).content.decode()
    assert "They read your enrolment profile and the answers you give on this form" in html
    assert "engagement figures" in html
    assert "Private notes are yours alone, always." in html
    shared = "they may also read agendas, check-ins and notes you share"
    assert (shared in html) == (policy == Program.PrivacyPolicy.CONTENT)
    assert ("They do not read your agendas" in html) == (policy == Program.PrivacyPolicy.METADATA)


# --- In a browser ---------------------------------------------------------------------------


def signed_in_page(new_page, live_server, user):
    """A browser page with ``user``'s session (no sign-in form to fill)."""
    client = Client()
    client.force_login(user)
    page = new_page()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    # Bootstrap's transitions would fade the focus ring in; read it at once.
    page.emulate_media(reduced_motion="reduce")
    return page


def rgb(css_colour: str) -> tuple[int, int, int]:
    red, green, blue = (int(n) for n in re.findall(r"\d+", css_colour)[:3])
    return red, green, blue


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    def luminance(colour):
        def channel(c):
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(c) for c in colour)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


FOCUS_STYLE = """element => {
  let behind = element.parentElement;
  while (behind && getComputedStyle(behind).backgroundColor.match(/rgba\\(.*, 0\\)$|transparent/)) {
    behind = behind.parentElement;
  }
  const style = getComputedStyle(element);
  return {
    focused: document.activeElement === element && element.matches(":focus-visible"),
    outline: [style.outlineStyle, style.outlineWidth, style.outlineColor, style.outlineOffset],
    shadow: style.boxShadow,
    behind: behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)",
  };
}"""


@pytest.mark.parametrize(
    ("what", "selector", "background"),
    [
        ("a navbar link", "#main-nav a.nav-link", (0x1D, 0x2B, 0x5E)),
        ("a breadcrumb link", ".breadcrumb a", (255, 255, 255)),
        ("a text field", "#id_q", (255, 255, 255)),
        ("a select", "#id_role", (255, 255, 255)),
        ("a primary button", "form[role=search] button.btn-primary", (255, 255, 255)),
    ],
)
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_focus_indicator_shows_on_white_and_on_the_navbar(
    live_server, new_page, personas, what, selector, background
):
    page = signed_in_page(new_page, live_server, personas.admin)
    page.goto(live_server.url + reverse("programs:participants", args=[personas.program.slug]))
    element = page.locator(selector).first
    element.focus()
    # Keyboard focus, as a keyboard user would have it.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    style = element.evaluate(FOCUS_STYLE)
    assert style["focused"], what
    assert rgb(style["behind"]) == background, style
    outline_style, width, outline_colour, offset = style["outline"]
    assert outline_style == "solid"
    assert float(width.removesuffix("px")) >= 2
    shadow = re.fullmatch(r"(rgba?\([^)]*\)) 0px 0px 0px (\d+(?:\.\d+)?)px", style["shadow"])
    assert shadow, style["shadow"]
    # The shadow's ring shows outside the outline (the outline is painted over it).
    ring = (
        float(shadow.group(2)) - float(width.removesuffix("px")) - float(offset.removesuffix("px"))
    )
    assert ring >= 2, style
    inner, outer = rgb(outline_colour), rgb(shadow.group(1))
    # The two rings differ, so the indicator has an edge of its own whatever is around it...
    assert contrast(inner, outer) >= 3
    # ... and one of them stands out against what is behind the element.
    assert max(contrast(inner, background), contrast(outer, background)) >= 3, style


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_error_summary_takes_focus_and_its_links_reach_the_fields(
    live_server, new_page, furnished
):
    page = signed_in_page(new_page, live_server, furnished.mentee)
    page.goto(live_server.url + enrol_url(furnished.program))
    page.get_by_role("button", name="Enrol").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert summary.evaluate("element => document.activeElement === element")
    scale = furnished.program.questions.get(kind=Kind.SCALE)
    summary.get_by_role("link", name=re.compile("How much does it matter")).click()
    assert page.evaluate("document.activeElement.id") == f"id_q_{scale.pk}_0"
    # The question (the group's legend) is on screen, not just the first radio.
    legend = page.locator("legend", has_text="How much does it matter?")
    assert legend.evaluate("e => e.getBoundingClientRect().top >= 0")
    summary_link = summary.get_by_role("link", name=re.compile("What I want to get out of this"))
    summary_link.click()
    assert page.evaluate("document.activeElement.id") == "id_goals_statement"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_post_form_submits_once_and_is_usable_again_after_back(live_server, new_page, staff_user):
    page = signed_in_page(new_page, live_server, staff_user)
    page.goto(live_server.url + reverse("programs:create"))
    posts = []

    def no_content(route):
        posts.append(route.request.post_data)
        # 204: the browser stays on the page, as it does while a slow server works.
        route.fulfill(status=204)

    page.route("**/programs/new/", no_content)
    button = page.get_by_role("button", name="Create program")
    button.click()
    page.wait_for_timeout(200)
    assert len(posts) == 1
    assert button.is_disabled()
    button.click(force=True)
    page.evaluate("document.querySelector('main form[method=post]').requestSubmit()")
    page.wait_for_timeout(200)
    assert len(posts) == 1
    # A page restored from the back/forward cache gets pageshow: the form works again.
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    assert button.is_enabled()
    button.click()
    page.wait_for_timeout(200)
    assert len(posts) == 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_clicked_buttons_value_is_still_sent(live_server, new_page, furnished):
    page = signed_in_page(new_page, live_server, furnished.admin)
    page.goto(live_server.url + reverse("programs:questions", args=[furnished.program.slug]))
    posts = []

    def no_content(route):
        posts.append(route.request.post_data)
        route.fulfill(status=204)

    page.route("**/move/", lambda route: no_content(route))
    down = page.get_by_role("button", name="Move “Working style?” down")
    up = page.get_by_role("button", name="Move “Working style?” up")
    assert up.is_disabled()  # the first question cannot move up
    down.click()
    page.wait_for_timeout(300)
    assert len(posts) == 1
    assert "to=down" in posts[0]
    assert down.is_disabled()
    # Back to the page: what the submit disabled works again, what the page disabled stays.
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    assert down.is_enabled()
    assert up.is_disabled()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_double_clicking_create_program_creates_one_program(
    live_server, new_page, staff_user, monkeypatch
):
    create = services.program_create

    def slow_create(**kwargs):
        # Slow enough that the second click comes while the server is still at work.
        time.sleep(0.5)
        return create(**kwargs)

    monkeypatch.setattr(services, "program_create", slow_create)
    page = signed_in_page(new_page, live_server, staff_user)
    page.goto(live_server.url + reverse("programs:create"))
    page.get_by_label("Name").fill("Only once")
    page.get_by_label("Start date").fill("2027-01-11")
    page.get_by_label("End date").fill("2027-07-09")
    # The second click comes 150 ms after the first, while the server is at work.
    # (Clicked from the page: Playwright waits for a navigation to end before it acts.)
    page.evaluate(
        """() => {
          const button = document.querySelector("main form[method=post] button[type=submit]");
          button.click();
          setTimeout(() => button.click(), 150);
        }"""
    )
    page.get_by_role("heading", name="Only once").wait_for()
    page.wait_for_timeout(1000)
    assert Program.objects.filter(name="Only once").count() == 1
