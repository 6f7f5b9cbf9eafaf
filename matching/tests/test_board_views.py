"""The matching board and pairing pages in the browser's terms: pages, actions, query budgets."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import MatchConstraint, MatchRun, MatchSuggestion, Pairing
from matching.tests.factories import MenteeFactory, MentorFactory, PairingFactory
from mentoring.models import User
from programs.models import Membership, Program
from programs.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(personas):
    """The personas' program, in matching, with a few more people to match."""
    program = personas.program
    Program.objects.filter(pk=program.pk).update(status=Program.Status.MATCHING)
    topic = TopicFactory.create(program=program, name="Negotiation")
    mentor = personas.membership("mentor")
    Membership.objects.filter(pk=mentor.pk).update(enrolled_at=program.created_at, capacity=2)
    mentor.topics.set([topic])
    mentee = personas.membership("mentee")
    Membership.objects.filter(pk=mentee.pk).update(enrolled_at=program.created_at)
    mentee.topics.set([topic])
    for _ in range(3):
        MenteeFactory.create(program=program).topics.set([topic])
    MentorFactory.create(program=program, capacity=1)
    return personas


def test_admin_runs_matching_and_sees_the_draft_with_a_summary(ready):
    client = ready.client("admin")
    response = client.post(reverse("matching:run", kwargs={"slug": ready.program.slug}))
    assert response.status_code == 302
    page = client.get(reverse("matching:board", kwargs={"slug": ready.program.slug}))
    html = page.content.decode()
    assert "3 / 4" in html  # three places for four mentees
    assert "better than first-come-first-served" in html
    assert "Publish as proposals" in html
    assert "Negotiation" in html  # the explanation names the topic


def test_board_without_a_run_explains_what_to_do(ready):
    html = ready.client("admin").get(f"/programs/{ready.program.slug}/matching/").content.decode()
    assert "No matching has been run yet" in html


def test_running_matching_with_nobody_enrolled_says_why(personas):
    Program.objects.filter(pk=personas.program.pk).update(status=Program.Status.MATCHING)
    client = personas.client("admin")
    response = client.post(
        reverse("matching:run", kwargs={"slug": personas.program.slug}), follow=True
    )
    assert "Every enrolled mentee already has a mentor" in response.content.decode()


def test_lock_forbid_and_publish_through_the_board(ready):
    client = ready.client("admin")
    slug = ready.program.slug
    client.post(reverse("matching:run", kwargs={"slug": slug}))
    run = MatchRun.objects.get(program=ready.program, status="draft")
    matched = list(run.suggestions.exclude(mentor=None))
    lock, forbid = matched[0], matched[1]
    client.post(reverse("matching:suggestion_lock", kwargs={"slug": slug, "pk": lock.pk}))
    client.post(reverse("matching:suggestion_forbid", kwargs={"slug": slug, "pk": forbid.pk}))
    assert MatchConstraint.objects.filter(kind="lock", mentee=lock.mentee).exists()
    assert MatchConstraint.objects.filter(kind="forbid", mentee=forbid.mentee).exists()
    html = client.get(reverse("matching:board", kwargs={"slug": slug})).content.decode()
    assert "You forbade the pair" in html
    client.post(reverse("matching:run", kwargs={"slug": slug}))
    run = MatchRun.objects.get(program=ready.program, status="draft")
    assert run.suggestions.get(mentee=lock.mentee).mentor_id == lock.mentor_id
    assert run.suggestions.get(mentee=forbid.mentee).mentor_id != forbid.mentor_id
    response = client.post(reverse("matching:publish", kwargs={"slug": slug, "pk": run.pk}))
    assert response.status_code == 302
    assert Pairing.objects.filter(match_run=run, status="proposed").count() == run.matched_count


def test_pick_page_lists_mentors_with_score_and_reason(ready):
    client = ready.client("admin")
    slug = ready.program.slug
    client.post(reverse("matching:run", kwargs={"slug": slug}))
    s = MatchSuggestion.objects.filter(run__program=ready.program).first()
    assert s is not None
    html = client.get(
        reverse("matching:suggestion_pick", kwargs={"slug": slug, "pk": s.pk})
    ).content.decode()
    assert ready.mentor.display_name in html
    assert "fit" in html
    assert "Why this score" in html


@pytest.mark.parametrize("chosen", ["²", "٣", "99999999999999999999", "-1", "abc"])
def test_picking_a_mentor_by_a_non_ascii_or_absurd_id_is_refused_not_a_500(ready, chosen):
    client = ready.client("admin")
    slug = ready.program.slug
    client.post(reverse("matching:run", kwargs={"slug": slug}))
    s = MatchSuggestion.objects.filter(run__program=ready.program).first()
    assert s is not None
    before = (s.mentor_id, s.locked)
    response = client.post(
        reverse("matching:suggestion_pick", kwargs={"slug": slug, "pk": s.pk}),
        {"mentor": chosen},
        follow=True,
    )
    assert response.status_code == 200
    assert "Choose one of the mentors listed." in response.content.decode()
    s.refresh_from_db()
    assert (s.mentor_id, s.locked) == before


