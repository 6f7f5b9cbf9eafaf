"""Flash mentoring: offers, times, bookings and cancellations, and their pages."""

from __future__ import annotations

import datetime as dt
import threading
import time
import zoneinfo
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import require_service
from matching import services
from matching.forms_flash import parse_times
from matching.models import FlashOffer, FlashSlot, Pairing
from matching.services import TransitionError, mentor_load
from matching.services import flash as flash_module
from matching.tests.factories import (
    FlashOfferFactory,
    FlashSlotFactory,
    MenteeFactory,
    MentorFactory,
    PairingFactory,
)
from mentoring.models import User
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _contact_hours_always(monkeypatch):
    """Who is told, not when: e-mails wait for contact hours, tested with the pipeline."""
    monkeypatch.setattr(User, "may_be_contacted_at", lambda self, moment: True)


def soon(hours: float = 48) -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=hours)


@pytest.fixture
def program():
    return ProgramFactory.create(allow_flash=True)


@pytest.fixture
def mentor(program):
    return MentorFactory.create(program=program)


@pytest.fixture
def mentee(program):
    return MenteeFactory.create(program=program)


@pytest.fixture
def offer(program, mentor):
    return FlashOfferFactory.create(
        program=program, mentor=mentor, topic=TopicFactory.create(program=program)
    )


@pytest.fixture
def slot(offer):
    return FlashSlotFactory.create(offer=offer, starts_at=soon())


def make_offer(mentor, **overrides):
    fields: dict[str, Any] = {
        "topic": None,
        "title": "Ask me about promotions",
        "description": "",
        "length_minutes": 30,
        "medium": Membership.Medium.VIDEO,
        "slots": [soon(24), soon(48)],
    }
    fields.update(overrides)
    return services.flash_offer_create(mentor=mentor, actor=mentor.user, **fields)


def book(slot, mentee, note=""):
    return services.flash_book(slot=slot, actor=mentee.user, note=note)


# --- Offers -----------------------------------------------------------------------------------


def test_mentor_offers_flash_sessions_at_given_times(mentor):
    offer = make_offer(mentor)
    assert offer.program == mentor.program
    assert offer.active
    assert list(offer.slots.values_list("starts_at", flat=True)) == [soon(24), soon(48)]


def test_no_flash_offer_in_a_program_that_does_not_offer_flash(mentor, program):
    Program.objects.filter(pk=program.pk).update(allow_flash=False)
    mentor.refresh_from_db()
    with pytest.raises(ValidationError, match="does not offer flash mentoring"):
        make_offer(mentor)


def test_mentors_make_only_their_own_offers(mentor, program):
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    with pytest.raises(PermissionDenied):
        services.flash_offer_create(
            mentor=mentor,
            actor=admin,
            topic=None,
            title="T",
            description="",
            length_minutes=30,
            medium="video",
            slots=[soon()],
        )


def test_mentees_cannot_offer_flash_sessions(mentee):
    with pytest.raises(PermissionDenied):
        make_offer(mentee)


def test_an_offer_needs_at_least_one_time(mentor):
    with pytest.raises(ValidationError, match="at least one time"):
        make_offer(mentor, slots=[])


def test_offer_times_must_be_in_the_future(mentor):
    with pytest.raises(ValidationError, match="already passed"):
        make_offer(mentor, slots=[soon(-1)])


def test_offer_times_must_not_repeat(mentor):
    with pytest.raises(ValidationError, match="given twice"):
        make_offer(mentor, slots=[soon(), soon()])


def test_an_offer_has_at_most_20_times_to_come(mentor):
    with pytest.raises(ValidationError, match="at most 20"):
        make_offer(mentor, slots=[soon(h) for h in range(1, 22)])
    assert make_offer(mentor, slots=[soon(h) for h in range(1, 21)]).slots.count() == 20


def test_offer_and_time_mistakes_are_reported_together(mentor):
    with pytest.raises(ValidationError) as caught:
        make_offer(mentor, title="", slots=[soon(-2)])
    assert set(caught.value.message_dict) == {"title", "slots"}


