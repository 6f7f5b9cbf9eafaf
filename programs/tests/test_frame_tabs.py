"""The frame of a program's pages: its admin tabs, the cached URLs, the directory's filters."""

import re

import pytest
from django import forms
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import reverse, set_script_prefix

from mentoring.templatetags.frame import cached_reverse
from programs import selectors
from programs.forms import DirectoryFilterForm, _DrawnSelect, _DrawnTextInput
from programs.models import Membership
from programs.tests.factories import MembershipFactory, ProgramFactory, TopicFactory
from programs.views.participants import _participant_link

pytestmark = pytest.mark.django_db

Role = Membership.Role


def tabs(html: str) -> list[tuple[str, str | None, str]]:
    """(label, aria-current, href) of each admin tab in a page."""
    nav = html.split('aria-label="Program administration"', 1)[1].split("</nav>", 1)[0]
    found = []
    for attrs, label in re.findall(r"<a ([^>]*)>([^<]*)</a>", nav):
        current = re.search(r'aria-current="(\w+)"', attrs)
        href = re.search(r'href="([^"]*)"', attrs)
        assert href is not None
        found.append((label, current.group(1) if current else None, href.group(1)))
    return found


def test_the_page_shown_is_its_tab_and_the_overview_is_never_a_section(personas):
    program = personas.program
    html = personas.client("admin").get(reverse("programs:topics", args=[program.slug]))
    shown = tabs(html.content.decode())
    assert [label for label, _, _ in shown] == [
        "Overview",
        "Participants",
        "Matching",
        "Pairings",
        "Health",
        "Exports",
        "Invitations",
        "Import",
        "Enrolment questions",
        "Topics",
        "Admins",
        "Settings",
        "Audit trail",
    ]
    assert [(label, current) for label, current, _ in shown if current] == [("Topics", "page")]
    assert ("Overview", None, reverse("programs:detail", args=[program.slug])) in shown


def test_a_sub_page_marks_its_section(personas):
    program = personas.program
    topic = TopicFactory.create(program=program)
    url = reverse("programs:topic_edit", args=[program.slug, topic.pk])
    shown = tabs(personas.client("admin").get(url).content.decode())
    assert [(label, current) for label, current, _ in shown if current] == [("Topics", "true")]


def test_circles_and_flash_tabs_follow_the_programs_switches(personas):
    program = personas.program
    program.allow_circles = True
    program.allow_flash = True
    program.save()
    html = personas.client("admin").get(reverse("programs:detail", args=[program.slug]))
    shown = tabs(html.content.decode())
    labels = [label for label, _, _ in shown]
    assert labels[4:6] == ["Circles", "Flash"]
    assert ("Overview", "page", reverse("programs:detail", args=[program.slug])) in shown
    assert ("Circles", None, reverse("matching:circles", args=[program.slug])) in shown


def test_participants_see_no_admin_tabs(personas):
    program = personas.program
    page = personas.client("mentor").get(reverse("programs:detail", args=[program.slug]))
    assert page.status_code == 200
    assert "Program administration" not in page.content.decode()


def test_tabs_escape_the_programs_slug_in_links():
    program = ProgramFactory.create(slug="a-b_c")
    html = Template("{% load program_frame %}{% program_admin_tabs %}").render(
        Context({"program": program, "request": RequestFactory().get("/elsewhere/")})
    )
    assert f'href="{reverse("programs:participants", args=["a-b_c"])}"' in html
    assert "aria-current" not in html


def test_cached_urls_follow_the_script_prefix_and_urlconf():
    assert cached_reverse("home") == reverse("home")
    assert cached_reverse("programs:topics", "x") == reverse("programs:topics", args=["x"])
    set_script_prefix("/sub/")
    try:
        assert cached_reverse("home") == reverse("home")
        assert cached_reverse("home").startswith("/sub/")
    finally:
        set_script_prefix("/")
    assert cached_reverse("home") == reverse("home")
    with override_settings(ROOT_URLCONF="mentoring.urls"):
        assert cached_reverse("home") == reverse("home")


def test_participant_links_match_reverse():
    link = _participant_link("918273645-slug")
    for pk in (1, 42, 918273645):
        assert link(pk) == reverse("programs:participant", args=["918273645-slug", pk])


