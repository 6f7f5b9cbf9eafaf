"""The audit pages (staff: everything; a program's admins: their program) and the record of
refused requests."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from mentoring.tests.factories import UserFactory
from programs.audit import services
from programs.audit.models import Event

pytestmark = pytest.mark.django_db

Action = Event.Action


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows_of(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def trail(personas):
    """An event in the program, one in the other program, one with no program."""
    here = services.record(
        Action.ROLE_REVOKED,
        actor=personas.admin,
        program=personas.program,
        target="here#1",
        detail={"user": personas.mentee.pk, "role": "mentee"},
    )
    there = services.record(
        Action.ROLE_REVOKED,
        actor=personas.outsider,
        program=personas.other_program,
        target="there#1",
    )
    nowhere = services.record(Action.LOGIN_FAILED, actor_label="who@example.org")
    return here, there, nowhere


def program_url(personas, name: str = "audit:program") -> str:
    return reverse(name, args=[personas.program.slug])


# --- Who sees what ------------------------------------------------------------------------


def test_a_program_admin_sees_their_programs_events_only(personas, trail):
    response = personas.client("admin").get(program_url(personas))
    assert response.status_code == 200
    html = response.content.decode()
    assert "here#1" in html
    assert "there#1" not in html
    assert "who@example.org" not in html
    assert personas.admin.email in html
    assert escape(f"About {personas.mentee.display_name} ({personas.mentee.email})") in html


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_participants_are_refused_the_program_audit(personas, trail, who):
    for name in ("audit:program", "audit:program_csv"):
        assert personas.client(who).get(program_url(personas, name)).status_code == 403


def test_an_outsider_gets_not_found(personas, trail):
    for name in ("audit:program", "audit:program_csv"):
        assert personas.client("outsider").get(program_url(personas, name)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(personas):
    for url in (
        program_url(personas),
        program_url(personas, "audit:program_csv"),
        reverse("audit:all"),
        reverse("audit:all_csv"),
    ):
        response = personas.client("anonymous").get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("who", ["admin", "mentor", "mentee", "outsider"])
def test_only_staff_see_the_whole_trail(personas, who):
    for name in ("audit:all", "audit:all_csv"):
        assert personas.client(who).get(reverse(name)).status_code == 404


def test_staff_see_every_event(staff_user, personas, trail):
    response = staff_client(staff_user).get(reverse("audit:all"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "here#1" in html
    assert "there#1" in html
    assert "who@example.org" in html
    assert escape(personas.program.name) in html


def test_staff_who_are_not_admins_of_a_program_get_its_audit_as_outsiders(staff_user, personas):
    assert staff_client(staff_user).get(program_url(personas)).status_code == 404


def test_the_audit_tab_and_the_staff_link_lead_here(personas, staff_user):
    html = personas.client("admin").get(personas.program.get_absolute_url()).content.decode()
    assert f'href="{program_url(personas)}"' in html
    html = staff_client(staff_user).get(reverse("home")).content.decode()
    assert f'href="{reverse("audit:all")}"' in html
    html = personas.client("mentee").get(reverse("home")).content.decode()
    assert f'href="{reverse("audit:all")}"' not in html


# --- What the page shows ------------------------------------------------------------------


def test_times_are_shown_in_the_viewers_time_zone(staff_user, page_cache_off):
    staff_user.timezone = "Asia/Tokyo"
    staff_user.save()
    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC), tick=False):
        services.record(Action.EXPORT_DOWNLOADED, target="t#1")
    html = staff_client(staff_user).get(reverse("audit:all")).content.decode()
    assert "2 Mar 2026, 08:30:00" in html


def test_a_deleted_person_is_shown_as_such(staff_user):
    gone = UserFactory.create()
    services.record(Action.EXPORT_DOWNLOADED, actor=gone, target="t#1")
    gone.delete()
    html = staff_client(staff_user).get(reverse("audit:all")).content.decode()
    assert "Deleted user" in html


# --- Filters ------------------------------------------------------------------------------


def test_filters_narrow_the_list(staff_user, personas, trail):
    client = staff_client(staff_user)

    def targets(**query) -> set[str]:
        response = client.get(reverse("audit:all"), query)
        assert response.status_code == 200
        return {e.target for e in response.context["page"].object_list}

    assert targets(action=Action.LOGIN_FAILED) == {""}
    assert targets(actor=personas.outsider.email[:8].upper()) >= {"there#1"}
    assert "here#1" not in targets(actor=personas.outsider.email)
    assert targets(actor="who@example") == {""}
    # The program's events: "here#1", and the roles its personas were given.
    roles = {
        f"programs.Membership#{pk}"
        for pk in personas.program.memberships.values_list("pk", flat=True)
    }
    assert targets(program=personas.program.slug) == {"here#1", *roles}
    assert targets(q="THERE") == {"there#1"}


def test_date_filters_are_days_in_the_viewers_time_zone(staff_user, page_cache_off):
    staff_user.timezone = "America/New_York"
    staff_user.save()
    # 02:00 UTC on the 2nd is still the 1st in New York.
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        services.record(Action.EXPORT_DOWNLOADED, target="late#1")
    client = staff_client(staff_user)

    def found(**query) -> bool:
        page = client.get(reverse("audit:all"), query).context["page"]
        return any(e.target == "late#1" for e in page.object_list)

    assert found(date_from="2026-03-01", date_to="2026-03-01")
    assert not found(date_from="2026-03-02")
    assert not found(date_to="2026-02-28")


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "not a date"},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"date_from": "2026-05-01", "date_to": "2026-04-01"},
        {"action": "<script>alert(1)</script>"},
        {"program": "no-such-program"},
        {"q": "x\x00y", "actor": "'; DROP TABLE audit_event; --"},
        {"page": "999999"},
        {"actor": "é" * 300},
    ],
)
def test_bad_filters_are_named_never_a_500(staff_user, personas, trail, query):
    for who, url in ((staff_user, reverse("audit:all")), (personas.admin, program_url(personas))):
        response = staff_client(who).get(url, query)
        assert response.status_code == 200
        csv_response = staff_client(who).get(url + "events.csv", query)
        assert csv_response.status_code == 200
        rows_of(csv_response)


def test_bad_filters_are_explained(staff_user):
    html = staff_client(staff_user).get(reverse("audit:all"), {"date_from": "soon"})
    assert "Ignored what was not understood" in html.content.decode()


# --- CSV and pages ------------------------------------------------------------------------


def test_the_csv_holds_the_filtered_events_and_is_itself_recorded(personas, trail):
    client = personas.client("admin")
    response = client.get(program_url(personas, "audit:program_csv"), {"q": "here"})
    assert response["Content-Type"].startswith("text/csv")
    rows = rows_of(response)
    assert [r["target"] for r in rows] == ["here#1"]
    assert rows[0]["actor_email"] == personas.admin.email
    assert rows[0]["about"] == personas.mentee.email
    assert rows[0]["action"] == Action.ROLE_REVOKED
    [export] = Event.objects.filter(action=Action.EXPORT_DOWNLOADED)
    assert (export.actor_id, export.program_id) == (personas.admin.pk, personas.program.pk)
    assert export.detail["filters"] == {"q": "here"}


def test_the_list_pages_fifty_newest_first(staff_user):
    for n in range(55):
        services.record(Action.EXPORT_DOWNLOADED, target=f"t#{n}")
    client = staff_client(staff_user)
    only: dict[str, str | int] = {"action": Action.EXPORT_DOWNLOADED}
    first = client.get(reverse("audit:all"), only).context["page"]
    assert len(first.object_list) == 50
    assert first.object_list[0].target == "t#54"
    second = client.get(reverse("audit:all"), {**only, "page": 2}).context["page"]
    assert [e.target for e in second.object_list][-1] == "t#0"


@pytest.mark.parametrize("who", ["staff", "admin"])
def test_the_lists_query_count_does_not_grow_with_events(personas, staff_user, page_cache_off, who):
    user = staff_user if who == "staff" else personas.admin
    url = reverse("audit:all") if who == "staff" else program_url(personas)
    client = staff_client(user)

    def queries() -> int:
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    def add(n: int) -> None:
        for _i in range(n):
            actor = UserFactory.create(verified=False)
            services.record(
                Action.ROLE_REVOKED,
                actor=actor,
                program=personas.program,
                detail={"user": actor.pk, "role": "mentee"},
            )

    add(5)
    few = queries()
    add(55)
    assert queries() == few


# --- Refused requests ---------------------------------------------------------------------


def test_an_outsiders_404_in_a_program_is_recorded_outside_it(personas):
    # Recorded for staff, but not filed under the program: its admins would see the
    # outsider's address and browser.
    url = reverse("programs:participants", args=[personas.program.slug])
    assert personas.client("outsider").get(url).status_code == 404
    [event] = Event.objects.filter(action=Action.ACCESS_NOT_FOUND)
    assert (event.actor_id, event.program_id, event.path) == (personas.outsider.pk, None, url)
    assert event.detail["slug"] == personas.program.slug
    html = personas.client("admin").get(program_url(personas)).content.decode()
    assert personas.outsider.email not in html


def test_the_program_trail_leaves_out_where_people_connected_from(personas, staff_user):
    client = Client(REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Probe/9.9")
    client.force_login(personas.mentee)
    participants = reverse("programs:participants", args=[personas.program.slug])
    assert client.get(participants).status_code == 403
    admin = personas.client("admin")
    html = admin.get(program_url(personas)).content.decode()
    assert participants in html
    assert "198.51.100.7" not in html
    assert '<th scope="col">From</th>' not in html
    program_csv = admin.get(program_url(personas, "audit:program_csv"))
    text = b"".join(program_csv.streaming_content).decode("utf-8-sig")
    assert participants in text
    assert "198.51.100.7" not in text
    assert "Probe/9.9" not in text
    assert "ip" not in next(csv.reader(io.StringIO(text)))
    # Staff keep them.
    staff = staff_client(staff_user)
    assert "198.51.100.7" in staff.get(reverse("audit:all")).content.decode()
    [row] = [r for r in rows_of(staff.get(reverse("audit:all_csv"))) if r["path"] == participants]
    assert (row["ip"], row["user_agent"]) == ("198.51.100.7", "Probe/9.9")


def test_a_participants_403_on_an_admin_page_is_recorded(personas):
    url = reverse("programs:participants", args=[personas.program.slug])
    assert personas.client("mentee").get(url).status_code == 403
    [event] = Event.objects.filter(action=Action.ACCESS_DENIED)
    assert (event.actor_id, event.program_id) == (personas.mentee.pk, personas.program.pk)


def test_a_404_for_a_program_that_does_not_exist_names_the_slug(personas):
    assert personas.client("mentee").get("/programs/no-such-thing/").status_code == 404
    [event] = Event.objects.filter(action=Action.ACCESS_NOT_FOUND)
    assert event.program_id is None
    assert event.detail["slug"] == "no-such-thing"


def test_a_404_inside_a_workspace_is_recorded(personas):
    url = reverse("workspace:detail", kwargs={"slug": personas.program.slug, "pk": 999999})
    assert personas.client("mentor").get(url).status_code == 404
    assert Event.objects.filter(
        action=Action.ACCESS_NOT_FOUND, program=personas.program.pk
    ).exists()


def test_anonymous_and_non_program_refusals_are_not_recorded(personas):
    assert personas.client("anonymous").get("/programs/no-such-thing/").status_code in (302, 404)
    assert personas.client("mentee").get("/no/such/page/").status_code == 404
    assert personas.client("mentee").get(reverse("audit:all")).status_code == 404
    assert not Event.objects.filter(
        action__in=[Action.ACCESS_NOT_FOUND, Action.ACCESS_DENIED]
    ).exists()


def test_a_normal_page_costs_nothing_more(personas, settings, page_cache_off):
    url = reverse("programs:participants", args=[personas.program.slug])
    client = personas.client("admin")
    client.get(url)

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    with_audit = queries()
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "programs.audit.middleware.AuditMiddleware"
    ]
    assert len(queries()) == len(with_audit)
    assert not any("audit_event" in sql for sql in with_audit)


# --- Accessibility and the Content Security Policy ----------------------------------------


@pytest.mark.parametrize("query", [{}, {"date_from": "soon", "program": "nope"}])
def test_the_audit_pages_are_accessible(staff_user, personas, trail, page_cache_off, query):
    from mentoring.tests.test_templates_a11y import assert_accessible

    for who, url in ((staff_user, reverse("audit:all")), (personas.admin, program_url(personas))):
        html = assert_accessible(staff_client(who).get(url, query))
        assert " style=" not in html
        assert "<script>" not in html