def test_mentor_adds_and_removes_free_times(offer, slot):
    added = services.flash_slot_add(offer=offer, actor=offer.mentor.user, starts_at=soon(72))
    assert added.offer == offer
    services.flash_slot_remove(slot=slot, actor=offer.mentor.user)
    assert list(offer.slots.all()) == [added]


def test_a_time_cannot_be_added_twice(offer, slot):
    with pytest.raises(ValidationError, match="already offered"):
        services.flash_slot_add(offer=offer, actor=offer.mentor.user, starts_at=slot.starts_at)


def test_only_the_offers_mentor_adds_times(offer, mentee):
    with pytest.raises(PermissionDenied):
        services.flash_slot_add(offer=offer, actor=mentee.user, starts_at=soon(72))


def test_a_booked_time_cannot_be_removed(slot, mentee):
    book(slot, mentee)
    with pytest.raises(TransitionError, match="cancel the booking first"):
        services.flash_slot_remove(slot=slot, actor=slot.offer.mentor.user)


def test_mentor_edits_the_offer_and_its_times_in_one_go(offer, slot):
    services.flash_offer_update(
        offer=offer,
        actor=offer.mentor.user,
        add_slots=[soon(96)],
        remove_slots=[slot],
        title="  Shorter   title ",
        length_minutes=45,
    )
    offer.refresh_from_db()
    assert (offer.title, offer.length_minutes) == ("Shorter title", 45)
    assert list(offer.slots.values_list("starts_at", flat=True)) == [soon(96)]


def test_mentor_closes_an_offer_and_bookings_made_stay(slot, mentee):
    pairing = book(slot, mentee)
    services.flash_offer_close(offer=slot.offer, actor=slot.offer.mentor.user)
    slot.refresh_from_db()
    assert not slot.offer.active
    assert slot.pairing == pairing


def test_an_admin_may_close_an_offer_but_a_mentee_may_not(offer, program, mentee):
    with pytest.raises(PermissionDenied):
        services.flash_offer_close(offer=offer, actor=mentee.user)
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    services.flash_offer_close(offer=offer, actor=admin)
    with pytest.raises(TransitionError, match="already closed"):
        services.flash_offer_close(offer=offer, actor=admin)


def test_a_closed_offer_takes_no_new_times(offer):
    services.flash_offer_close(offer=offer, actor=offer.mentor.user)
    with pytest.raises(TransitionError, match="closed"):
        services.flash_slot_add(offer=offer, actor=offer.mentor.user, starts_at=soon(72))


# --- Booking ----------------------------------------------------------------------------------


