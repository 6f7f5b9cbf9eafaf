"""The mentee-choice pages: browsing mentors, requesting, answering, following requests."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.models import MentorRequest, Pairing
from matching.tests.factories import (
    MenteeFactory,
    MentorFactory,
    MentorRequestFactory,
    PairingFactory,
)
from matching.views.requests import CARDS_PER_PAGE
from mentoring.tests.test_templates_a11y import assert_accessible
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory, TopicFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role
Status = MentorRequest.Status

# Session, user, program access, then what the page reads: the pool and its
# profiles, the scoring context, places taken, the mentee's requests, the topics.
MENTORS_PAGE_BUDGET = 19


def client_for(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def last_message(response) -> str:
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


@pytest.fixture
def program() -> Program:
    return ProgramFactory.create(matching_mode=Program.MatchingMode.MENTEE_CHOICE)


@pytest.fixture
def admin(program) -> Membership:
    return MembershipFactory.create(program=program, role=Role.ADMIN)


@pytest.fixture
def mentee(program) -> Membership:
    return MenteeFactory.create(program=program, user__name="Mia Mentee")


@pytest.fixture
def mentor(program) -> Membership:
    return MentorFactory.create(
        program=program,
        capacity=2,
        user__name="Olga Mentor",
        user__title="Head of Sales",
        user__organisation="Acme",
        strengths="Negotiation and hard conversations",
    )


def url(name: str, program: Program, pk: int | None = None) -> str:
    kwargs: dict[str, Any] = (
        {"slug": program.slug} if pk is None else {"slug": program.slug, "pk": pk}
    )
    return reverse(f"matching:{name}", kwargs=kwargs)


# --- Browsing mentors ------------------------------------------------------------------------


def test_mentee_sees_mentor_cards_with_fit_and_explanation_in_their_words(program, mentee, mentor):
    negotiation = TopicFactory.create(program=program, name="Negotiation")
    mentee.topics.add(negotiation)
    mentor.topics.add(negotiation)
    PairingFactory.create(program=program, mentor=mentor, status=Pairing.Status.ACTIVE)
    html = assert_accessible(client_for(mentee).get(url("mentors", program)))
    assert "Olga Mentor" in html
    assert "Head of Sales, Acme" in html
    assert "Negotiation" in html
    assert "Negotiation and hard conversations" in html
    assert "1 place left" in html
    assert re.search(r"\d+% fit", html)
    assert "offers the topic you need: Negotiation" in html
    assert url("request_create", program, mentor.pk) in html


def test_cards_are_sorted_by_fit_and_full_mentors_come_last(program, mentee):
    topic = TopicFactory.create(program=program, name="Leadership")
    mentee.topics.add(topic)
    MentorFactory.create(program=program, user__name="Weak Fit")
    strong = MentorFactory.create(program=program, user__name="Strong Fit")
    strong.topics.add(topic)
    full = MentorFactory.create(program=program, user__name="Full Fit", capacity=1)
    full.topics.add(topic)
    PairingFactory.create(program=program, mentor=full, status=Pairing.Status.ACTIVE)
    html = client_for(mentee).get(url("mentors", program)).content.decode()
    assert html.index("Strong Fit") < html.index("Weak Fit") < html.index("Full Fit")


def test_the_mentees_manager_self_and_unenrolled_mentors_are_not_shown(program, mentee):
    boss = MentorFactory.create(program=program, user__name="The Boss")
    Membership.objects.filter(pk=mentee.pk).update(manager_email=boss.user.email)
    MentorFactory.create(program=program, user=mentee.user)  # also a mentor herself
    MentorFactory.create(program=program, user__name="Not Yet Enrolled", enrolled_at=None)
    MentorFactory.create(program=ProgramFactory.create(), user__name="Elsewhere")
    visible = MentorFactory.create(program=program, user__name="Visible Mentor")
    html = client_for(mentee).get(url("mentors", program)).content.decode()
    assert "Visible Mentor" in html
    for hidden in ("The Boss", "Not Yet Enrolled", "Elsewhere"):
        assert hidden not in html
    assert url("request_create", program, visible.pk) in html
    assert f"mentor-{mentee.pk}-name" not in html
    assert html.count('class="card h-100"') == 1


def test_filter_by_topic_and_search_by_text(program, mentee):
    sales = TopicFactory.create(program=program, name="Sales")
    design = TopicFactory.create(program=program, name="Design")
    seller = MentorFactory.create(program=program, user__name="Sam Seller")
    seller.topics.add(sales)
    drawer = MentorFactory.create(program=program, user__name="Dee Drawer", strengths="Typography")
    drawer.topics.add(design)
    client = client_for(mentee)
    html = client.get(url("mentors", program), {"topic": sales.pk}).content.decode()
    assert "Sam Seller" in html
    assert "Dee Drawer" not in html
    html = client.get(url("mentors", program), {"q": "typo"}).content.decode()
    assert "Dee Drawer" in html
    assert "Sam Seller" not in html
    html = client.get(url("mentors", program), {"q": "sales"}).content.decode()
    assert "Sam Seller" in html, "a topic's name is searched too"
    html = client.get(url("mentors", program), {"q": "nobody like this"}).content.decode()
    assert "No mentor matches these filters" in html


def test_mentor_cards_are_paginated_and_keep_the_filters(program, mentee):
    topic = TopicFactory.create(program=program)
    for mentor in MentorFactory.create_batch(CARDS_PER_PAGE + 2, program=program):
        mentor.topics.add(topic)
    client = client_for(mentee)
    first = client.get(url("mentors", program), {"topic": topic.pk}).content.decode()
    assert first.count('class="card h-100"') == CARDS_PER_PAGE
    assert f"topic={topic.pk}&amp;page=2" in first
    second = client.get(url("mentors", program), {"topic": topic.pk, "page": 2})
    assert second.content.decode().count('class="card h-100"') == 2


def test_the_mentors_page_makes_the_same_number_of_queries_for_5_and_40_mentors(
    program, mentee, django_assert_max_num_queries
):
    topics = TopicFactory.create_batch(3, program=program)
    mentee.topics.add(*topics[:2])

    def add_mentors(n: int) -> None:
        for mentor in MentorFactory.create_batch(n, program=program):
            mentor.topics.add(*topics)
            MentorRequestFactory.create(program=program, mentor=mentor, status=Status.DECLINED)
            PairingFactory.create(program=program, mentor=mentor, status=Pairing.Status.ACTIVE)

    client = client_for(mentee)
    page = url("mentors", program)
    add_mentors(5)
    client.get(page)
    with CaptureQueriesContext(connection) as small:
        assert client.get(page).status_code == 200
    add_mentors(35)
    MentorRequestFactory.create(
        program=program,
        mentee=mentee,
        mentor=Membership.objects.filter(role=Role.MENTOR, program=program).first(),
    )
    with (
        django_assert_max_num_queries(MENTORS_PAGE_BUDGET),
        CaptureQueriesContext(connection) as large,
    ):
        response = client.get(page)
    assert response.content.decode().count('class="card h-100"') == CARDS_PER_PAGE
    assert len(large.captured_queries) == len(small.captured_queries)


def test_mentors_and_admins_get_403_on_the_mentors_page(program, mentor, admin):
    for membership in (mentor, admin):
        assert client_for(membership).get(url("mentors", program)).status_code == 403


def test_a_mentor_who_is_also_a_mentee_browses_as_the_mentee(program, mentor):
    MenteeFactory.create(program=program, user=mentor.user)
    other = MentorFactory.create(program=program, user__name="Another Mentor")
    html = client_for(mentor).get(url("mentors", program)).content.decode()
    assert "Another Mentor" in html
    assert url("request_create", program, other.pk) in html
    assert url("request_create", program, mentor.pk) not in html


def test_in_an_admin_matched_program_the_page_says_mentees_do_not_choose(program, mentee, mentor):
    Program.objects.filter(pk=program.pk).update(matching_mode=Program.MatchingMode.ADMIN)
    html = assert_accessible(client_for(mentee).get(url("mentors", program)))
    assert "mentees do not choose a mentor themselves" in html
    assert "Olga Mentor" not in html


def test_a_card_shows_the_state_of_an_existing_request(program, mentee, mentor):
    sent = MentorRequestFactory.create(program=program, mentee=mentee, mentor=mentor)
    html = client_for(mentee).get(url("mentors", program)).content.decode()
    assert "Waiting for an answer" in html
    assert url("request", program, sent.pk) in html
    assert url("request_create", program, mentor.pk) not in html


def test_at_the_limit_cards_say_so_instead_of_offering_a_request(program, mentee, mentor):
    for other in MentorFactory.create_batch(3, program=program):
        MentorRequestFactory.create(program=program, mentee=mentee, mentor=other)
    html = client_for(mentee).get(url("mentors", program)).content.decode()
    assert "You have 3 open requests, the most allowed." in html
    assert url("request_create", program, mentor.pk) not in html


# --- Requesting ------------------------------------------------------------------------------


def test_request_form_shows_the_mentor_and_sends_the_request(program, mentee, mentor):
    client = client_for(mentee)
    html = assert_accessible(client.get(url("request_create", program, mentor.pk)))
    assert "Ask Olga Mentor to mentor you" in html
    response = client.post(url("request_create", program, mentor.pk), {"note": "Teach me."})
    sent = MentorRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("request", program, sent.pk)
    assert (sent.mentee, sent.mentor, sent.note) == (mentee, mentor, "Teach me.")
    assert "Your request to Olga Mentor is sent" in last_message(response)


def test_request_form_needs_a_note(program, mentee, mentor):
    response = client_for(mentee).post(url("request_create", program, mentor.pk), {"note": ""})
    assert_accessible(response)
    assert "This field is required" in response.content.decode()
    assert not MentorRequest.objects.exists()


def test_a_refused_request_shows_the_rule_on_the_form(program, mentee, mentor):
    MentorRequestFactory.create(program=program, mentee=mentee, mentor=mentor)
    response = client_for(mentee).post(url("request_create", program, mentor.pk), {"note": "Hi"})
    assert response.status_code == 200
    assert "already asked Olga Mentor" in response.content.decode()
    assert MentorRequest.objects.count() == 1


def test_requesting_a_membership_that_is_not_a_mentor_is_404(program, mentee, admin):
    for pk in (mentee.pk, admin.pk):
        assert client_for(mentee).get(url("request_create", program, pk)).status_code == 404


# --- The requests page -----------------------------------------------------------------------


def test_mentee_sees_their_requests_and_can_withdraw_pending_ones(program, mentee, mentor):
    pending = MentorRequestFactory.create(program=program, mentee=mentee, mentor=mentor)
    declined = MentorRequestFactory.create(
        program=program, mentee=mentee, status=Status.DECLINED, decline_reason="Too busy."
    )
    html = assert_accessible(client_for(mentee).get(url("requests", program)))
    assert "Your requests" in html
    assert "1 of 3 open" in html
    assert url("request_withdraw", program, pending.pk) in html
    assert url("request_withdraw", program, declined.pk) not in html
    assert "Too busy." in html
    assert "Requests to you" not in html


def test_mentor_sees_requests_received_with_answers_and_the_accepting_switch(
    program, mentee, mentor
):
    waiting = MentorRequestFactory.create(program=program, mentee=mentee, mentor=mentor)
    html = assert_accessible(client_for(mentor).get(url("requests", program)))
    assert "Requests to you" in html
    assert "Mia Mentee" in html
    assert url("request_accept", program, waiting.pk) in html
    assert url("request_decline", program, waiting.pk) in html
    assert "Stop taking new requests" in html
    assert "2 places left of 2" in html
    assert "Your requests" not in html


def test_the_mentor_closes_and_reopens_themself_to_requests(program, mentor):
    client = client_for(mentor)
    response = client.post(url("mentor_accepting", program), {"accepting": "0"})
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.accepting_mentees is False
    assert "Open to new requests" in client.get(url("requests", program)).content.decode()
    client.post(url("mentor_accepting", program), {"accepting": "1"})
    mentor.refresh_from_db()
    assert mentor.accepting_mentees is True


def test_a_person_both_mentor_and_mentee_sees_both_sections(program, mentor):
    MenteeFactory.create(program=program, user=mentor.user)
    html = client_for(mentor).get(url("requests", program)).content.decode()
    assert "Your requests" in html
    assert "Requests to you" in html


def test_admin_in_hybrid_mode_sees_the_requests_to_decide(program, admin, mentee, mentor):
    Program.objects.filter(pk=program.pk).update(matching_mode=Program.MatchingMode.HYBRID)
    mentee.refresh_from_db()
    sent = services.request_create(mentee=mentee, mentor=mentor, actor=mentee.user, note="Hi")
    html = assert_accessible(client_for(admin).get(url("requests", program)))
    assert "Requests for the admins to decide" in html
    assert "Mia Mentee asks for Olga Mentor" in html
    assert url("request_accept", program, sent.pk) in html
    # The mentor sees it, but may not answer it.
    mentor_html = client_for(mentor).get(url("requests", program)).content.decode()
    assert "Mia Mentee" in mentor_html
    assert url("request_accept", program, sent.pk) not in mentor_html
    detail = client_for(mentor).get(url("request", program, sent.pk)).content.decode()
    assert "the admins decide on requests" in detail
    response = client_for(mentor).post(url("request_accept", program, sent.pk))
    assert response.status_code == 403


def test_an_admin_accepts_in_hybrid_mode_and_lands_on_the_pairing(program, admin, mentee, mentor):
    Program.objects.filter(pk=program.pk).update(matching_mode=Program.MatchingMode.HYBRID)
    mentee.refresh_from_db()
    sent = services.request_create(mentee=mentee, mentor=mentor, actor=mentee.user, note="Hi")
    response = client_for(admin).post(url("request_accept", program, sent.pk))
    pairing = Pairing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == pairing.get_absolute_url()


# --- One request -----------------------------------------------------------------------------


def test_the_mentor_reads_the_mentees_profile_note_and_why_they_fit(program, mentee, mentor):
    topic = TopicFactory.create(program=program, name="Pricing")
    mentee.topics.add(topic)
    mentor.topics.add(topic)
    Membership.objects.filter(pk=mentee.pk).update(goals_statement="Close bigger deals.")
    sent = services.request_create(
        mentee=mentee, mentor=mentor, actor=mentee.user, note="Loved your talk."
    )
    html = assert_accessible(client_for(mentor).get(url("request", program, sent.pk)))
    assert "Mia Mentee asks you to be their mentor" in html
    assert "Close bigger deals." in html
    assert "Loved your talk." in html
    assert re.search(r"offers the topic Mia( Mentee)? needs: Pricing", html)
    assert url("request_accept", program, sent.pk) in html
    mentee_html = client_for(mentee).get(url("request", program, sent.pk)).content.decode()
    assert "offers the topic you need: Pricing" in mentee_html
    assert url("request_withdraw", program, sent.pk) in mentee_html
    assert url("request_accept", program, sent.pk) not in mentee_html


def test_people_not_in_the_request_get_404(program, mentee, mentor):
    sent = MentorRequestFactory.create(program=program, mentee=mentee, mentor=mentor)
    for stranger in (MenteeFactory.create(program=program), MentorFactory.create(program=program)):
        assert client_for(stranger).get(url("request", program, sent.pk)).status_code == 404


def test_the_mentor_accepts_and_lands_on_the_new_pairing(program, mentee, mentor):
    sent = MentorRequestFactory.create(program=program, mentee=mentee, mentor=mentor)
    response = client_for(mentor).post(url("request_accept", program, sent.pk))
    pairing = Pairing.objects.get()
    assert response["Location"] == pairing.get_absolute_url()
    assert pairing.status == Pairing.Status.ACTIVE


def test_accepting_a_withdrawn_request_says_why_instead_of_failing(program, mentee, mentor):
    sent = MentorRequestFactory.create(
        program=program, mentee=mentee, mentor=mentor, status=Status.WITHDRAWN
    )
    client = client_for(mentor)
    response = client.post(url("request_accept", program, sent.pk))
    assert response.status_code == 302
    assert response["Location"] == url("request", program, sent.pk)
    assert "This request is withdrawn" in last_message(response)
    assert not Pairing.objects.exists()


def test_accepting_an_overdue_request_says_it_expired(program, mentee, mentor):
    sent = MentorRequestFactory.create(
        program=program,
        mentee=mentee,
        mentor=mentor,
        respond_by=timezone.now() - dt.timedelta(hours=1),
    )
    response = client_for(mentor).post(url("request_accept", program, sent.pk))
    assert "has expired" in last_message(response)


def test_accepting_when_full_says_so(program, mentee, mentor):
    Membership.objects.filter(pk=mentor.pk).update(capacity=1)
    PairingFactory.create(program=program, mentor=mentor, status=Pairing.Status.ACTIVE)
    sent = MentorRequestFactory.create(program=program, mentee=mentee, mentor=mentor)
    response = client_for(mentor).post(url("request_accept", program, sent.pk))
    assert "no place left" in last_message(response)


def test_the_mentor_declines_with_a_reason(program, mentee, mentor):
    sent = MentorRequestFactory.create(program=program, mentee=mentee, mentor=mentor)
    client = client_for(mentor)
    assert_accessible(client.get(url("request_decline", program, sent.pk)))
    empty = client.post(url("request_decline", program, sent.pk), {"reason": ""})
    assert_accessible(empty)
    response = client.post(url("request_decline", program, sent.pk), {"reason": "Full up."})
    assert response["Location"] == url("requests", program)
    sent.refresh_from_db()
    assert (sent.status, sent.decline_reason) == (Status.DECLINED, "Full up.")


def test_declining_an_answered_request_says_why(program, mentee, mentor):
    sent = MentorRequestFactory.create(
        program=program, mentee=mentee, mentor=mentor, status=Status.ACCEPTED
    )
    client = client_for(mentor)
    for response in (
        client.get(url("request_decline", program, sent.pk)),
        client.post(url("request_decline", program, sent.pk), {"reason": "No."}),
    ):
        assert response.status_code == 302
        assert "can no longer be declined" in last_message(response)


def test_the_mentee_cannot_open_the_decline_form(program, mentee, mentor):
    sent = MentorRequestFactory.create(program=program, mentee=mentee, mentor=mentor)
    assert client_for(mentee).get(url("request_decline", program, sent.pk)).status_code == 403


def test_the_mentee_withdraws_and_cannot_withdraw_twice(program, mentee, mentor):
    sent = MentorRequestFactory.create(program=program, mentee=mentee, mentor=mentor)
    client = client_for(mentee)
    response = client.post(url("request_withdraw", program, sent.pk))
    assert response["Location"] == url("requests", program)
    sent.refresh_from_db()
    assert sent.status == Status.WITHDRAWN
    again = client.post(url("request_withdraw", program, sent.pk))
    assert again.status_code == 302
    assert "This request is withdrawn" in last_message(again)


def test_the_mentor_cannot_withdraw_the_mentees_request(program, mentee, mentor):
    sent = MentorRequestFactory.create(program=program, mentee=mentee, mentor=mentor)
    assert client_for(mentor).post(url("request_withdraw", program, sent.pk)).status_code == 403
