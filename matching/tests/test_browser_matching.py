"""The matching journey in a real browser: run, lock, forbid, publish, accept, see the match."""

import re

import pytest

from matching import demo as matching_demo
from matching.models import MatchConstraint, MatchRun, Pairing
from mentoring.tests.test_browser_enrolment import sign_in
from programs import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_matches_publishes_mentor_accepts_and_mentee_sees_the_match(live_server, new_page):
    seeded = demo.seed()
    matching_demo.seed(
        seeded.program, mentor_email=demo.MENTOR_EMAIL, mentee_email=demo.MENTEE_EMAIL
    )
    base = live_server.url
    slug = seeded.program.slug

    # The demo admin opens the matching board and runs matching.
    admin = new_page()
    sign_in(admin, base, demo.ADMIN_EMAIL, demo.DEMO_PASSWORD)
    admin.goto(f"{base}/programs/{slug}/")
    tabs = admin.get_by_role("navigation", name="Program administration")
    tabs.get_by_role("link", name="Matching").click()
    admin.get_by_role("button", name="Run matching").click()
    admin.get_by_text(re.compile(r"Matching found mentors for \d+ of \d+ mentees")).wait_for()
    assert admin.get_by_text("better than first-come-first-served").is_visible()
    run = MatchRun.objects.get(program=seeded.program, status="draft")
    rows = admin.locator("#suggestions tbody tr")
    assert rows.count() >= 2

    # Lock the first suggested pair and forbid the second.
    first, second = run.suggestions.exclude(mentor=None).order_by("-score", "id")[:2]
    assert first.mentor is not None
    assert second.mentor is not None
    first_name = first.mentee.user.display_name
    second_name = second.mentee.user.display_name
    admin.get_by_role(
        "button", name=f"Lock {first_name} with {first.mentor.user.display_name}"
    ).click()
    admin.get_by_text(f"{first_name} stays with").wait_for()
    admin.get_by_role(
        "button", name=f"Forbid {second_name} with {second.mentor.user.display_name}"
    ).click()
    admin.get_by_text("will never be suggested together").wait_for()
    assert MatchConstraint.objects.filter(kind="lock", mentee=first.mentee).exists()
    assert MatchConstraint.objects.filter(kind="forbid", mentee=second.mentee).exists()

    # Re-run keeping both, then publish.
    admin.get_by_role("button", name="Run matching again").click()
    admin.get_by_text(re.compile(r"Matching found mentors")).wait_for()
    run = MatchRun.objects.get(program=seeded.program, status="draft")
    assert run.suggestions.get(mentee=first.mentee).mentor_id == first.mentor_id
    assert run.suggestions.get(mentee=second.mentee).mentor_id != second.mentor_id
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="Publish as proposals").click()
    admin.get_by_text("proposals are on their way to the mentors").wait_for()
    proposal = Pairing.objects.get(match_run=run, mentee=first.mentee)
    assert proposal.status == "proposed"

    # The mentee does not see the proposal yet.
    mentee = new_page()
    sign_in(mentee, base, proposal.mentee.user.email, demo.DEMO_PASSWORD)
    mentee.goto(f"{base}/programs/{slug}/mentoring/")
    assert mentee.get_by_text("is your mentor").count() == 0

    # The mentor accepts from their home page.
    mentor = new_page()
    sign_in(mentor, base, proposal.mentor.user.email, demo.DEMO_PASSWORD)
    mentor.get_by_role("link", name=f"would you mentor {first_name}?").click()
    mentor.get_by_role("heading", name=f"Would you mentor {first_name}?").wait_for()
    mentor.get_by_role("button", name="Accept").click()
    mentor.get_by_text(f"You are now {first_name}'s mentor").wait_for()
    proposal.refresh_from_db()
    assert proposal.status == "active"

    # Now the mentee sees their match, with the reasons in their own words.
    mentee.goto(f"{base}/")
    mentee.get_by_role("link", name=f"{proposal.mentor.user.display_name} is your mentor").click()
    mentee.get_by_role(
        "heading", name=f"Your mentor: {proposal.mentor.user.display_name}"
    ).wait_for()
    mentee.get_by_role("heading", name=re.compile("Why this match")).wait_for()