def test_mentee_books_a_free_time_which_makes_an_active_flash_pairing(
    slot, mentee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pairing = book(slot, mentee, note="About my promotion case")
    slot.refresh_from_db()
    assert (pairing.kind, pairing.source, pairing.status) == (
        Pairing.Kind.FLASH,
        Pairing.Source.FLASH,
        Pairing.Status.ACTIVE,
    )
    assert (pairing.mentor, pairing.mentee, pairing.topic) == (
        slot.offer.mentor,
        mentee,
        slot.offer.topic,
    )
    assert (slot.booked_by, slot.pairing, slot.booking_note) == (
        mentee,
        pairing,
        "About my promotion case",
    )
    assert slot.booked_at is not None
    assert [m.to[0] for m in mail.outbox] == [slot.offer.mentor.user.email]
    assert "About my promotion case" in mail.outbox[0].body


def test_a_flash_pairing_does_not_use_the_mentors_one_to_one_places(slot, mentee):
    mentor = slot.offer.mentor
    Membership.objects.filter(pk=mentor.pk).update(capacity=1)
    PairingFactory.create(program=mentor.program, mentor=mentor, status=Pairing.Status.ACTIVE)
    book(slot, mentee)
    mentor.refresh_from_db()
    assert mentor_load(mentor) == 1


def test_a_mentor_cannot_book_their_own_offer(slot, program):
    also_mentee = MenteeFactory.create(program=program, user=slot.offer.mentor.user)
    with pytest.raises(ValidationError, match="your own"):
        book(slot, also_mentee)


def test_only_mentees_of_the_program_book(slot, program):
    for user in (
        MentorFactory.create(program=program).user,
        MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user,
        MenteeFactory.create().user,  # a mentee elsewhere
    ):
        with pytest.raises(PermissionDenied):
            services.flash_book(slot=slot, actor=user, note="")


def test_a_mentee_must_have_enrolled_to_book(slot, program):
    mentee = MenteeFactory.create(program=program, enrolled_at=None)
    with pytest.raises(ValidationError, match="enrolment"):
        book(slot, mentee)


def test_a_booked_time_cannot_be_booked_again(slot, mentee, program):
    book(slot, mentee)
    with pytest.raises(TransitionError, match="already booked"):
        book(slot, MenteeFactory.create(program=program))
    assert Pairing.objects.filter(kind=Pairing.Kind.FLASH).count() == 1


def test_a_past_time_cannot_be_booked(offer, mentee):
    past = FlashSlotFactory.create(offer=offer, starts_at=soon(-1))
    with pytest.raises(ValidationError, match="has passed"):
        book(past, mentee)


def test_a_closed_offer_cannot_be_booked(slot, mentee):
    FlashOffer.objects.filter(pk=slot.offer_id).update(active=False)
    with pytest.raises(TransitionError, match="closed to new bookings"):
        book(slot, mentee)


def test_no_booking_when_the_program_does_not_offer_flash(slot, mentee, program):
    Program.objects.filter(pk=program.pk).update(allow_flash=False)
    with pytest.raises(ValidationError, match="does not offer flash mentoring"):
        book(slot, mentee)


def test_one_flash_booking_at_a_time_with_the_same_mentor(slot, mentee):
    book(slot, mentee)
    later = FlashSlotFactory.create(offer=slot.offer, starts_at=soon(100))
    with pytest.raises(ValidationError, match="already have a flash session booked"):
        book(later, mentee)


def test_a_mentee_with_a_one_to_one_pairing_is_sent_to_it(slot, mentee):
    PairingFactory.create(program=mentee.program, mentor=slot.offer.mentor, mentee=mentee)
    with pytest.raises(ValidationError, match="already your mentor"):
        book(slot, mentee)


# --- Cancelling -------------------------------------------------------------------------------


def test_mentee_cancels_which_frees_the_time_and_ends_the_pairing_early(
    slot, mentee, django_capture_on_commit_callbacks
):
    pairing = book(slot, mentee)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.flash_cancel_booking(slot=slot, actor=mentee.user, reason="Ill")
    slot.refresh_from_db()
    pairing.refresh_from_db()
    assert (slot.booked_by, slot.booked_at, slot.pairing, slot.booking_note) == (
        None,
        None,
        None,
        "",
    )
    assert pairing.status == Pairing.Status.ENDED_EARLY
    assert (pairing.end_reason, pairing.ended_by) == ("Ill", mentee.user)
    cancelled = [m for m in mail.outbox if "flash session was cancelled" in m.subject]
    assert [m.to[0] for m in cancelled] == [slot.offer.mentor.user.email]
    # The time can be booked again, by the same mentee too.
    book(slot, mentee)


def test_mentor_cancels_and_the_mentee_is_told(slot, mentee, django_capture_on_commit_callbacks):
    book(slot, mentee)
    with django_capture_on_commit_callbacks(execute=True):
        services.flash_cancel_booking(slot=slot, actor=slot.offer.mentor.user, reason="Travel")
    cancelled = [m for m in mail.outbox if "flash session was cancelled" in m.subject]
    assert [m.to[0] for m in cancelled] == [mentee.user.email]
    assert "Travel" in cancelled[0].body


def test_cancelling_needs_a_reason(slot, mentee):
    book(slot, mentee)
    with pytest.raises(ValidationError, match="Say why"):
        services.flash_cancel_booking(slot=slot, actor=mentee.user, reason=" ")


def test_a_session_that_has_started_cannot_be_cancelled(slot, mentee):
    book(slot, mentee)
    FlashSlot.objects.filter(pk=slot.pk).update(starts_at=soon(-0.5))
    with pytest.raises(TransitionError, match="already started"):
        services.flash_cancel_booking(slot=slot, actor=mentee.user, reason="Late")


def test_only_the_pair_cancels_a_booking(slot, mentee, program):
    book(slot, mentee)
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    for user in (admin, MenteeFactory.create(program=program).user):
        with pytest.raises(PermissionDenied):
            services.flash_cancel_booking(slot=slot, actor=user, reason="No")


def test_a_free_time_has_no_booking_to_cancel(slot):
    with pytest.raises(TransitionError, match="not booked"):
        services.flash_cancel_booking(slot=slot, actor=slot.offer.mentor.user, reason="x")


# --- Two bookings at once (PostgreSQL) --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_mentees_booking_the_same_time_at_once_only_one_wins():
    require_service("PostgreSQL", connection.vendor == "postgresql")
    program = ProgramFactory.create(allow_flash=True)
    slot = FlashSlotFactory.create(
        offer=FlashOfferFactory.create(program=program), starts_at=soon()
    )
    mentees = MenteeFactory.create_batch(2, program=program)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    real_create = flash_module.pairing_create

    def slow_create(**kwargs):
        # Hold the winner's transaction open, so that without the slot's row lock the
        # other booking would pass every check too.
        time.sleep(0.3)
        return real_create(**kwargs)

    def attempt(mentee):
        try:
            barrier.wait()
            services.flash_book(slot=slot, actor=mentee.user, note="")
            outcomes.append("booked")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    with mock.patch.object(flash_module, "pairing_create", slow_create):
        threads = [threading.Thread(target=attempt, args=(m,)) for m in mentees]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(outcomes) == sorted(["booked", "This time is already booked; choose another."])
    assert Pairing.objects.filter(kind=Pairing.Kind.FLASH).count() == 1
    slot.refresh_from_db()
    assert slot.pairing is not None


# --- Reading typed times ----------------------------------------------------------------------

NOW = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def test_typed_times_are_read_in_the_mentors_time_zone():
    times, errors = parse_times("2026-12-03 14:30\n\n2026-12-04T09:00\n", NEW_YORK, NOW)
    assert errors == []
    assert times == [
        dt.datetime(2026, 12, 3, 19, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 4, 14, 0, tzinfo=dt.UTC),
    ]


def test_each_bad_line_gets_its_own_error():
    text = "2026-12-03 14:30\nnext tuesday\n2026-11-01 10:00\n2026-12-03 14:30\n2027-03-14 02:30"
    _, errors = parse_times(text, NEW_YORK, NOW)
    assert errors == [
        "Line 2: “next tuesday” is not a date and time; write it like 2026-12-03 14:30.",
        "Line 3: 2026-11-01 10:00 has already passed.",
        "Line 4: 2026-12-03 14:30 is the same time as line 1.",
        "Line 5: 2027-03-14 02:30 does not exist in America/New_York (the clocks change).",
    ]


# --- Pages ------------------------------------------------------------------------------------


@pytest.fixture
def site(personas):
    """The personas' program, offering flash, with its mentor and mentee enrolled."""
    Program.objects.filter(pk=personas.program.pk).update(allow_flash=True)
    Membership.objects.filter(program=personas.program).update(enrolled_at=timezone.now())
    personas.program.refresh_from_db()
    return personas


def url(name, site, *args):
    return reverse(f"matching:{name}", args=[site.program.slug, *args])


@pytest.fixture
def mine(site):
    """An offer of the personas' mentor, on a topic, with one free time."""
    offer = FlashOfferFactory.create(
        program=site.program,
        mentor=site.membership("mentor"),
        title="Career chats",
        topic=TopicFactory.create(program=site.program, name="Careers"),
    )
    FlashSlotFactory.create(offer=offer, starts_at=dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC))
    return offer