@pytest.mark.parametrize("value", [None, "", "mentor", "x<y", "2", 2])
@pytest.mark.parametrize(
    "attrs", [{"id": "id_x"}, {"id": "id_x", "aria-invalid": "true", "required": True}]
)
def test_drawn_widgets_write_djangos_html(value, attrs):
    choices = [("", "Any"), (1, "A & B"), (2, "<i>two</i>"), ("x<y", 'q"uote')]
    expected = forms.Select(attrs={"class": "form-select"}, choices=choices)
    drawn = _DrawnSelect(attrs={"class": "form-select"}, choices=choices)
    assert drawn.render("n", value, attrs) == expected.render("n", value, attrs)
    text = {"class": "form-control", "maxlength": "100"}
    assert _DrawnTextInput(attrs=text).render("q", value, attrs) == forms.TextInput(
        attrs=text
    ).render("q", value, attrs)


def test_the_directory_form_draws_its_filters_as_django_would(personas):
    program = personas.program
    TopicFactory.create(program=program, name="Négociation & <co>")
    form = DirectoryFilterForm(
        {"role": "mentor", "department": "Legal", "q": 'a"b'},
        program=program,
        departments=["Legal", "R&D"],
        cohorts=["Spring"],
    )
    form.is_valid()
    for name in ("q", "role", "topic", "department", "cohort", "enrolled"):
        field = form[name]
        plain = type(field.field.widget).__mro__[1](attrs=field.field.widget.attrs)
        if isinstance(plain, forms.Select):
            plain.choices = field.field.widget.choices
        assert str(field) == plain.render(
            field.html_name, field.value(), field.build_widget_attrs({"id": field.auto_id})
        )


def test_departments_and_cohorts_come_from_one_query(personas, django_assert_num_queries):
    program = personas.program
    for department, cohort, role in (
        ("Sales", "", Role.MENTOR),
        ("Legal", "Spring", Role.MENTEE),
        ("", "Autumn", Role.MENTEE),
        ("Sales", "Spring", Role.MENTOR),
        ("Board", "Winter", Role.ADMIN),
    ):
        MembershipFactory.create(program=program, department=department, cohort=cohort, role=role)
    with django_assert_num_queries(1):
        found = selectors.departments_and_cohorts(program)
    assert found == (["Legal", "Sales"], ["Autumn", "Spring"])


def test_the_directory_orders_by_name_then_email_then_role(personas):
    program = personas.program
    both = MembershipFactory.create(
        program=program, role=Role.MENTEE, user__name="Aa", user__email="z@example.org"
    )
    MembershipFactory.create(program=program, role=Role.MENTOR, user=both.user)
    MembershipFactory.create(
        program=program, role=Role.MENTOR, user__name="Aa", user__email="a@example.org"
    )
    page = personas.client("admin").get(reverse("programs:participants", args=[program.slug]))
    people = [(m.user.email, m.role) for m in page.context["page"].object_list]
    assert people[:3] == [
        ("a@example.org", Role.MENTOR),
        ("z@example.org", Role.MENTEE),
        ("z@example.org", Role.MENTOR),
    ]


def test_directory_users_come_from_the_rows_and_load_the_rest_on_use(personas):
    program = personas.program
    m = MembershipFactory.create(
        program=program, role=Role.MENTEE, user__name="Zoë Ng", user__timezone="Asia/Tokyo"
    )
    access = type("A", (), {"program": program})()
    rows = selectors.with_users(
        list(selectors.directory(access, selectors.DirectoryFilters(q="Zoë")))
    )
    assert [r.pk for r in rows] == [m.pk]
    user = rows[0].user
    assert (user.pk, user.name, user.email) == (m.user.pk, "Zoë Ng", m.user.email)
    assert user.get_deferred_fields()
    assert user.timezone == "Asia/Tokyo"


def test_the_directory_page_is_sorted_without_joining_the_users_table(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("programs:participants", args=[personas.program.slug])
    with CaptureQueriesContext(connection) as ctx:
        assert personas.client("admin").get(url).status_code == 200
    page_query = [q["sql"] for q in ctx.captured_queries if 'AS "user_name"' in q["sql"]]
    assert len(page_query) == 1
    assert 'JOIN "mentoring_user"' not in page_query[0]
    assert not any('"mentoring_user"."id" IN' in q["sql"] for q in ctx.captured_queries)
