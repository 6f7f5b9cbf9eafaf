"""The dashboard's figures, labels and filters, worked out by hand on a known program.

The program (``known``), on 30 Dec 2026, fortnightly, agendas due 48 hours ahead:

- A "steady": running since 15 Sep, terms agreed; six meetings held (Oct to Dec), five
  agendas on time and one late; check-ins rated 4 4 5 5 4 4; both mid-point reviews in;
  action items: one done on time, one done late, one open and past due, one dropped,
  one without a due date, one due next year.
- B "silent": running since 15 Sep, never met, no terms, no mid-point review.
- C "low": running since 20 Nov (peer), terms agreed weekly; met 10 and 20 Dec, both
  check-ins rated 2, no agendas.
- F: a flash session booked for next week.
- P1: proposed, its answer was due 20 Dec; P2: proposed, answer due 5 Jan.
- D declined, E expired.
- G completed (1 Nov): two meetings held in Sep and Oct, both agendas on time.
- H ended early (20 Dec): one mid-point review.
- One mentee in a circle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from matching.models import CircleMember, Pairing
from matching.tests.factories import CircleFactory, MenteeFactory, MentorFactory, PairingFactory
from mentoring.models import User
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory
from sessions.health import Filters, compute, pair_rows, read_selection, select
from sessions.health.rows import REASONS, proposal_health
from sessions.models import ActionItem, Agenda, Agreement, CheckIn, Meeting, Review, Workspace
from sessions.selectors import (
    NEEDS_CHECK_IN,
    ON_TRACK,
    TOO_EARLY,
    Facts,
    derive_health,
    workspace_facts,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 30, 12, 0, tzinfo=dt.UTC)
SEP15 = dt.datetime(2026, 9, 15, 9, 0, tzinfo=dt.UTC)


def at(month: int, day: int, year: int = 2026, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=dt.UTC)


@dataclass
class Known:
    program: Program
    admin: User
    pairs: dict[str, Pairing]

    def ws(self, name: str) -> Workspace:
        return Workspace.objects.get(pairing=self.pairs[name])


def held(ws: Workspace, when: dt.datetime, *, agenda: str = "", rating: int | None = None):
    """A held meeting; ``agenda`` "on_time" or "late"; a check-in by the mentee if rated."""
    m = Meeting.objects.create(
        workspace=ws, starts_at=when, duration_minutes=60, status=Meeting.Status.HELD
    )
    pairing = ws.pairing
    assert pairing is not None
    if agenda:
        Agenda.objects.create(
            meeting=m,
            author=pairing.mentee.user,
            topics="t",
            status=Agenda.Status.SUBMITTED,
            submitted_at=when - dt.timedelta(days=3 if agenda == "on_time" else 0, hours=1),
            late=agenda == "late",
        )
    if rating is not None:
        CheckIn.objects.create(
            meeting=m,
            author=pairing.mentee.user,
            useful="u",
            next_steps="n",
            before_next="b",
            rating=rating,
        )
    return m


def agree(ws: Workspace, cadence: int) -> None:
    Agreement.objects.create(
        workspace=ws,
        purpose="p",
        mentee_success="s",
        mentor_success="s",
        cadence_days=cadence,
        meeting_minutes=60,
        confidentiality="c",
        planned_end_date=ws.end_date,
        accepted_at=ws.created_at,
    )


def review(ws: Workspace, who: str, received: int, given: int) -> None:
    pairing = ws.pairing
    assert pairing is not None
    Review.objects.create(
        workspace=ws,
        author=getattr(pairing, who).user,
        kind=Review.Kind.MIDPOINT,
        value_received=received,
        value_given=given,
        working="w",
        decision=Review.Decision.CONTINUE,
    )


def action(
    ws: Workspace, due: dt.date | None, status: str = "open", done: dt.datetime | None = None
):
    pairing = ws.pairing
    assert pairing is not None
    ActionItem.objects.create(
        workspace=ws,
        owner=pairing.mentee.user,
        description="d",
        due_date=due,
        status=status,
        done_at=done,
    )


def build_known() -> Known:
    program = ProgramFactory.create(
        status=Program.Status.RUNNING,
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2027, 3, 1),
        cadence_days=14,
        agenda_lead_hours=48,
    )
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user

    def pair(status: str, started: dt.datetime | None = None, **kw: Any) -> Pairing:
        return PairingFactory.create(
            program=program, status=status, started_at=started, respond_by=None, **kw
        )

    active = Pairing.Status.ACTIVE
    pairs = {
        "A": pair(active, SEP15),
        "B": pair(active, SEP15),
        "C": pair(active, at(11, 20), relationship_type=Pairing.RelationshipType.PEER),
        "F": pair(active, at(12, 28), kind=Pairing.Kind.FLASH),
        "P1": pair(Pairing.Status.PROPOSED, created_at=at(12, 13)),
        "P2": pair(Pairing.Status.PROPOSED, created_at=at(12, 29)),
        "D": pair(Pairing.Status.DECLINED),
        "E": pair(Pairing.Status.EXPIRED),
        "G": pair(Pairing.Status.COMPLETED, SEP15, ended_at=at(11, 1)),
        "H": pair(Pairing.Status.ENDED_EARLY, SEP15, ended_at=at(12, 20), end_reason="Moved"),
    }
    Pairing.objects.filter(pk=pairs["P1"].pk).update(respond_by=at(12, 20))
    Pairing.objects.filter(pk=pairs["P2"].pk).update(respond_by=at(1, 5, 2027))
    k = Known(program, admin, pairs)

    a = k.ws("A")
    agree(a, 14)
    for i, (month, day) in enumerate([(10, 1), (10, 15), (11, 1), (11, 15), (12, 1), (12, 15)]):
        held(
            a, at(month, day), agenda="late" if i == 2 else "on_time", rating=[4, 4, 5, 5, 4, 4][i]
        )
    review(a, "mentor", 4, 3)
    review(a, "mentee", 5, 4)
    action(a, dt.date(2026, 12, 1), "done", at(11, 30))
    action(a, dt.date(2026, 12, 10), "done", at(12, 12))
    action(a, dt.date(2026, 12, 20))
    action(a, dt.date(2026, 12, 5), "dropped")
    action(a, None, "done", at(12, 1))
    action(a, dt.date(2027, 1, 10))

    c = k.ws("C")
    agree(c, 7)
    held(c, at(12, 10), rating=2)
    held(c, at(12, 20), rating=2)

    Meeting.objects.create(workspace=k.ws("F"), starts_at=at(1, 4, 2027), duration_minutes=30)

    g = k.ws("G")
    held(g, at(9, 20), agenda="on_time")
    held(g, at(10, 4), agenda="on_time")

    review(k.ws("H"), "mentee", 3, 2)

    circle = CircleFactory.create(program=program)
    CircleMember.objects.create(
        circle=circle,
        mentee=MenteeFactory.create(program=program),
        status=CircleMember.Status.MEMBER,
        joined_at=SEP15,
    )
    return k


@pytest.fixture
def known(db):
    with time_machine.travel(NOW, tick=False):
        yield build_known()


def figures(k: Known, filters: Filters | None = None):
    return compute(k.program, filters or Filters(), NOW)


# --- The figures -------------------------------------------------------------------------


def test_pairs_by_status(known):
    d, _ = figures(known)
    assert d.pairs == 10
    assert {s.code: s.count for s in d.statuses} == {
        "proposed": 2,
        "active": 4,
        "completed": 1,
        "ended_early": 1,
        "declined": 1,
        "expired": 1,
    }


def test_match_rate_counts_enrolled_mentees_with_an_active_or_completed_pairing_or_a_circle(
    known,
):
    d, _ = figures(known)
    # 11 enrolled mentees: ten pairings' and the circle member. Matched: A B C F G, the circle.
    assert (d.match.part, d.match.whole, d.match.pct) == (6, 11, 55)
    assert d.circles_counted


def test_a_mentee_not_enrolled_is_not_counted(known):
    Membership.objects.filter(pk=known.pairs["D"].mentee_id).update(enrolled_at=None)
    d, _ = figures(known)
    assert (d.match.part, d.match.whole) == (6, 10)


def test_labels_and_reasons_of_the_open_pairs(known):
    d, snapshot = figures(known)
    assert d.open_pairs == 6
    assert {t.code: t.count for t in d.labels} == {NEEDS_CHECK_IN: 3, TOO_EARLY: 2, ON_TRACK: 1}
    assert {t.code: t.count for t in d.reasons} == {
        "no_meeting": 1,
        "overdue_review": 1,
        "no_agreement": 1,
        "low_ratings": 1,
        "unanswered_proposal": 1,
    }
    rows = {r.pk: r for r in snapshot.rows}
    label = {name: rows[p.pk].health for name, p in known.pairs.items()}
    assert label == {
        "A": ON_TRACK,
        "B": NEEDS_CHECK_IN,
        "C": NEEDS_CHECK_IN,
        "F": TOO_EARLY,
        "P1": NEEDS_CHECK_IN,
        "P2": TOO_EARLY,
        "D": "ended",
        "E": "ended",
        "G": "ended",
        "H": "ended",
    }
    assert rows[known.pairs["B"].pk].codes == ("no_meeting", "overdue_review", "no_agreement")
    assert rows[known.pairs["B"].pk].reasons[0].startswith("No meeting held in the 15 weeks")
    assert rows[known.pairs["C"].pk].reasons == ("Low check-in ratings lately (2.0 of 5)",)
    assert rows[known.pairs["P1"].pk].reasons == ("The proposal was not answered by 20 Dec",)


def test_meetings_per_pair_per_month_counts_running_one_to_one_pairs(known):
    d, _ = figures(known)
    # A (6 held, 106 days), B (0, 106 days), C (2, 40 days); F is a flash session.
    assert (d.running, d.held_running) == (3, 8)
    assert d.per_month == pytest.approx(8 / (252 / (365.25 / 12)))


def test_agendas_on_time_over_held_meetings(known):
    d, _ = figures(known)
    # Held: A 6, C 2, G 2. On time: A 5, G 2.
    assert (d.held, d.agendas.part, d.agendas.whole, d.agendas.pct) == (10, 7, 10, 70)


def test_check_in_rating_is_the_average_of_every_rating(known):
    d, _ = figures(known)
    assert d.checkins == 8
    assert d.rating == pytest.approx(30 / 8)


def test_action_items_done_on_time(known):
    d, _ = figures(known)
    # Counted: done on time, done late, open past due. Not: dropped, no due date, not yet due.
    assert (d.actions.part, d.actions.whole) == (1, 3)


def test_an_action_done_late_in_the_evening_is_judged_on_the_programs_clock(known):
    known.program.timezone = "America/Los_Angeles"
    known.program.save()
    # Done at 03:00 UTC on 11 Dec is 19:00 on 10 Dec in Los Angeles: on time.
    ActionItem.objects.filter(due_date=dt.date(2026, 12, 10)).update(
        done_at=dt.datetime(2026, 12, 11, 3, 0, tzinfo=dt.UTC)
    )
    d, _ = figures(known)
    assert (d.actions.part, d.actions.whole) == (2, 3)


def test_mid_point_reviews_complete_and_values(known):
    d, _ = figures(known)
    # Past the mid-point: A (both in), B (none), H (ended after it, one in). C is not yet,
    # G ended before its mid-point, F is a flash session.
    assert (d.reviews.part, d.reviews.whole) == (1, 3)
    assert d.midpoint_reviews == 3
    assert d.value_received == pytest.approx(12 / 3)
    assert d.value_given == pytest.approx(9 / 3)


def test_a_midpoint_reached_today_is_not_yet_a_missing_review(known):
    """The reviews open on the mid-point day itself; they are missing only after it."""
    Workspace.objects.filter(pk=known.ws("C").pk).update(midpoint_date=NOW.date())
    d, _ = figures(known)
    assert (d.reviews.part, d.reviews.whole) == (1, 3)
    Workspace.objects.filter(pk=known.ws("C").pk).update(
        midpoint_date=NOW.date() - dt.timedelta(days=1)
    )
    d, _ = figures(known)
    assert (d.reviews.part, d.reviews.whole) == (1, 4)


def test_the_monthly_trends(known):
    d, _ = figures(known)
    assert len(d.months) == 12
    assert d.months[0].start == dt.date(2026, 1, 1)
    assert d.months[-1].start == dt.date(2026, 12, 1)
    by_month = {m.start.month: m for m in d.months}
    assert [by_month[m].held for m in (9, 10, 11, 12)] == [1, 3, 2, 4]
    assert [by_month[m].agendas_on_time for m in (9, 10, 11, 12)] == [1, 3, 1, 2]
    assert by_month[12].rating == pytest.approx((4 + 4 + 2 + 2) / 4)
    assert by_month[8].rating is None
    assert [by_month[m].new_pairs for m in (9, 10, 11, 12)] == [4, 0, 1, 1]
    chart = d.chart()
    assert chart["labels"][-1] == "Dec 2026"
    assert chart["held"][-4:] == [1, 3, 2, 4]
    assert chart["agenda_pct"][-1] == 50


def test_months_are_the_programs_own(known):
    """30 Nov 23:30 UTC is already 1 Dec in Auckland: it counts in December there."""
    known.program.timezone = "Pacific/Auckland"
    known.program.save()
    held(known.ws("A"), dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC), rating=3)
    d, _ = figures(known)
    by_month = {m.start.month: m for m in d.months}
    assert [by_month[m].held for m in (11, 12)] == [2, 5]


def test_every_figure_is_the_sum_of_the_pair_rows(known):
    d, snapshot = figures(known)
    rows = snapshot.rows
    assert d.held == sum(r.held for r in rows)
    assert d.agendas.part == sum(r.agendas_on_time for r in rows)
    assert d.checkins == sum(r.checkins for r in rows)
    assert d.actions.whole == sum(r.actions_counted for r in rows)


# --- The labels match the workspace's own ------------------------------------------------


def test_each_running_pairs_label_is_the_one_its_workspace_shows(known):
    _, snapshot = figures(known)
    rows = {r.workspace_id: r for r in snapshot.rows if r.workspace_id}
    today = known.program.local_date(NOW)
    with time_machine.travel(NOW, tick=False):
        for ws in Workspace.objects.filter(program=known.program, pairing__isnull=False):
            own = derive_health(workspace_facts(ws, 2), today)
            assert (rows[ws.pk].health, rows[ws.pk].reasons) == (own.status, own.reasons), ws


def test_two_missed_meetings_in_a_row_are_a_reason(known):
    a = known.ws("A")
    for day in (20, 27):
        Meeting.objects.create(
            workspace=a, starts_at=at(12, day), duration_minutes=60, status=Meeting.Status.MISSED
        )
    _, snapshot = figures(known)
    row = next(r for r in snapshot.rows if r.workspace_id == a.pk)
    assert row.codes == ("missed_meetings",)


def test_a_wish_to_end_at_the_mid_point_is_a_reason(known):
    Review.objects.filter(workspace=known.ws("A")).update(decision=Review.Decision.END)
    _, snapshot = figures(known)
    row = next(r for r in snapshot.rows if r.pk == known.pairs["A"].pk)
    assert row.codes == ("wants_to_end",)


def test_every_reason_derive_health_gives_has_a_name():
    today = dt.date(2026, 12, 30)
    facts = Facts(
        open=True,
        start=today - dt.timedelta(days=100),
        midpoint=today - dt.timedelta(days=30),
        cadence_days=14,
        participants=2,
        held=4,
        last_held=today - dt.timedelta(days=40),
        last_two_missed=True,
        recent_ratings=(1, 2),
        midpoint_reviews=1,
        wants_to_end=True,
        agreed=False,
    )
    health = derive_health(facts, today)
    assert len(health.codes) == len(health.reasons) == 6
    # Every reason derive_health can give has a name and a label on the dashboard.
    assert set(health.codes) <= set(REASONS)


def test_a_proposal_is_unanswered_once_its_deadline_passed():
    created = NOW - dt.timedelta(days=3)
    tz = dt.UTC
    assert proposal_health(created, NOW - dt.timedelta(minutes=1), NOW, tz)[0] == NEEDS_CHECK_IN
    assert proposal_health(created, NOW + dt.timedelta(days=1), NOW, tz)[0] == TOO_EARLY
    # Without a deadline: a week.
    assert proposal_health(created, None, NOW, tz)[0] == TOO_EARLY
    old = NOW - dt.timedelta(days=8)
    status, reasons = proposal_health(old, None, NOW, tz)
    assert status == NEEDS_CHECK_IN
    assert reasons == ("The proposal has waited 8 days for an answer",)


# --- Filters -----------------------------------------------------------------------------


def _names(k: Known, filters: Filters) -> set[str]:
    _, snapshot = figures(k, filters)
    by_pk = {p.pk: name for name, p in k.pairs.items()}
    return {by_pk[r.pk] for r in snapshot.rows}


def test_a_pair_is_in_a_cohort_when_its_mentee_or_its_mentor_is(known):
    Membership.objects.filter(pk=known.pairs["A"].mentee_id).update(cohort="Spring 2026")
    Membership.objects.filter(pk=known.pairs["C"].mentor_id).update(cohort="Spring 2026")
    assert _names(known, Filters(cohort="Spring 2026")) == {"A", "C"}
    d, _ = figures(known, Filters(cohort="Spring 2026"))
    # The match rate counts the mentees in the cohort: A's.
    assert (d.match.part, d.match.whole) == (1, 1)
    assert d.held == 8
    assert (d.agendas.part, d.agendas.whole) == (5, 8)
    assert sum(m.held for m in d.months) == 8


def test_the_department_filter(known):
    Membership.objects.filter(pk=known.pairs["B"].mentee_id).update(department="Sales")
    assert _names(known, Filters(department="Sales")) == {"B"}
    assert _names(known, Filters(department="Sales", cohort="Spring")) == set()


def test_the_kind_and_relationship_filters(known):
    assert _names(known, Filters(kind="flash")) == {"F"}
    assert _names(known, Filters(relationship="peer")) == {"C"}
    d, _ = figures(known, Filters(kind="one_to_one"))
    # Circles are another kind: left out; F is a flash pairing.
    assert not d.circles_counted
    assert (d.match.part, d.match.whole) == (4, 11)


def test_the_dashboard_page_applies_the_filters_and_names_what_it_ignored(known):
    Membership.objects.filter(pk=known.pairs["A"].mentee_id).update(cohort="Spring 2026")
    client = known_client(known)
    url = reverse("health:dashboard", kwargs={"slug": known.program.slug})
    with time_machine.travel(NOW, tick=False):
        body = client.get(url, {"cohort": "Spring 2026", "kind": "nonsense"}).content.decode()
    assert 'Pairs <span class="text-muted fw-normal">(1)</span>' in body
    assert "Ignored what was not understood: kind" in body
    assert "?cohort=Spring+2026&amp;figure=agendas" in body


def known_client(k: Known):
    from django.test import Client

    client = Client()
    client.force_login(k.admin)
    return client


# --- The pairs behind a figure -----------------------------------------------------------


def _picked(k: Known, query: dict[str, str]) -> list[str]:
    _, snapshot = figures(k)
    selection, ignored = read_selection(query)
    assert not ignored
    by_pk = {p.pk: name for name, p in k.pairs.items()}
    return [by_pk[r.pk] for r in select(snapshot.rows, selection)]


def test_the_pairs_behind_each_figure(known):
    assert sorted(_picked(known, {"label": NEEDS_CHECK_IN})) == ["B", "C", "P1"]
    assert _picked(known, {"reason": "overdue_review"}) == ["B"]
    assert _picked(known, {"reason": "unanswered_proposal"}) == ["P1"]
    assert sorted(_picked(known, {"status": "active"})) == ["A", "B", "C", "F"]
    assert sorted(_picked(known, {"figure": "matched"})) == ["A", "B", "C", "F", "G"]
    # Worst first: C (no agenda on time) before A (5 of 6) before G (2 of 2).
    assert _picked(known, {"figure": "agendas"}) == ["C", "A", "G"]
    assert _picked(known, {"figure": "ratings"}) == ["C", "A"]
    assert _picked(known, {"figure": "actions"}) == ["A"]
    assert _picked(known, {"figure": "reviews"}) == ["B", "H", "A"]
    assert _picked(known, {"figure": "values"}) == ["H", "A"]
    assert _picked(known, {"figure": "meetings"})[0] == "B"
    assert sorted(_picked(known, {"status": "active", "label": NEEDS_CHECK_IN})) == ["B", "C"]


def test_a_selection_that_is_not_understood_is_named(known):
    selection, ignored = read_selection({"label": "sad", "figure": "agendas", "reason": "?"})
    assert selection.figure == "agendas"
    assert not selection.label
    assert sorted(ignored) == ["label", "reason"]


def test_the_pair_list_shows_the_pairs_and_links_to_their_workspaces(known):
    client = known_client(known)
    url = reverse("health:pairs", kwargs={"slug": known.program.slug})
    with time_machine.travel(NOW, tick=False):
        body = client.get(url, {"reason": "overdue_review"}).content.decode()
    b = known.pairs["B"]
    assert f"{b.mentor.user.display_name} and {b.mentee.user.display_name}" in body
    assert known.ws("B").get_absolute_url() in body
    assert "The mid-point review is overdue" in body
    a = known.pairs["A"]
    assert a.mentee.user.display_name not in body
    assert "Needing a check-in because: Mid-point review overdue" in body


def test_the_pair_list_is_paginated(known, monkeypatch):
    monkeypatch.setattr("sessions.views.health.PAGE_SIZE", 4)
    client = known_client(known)
    url = reverse("health:pairs", kwargs={"slug": known.program.slug})
    with time_machine.travel(NOW, tick=False):
        pages = [client.get(url, {"page": n}) for n in (1, 2, 3, 9, "x")]
    assert [len(p.context["page"].object_list) for p in pages] == [4, 4, 2, 2, 4]
    assert pages[0].context["page"].paginator.num_pages == 3
    shown = [r.pk for p in pages[:3] for r in p.context["page"].object_list]
    assert sorted(shown) == sorted(p.pk for p in known.pairs.values())
    # Needing a check-in comes first; the next page's link keeps the selection.
    assert pages[0].context["page"].object_list[0].health == NEEDS_CHECK_IN
    with time_machine.travel(NOW, tick=False):
        body = client.get(url, {"status": "proposed", "cohort": ""}).content.decode()
    assert "Page 1 of" not in body
    with time_machine.travel(NOW, tick=False):
        body = client.get(url, {"label": "needs_check_in"}).content.decode()
    assert "?label=needs_check_in&amp;page=1" not in body  # one page: no pager
    with time_machine.travel(NOW, tick=False):
        body = client.get(url, {"kind": "one_to_one"}).content.decode()
    assert "?kind=one_to_one&amp;page=2" in body


def test_rows_streamed_in_batches_are_the_rows_read_at_once(known):
    with time_machine.travel(NOW, tick=False):
        at_once = list(pair_rows(known.program, Filters(), now=NOW, batch=None))
        batched = list(pair_rows(known.program, Filters(), now=NOW, batch=3))
    assert batched == at_once
    assert [r.pk for r in at_once] == sorted(p.pk for p in known.pairs.values())


def test_figures_are_cached_briefly_and_say_when_they_were_read(known):
    client = known_client(known)
    url = reverse("health:dashboard", kwargs={"slug": known.program.slug})
    with time_machine.travel(NOW, tick=False):
        first = client.get(url).content.decode()
    assert "7 of 10 held meetings" in first
    held(known.ws("A"), at(12, 29), agenda="on_time")
    with time_machine.travel(NOW + dt.timedelta(seconds=30), tick=False):
        cached = client.get(url).content.decode()
    assert "7 of 10 held meetings" in cached
    assert "Figures as of 12:00" in cached
    # The pair list reads the same moment's rows.
    with time_machine.travel(NOW + dt.timedelta(seconds=30), tick=False):
        pairs = client.get(reverse("health:pairs", kwargs={"slug": known.program.slug}))
    assert sum(r.held for r in pairs.context["page"].paginator.object_list) == 10
    with time_machine.travel(NOW + dt.timedelta(seconds=61), tick=False):
        fresh = client.get(url).content.decode()
    assert "8 of 11 held meetings" in fresh
    assert "Figures as of 12:01" in fresh
    # Other filters are other figures.
    with time_machine.travel(NOW + dt.timedelta(seconds=62), tick=False):
        other = client.get(url, {"kind": "flash"}).content.decode()
    assert 'Pairs <span class="text-muted fw-normal">(1)</span>' in other


def test_a_program_without_pairs_shows_dashes(db):
    program = ProgramFactory.create()
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    MentorFactory.create(program=program)
    d, snapshot = compute(program, Filters())
    assert (d.pairs, snapshot.rows) == (0, [])
    assert d.match.pct is None
    assert d.per_month is None
    assert d.rating is None
    from django.test import Client

    client = Client()
    client.force_login(admin)
    response = client.get(reverse("health:dashboard", kwargs={"slug": program.slug}))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<div class="display-6">—</div>' in body
    assert "No open pair needs a check-in." in body
    response = client.get(reverse("health:pairs", kwargs={"slug": program.slug}))
    assert "No pairs match." in response.content.decode()