def test_mentee_sees_offers_with_free_times_and_filters_by_topic(site, mine):
    other = FlashOfferFactory.create(program=site.program, title="Public speaking")
    FlashSlotFactory.create(offer=other, starts_at=soon())
    full = FlashOfferFactory.create(program=site.program, title="All booked")
    FlashSlotFactory.create(
        offer=full, starts_at=soon(), booked_by=MenteeFactory.create(program=site.program)
    )
    closed = FlashOfferFactory.create(program=site.program, title="Closed one", active=False)
    FlashSlotFactory.create(offer=closed, starts_at=soon())
    page = site.client("mentee").get(url("flash", site)).content.decode()
    assert "Career chats" in page
    assert "Public speaking" in page
    assert "All booked" not in page
    assert "Closed one" not in page
    assert "New offer" not in page
    page = site.client("mentee").get(url("flash", site), {"topic": mine.topic.pk}).content.decode()
    assert "Career chats" in page
    assert "Public speaking" not in page


def test_mentor_sees_their_offers_with_bookings_and_a_new_offer_button(site, mine):
    FlashSlotFactory.create(offer=mine, starts_at=soon(), booked_by=site.membership("mentee"))
    page = site.client("mentor").get(url("flash", site)).content.decode()
    assert "Your offers" in page
    assert "Career chats" in page
    assert f"booked by {site.mentee.display_name}" in page
    assert "New offer" in page


