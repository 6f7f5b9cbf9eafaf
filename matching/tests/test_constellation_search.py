"""'Who can help you with that?': the search on the constellation page, and its actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import constellation as c
from matching.models import MatchConstraint, MatchingSettings, MentorRequest, Pairing
from matching.tests.factories import (
    FlashOfferFactory,
    FlashSlotFactory,
    MenteeFactory,
    MentorFactory,
    MentorRequestFactory,
    PairingFactory,
)
from mentoring.tests.test_templates_a11y import assert_accessible
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory, TopicFactory

pytestmark = pytest.mark.django_db

URL = reverse("constellation:mine")
Mode = Program.MatchingMode


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def search(user, q: str, **params) -> str:
    response = client_for(user).get(URL, {"q": q, **params})
    return assert_accessible(response)


@pytest.fixture
def site():
    """A running mentee-choice program with flash mentoring, an enrolled mentee (me), and
    mentors: one offering negotiation as a topic, one naming it in their strengths."""
    program = ProgramFactory.create(
        status=Program.Status.RUNNING,
        matching_mode=Mode.MENTEE_CHOICE,
        allow_flash=True,
        allow_circles=True,
    )
    negotiation = TopicFactory.create(program=program, name="Negotiation")
    budgeting = TopicFactory.create(program=program, name="Budgeting")
    me = MenteeFactory.create(program=program, user__name="Sam Rivera")
    topical = MentorFactory.create(
        program=program, user__name="Zoe Topic", user__title="Head of Sales", capacity=2
    )
    topical.topics.set([budgeting, negotiation])
    strong = MentorFactory.create(
        program=program,
        user__name="Adam Strength",
        strengths="Twenty years of supplier negotiation and pricing.",
    )
    bringer = MentorFactory.create(
        program=program,
        user__name="Bea Brings",
        what_i_bring="Stories from hard negotiations.",
    )
    MentorFactory.create(program=program, user__name="Unrelated Person", strengths="Gardening")
    return type(
        "Site",
        (),
        {
            "program": program,
            "me": me,
            "topical": topical,
            "strong": strong,
            "bringer": bringer,
            "negotiation": negotiation,
        },
    )


def request_url(mentor: Membership) -> str:
    return reverse("matching:request_create", kwargs={"slug": mentor.program.slug, "pk": mentor.pk})


# --- Finding people ---------------------------------------------------------------------------


def test_a_topic_match_comes_first_then_strengths_then_what_they_bring(site):
    result = c.who_can_help(site.me.user, "negotiat")
    assert [h.person.name for h in result.helpers] == ["Zoe Topic", "Adam Strength", "Bea Brings"]
    assert [h.matched_in for h in result.helpers] == ["topics", "strengths", "what they bring"]
    assert result.helpers[0].topics == [("Negotiation", True), ("Budgeting", False)]


def test_the_page_highlights_what_matched(site):
    html = search(site.me.user, "NEGOTIATION")
    assert "3 mentors can help with “NEGOTIATION”." in html
    assert (
        '<i class="bi bi-check2" aria-hidden="true"></i> Negotiation'
        '<span class="visually-hidden"> (matches)</span></mark>' in html
    )
    assert "Twenty years of supplier <mark>negotiation</mark> and pricing." in html
    assert "Matches what they bring to mentoring." in html
    assert "Head of Sales" in html
    assert "Unrelated Person" not in html


def test_no_match_says_so(site):
    html = search(site.me.user, "underwater basket weaving")
    assert "No mentor in your programs matches “underwater basket weaving”." in html
    assert "Try a shorter word" in html


def test_a_query_too_short_is_not_run(site):
    result = c.who_can_help(site.me.user, " n ")
    assert not result.searched
    assert result.helpers == []
    assert "Type at least 2 letters." in search(site.me.user, "n")


def test_a_long_query_is_cut(site):
    assert c.clean_query("a  b " * 100) == ("a b " * 25)[:100]


def test_never_returns_me_or_people_of_programs_i_am_not_in(site, personas):
    # I am a mentor too, on the same topic; and a mentor elsewhere offers it.
    me_mentor = MentorFactory.create(program=site.program, user=site.me.user)
    me_mentor.topics.set([site.negotiation])
    elsewhere = MentorFactory.create(program=personas.other_program, user__name="Far Away")
    elsewhere.topics.set([TopicFactory.create(program=personas.other_program, name="Negotiation")])
    html = search(site.me.user, "negotiation")
    assert "Far Away" not in html
    assert html.count("Sam Rivera") == 1  # the navbar's account menu only
    assert "3 mentors can help" in html
    # The outsider sees only their own program's mentors.
    assert "Zoe Topic" not in search(personas.outsider, "negotiation")


def test_only_enrolled_mentors_of_open_programs_are_found(site):
    MentorFactory.create(program=site.program, user__name="Not Yet", enrolled_at=None).topics.set(
        [site.negotiation]
    )
    MenteeFactory.create(program=site.program, user__name="Fellow Mentee").topics.set(
        [site.negotiation]
    )
    for status in (Program.Status.DRAFT, Program.Status.CLOSED):
        other = ProgramFactory.create(status=status)
        MenteeFactory.create(program=other, user=site.me.user)
        MentorFactory.create(program=other, user__name=f"In a {status} program").topics.set(
            [TopicFactory.create(program=other, name="Negotiation")]
        )
    html = search(site.me.user, "negotiation")
    for name in ("Not Yet", "Fellow Mentee", "In a draft program", "In a closed program"):
        assert name not in html


def test_an_invitation_not_taken_up_does_not_open_a_programs_people(site):
    other = ProgramFactory.create(status=Program.Status.RUNNING)
    MenteeFactory.create(program=other, user=site.me.user, enrolled_at=None)
    MentorFactory.create(program=other, user__name="Behind An Invitation").topics.set(
        [TopicFactory.create(program=other, name="Negotiation")]
    )
    assert "Behind An Invitation" not in search(site.me.user, "negotiation")


def test_mentors_of_all_my_open_programs_are_found(site):
    second = ProgramFactory.create(status=Program.Status.ENROLLING, name="Second program")
    MembershipFactory.create(program=second, user=site.me.user, role=Membership.Role.ADMIN)
    MentorFactory.create(program=second, user__name="Second Mentor").topics.set(
        [TopicFactory.create(program=second, name="Negotiation skills")]
    )
    html = search(site.me.user, "negotiation")
    assert "Second Mentor" in html
    assert "Mentor in Second program" in html


def test_never_shows_what_a_mentee_may_not_see_of_a_mentor(site):
    Membership.objects.filter(pk=site.topical.pk).update(
        goals_statement="SECRET-GOALS",
        goals="SECRET-SMART",
        expectations="SECRET-EXPECT",
        department="SECRET-DEPT",
        availability="SECRET-AVAIL",
        manager_email="secret-manager@example.org",
        what_i_bring="SECRET-BRING negotiation",
        cohort="SECRET-COHORT",
    )
    html = search(site.me.user, "negotiation")
    assert "Zoe Topic" in html
    for secret in ("SECRET", "secret-manager", site.topical.user.email, site.strong.user.email):
        assert secret not in html
    assert "Stories from hard negotiations" not in html  # Bea's own words stay hers


def test_html_in_the_query_is_escaped(site):
    html = search(site.me.user, '<script>alert("x")</script>')
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_html_in_a_profile_is_escaped(site):
    Membership.objects.filter(pk=site.strong.pk).update(
        strengths="<img src=x onerror=alert(1)> negotiation"
    )
    html = search(site.me.user, "negotiation")
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; <mark>negotiation</mark>" in html


def test_many_results_are_paginated(site):
    for i in range(23):
        MentorFactory.create(program=site.program, user__name=f"Many {i:02d}").topics.set(
            [site.negotiation]
        )
    html = search(site.me.user, "negotiation")
    assert "26 mentors can help with “negotiation” (showing 1–10)." in html
    assert "Page 1 of 3" in html
    assert 'href="?q=negotiation&amp;page=2"' in html
    page3 = search(site.me.user, "negotiation", page="3")
    assert "(showing 21–26)" in page3
    assert "Bea Brings" in page3  # what-they-bring matches come last


def test_the_search_answers_htmx_with_the_results_alone(site):
    response = client_for(site.me.user).get(
        URL, {"q": "negotiation"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="help-results"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Zoe Topic" in html
    assert '<p id="help-summary" hx-swap-oob="innerHTML">3 mentors can help' in html
    assert "HX-Request" in response["Vary"]
    full = client_for(site.me.user).get(URL, {"q": "negotiation"})
    assert "HX-Request" in full["Vary"]
    assert "<html" in full.content.decode()


def test_the_form_works_without_javascript(site):
    html = search(site.me.user, "")
    assert 'action="/constellation/"' in html
    assert 'method="get"' in html
    assert '<label class="form-label" for="help-q">What do you need help with?</label>' in html
    assert 'id="help-summary" role="status"' in html


# --- What I may do ----------------------------------------------------------------------------


def helper_for(user, mentor: Membership, q: str = "negotiation") -> c.Helper:
    (helper,) = [h for h in c.who_can_help(user, q).helpers if h.mentor.pk == mentor.pk]
    return helper


def test_i_may_request_a_mentor_who_has_room(site):
    helper = helper_for(site.me.user, site.topical)
    assert helper.request_url == request_url(site.topical)
    assert helper.note == ""
    html = search(site.me.user, "negotiation")
    assert (
        f'href="{request_url(site.topical)}">Request as mentor'
        '<span class="visually-hidden">: Zoe Topic</span></a>' in html
    )
    # The link leads to the existing request flow.
    assert client_for(site.me.user).get(request_url(site.topical)).status_code == 200


@pytest.mark.parametrize(
    ("change", "note"),
    [
        ("admin_matched", "In this program the admins match mentors and mentees."),
        ("matching_closed", "Requests are not open in this program now."),
        ("not_enrolled", "Finish your enrolment to request a mentor here."),
        ("not_accepting", "Not taking new mentees at the moment."),
        ("full", "No place left."),
        ("declined_before", "They declined your earlier request."),
        ("forbidden", "The program does not pair you with this mentor."),
        ("my_manager", "The program does not pair you with this mentor."),
        ("same_department", "The program does not pair you with this mentor."),
        ("limit", "You have 1 open request, the most allowed."),
        ("has_mentor", "You already have a mentor (or a proposal) in this program."),
        ("has_proposal", "You already have a mentor (or a proposal) in this program."),
    ],
)
def test_no_request_link_when_a_rule_says_no(site, change, note):
    program, me, mentor = site.program, site.me, site.topical
    if change == "admin_matched":
        Program.objects.filter(pk=program.pk).update(matching_mode=Mode.ADMIN)
    elif change == "matching_closed":
        Program.objects.filter(pk=program.pk).update(allow_one_to_one=False, allow_circles=True)
    elif change == "not_enrolled":
        # Enrolled as a mentor (so the program's people are searchable), not as a mentee.
        MentorFactory.create(program=program, user=me.user)
        Membership.objects.filter(pk=me.pk).update(enrolled_at=None)
    elif change == "not_accepting":
        Membership.objects.filter(pk=mentor.pk).update(accepting_mentees=False)
    elif change == "full":
        for _ in range(2):
            PairingFactory.create(program=program, mentor=mentor, status=Pairing.Status.ACTIVE)
    elif change == "declined_before":
        MentorRequestFactory.create(
            program=program, mentor=mentor, mentee=me, status=MentorRequest.Status.DECLINED
        )
    elif change == "forbidden":
        MatchConstraint.objects.create(
            program=program, mentee=me, mentor=mentor, kind=MatchConstraint.Kind.FORBID
        )
    elif change == "my_manager":
        Membership.objects.filter(pk=me.pk).update(manager_email=mentor.user.email.upper())
    elif change == "same_department":
        MatchingSettings.objects.create(program=program, avoid_same_department=True)
        Membership.objects.filter(pk__in=[me.pk, mentor.pk]).update(department="Sales")
    elif change == "limit":
        MatchingSettings.objects.create(program=program, max_open_requests=1)
        MentorRequestFactory.create(program=program, mentor=site.strong, mentee=me)
    elif change == "has_mentor":
        PairingFactory.create(
            program=program, mentor=site.strong, mentee=me, status=Pairing.Status.ACTIVE
        )
    elif change == "has_proposal":
        PairingFactory.create(program=program, mentor=site.strong, mentee=me)
    helper = helper_for(me.user, mentor)
    assert helper.request_url == ""
    assert helper.note == note
    html = search(me.user, "negotiation")
    assert request_url(mentor) not in html
    assert note.replace("'", "&#x27;") in html


def test_a_pending_request_links_to_itself_instead(site):
    sent = MentorRequestFactory.create(program=site.program, mentor=site.topical, mentee=site.me)
    helper = helper_for(site.me.user, site.topical)
    assert helper.request_url == ""
    assert helper.pending_url == reverse(
        "matching:request", kwargs={"slug": site.program.slug, "pk": sent.pk}
    )
    assert "Your request is waiting for an answer" in search(site.me.user, "negotiation")


def test_my_mentor_is_named_as_such_but_a_proposal_stays_hidden(site):
    PairingFactory.create(
        program=site.program, mentor=site.topical, mentee=site.me, status=Pairing.Status.ACTIVE
    )
    assert helper_for(site.me.user, site.topical).relation == "Your mentor in this program"
    assert "Your mentor in this program" in search(site.me.user, "negotiation")
    # A proposal is the mentor's to answer: the mentee hears only what the request
    # pages say too ("a mentor or a proposal"), never who proposed.
    Pairing.objects.all().update(status=Pairing.Status.PROPOSED)
    helper = helper_for(site.me.user, site.topical)
    assert helper.relation == ""
    assert helper.note == "You already have a mentor (or a proposal) in this program."
    assert "Your mentor in this program" not in search(site.me.user, "negotiation")


def test_a_mentor_searching_gets_no_request_link(site):
    mentor_user = site.strong.user
    helper = helper_for(mentor_user, site.topical)
    assert helper.request_url == ""
    assert helper.flash_url == ""
    assert helper.note == ""


def soon(days: int = 3) -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=days)


def test_i_may_book_a_flash_session_when_one_is_free(site):
    offer = FlashOfferFactory.create(program=site.program, mentor=site.strong)
    FlashSlotFactory.create(offer=offer, starts_at=soon())
    helper = helper_for(site.me.user, site.strong)
    url = reverse("matching:flash_offer", kwargs={"slug": site.program.slug, "pk": offer.pk})
    assert helper.flash_url == url
    html = search(site.me.user, "negotiation")
    assert (
        f'href="{url}">Book a flash session'
        '<span class="visually-hidden"> with Adam Strength</span></a>' in html
    )
    assert client_for(site.me.user).get(url).status_code == 200


@pytest.mark.parametrize("change", ["closed", "booked", "past", "no_flash", "not_mentee"])
def test_no_flash_link_when_nothing_can_be_booked(site, change):
    offer = FlashOfferFactory.create(program=site.program, mentor=site.strong)
    slot = FlashSlotFactory.create(offer=offer, starts_at=soon())
    user = site.me.user
    if change == "closed":
        offer.active = False
        offer.save()
    elif change == "booked":
        slot.booked_by = MenteeFactory.create(program=site.program)
        slot.save()
    elif change == "past":
        slot.starts_at = soon(-1)
        slot.save()
    elif change == "no_flash":
        Program.objects.filter(pk=site.program.pk).update(allow_flash=False)
    elif change == "not_mentee":
        user = site.bringer.user
    assert helper_for(user, site.strong).flash_url == ""


# --- Queries ----------------------------------------------------------------------------------


def add_matches(site, n: int) -> None:
    """``n`` more mentors on the topic, each with a flash offer, some asked, some full."""
    for i in range(n):
        mentor = MentorFactory.create(program=site.program, capacity=1)
        mentor.topics.set([site.negotiation])
        offer = FlashOfferFactory.create(program=site.program, mentor=mentor)
        FlashSlotFactory.create(offer=offer, starts_at=soon())
        if i % 3 == 0:
            PairingFactory.create(program=site.program, mentor=mentor, status=Pairing.Status.ACTIVE)
        if i % 4 == 0:
            MentorRequestFactory.create(
                program=site.program,
                mentor=mentor,
                mentee=site.me,
                status=MentorRequest.Status.DECLINED,
            )


def test_the_search_takes_the_same_queries_however_many_match(site):
    client = client_for(site.me.user)
    add_matches(site, 2)
    client.get(URL, {"q": "negotiation"})  # warm caches (sessions, content types)
    counts = []
    for more in (0, 195):
        add_matches(site, more)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"q": "negotiation"})
        assert response.status_code == 200
        counts.append(len(queries))
    assert c.who_can_help(site.me.user, "negotiation").count == 200
    assert counts[0] == counts[1], counts
    with CaptureQueriesContext(connection) as fragment:
        client.get(URL, {"q": "negotiation"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="help-results")
    assert len(fragment) == counts[0] - 2  # the constellation's two queries are spared
    assert counts[0] <= 16, [q["sql"] for q in queries.captured_queries]
