"""The CSV exports: streamed, complete, filtered, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Pairing
from mentoring.models import User
from programs.access import ProgramAccess, get_program_access
from programs.models import Membership
from sessions import exports
from sessions.health import Filters, program_dashboard, program_pairs
from sessions.tests.test_health_figures import NOW, Known, build_known
from sessions.tests.test_health_queries import grow

pytestmark = pytest.mark.django_db

NAMES = ("participants", "pairings", "engagement")
COLUMNS = {
    "participants": exports.PARTICIPANT_COLUMNS,
    "pairings": exports.PAIRING_COLUMNS,
    "engagement": exports.ENGAGEMENT_COLUMNS,
}


@pytest.fixture
def known(db):
    with time_machine.travel(NOW, tick=False):
        yield build_known()


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def download(k: Known, name: str, **query: str) -> list[dict[str, str]]:
    with time_machine.travel(NOW, tick=False):
        response: Any = client_of(k.admin).get(
            reverse(f"exports:{name}", kwargs={"slug": k.program.slug}), query
        )
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == COLUMNS[name]
    assert all(len(r) == len(rows[0]) for r in rows)
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.mark.parametrize("name", NAMES)
def test_an_export_is_a_streamed_csv_download(known, name):
    with time_machine.travel(NOW, tick=False):
        response = client_of(known.admin).get(
            reverse(f"exports:{name}", kwargs={"slug": known.program.slug})
        )
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{known.program.slug}-{name}-2026-12-30.csv"'
    )
    assert response["Cache-Control"] == "no-store"


def test_the_pairings_export_has_one_row_per_pairing_with_its_dates(known):
    rows = {int(r["pairing_id"]): r for r in download(known, "pairings")}
    assert sorted(rows) == sorted(p.pk for p in known.pairs.values())
    a = rows[known.pairs["A"].pk]
    assert a["status"] == "active"
    assert a["started_on"] == "2026-09-15"
    assert a["midpoint_on"] == "2026-12-07"
    assert a["mentor_email"] == known.pairs["A"].mentor.user.email
    h = rows[known.pairs["H"].pk]
    assert (h["status"], h["ended_on"]) == ("ended_early", "2026-12-20")
    p1 = rows[known.pairs["P1"].pk]
    assert (p1["answer_due_on"], p1["started_on"]) == ("2026-12-20", "")
    assert "end_reason" not in rows[known.pairs["H"].pk]


def test_the_engagement_export_has_the_dashboards_figures(known):
    rows = {int(r["pairing_id"]): r for r in download(known, "engagement")}
    a = rows[known.pairs["A"].pk]
    assert a["health"] == "On track"
    assert a["meetings_held"] == "6"
    assert a["last_met_on"] == "2026-12-15"
    assert (a["agendas_on_time"], a["agendas_on_time_pct"]) == ("5", "83")
    assert (a["checkins"], a["average_rating"]) == ("6", "4.33")
    assert (a["actions_due"], a["actions_done_on_time"], a["actions_on_time_pct"]) == (
        "3",
        "1",
        "33",
    )
    assert (a["midpoint_reviews"], a["average_value_received"], a["average_value_given"]) == (
        "2",
        "4.50",
        "3.50",
    )
    b = rows[known.pairs["B"].pk]
    assert b["health"] == "Needs a check-in"
    assert "The mid-point review is overdue" in b["health_reasons"]
    assert (b["meetings_held"], b["agendas_on_time_pct"], b["average_rating"]) == ("0", "", "")
    assert rows[known.pairs["D"].pk]["health"] == "Ended"


def test_the_participants_export_counts_pairings_and_who_is_matched(known):
    rows = {r["email"]: r for r in download(known, "participants")}
    mentee = {name: rows[p.mentee.user.email] for name, p in known.pairs.items()}
    assert (mentee["A"]["pairings_active"], mentee["A"]["matched"]) == ("1", "yes")
    assert (mentee["D"]["pairings_declined"], mentee["D"]["matched"]) == ("1", "no")
    assert (mentee["G"]["pairings_completed"], mentee["G"]["matched"]) == ("1", "yes")
    assert mentee["H"]["matched"] == "no"
    circle = [r for r in rows.values() if r["circles"] == "1" and r["role"] == "mentee"]
    assert len(circle) == 1
    assert circle[0]["matched"] == "yes"
    mentor = rows[known.pairs["A"].mentor.user.email]
    assert (mentor["role"], mentor["matched"], mentor["mentor_capacity"]) == ("mentor", "", "2")
    assert known.admin.email not in rows  # participants only
    # With a kind filter, circles are another kind: the circle member is not matched.
    rows = {r["email"]: r for r in download(known, "participants", kind="one_to_one")}
    assert [r["matched"] for r in rows.values() if r["circles"] != "0"] == []
    assert rows[known.pairs["F"].mentee.user.email]["matched"] == "no"


def test_a_circle_that_ended_early_is_not_counted_for_its_mentor(known):
    from matching.models import Circle
    from matching.tests.factories import CircleFactory

    mentor = known.pairs["A"].mentor
    CircleFactory.create(program=known.program, mentor=mentor, status=Circle.Status.ENDED_EARLY)
    rows = {r["email"]: r for r in download(known, "participants")}
    assert rows[mentor.user.email]["circles"] == "0"
    assert rows[mentor.user.email]["matched"] == ""


def test_exports_honour_the_filters(known):
    Membership.objects.filter(pk=known.pairs["A"].mentee_id).update(cohort="Spring")
    Membership.objects.filter(pk=known.pairs["C"].mentor_id).update(cohort="Spring")
    Membership.objects.filter(pk=known.pairs["B"].mentor_id).update(department="Sales")
    ids = {name: p.pk for name, p in known.pairs.items()}
    for name in ("pairings", "engagement"):
        got = {int(r["pairing_id"]) for r in download(known, name, cohort="Spring")}
        assert got == {ids["A"], ids["C"]}
        got = {int(r["pairing_id"]) for r in download(known, name, department="Sales")}
        assert got == {ids["B"]}
        got = {int(r["pairing_id"]) for r in download(known, name, kind="flash")}
        assert got == {ids["F"]}
        got = {int(r["pairing_id"]) for r in download(known, name, relationship="peer")}
        assert got == {ids["C"]}
    people = download(known, "participants", cohort="Spring")
    assert {r["email"] for r in people} == {
        known.pairs["A"].mentee.user.email,
        known.pairs["C"].mentor.user.email,
    }
    # A filter that is not understood is ignored, as on the pages.
    assert len(download(known, "pairings", cohort="Nobody")) == len(known.pairs)


def test_cells_a_spreadsheet_would_run_are_defused(known):
    mentor = known.pairs["A"].mentor
    User.objects.filter(pk=mentor.user_id).update(name='=HYPERLINK("http://evil.example","x")')
    Membership.objects.filter(pk=mentor.pk).update(department="+cmd|' /C calc'!A0")
    for name in NAMES:
        rows = download(known, name)
        names = [r.get("mentor") or r.get("name") for r in rows]
        assert '\'=HYPERLINK("http://evil.example","x")' in names, name
        assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values()), name
    people = {r["email"]: r for r in download(known, "participants")}
    assert people[mentor.user.email]["department"] == "'+cmd|' /C calc'!A0"


def test_an_export_reads_in_batches_and_holds_one_at_a_time(db, known):
    """2,500 pairings, read 1,000 at a time: each batch is five queries, and the rows of
    the first batch are written before the second is read."""
    grow(known.program, 2490, meetings=1)
    total = Pairing.objects.filter(program=known.program).count()
    assert total == 2500
    access = get_program_access(known.admin, known.program.slug, admin=True)
    rows = exports.engagement_rows(access, Filters(), batch=1000)
    with CaptureQueriesContext(connection) as ctx:
        header = next(rows)
        assert header == exports.ENGAGEMENT_COLUMNS
        assert len(ctx.captured_queries) == 0
        first = [next(rows) for _ in range(1000)]
        after_one_batch = len(ctx.captured_queries)
        rest = list(rows)
    assert after_one_batch == 1 + 5
    assert len(ctx.captured_queries) == 1 + 3 * 5
    ids = [r[0] for r in first + rest]
    assert len(ids) == total
    assert ids == sorted(set(ids))


def test_a_large_export_over_http_is_complete(db, known):
    grow(known.program, 1190, meetings=1)
    for name, expected in (("pairings", 1200), ("engagement", 1200)):
        assert len(download(known, name)) == expected
    # Two people per pairing, and the circle's mentor and member.
    assert len(download(known, "participants")) == 2 * 1200 + 2


def test_the_exports_page_lists_the_downloads_with_the_filters(known):
    Membership.objects.filter(pk=known.pairs["A"].mentee_id).update(cohort="Spring")
    with time_machine.travel(NOW, tick=False):
        body = (
            client_of(known.admin)
            .get(
                reverse("exports:index", kwargs={"slug": known.program.slug}), {"cohort": "Spring"}
            )
            .content.decode()
        )
    slug = known.program.slug
    for name in NAMES:
        assert reverse(f"exports:{name}", kwargs={"slug": slug}) + "?cohort=Spring" in body
    assert "meetings_per_month" in body  # the columns are listed


def test_dates_are_the_programs(known):
    known.program.timezone = "Pacific/Auckland"
    known.program.save()
    Pairing.objects.filter(pk=known.pairs["H"].pk).update(
        ended_at=dt.datetime(2026, 12, 20, 12, 0, tzinfo=dt.UTC)
    )
    rows = {int(r["pairing_id"]): r for r in download(known, "pairings")}
    assert rows[known.pairs["H"].pk]["ended_on"] == "2026-12-21"


def test_the_export_rows_are_for_program_admins_only(known):
    """The views check first; the selectors refuse anyone else too."""
    mentor = known.pairs["A"].mentor
    access = ProgramAccess(
        program=known.program, user=mentor.user, memberships={mentor.role: mentor}
    )
    for rows in exports.EXPORTS.values():
        with pytest.raises(PermissionDenied):
            next(rows(access, Filters()))
    with pytest.raises(PermissionDenied):
        program_dashboard(access, Filters())
    with pytest.raises(PermissionDenied):
        program_pairs(access, Filters())