def test_admin_sees_every_offer(site, mine):
    FlashOfferFactory.create(program=site.program, title="Someone else's")
    page = site.client("admin").get(url("flash", site)).content.decode()
    assert "Every offer in the program" in page
    assert "Career chats" in page
    assert "Someone else&#x27;s" in page


def test_flash_pages_say_when_the_program_does_not_offer_flash(personas):
    Membership.objects.filter(program=personas.program).update(enrolled_at=timezone.now())
    page = personas.client("mentee").get(reverse("matching:flash", args=[personas.program.slug]))
    assert "does not offer flash mentoring" in page.content.decode()
    response = personas.client("mentor").get(
        reverse("matching:flash_offer_create", args=[personas.program.slug])
    )
    assert response.status_code == 200
    assert "does not offer flash mentoring" in response.content.decode()
    assert 'name="slots"' not in response.content.decode()


def offer_data(**overrides):
    data = {
        "title": "Office hours",
        "topic": "",
        "description": "",
        "length_minutes": "30",
        "medium": "video",
        "slots": "2030-01-07 09:00\n2030-01-08 17:30",
    }
    data.update(overrides)
    return data


def test_mentor_offers_times_typed_in_their_own_time_zone(site):
    site.mentor.timezone = "America/New_York"
    site.mentor.save(update_fields=["timezone"])
    response = site.client("mentor").post(url("flash_offer_create", site), offer_data())
    offer = FlashOffer.objects.get(title="Office hours")
    assert response.status_code == 302
    assert response["Location"] == url("flash_offer", site, offer.pk)
    assert list(offer.slots.values_list("starts_at", flat=True)) == [
        dt.datetime(2030, 1, 7, 14, 0, tzinfo=dt.UTC),
        dt.datetime(2030, 1, 8, 22, 30, tzinfo=dt.UTC),
    ]


def test_the_offer_form_points_at_each_bad_line(site):
    response = site.client("mentor").post(
        url("flash_offer_create", site), offer_data(slots="2030-01-07 09:00\nsoon-ish")
    )
    assert response.status_code == 200
    assert "Line 2: “soon-ish” is not a date and time" in response.content.decode()
    assert not FlashOffer.objects.exists()


def test_offer_times_are_shown_in_the_viewers_time_zone(site, mine):
    site.mentee.timezone = "Asia/Tokyo"
    site.mentee.save(update_fields=["timezone"])
    page = site.client("mentee").get(url("flash_offer", site, mine.pk)).content.decode()
    assert "Monday 7 January 2030, 18:00" in page  # 09:00 UTC
    assert "Asia/Tokyo" in page
    slot = mine.slots.get()
    assert url("flash_book", site, slot.pk) in page


def test_the_mentor_sees_no_book_button_on_their_own_offer(site, mine):
    page = site.client("mentor").get(url("flash_offer", site, mine.pk)).content.decode()
    assert url("flash_book", site, mine.slots.get().pk) not in page
    assert url("flash_offer_edit", site, mine.pk) in page


