"""The demo leaves a program ready to match, with one pair already matched."""

import pytest
from django.core.management import call_command

from matching import services
from matching.models import Pairing
from programs import demo
from programs.models import Program

pytestmark = pytest.mark.django_db


def test_seed_demo_matches_the_demo_pair_and_is_ready_to_match(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    out = capsys.readouterr().out
    assert "Maya Okafor mentors Sam Rivera" in out
    program = Program.objects.get(slug=demo.DEMO_SLUG)
    assert program.status == Program.Status.MATCHING
    pair = Pairing.objects.get(program=program, status=Pairing.Status.ACTIVE)
    assert pair.mentor.user.email == demo.MENTOR_EMAIL
    assert pair.mentee.user.email == demo.MENTEE_EMAIL
    topics = next(item for item in pair.explanation if item["criterion"] == "topics")
    assert topics["points"] == topics["max_points"]  # the mentor offers every topic needed
    assert program.circles.get().members.count() == 2
    offer = program.flash_offers.get()
    assert offer.mentor == pair.mentor
    assert offer.slots.count() == 3
    admin = program.memberships.get(user__email=demo.ADMIN_EMAIL).user
    # Waiting for an answer, for the reminders to show: the demo mentor's proposal and a
    # request expire within a day, another proposal and request are already overdue.
    proposals = program.pairings.filter(status=Pairing.Status.PROPOSED)
    assert proposals.count() == 2
    assert proposals.filter(mentor=pair.mentor).count() == 1
    assert program.mentor_requests.filter(status="pending").count() == 2
    run = services.run_create(program=program, actor=admin)
    # Two fewer than before the proposals: their mentees await an answer.
    assert run.mentee_count == 26 - 2
    assert run.matched_count == 26 - 2


def test_seeding_again_over_an_older_demo_whose_mentors_are_full_still_works(settings):
    """A demo database seeded before the waiting proposals existed may have its mentors
    full (matching published there): seeding again leaves that proposal out, no error."""
    settings.DEBUG = True
    call_command("seed_demo")
    program = Program.objects.get(slug=demo.DEMO_SLUG)
    program.mentor_requests.all().delete()
    program.pairings.filter(status=Pairing.Status.PROPOSED).delete()
    program.memberships.filter(role="mentor").update(capacity=1)
    call_command("seed_demo")
    assert program.mentor_requests.filter(status="pending").count() == 2
