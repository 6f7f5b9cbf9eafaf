"""Program health and the constellation in a real browser, on the demo's own data.

The demo admin opens the health dashboard of the program five months into its run and
follows the "no meeting" figure down to a pair behind it, into its workspace; the demo
mentee opens their constellation and finds a mentor by a topic.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from matching.models import Pairing
from mentoring.tests.test_browser_enrolment import sign_in
from programs import demo
from programs.models import Membership
from sessions import demo_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False


def test_admin_follows_an_at_risk_figure_to_the_pair_behind_it(seeded, live_server, new_page):
    base = live_server.url
    page = new_page()
    sign_in(page, base, demo.ADMIN_EMAIL, demo.DEMO_PASSWORD)
    page.goto(f"{base}/programs/{demo_history.SLUG}/")
    tabs = page.get_by_role("navigation", name="Program administration")
    tabs.get_by_role("link", name="Health").click()
    page.get_by_role("heading", name="Program health").first.wait_for()

    # The pairs that have not met for over twice their cadence: the demo has two.
    page.get_by_role("link", name="No meeting for over twice the cadence").click()
    rows = page.locator("table tbody tr")
    rows.first.wait_for()
    now = timezone.now()
    at_risk = [
        f"{p.mentor.user.display_name} and {p.mentee.user.display_name}"
        for p in Pairing.objects.filter(
            program__slug=demo_history.SLUG,
            status=Pairing.Status.ACTIVE,
            workspace__at_risk_from__lte=now,
        ).select_related("mentor__user", "mentee__user")
    ]
    assert len(at_risk) >= 2
    assert rows.count() == len(at_risk)
    mayas = next(name for name in at_risk if name.startswith("Maya Okafor and"))
    pair = page.get_by_role("link", name=mayas)
    pair.click()

    # The pair's workspace, as the admin of a metadata-only program sees it.
    page.get_by_role("navigation", name="Workspace sections").wait_for()
    assert page.get_by_text("You see figures, not what they write").is_visible()
    assert page.title().startswith(mayas)


def test_mentee_finds_a_mentor_by_topic_in_their_constellation(seeded, live_server, new_page):
    base = live_server.url
    maya = Membership.objects.get(
        program__slug=demo.DEMO_SLUG, user__email=demo.MENTOR_EMAIL, role="mentor"
    )
    topic = maya.topics.order_by("name").first()
    assert topic is not None
    page = new_page()
    sign_in(page, base, demo.MENTEE_EMAIL, demo.DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My constellation").click()
    page.get_by_role("heading", name="Your constellation", level=1).wait_for()
    assert page.get_by_role("img", name="Your constellation").is_visible()

    page.get_by_label("What do you need help with?").fill(topic.name)
    page.get_by_role("search").get_by_role("button", name="Search").click()
    page.get_by_role("status").filter(has_text=topic.name).wait_for()
    results = page.get_by_role("list", name="Mentors who can help")
    found = results.get_by_role("article", name="Maya Okafor")
    found.wait_for()
    # Sam already has Maya as his mentor: he can book one of her flash sessions.
    assert found.get_by_role("link", name="Book a flash session").is_visible()
