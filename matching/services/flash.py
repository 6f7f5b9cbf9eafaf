"""Flash mentoring: a mentor offers one-off sessions on a topic; a mentee books one.

Booking a time creates a flash pairing (which does not use the mentor's
one-to-one places). The slot's row lock makes a booking exclusive: of two
mentees booking the same time at once, exactly one gets it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from matching import notify
from matching.models import FlashOffer, FlashSlot, Pairing
from matching.services._common import TransitionError, is_program_admin
from matching.services.pairings import pairing_create, pairing_end_early
from mentoring.models import User
from programs.models import Membership, Program, Topic

__all__ = [
    "flash_book",
    "flash_cancel_booking",
    "flash_offer_close",
    "flash_offer_create",
    "flash_offer_update",
    "flash_slot_add",
    "flash_slot_remove",
]

Role = Membership.Role

MAX_OPEN_SLOTS = 20
OFFER_FIELDS = ("title", "description", "topic", "length_minutes", "medium")
NOT_OFFERED = "This program does not offer flash mentoring."


# --- Predicates the pages share with the services ---------------------------------------------


def flash_offered(program: Program) -> bool:
    return program.allow_flash and program.status != Program.Status.CLOSED


def booking_refusal(slot: FlashSlot, user: User, now: dt.datetime | None = None) -> str:
    """Why ``user`` cannot book ``slot`` now, in words; empty if they can (roles aside)."""
    offer = slot.offer
    if not flash_offered(offer.program):
        return NOT_OFFERED if not offer.program.allow_flash else "This program is closed."
    if offer.mentor.user_id == user.pk:
        return "This is your own flash session; you cannot book it."
    if not offer.active:
        return "This offer is closed to new bookings."
    if slot.is_booked:
        return "This time is already booked."
    if slot.starts_at <= (now or timezone.now()):
        return "This time has passed."
    return ""


def free_future_slots(now: dt.datetime | None = None) -> Q:
    """Filter on FlashSlot: the times that can still be booked."""
    return Q(booked_by__isnull=True, starts_at__gt=now or timezone.now())


# --- Checks -----------------------------------------------------------------------------------


def _check_offered(program: Program) -> None:
    if not program.allow_flash:
        raise ValidationError(NOT_OFFERED)
    if program.status == Program.Status.CLOSED:
        raise ValidationError("This program is closed.")


def _check_own_offer(offer: FlashOffer, actor: User) -> None:
    if offer.mentor.user_id != actor.pk:
        raise PermissionDenied("Only the mentor who made this offer can change it.")


def _check_topic(program: Program, topic: Topic | None) -> None:
    if topic is not None and topic.program_id != program.pk:
        raise ValidationError({"topic": "Choose a topic of this program."})


def _local(moment: dt.datetime, user: User) -> str:
    return f"{timezone.localtime(moment, user.tzinfo):%a %d %b %Y %H:%M}"


def _check_new_slots(
    offer: FlashOffer, slots: Sequence[dt.datetime], actor: User
) -> list[dt.datetime]:
    """Each new time in the future, none twice, and at most MAX_OPEN_SLOTS still to come."""
    now = timezone.now()
    errors: list[str] = []
    seen: set[dt.datetime] = set()
    existing = set()
    if offer.pk:
        existing = set(offer.slots.values_list("starts_at", flat=True))
    for moment in slots:
        if timezone.is_naive(moment):
            raise ValueError("Slot times must be timezone-aware.")
        label = _local(moment, actor)
        if moment <= now:
            errors.append(f"{label} has already passed.")
        elif moment in seen:
            errors.append(f"{label} is given twice.")
        elif moment in existing:
            errors.append(f"{label} is already offered.")
        seen.add(moment)
    upcoming = len(seen)
    if offer.pk:
        upcoming += offer.slots.filter(starts_at__gt=now).count()
    if upcoming > MAX_OPEN_SLOTS:
        errors.append(
            f"Offer at most {MAX_OPEN_SLOTS} times still to come; this would make {upcoming}."
        )
    if errors:
        raise ValidationError({"slots": errors})
    return sorted(seen)


def _locked_offer(offer: FlashOffer) -> FlashOffer:
    return (
        FlashOffer.objects.select_for_update(of=("self",))
        .select_related("program", "mentor__user", "topic")
        .get(pk=offer.pk)
    )


def _locked_slot(slot: FlashSlot) -> FlashSlot:
    return (
        FlashSlot.objects.select_for_update(of=("self",))
        .select_related("offer__program", "offer__mentor__user", "offer__topic")
        .get(pk=slot.pk)
    )


def _add_slots(offer: FlashOffer, slots: Sequence[dt.datetime], actor: User) -> list[FlashSlot]:
    times = _check_new_slots(offer, slots, actor)
    return FlashSlot.objects.bulk_create(FlashSlot(offer=offer, starts_at=t) for t in times)


def _remove_slot(slot: FlashSlot) -> None:
    if slot.is_booked:
        raise TransitionError("That time is booked; cancel the booking first.")
    slot.delete()


# --- Services ---------------------------------------------------------------------------------


@transaction.atomic
def flash_offer_create(
    *,
    mentor: Membership,
    actor: User,
    topic: Topic | None,
    title: str,
    description: str,
    length_minutes: int,
    medium: str,
    slots: Sequence[dt.datetime],
) -> FlashOffer:
    """A mentor offers flash sessions on a topic at the given times."""
    if mentor.user_id != actor.pk:
        raise PermissionDenied("Mentors make their own flash offers.")
    if mentor.role != Role.MENTOR:
        raise PermissionDenied("Only mentors can offer flash sessions.")
    program = mentor.program
    _check_offered(program)
    if not mentor.is_enrolled:
        raise ValidationError("Finish your enrolment as a mentor first.")
    _check_topic(program, topic)
    offer = FlashOffer(
        program=program,
        mentor=mentor,
        topic=topic,
        title=" ".join((title or "").split()),
        description=(description or "").strip(),
        length_minutes=length_minutes,
        medium=medium,
    )
    # Report the offer's and the times' mistakes together, so one round trip fixes both.
    errors: dict[str, list[str]] = {}
    try:
        offer.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    times: list[dt.datetime] = []
    try:
        if not slots:
            raise ValidationError({"slots": "Give at least one time mentees can book."})
        times = _check_new_slots(offer, slots, actor)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    offer.save()
    FlashSlot.objects.bulk_create(FlashSlot(offer=offer, starts_at=t) for t in times)
    return offer


@transaction.atomic
def flash_offer_update(
    *,
    offer: FlashOffer,
    actor: User,
    add_slots: Sequence[dt.datetime] = (),
    remove_slots: Iterable[FlashSlot] = (),
    **fields: Any,
) -> FlashOffer:
    """The mentor edits their offer, and may add times or remove free ones in one go."""
    offer = _locked_offer(offer)
    _check_own_offer(offer, actor)
    unknown = set(fields) - set(OFFER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if "topic" in fields:
        _check_topic(offer.program, fields["topic"])
    if "title" in fields:
        fields["title"] = " ".join((fields["title"] or "").split())
    for name, value in fields.items():
        setattr(offer, name, value)
    offer.full_clean()
    offer.save()
    for slot in remove_slots:
        if slot.offer_id != offer.pk:
            raise ValidationError("That time belongs to another offer.")
        _remove_slot(_locked_slot(slot))
    if add_slots:
        _check_offered(offer.program)
        if not offer.active:
            raise TransitionError("This offer is closed; it takes no new times.")
        _add_slots(offer, add_slots, actor)
    return offer


@transaction.atomic
def flash_offer_close(*, offer: FlashOffer, actor: User) -> FlashOffer:
    """Stop new bookings of an offer (its mentor, or an admin); bookings made stay."""
    offer = _locked_offer(offer)
    if offer.mentor.user_id != actor.pk and not is_program_admin(actor, offer.program):
        raise PermissionDenied("Only the offer's mentor or the program's admins can close it.")
    if not offer.active:
        raise TransitionError("This offer is already closed.")
    offer.active = False
    offer.save(update_fields=["active"])
    return offer


@transaction.atomic
def flash_slot_add(*, offer: FlashOffer, actor: User, starts_at: dt.datetime) -> FlashSlot:
    """The mentor adds one more bookable time to their open offer."""
    offer = _locked_offer(offer)
    _check_own_offer(offer, actor)
    _check_offered(offer.program)
    if not offer.active:
        raise TransitionError("This offer is closed; it takes no new times.")
    return _add_slots(offer, [starts_at], actor)[0]


@transaction.atomic
def flash_slot_remove(*, slot: FlashSlot, actor: User) -> None:
    """The mentor removes a time nobody has booked."""
    slot = _locked_slot(slot)
    _check_own_offer(slot.offer, actor)
    _remove_slot(slot)


@transaction.atomic
def flash_book(*, slot: FlashSlot, actor: User, note: str) -> Pairing:
    """A mentee books a free time of an open offer; this creates an active flash pairing."""
    # The lock makes the checks below and the booking one step: a second booking of
    # the same time waits here, then sees the slot taken.
    slot = _locked_slot(slot)
    offer = slot.offer
    program = offer.program
    mentee = (
        Membership.objects.filter(program=program, user=actor, role=Role.MENTEE)
        .select_related("user", "program")
        .first()
    )
    if mentee is None:
        raise PermissionDenied("Only mentees of this program can book flash sessions.")
    if offer.mentor.user_id == actor.pk:
        raise ValidationError("This is your own flash session; you cannot book it.")
    _check_offered(program)
    if not mentee.is_enrolled:
        raise ValidationError("Finish your enrolment as a mentee first.")
    if not offer.active:
        raise TransitionError("This offer is closed to new bookings.")
    if slot.is_booked:
        raise TransitionError("This time is already booked; choose another.")
    now = timezone.now()
    if slot.starts_at <= now:
        raise ValidationError("This time has passed; choose a later one.")
    note = (note or "").strip()
    if len(note) > 1000:
        raise ValidationError({"note": "Keep your note under 1,000 characters."})
    open_pairing = (
        Pairing.objects.open().filter(program=program, mentor=offer.mentor, mentee=mentee).first()
    )
    if open_pairing is not None:
        if open_pairing.kind == Pairing.Kind.FLASH:
            raise ValidationError(
                f"You already have a flash session booked with {offer.mentor.user}; one at a time."
            )
        raise ValidationError(
            f"{offer.mentor.user} is already your mentor here; arrange time in your pairing."
        )
    pairing = pairing_create(
        program=program,
        mentor=offer.mentor,
        mentee=mentee,
        source=Pairing.Source.FLASH,
        kind=Pairing.Kind.FLASH,
        status=Pairing.Status.ACTIVE,
        topic=offer.topic,
    )
    slot.booked_by = mentee
    slot.booked_at = now
    slot.booking_note = note
    slot.pairing = pairing
    slot.save(update_fields=["booked_by", "booked_at", "booking_note", "pairing"])
    notify.event("flash_booked", slot.pk)
    return pairing


@transaction.atomic
def flash_cancel_booking(*, slot: FlashSlot, actor: User, reason: str) -> FlashSlot:
    """Mentee or mentor cancels a booking before it starts: time freed, pairing ended early."""
    slot = _locked_slot(slot)
    mentor_user_id = slot.offer.mentor.user_id
    booker = (
        Membership.objects.select_related("user").get(pk=slot.booked_by_id)
        if slot.booked_by_id
        else None
    )
    if actor.pk != mentor_user_id and (booker is None or booker.user_id != actor.pk):
        raise PermissionDenied("Only the mentee who booked and the mentor can cancel a booking.")
    if booker is None:
        raise TransitionError("This time is not booked.")
    if slot.starts_at <= timezone.now():
        raise TransitionError("This session has already started; it can no longer be cancelled.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you cancel, in a few words."})
    pairing = slot.pairing
    slot.booked_by = None
    slot.booked_at = None
    slot.booking_note = ""
    slot.pairing = None
    slot.save(update_fields=["booked_by", "booked_at", "booking_note", "pairing"])
    if pairing is not None and pairing.status == Pairing.Status.ACTIVE:
        pairing_end_early(pairing=pairing, actor=actor, reason=reason)
        notify.event("flash_cancelled", pairing.pk)
    return slot


# --- What people are told ---------------------------------------------------------------------


def _offer_url(offer: FlashOffer) -> str:
    return reverse("matching:flash_offer", kwargs={"slug": offer.program.slug, "pk": offer.pk})


@notify.message("flash_booked")
def _booked(pk: int) -> list[notify.Notice]:
    slot = FlashSlot.objects.select_related(
        "offer__program", "offer__mentor__user", "booked_by__user"
    ).get(pk=pk)
    if slot.booked_by is None:
        return []  # cancelled before the e-mail went out
    offer, mentor = slot.offer, slot.offer.mentor.user
    note = [f"Their note: “{slot.booking_note}”"] if slot.booking_note else []
    return [
        notify.Notice(
            to=mentor,
            subject=f"{offer.program.name}: {slot.booked_by.user} booked your flash session",
            lines=[
                f"{slot.booked_by.user} booked “{offer.title}” on {_local(slot.starts_at, mentor)} "
                f"({mentor.timezone}), {offer.length_minutes} minutes, "
                f"{offer.get_medium_display().lower()}.",
                *note,
            ],
            url=_offer_url(offer),
            action="See your bookings",
        )
    ]


@notify.message("flash_cancelled")
def _cancelled(pk: int) -> list[notify.Notice]:
    p = Pairing.objects.select_related("program", "mentor__user", "mentee__user", "ended_by").get(
        pk=pk
    )
    other = p.mentee.user if p.ended_by_id == p.mentor.user_id else p.mentor.user
    who = p.ended_by or "Someone"
    return [
        notify.Notice(
            to=other,
            subject=f"{p.program.name}: a flash session was cancelled",
            lines=[
                f"{who} cancelled the flash session of {p.mentor.user} with {p.mentee.user}.",
                f"The reason given: “{p.end_reason}”",
            ],
            url=reverse("matching:flash", kwargs={"slug": p.program.slug}),
            action="See flash sessions",
        )
    ]
