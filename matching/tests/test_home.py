"""Matching on the home page: proposals and requests waiting for a mentor's answer, a
mentee's own requests, and a mentee who still has a mentor to choose."""

from __future__ import annotations

import datetime as dt
import html as html_module
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.models import MentorRequest, Pairing
from matching.tests.factories import (
    MenteeFactory,
    MentorFactory,
    MentorRequestFactory,
    PairingFactory,
)
from programs.models import Membership, Program
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

Mode = Program.MatchingMode


def client_of(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def home(client: Client) -> tuple[int, str]:
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    words = html_module.unescape(re.sub(r"<[^>]+>", " ", html))
    return len(ctx.captured_queries), re.sub(r"\s+", " ", words)


@pytest.fixture
def program(db) -> Program:
    return ProgramFactory.create(
        status=Program.Status.RUNNING, matching_mode=Mode.MENTEE_CHOICE, allow_one_to_one=True
    )


@pytest.fixture
def mentor(program) -> Membership:
    return MentorFactory.create(program=program, capacity=20)


def test_a_proposal_waits_for_the_mentors_answer_with_its_deadline(program, mentor):
    respond_by = timezone.now() + dt.timedelta(days=3)
    proposal = PairingFactory.create(program=program, mentor=mentor, respond_by=respond_by)
    client = client_of(mentor)
    _, words = home(client)
    name = proposal.mentee.user.display_name
    assert f"Would you mentor {name}?" in words
    assert "proposed by the program · answer by" in words
    html = client.get(reverse("home")).content.decode()
    assert proposal.get_absolute_url() in html
    # The mentee does not see a proposal before the mentor accepts it.
    _, words = home(client_of(proposal.mentee))
    assert "mentor" not in words.split("Your programs")[0].lower().replace("mentoring", "")


def test_an_answer_past_its_deadline_is_marked_overdue_in_words(program, mentor):
    PairingFactory.create(
        program=program, mentor=mentor, respond_by=timezone.now() - dt.timedelta(hours=1)
    )
    _, words = home(client_of(mentor))
    assert "Answer overdue" in words


def test_a_mentees_request_waits_for_the_mentor_and_the_mentee_sees_it_waiting(program, mentor):
    request = MentorRequestFactory.create(program=program, mentor=mentor)
    _, words = home(client_of(mentor))
    assert f"{request.mentee.user.display_name} asks you to be their mentor" in words
    assert "a mentee's request · answer by" in words
    _, words = home(client_of(request.mentee))
    assert f"You asked {mentor.user.display_name} to be your mentor" in words
    assert "waiting for their answer until" in words
    assert "Choose a mentor" not in words


def test_in_hybrid_mode_the_admins_answer_not_the_mentor(program, mentor):
    Program.objects.filter(pk=program.pk).update(matching_mode=Mode.HYBRID)
    request = MentorRequestFactory.create(program=program, mentor=mentor, decided_by_admin=True)
    _, words = home(client_of(mentor))
    assert "asks you to be their mentor" not in words
    _, words = home(client_of(request.mentee))
    assert "the program's admins will answer" in words


def test_answered_requests_and_other_mentors_asks_are_not_shown(program, mentor):
    other = MentorFactory.create(program=program)
    MentorRequestFactory.create(program=program, mentor=other)
    PairingFactory.create(program=program, mentor=other)
    MentorRequestFactory.create(
        program=program, mentor=mentor, status=MentorRequest.Status.DECLINED
    )
    _, words = home(client_of(mentor))
    assert "asks you" not in words
    assert "Would you mentor" not in words


def test_a_mentee_who_chooses_their_mentor_is_asked_to_choose_one(program, mentor):
    mentee = MenteeFactory.create(program=program)
    _, words = home(client_of(mentee))
    assert "Choose a mentor in " in words  # the link, with its program for screen readers
    html = client_of(mentee).get(reverse("home")).content.decode()
    assert reverse("matching:mentors", kwargs={"slug": program.slug}) in html
    # Not once they have asked someone, nor once they have a mentor.
    request = MentorRequestFactory.create(program=program, mentor=mentor, mentee=mentee)
    assert "Choose a mentor" not in home(client_of(mentee))[1]
    MentorRequest.objects.filter(pk=request.pk).update(status=MentorRequest.Status.WITHDRAWN)
    PairingFactory.create(
        program=program, mentor=mentor, mentee=mentee, status=Pairing.Status.ACTIVE
    )
    assert "Choose a mentor" not in home(client_of(mentee))[1]


@pytest.mark.parametrize(
    ("mode", "enrolled", "asked"),
    [(Mode.ADMIN, True, False), (Mode.MENTEE_CHOICE, False, False)],
)
def test_nobody_is_asked_to_choose_who_cannot(program, mode, enrolled, asked):
    Program.objects.filter(pk=program.pk).update(matching_mode=mode)
    mentee = MenteeFactory.create(program=program, enrolled_at=timezone.now() if enrolled else None)
    assert ("Choose a mentor" in home(client_of(mentee))[1]) is asked


def test_a_mentors_home_costs_the_same_with_2_and_14_asks(program, mentor):
    PairingFactory.create(program=program, mentor=mentor)
    MentorRequestFactory.create(program=program, mentor=mentor)
    client = client_of(mentor)
    small, words = home(client)
    for _ in range(6):
        PairingFactory.create(program=program, mentor=mentor)
        MentorRequestFactory.create(program=program, mentor=mentor)
    large, words = home(client)
    assert words.count("Would you mentor") == 7
    assert words.count("asks you to be their mentor") == 7
    assert small == large, (small, large)
