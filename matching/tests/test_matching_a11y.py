"""Every matching page passes the accessibility checker, for each role that uses it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from matching import services
from matching.models import MatchRun, Pairing
from matching.tests.factories import (
    CircleFactory,
    CircleMemberFactory,
    FlashOfferFactory,
    FlashSlotFactory,
    MenteeFactory,
    MentorFactory,
    MentorRequestFactory,
    PairingFactory,
)
from mentoring.tests.test_templates_a11y import assert_accessible
from programs.models import Membership, Program
from programs.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    program = personas.program
    Program.objects.filter(pk=program.pk).update(
        status=Program.Status.MATCHING,
        matching_mode=Program.MatchingMode.HYBRID,
        allow_circles=True,
        allow_flash=True,
    )
    program.refresh_from_db()
    topic = TopicFactory.create(program=program, name="Negotiation")
    mentor, mentee = personas.membership("mentor"), personas.membership("mentee")
    Membership.objects.filter(pk__in=[mentor.pk, mentee.pk]).update(
        enrolled_at=dt.datetime.now(dt.UTC)
    )
    for m in (mentor, mentee):
        m.topics.set([topic])
    for _ in range(3):
        MenteeFactory.create(program=program).topics.set([topic])
        MentorFactory.create(program=program).topics.set([topic])
    services.run_create(program=program, actor=personas.admin)
    active = PairingFactory.create(
        program=program, mentor=mentor, mentee=mentee, status=Pairing.Status.ACTIVE
    )
    other_mentor = MentorFactory.create(program=program)
    MentorRequestFactory.create(program=program, mentor=other_mentor, mentee=mentee)
    circle = CircleFactory.create(program=program, mentor=mentor, topic=topic)
    CircleMemberFactory.create(circle=circle)
    offer = FlashOfferFactory.create(program=program, mentor=mentor, topic=topic)
    FlashSlotFactory.create(offer=offer)
    personas.active = active
    personas.circle = circle
    personas.offer = offer
    return personas


def _urls(w) -> dict[str, tuple[str, str]]:
    slug = w.program.slug
    run = MatchRun.objects.get(program=w.program, status="draft")
    suggestion = run.suggestions.first()
    assert suggestion is not None
    return {
        "board": ("admin", reverse("matching:board", args=[slug])),
        "board sorted": ("admin", reverse("matching:board", args=[slug]) + "?sort=mentee"),
        "pick by hand": ("admin", reverse("matching:suggestion_pick", args=[slug, suggestion.pk])),
        "locks and forbids": ("admin", reverse("matching:constraints", args=[slug])),
        "matching settings": ("admin", reverse("matching:settings", args=[slug])),
        "pairings": ("admin", reverse("matching:pairings", args=[slug])),
        "pairing (admin)": ("admin", w.active.get_absolute_url()),
        "pairing (mentee)": ("mentee", w.active.get_absolute_url()),
        "pairing (mentor)": ("mentor", w.active.get_absolute_url()),
        "end early": ("mentor", reverse("matching:pairing_end", args=[slug, w.active.pk])),
        "my mentoring": ("mentee", reverse("matching:mine", args=[slug])),
        "my mentoring (mentor)": ("mentor", reverse("matching:mine", args=[slug])),
        "preferences": ("mentee", reverse("matching:preferences", args=[slug, "mentee"])),
        "find a mentor": ("mentee", reverse("matching:mentors", args=[slug])),
        "requests (mentee)": ("mentee", reverse("matching:requests", args=[slug])),
        "requests (admin)": ("admin", reverse("matching:requests", args=[slug])),
        "circles": ("mentee", reverse("matching:circles", args=[slug])),
        "circle": ("mentor", w.circle.get_absolute_url()),
        "new circle": ("admin", reverse("matching:circle_create", args=[slug])),
        "flash": ("mentee", reverse("matching:flash", args=[slug])),
        "flash offer": ("mentee", reverse("matching:flash_offer", args=[slug, w.offer.pk])),
        "new flash offer": ("mentor", reverse("matching:flash_offer_create", args=[slug])),
        "home": ("mentor", reverse("home")),
        "program overview (mentee)": ("mentee", reverse("programs:detail", args=[slug])),
    }


PAGE_NAMES = [
    "board",
    "board sorted",
    "pick by hand",
    "locks and forbids",
    "matching settings",
    "pairings",
    "pairing (admin)",
    "pairing (mentee)",
    "pairing (mentor)",
    "end early",
    "my mentoring",
    "my mentoring (mentor)",
    "preferences",
    "find a mentor",
    "requests (mentee)",
    "requests (admin)",
    "circles",
    "circle",
    "new circle",
    "flash",
    "flash offer",
    "new flash offer",
    "home",
    "program overview (mentee)",
]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_matching_pages_are_accessible(world, name):
    who, url = _urls(world)[name]
    assert_accessible(world.client(who).get(url))


def test_every_page_name_is_checked(world):
    assert sorted(_urls(world)) == sorted(PAGE_NAMES)