def test_mentee_books_from_the_confirm_page(site, mine):
    slot = mine.slots.get()
    page = site.client("mentee").get(url("flash_book", site, slot.pk)).content.decode()
    assert "Book this time" in page
    assert "meeting details will be in that pairing" in page
    response = site.client("mentee").post(
        url("flash_book", site, slot.pk), {"note": "Hi"}, follow=True
    )
    slot.refresh_from_db()
    assert slot.booked_by == site.membership("mentee")
    assert "The meeting details will be in your flash pairing" in response.content.decode()
    assert "Booked by you" in response.content.decode()


def test_booking_a_taken_time_says_why_on_the_page(site, mine):
    slot = mine.slots.get()
    FlashSlot.objects.filter(pk=slot.pk).update(
        booked_by=MenteeFactory.create(program=site.program)
    )
    page = site.client("mentee").get(url("flash_book", site, slot.pk)).content.decode()
    assert "already booked" in page
    assert "Book this time" not in page
    response = site.client("mentee").post(url("flash_book", site, slot.pk), {"note": ""})
    assert response.status_code == 200
    assert "already booked" in response.content.decode()


def test_mentee_cancels_from_the_offer_page(site, mine):
    slot = mine.slots.get()
    services.flash_book(slot=slot, actor=site.mentee, note="")
    page = site.client("mentee").get(url("flash_offer", site, mine.pk)).content.decode()
    assert url("flash_cancel", site, slot.pk) in page
    response = site.client("mentee").post(url("flash_cancel", site, slot.pk), {"reason": "Clash"})
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.booked_by is None


def test_cancelling_without_a_reason_says_why(site, mine):
    slot = mine.slots.get()
    services.flash_book(slot=slot, actor=site.mentee, note="")
    response = site.client("mentor").post(
        url("flash_cancel", site, slot.pk), {"reason": ""}, follow=True
    )
    assert "Say why you cancel" in response.content.decode()
    slot.refresh_from_db()
    assert slot.booked_by is not None


def test_mentor_adds_and_removes_times_on_the_edit_page(site, mine):
    slot = mine.slots.get()
    page = site.client("mentor").get(url("flash_offer_edit", site, mine.pk)).content.decode()
    assert "Remove free times" in page
    response = site.client("mentor").post(
        url("flash_offer_edit", site, mine.pk),
        offer_data(title="Career chats", slots="2030-02-01 10:00", remove=[str(slot.pk)]),
    )
    assert response.status_code == 302
    assert list(mine.slots.values_list("starts_at", flat=True)) == [
        dt.datetime(2030, 2, 1, 10, tzinfo=dt.UTC)  # the mentor's zone is Europe/London
    ]


def test_mentor_closes_the_offer_from_its_page(site, mine):
    response = site.client("mentor").post(url("flash_offer_close", site, mine.pk), follow=True)
    mine.refresh_from_db()
    assert not mine.active
    assert "closed to new bookings" in response.content.decode()
    response = site.client("mentor").post(url("flash_offer_close", site, mine.pk), follow=True)
    assert "already closed" in response.content.decode()


def add_offers(site, n):
    """Offers of the personas' mentor, one time booked by the personas' mentee, and as many
    offers by others with a free time."""
    for _ in range(n):
        offer = FlashOfferFactory.create(program=site.program, mentor=site.membership("mentor"))
        FlashSlotFactory.create(offer=offer, starts_at=soon(), booked_by=site.membership("mentee"))
        FlashSlotFactory.create(offer=offer, starts_at=soon(3))
        other = FlashOfferFactory.create(program=site.program)
        FlashSlotFactory.create(offer=other, starts_at=soon())


@pytest.mark.parametrize("who", ["admin", "mentee", "mentor"])
def test_the_flash_list_keeps_a_constant_number_of_queries(site, who):
    client = site.client(who)
    add_offers(site, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("flash", site)).status_code == 200
    add_offers(site, 15)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url("flash", site)).status_code == 200
    assert len(many) == len(few)
