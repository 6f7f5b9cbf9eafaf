"""The matching part of the demo: a program ready to match, and one pair already matched."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from matching import scoring
from matching.models import (
    Circle,
    CircleMember,
    FlashOffer,
    FlashSlot,
    MatchingPreference,
    MentorRequest,
    Pairing,
)
from matching.services.pairings import pairing_create
from programs.models import Membership, Program


@dataclass
class DemoMatching:
    pairing: Pairing
    to_match: int


@transaction.atomic
def seed(program: Program, *, mentor_email: str, mentee_email: str) -> DemoMatching:
    """Pair the demo mentor with the demo mentee and open the program for matching."""
    mentor = Membership.objects.select_related("user").get(
        program=program, user__email=mentor_email, role=Membership.Role.MENTOR
    )
    mentee = Membership.objects.select_related("user").get(
        program=program, user__email=mentee_email, role=Membership.Role.MENTEE
    )
    # The demo mentee ranked the demo mentor first and two others after.
    others = list(
        Membership.objects.filter(
            program=program, role=Membership.Role.MENTOR, enrolled_at__isnull=False
        )
        .exclude(pk=mentor.pk)
        .order_by("user__email")[:2]
    )
    if not MatchingPreference.objects.filter(chooser=mentee).exists():
        for rank, chosen in enumerate([mentor, *others], start=1):
            MatchingPreference.objects.create(
                program=program, chooser=mentee, chosen=chosen, rank=rank
            )
    if not MatchingPreference.objects.filter(chooser=mentor).exists():
        MatchingPreference.objects.create(program=program, chooser=mentor, chosen=mentee, rank=1)
    pairing = Pairing.objects.filter(mentor=mentor, mentee=mentee).first()
    if pairing is None:
        # The demo pair is a good match: the mentor offers what the mentee needs.
        mentor.topics.add(*mentee.topics.all())
        pool = scoring.load_pool(
            program,
            mentees=Membership.objects.filter(pk=mentee.pk),
            mentors=Membership.objects.filter(pk=mentor.pk),
        )
        scored = scoring.score_pool(program, pool)
        pairing = pairing_create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            source=Pairing.Source.MATCHING,
            status=Pairing.Status.ACTIVE,
            score=float(scored.scores[0, 0]),
            explanation=scored.explain(0, 0),
        )
        pairing.started_at = timezone.now() - dt.timedelta(days=10)
        pairing.save(update_fields=["started_at"])
    _circle_and_flash(program, mentor, others)
    _waiting_for_answers(program, mentor, others)
    if program.status == Program.Status.ENROLLING:
        # Enrolment is done: the admin can run matching straight away.
        Program.objects.filter(pk=program.pk).update(status=Program.Status.MATCHING)
        program.status = Program.Status.MATCHING
    to_match = len(scoring.load_pool(program).mentees)
    return DemoMatching(pairing=pairing, to_match=to_match)


def _waiting_for_answers(program: Program, mentor: Membership, others: list[Membership]) -> None:
    """A proposal and mentor requests waiting for an answer, so that the reminder sweeps
    have one of each to tell (README, "Reminders"): the demo mentor's proposal and a
    request expire within a day; another proposal and request are past their deadline
    and expire at the first sweep (then their mentee is back in the pool)."""
    if len(others) < 2 or MentorRequest.objects.filter(program=program).exists():
        return
    now = timezone.now()
    open_pairing = Pairing.objects.filter(mentee=OuterRef("pk"), status__in=Pairing.OPEN_STATUSES)
    seats = CircleMember.objects.filter(mentee=OuterRef("pk"))
    free = list(
        Membership.objects.filter(
            program=program, role=Membership.Role.MENTEE, enrolled_at__isnull=False
        )
        .exclude(Exists(open_pairing))
        .exclude(Exists(seats))
        .order_by("user__email")[:4]
    )
    if len(free) < 4:
        return
    soon, late = now + dt.timedelta(hours=20), now - dt.timedelta(hours=1)
    for mentee, chosen, respond_by in ((free[0], mentor, soon), (free[1], others[1], late)):
        try:
            proposed = pairing_create(
                program=program,
                mentor=chosen,
                mentee=mentee,
                source=Pairing.Source.MATCHING,
                respond_by=respond_by,
            )
        except ValidationError:
            # An older demo database whose matching was published: this mentor is full.
            continue
        # Proposed last week (a proposal made moments ago is not nagged about).
        Pairing.objects.filter(pk=proposed.pk).update(created_at=now - dt.timedelta(days=6))
    for mentee, chosen, respond_by in ((free[2], others[0], soon), (free[3], others[1], late)):
        MentorRequest.objects.create(
            program=program,
            mentee=mentee,
            mentor=chosen,
            note="I would like to learn how you plan a product roadmap.",
            decided_by_admin=program.matching_mode == Program.MatchingMode.HYBRID,
            created_at=now - dt.timedelta(days=3),
            respond_by=respond_by,
        )


def _circle_and_flash(program: Program, mentor: Membership, others: list[Membership]) -> None:
    """An open circle with two members, and flash sessions the demo mentor offers."""
    if others and not Circle.objects.filter(program=program).exists():
        topic = program.topics.order_by("name").first()
        circle = Circle.objects.create(
            program=program,
            name="New managers' circle",
            description="First-time managers compare notes on feedback, delegation and 1:1s.",
            mentor=others[0],
            topic=topic,
            max_mentees=5,
            open_to_requests=True,
        )
        mentees = Membership.objects.filter(
            program=program, role=Membership.Role.MENTEE, enrolled_at__isnull=False
        ).order_by("-user__email")[:2]
        now = timezone.now()
        for mentee in mentees:
            CircleMember.objects.create(
                circle=circle, mentee=mentee, status=CircleMember.Status.MEMBER, joined_at=now
            )
    if not FlashOffer.objects.filter(program=program, mentor=mentor).exists():
        offer = FlashOffer.objects.create(
            program=program,
            mentor=mentor,
            topic=mentor.topics.order_by("name").first(),
            title="Half an hour on hard conversations",
            description="Bring one conversation you are dreading; leave with an opening line.",
            length_minutes=30,
        )
        start = timezone.localtime().replace(hour=16, minute=0, second=0, microsecond=0)
        for day in (2, 3, 5):
            FlashSlot.objects.create(offer=offer, starts_at=start + dt.timedelta(days=day))