def test_next_parameter_cannot_send_the_admin_elsewhere(ready):
    client = ready.client("admin")
    slug = ready.program.slug
    client.post(reverse("matching:run", kwargs={"slug": slug}))
    s = MatchSuggestion.objects.exclude(mentor=None).first()
    assert s is not None
    response = client.post(
        reverse("matching:suggestion_lock", kwargs={"slug": slug, "pk": s.pk}),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("matching:board", kwargs={"slug": slug})
    response = client.post(
        reverse("matching:suggestion_unlock", kwargs={"slug": slug, "pk": s.pk}),
        {"next": reverse("matching:board", kwargs={"slug": slug}) + "?sort=mentee&page=1"},
    )
    assert response["Location"].endswith("?sort=mentee&page=1")


def test_the_mentee_sees_the_match_only_after_the_mentor_accepts(ready):
    pairing = PairingFactory.create(
        program=ready.program,
        mentor=ready.membership("mentor"),
        mentee=ready.membership("mentee"),
        explanation=[
            {
                "criterion": "topics",
                "label": "Topic fit",
                "points": 5,
                "max_points": 5,
                "text": "offers Negotiation",
                "you_text": "offers the topic you need: Negotiation",
            }
        ],
        score=5,
    )
    mentee = ready.client("mentee")
    url = pairing.get_absolute_url()
    assert mentee.get(url).status_code == 404
    assert (
        ready.mentor.display_name
        not in mentee.get(
            reverse("matching:mine", kwargs={"slug": ready.program.slug})
        ).content.decode()
    )
    mentor = ready.client("mentor")
    assert "Would you mentor" in mentor.get(url).content.decode()
    mentor.post(
        reverse("matching:pairing_accept", kwargs={"slug": ready.program.slug, "pk": pairing.pk})
    )
    html = mentee.get(url).content.decode()
    assert f"Your mentor: {ready.mentor.display_name}" in html
    assert "the topic you need" in html
    home = mentee.get("/").content.decode()
    assert f"{ready.mentor.display_name} is your mentor" in home


def test_decline_page_requires_a_reason(ready):
    pairing = PairingFactory.create(
        program=ready.program, mentor=ready.membership("mentor"), mentee=ready.membership("mentee")
    )
    client = ready.client("mentor")
    url = reverse("matching:pairing_decline", kwargs={"slug": ready.program.slug, "pk": pairing.pk})
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    response = client.post(url, {"reason": "I am on leave"})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.status == "declined"


def test_an_illegal_action_shows_the_reason_not_an_error_page(ready):
    pairing = PairingFactory.create(
        program=ready.program,
        mentor=ready.membership("mentor"),
        mentee=ready.membership("mentee"),
        status=Pairing.Status.DECLINED,
    )
    response = ready.client("mentor").post(
        reverse("matching:pairing_accept", kwargs={"slug": ready.program.slug, "pk": pairing.pk}),
        follow=True,
    )
    assert response.status_code == 200
    assert "This pairing is declined; only a proposed pairing can be accepted." in (
        response.content.decode()
    )


def _big_run(program: Program, mentees: int) -> MatchRun:
    """A draft run with ``mentees`` suggestions, written in bulk."""
    mentor = MentorFactory.create(program=program)
    users = User.objects.bulk_create(
        [
            User(email=f"bulk{program.pk}-{mentees}-{i}@example.org", name=f"Mentee {i:05d}")
            for i in range(mentees)
        ]
    )
    memberships = Membership.objects.bulk_create(
        [Membership(program=program, user=u, role="mentee") for u in users]
    )
    run = MatchRun.objects.create(program=program, mentee_count=mentees, weights={"topics": 5})
    MatchSuggestion.objects.bulk_create(
        [
            MatchSuggestion(
                run=run,
                mentee=m,
                mentor=mentor if i % 3 else None,
                score=(i % 97) / 10 if i % 3 else None,
                explanation=[
                    {"criterion": "topics", "label": "Topic fit", "points": 1, "text": "t"}
                ],
            )
            for i, m in enumerate(memberships)
        ]
    )
    return run


@pytest.mark.parametrize("sort", ["-score", "mentee", "mentor"])
def test_board_queries_stay_constant_from_20_to_2000_mentees(personas, sort):
    client = personas.client("admin")
    url = reverse("matching:board", kwargs={"slug": personas.program.slug})
    counts = []
    for size in (20, 2000):
        MatchRun.objects.filter(program=personas.program).delete()
        _big_run(personas.program, size)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"sort": sort, "page": 1})
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 15


def test_board_paginates_and_sorts(personas):
    _big_run(personas.program, 120)
    client = personas.client("admin")
    url = reverse("matching:board", kwargs={"slug": personas.program.slug})
    html = client.get(url, {"sort": "mentee", "page": 3}).content.decode()
    assert "Page 3 of 3" in html
    assert "Mentee 00100" in html
    assert "Mentee 00000" not in html
    html = client.get(url, {"sort": "nonsense", "page": "zzz"}).content.decode()
    assert "Page 1 of 3" in html


def test_home_mentoring_section_costs_the_same_for_1_and_15_pairings(personas):
    mentor = personas.membership("mentor")
    Membership.objects.filter(pk=mentor.pk).update(capacity=20)
    client = personas.client("mentor")
    counts = []
    for n in (1, 14):
        for _ in range(n):
            PairingFactory.create(
                program=personas.program, mentor=mentor, status=Pairing.Status.ACTIVE
            )
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(reverse("home")).content.decode()
        counts.append(len(ctx.captured_queries))
    assert html.count("You mentor ") == 15
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("url_name", ["matching:pairings", "matching:mine"])
def test_pairing_lists_cost_the_same_for_3_and_40_pairings(personas, url_name):
    mentor = personas.membership("mentor")
    Membership.objects.filter(pk=mentor.pk).update(capacity=20)
    who = "admin" if url_name == "matching:pairings" else "mentor"
    client = personas.client(who)
    url = reverse(url_name, kwargs={"slug": personas.program.slug})
    statuses = [Pairing.Status.PROPOSED, Pairing.Status.ACTIVE, Pairing.Status.COMPLETED]
    counts = []
    for n in (3, 37):
        for i in range(n):
            PairingFactory.create(program=personas.program, mentor=mentor, status=statuses[i % 3])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
