"""Deleting an account: end what is open, anonymise the person, remove their words.

What goes and what stays, and why: see ``sessions.personal_data``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from matching.models import (
    Circle,
    CircleMember,
    FlashOffer,
    FlashSlot,
    MatchingPreference,
    MatchSuggestion,
    MentorRequest,
    Pairing,
)
from matching.services.circles import circle_end, circle_leave
from matching.services.flash import flash_cancel_booking, flash_offer_close
from matching.services.pairings import pairing_decline, pairing_end_early
from matching.services.requests import can_decide, request_decline, request_withdraw
from mentoring.accounts import addresses_of
from mentoring.models import (
    Notification,
    NotificationPreference,
    User,
    default_contact_channels,
    default_contact_days,
)
from programs.models import Answer, Invitation, Membership, Program
from sessions.models import (
    ActionItem,
    Agenda,
    AgendaItem,
    AgendaRevision,
    Agreement,
    AgreementRevision,
    CheckIn,
    DateChange,
    Goal,
    GoalUpdate,
    Meeting,
    Note,
    Review,
    RoadmapTopic,
)
from sessions.personal_data.export import addressed_to

DELETED_NAME = "Deleted participant"
LEFT_REASON = "participant left"
# Where a text must not be empty (a check constraint, or a title the others still see).
REMOVED = "(removed: the author deleted their account)"


def deleted_email(user: User) -> str:
    return f"deleted-{user.pk}@deleted.invalid"


class LastAdminError(ValidationError):
    """The person is the last admin of a program, or the last active staff account: they
    must hand over first."""


def is_last_staff(user: User, *, lock: bool = False) -> bool:
    """Whether ``user`` is the only active staff account (nobody could run the site after)."""
    if not (user.is_staff and user.is_active):
        return False
    staff = User.objects.filter(is_staff=True, is_active=True)
    if lock:
        # Two last staff members deleting at once: the second waits, then sees the first gone.
        staff = staff.select_for_update()
    return not any(pk != user.pk for pk in staff.values_list("pk", flat=True))


def programs_left_without_admin(user: User, *, lock: bool = False) -> list[Program]:
    """The programs whose only active admin is ``user``."""
    mine = Program.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.ADMIN
    ).order_by("pk")
    if lock:
        # Two admins of one program deleting at once: the second waits, then sees
        # that the first is gone.
        mine = mine.select_for_update(of=("self",))
    # One admin membership per person and program (membership_unique_role): no duplicates.
    programs = list(mine)
    others = set(
        Membership.objects.filter(
            program__in=programs, role=Membership.Role.ADMIN, user__is_active=True
        )
        .exclude(user=user)
        .values_list("program_id", flat=True)
    )
    return [p for p in programs if p.pk not in others]


def _end_relationships(user: User) -> None:
    """End what is open, through each relationship's own service (partners are told)."""
    now = timezone.now()
    for slot in FlashSlot.objects.filter(
        Q(booked_by__user=user) | Q(offer__mentor__user=user),
        booked_by__isnull=False,
        starts_at__gt=now,
    ):
        flash_cancel_booking(slot=slot, actor=user, reason=LEFT_REASON)
    for offer in FlashOffer.objects.filter(mentor__user=user, active=True):
        flash_offer_close(offer=offer, actor=user)
    mine = Q(mentor__user=user) | Q(mentee__user=user)
    for pairing in Pairing.objects.filter(mine, status=Pairing.Status.ACTIVE):
        pairing_end_early(pairing=pairing, actor=user, reason=LEFT_REASON)
    for pairing in Pairing.objects.filter(mine, status=Pairing.Status.PROPOSED).select_related(
        "mentor"
    ):
        if pairing.mentor.user_id == user.pk:
            pairing_decline(pairing=pairing, actor=user, reason=LEFT_REASON)
        else:
            # Only the mentor answers a proposal; the mentee leaving withdraws it.
            Pairing.objects.filter(pk=pairing.pk, status=Pairing.Status.PROPOSED).update(
                status=Pairing.Status.DECLINED, responded_at=now, decline_reason=LEFT_REASON
            )
    pending = MentorRequest.objects.filter(status=MentorRequest.Status.PENDING)
    for req in pending.filter(mentee__user=user):
        request_withdraw(request=req, actor=user)
    for req in pending.filter(mentor__user=user).select_related("mentor"):
        if can_decide(req, user, is_admin=False):
            request_decline(request=req, actor=user, reason=LEFT_REASON)
        else:  # hybrid mode: the admins decide, but the mentor asked is gone
            MentorRequest.objects.filter(pk=req.pk, status=MentorRequest.Status.PENDING).update(
                status=MentorRequest.Status.DECLINED, decided_at=now, decline_reason=LEFT_REASON
            )
    seats = CircleMember.objects.filter(
        mentee__user=user,
        status__in=(CircleMember.Status.MEMBER, CircleMember.Status.REQUESTED),
        circle__status=Circle.Status.ACTIVE,
    )
    for seat in seats:
        circle_leave(member=seat, actor=user)
    for circle in Circle.objects.filter(mentor__user=user, status=Circle.Status.ACTIVE):
        circle_end(circle=circle, actor=user, completed=False, reason=LEFT_REASON)


def _anonymise_user(user: User) -> None:
    addressed = addressed_to(user)
    user.name = DELETED_NAME
    user.email = deleted_email(user)
    user.title = user.organisation = user.bio = ""
    user.timezone = "UTC"
    user.contact_channels = default_contact_channels()
    user.contact_days = default_contact_days()
    user.contact_hours_start = User._meta.get_field("contact_hours_start").get_default()
    user.contact_hours_end = User._meta.get_field("contact_hours_end").get_default()
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    Invitation.objects.filter(addressed).open().delete()
    Invitation.objects.filter(addressed).update(email=user.email, message="")
    # The personal messages they wrote to the people they invited.
    Invitation.objects.filter(invited_by=user).exclude(message="").update(message="")
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    NotificationPreference.objects.filter(user=user).delete()


def _blank_texts(user: User) -> None:
    """Keep every row the program figures count, without the words this person wrote."""
    memberships = Membership.objects.filter(user=user)
    Answer.objects.filter(membership__in=memberships).delete()
    MatchingPreference.objects.filter(chooser__in=memberships).delete()
    for m in memberships:
        m.topics.clear()
    memberships.update(
        goals_statement="",
        what_i_bring="",
        expectations="",
        goals="",
        strengths="",
        availability="",
        manager_email="",
        accepting_mentees=False,
    )
    MentorRequest.objects.filter(mentee__user=user).update(note="")
    MentorRequest.objects.filter(decided_by=user).exclude(decline_reason=LEFT_REASON).update(
        decline_reason=""
    )
    Pairing.objects.filter(mentor__user=user).exclude(decline_reason=LEFT_REASON).exclude(
        decline_reason=""
    ).update(decline_reason=REMOVED)
    Pairing.objects.filter(ended_by=user).exclude(end_reason=LEFT_REASON).exclude(
        end_reason=""
    ).update(end_reason=REMOVED)
    CircleMember.objects.filter(mentee__user=user).update(note="")
    FlashSlot.objects.filter(booked_by__user=user).update(booking_note="")
    FlashOffer.objects.filter(mentor__user=user).update(title=REMOVED, description="")
    Circle.objects.filter(ended_by=user).exclude(end_reason=LEFT_REASON).exclude(
        end_reason=""
    ).update(end_reason=REMOVED)
    Agreement.objects.filter(drafted_by=user).update(
        purpose="",
        mentee_success="",
        mentor_success="",
        reschedule_rule="",
        contact_channels="",
        contact_hours="",
        confidentiality="",
        shareable="",
        feedback_preference="",
    )
    for revision in AgreementRevision.objects.filter(changed_by=user):
        revision.terms = {k: v for k, v in revision.terms.items() if not isinstance(v, str)}
        revision.save(update_fields=["terms"])
    Goal.objects.filter(created_by=user).update(
        title=REMOVED, specific="", measurable="", achievable="", relevant=""
    )
    GoalUpdate.objects.filter(author=user).update(note="")
    RoadmapTopic.objects.filter(created_by=user).update(title=REMOVED, details="")
    Meeting.objects.filter(created_by=user).update(location="")
    Meeting.objects.filter(status_changed_by=user).exclude(cancel_reason="").update(
        cancel_reason=REMOVED
    )
    Agenda.objects.filter(author=user).update(
        did="", learned="", topics="", needs=[], needs_detail="", links=""
    )
    AgendaRevision.objects.filter(Q(agenda__author=user) | Q(edited_by=user)).update(content={})
    AgendaItem.objects.filter(author=user).update(text="")
    CheckIn.objects.filter(author=user).update(useful="", next_steps="", before_next="", change="")
    ActionItem.objects.filter(Q(owner=user) | Q(created_by=user)).update(description="")
    # A note is nothing but its words: private and shared alike go.
    Note.objects.filter(author=user).delete()
    Review.objects.filter(author=user).update(
        working="", change="", remains="", differently="", previous=[]
    )
    DateChange.objects.filter(changed_by=user).update(reason=REMOVED)


def _replacer(needles: Iterable[str], *, whole: bool, flags: int = 0) -> re.Pattern[str] | None:
    """One pattern for every needle, longest first; ``whole``: only where it is a whole word
    (a name inside another word stays)."""
    found = sorted({n for n in needles if n.strip()}, key=len, reverse=True)
    if not found:
        return None
    either = "(?:" + "|".join(re.escape(n) for n in found) + ")"
    return re.compile(rf"(?<!\w){either}(?!\w)" if whole else either, flags)


def _scrub(value: object, pattern: re.Pattern[str], by: str) -> object:
    if isinstance(value, str):
        return pattern.sub(by, value)
    if isinstance(value, list):
        return [_scrub(v, pattern, by) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, pattern, by) for k, v in value.items()}
    return value


def _containing(needles: Iterable[str], *fields: str) -> Q:
    """Rows where any field holds any needle (any case; JSON as its text, escaped or not)."""
    found = Q(pk__in=[])
    for needle in needles:
        forms = {needle, json.dumps(needle)[1:-1], json.dumps(needle, ensure_ascii=False)[1:-1]}
        for field in fields:
            for form in forms:
                found |= Q(**{f"{field}__icontains": form})
    return found


def _scrub_copies(user: User, *, name: str, emails: list[str], words: list[str]) -> None:
    """What other people were told copied this person's name, e-mail and words: the name and
    e-mail become "Deleted participant", the words "(removed ...)". Only the rows that hold
    them are read (bounded: the notifications about this person, the match suggestions
    naming them)."""
    names = [name, *emails]
    needles = [n for n in (*names, *words) if n.strip()]
    if not needles:
        return
    replacements = [
        (_replacer(words, whole=False), REMOVED),
        (_replacer(emails, whole=True, flags=re.IGNORECASE), DELETED_NAME),
        (_replacer([name], whole=True), DELETED_NAME),  # "Will" is a name, "will" a word
    ]
    notes = (
        Notification.objects.exclude(user=user)
        .annotate(lines_text=Cast("lines", TextField()))
        .filter(_containing(needles, "title", "body", "lines_text"))
    )
    for note in notes:
        before = (note.title, note.body, note.lines)
        for pattern, by in replacements:
            if pattern is None:
                continue
            note.title = str(_scrub(note.title, pattern, by))[:300]
            note.body = str(_scrub(note.body, pattern, by))
            note.lines = _scrub(note.lines, pattern, by)
        if (note.title, note.body, note.lines) != before:
            note.save(update_fields=["title", "body", "lines"])
    suggestions = MatchSuggestion.objects.filter(
        _containing([n for n in names if n.strip()], "unmatched_reason")
    )
    for suggestion in suggestions:
        reason = suggestion.unmatched_reason
        for pattern, by in replacements[1:]:
            reason = pattern.sub(by, reason) if pattern is not None else reason
        reason = reason[:300]
        if reason != suggestion.unmatched_reason:
            suggestion.unmatched_reason = reason
            suggestion.save(update_fields=["unmatched_reason"])


@transaction.atomic
def account_delete(*, user: User) -> User:
    """Delete a person's account: end what is open, anonymise them, remove their words.

    Refused (``LastAdminError``, nothing changed) while they are the last admin of a
    program or the last active staff account. One transaction: any failure leaves
    everything as it was.

    Their other devices are signed out without reading anyone's session: the unusable
    password changes the session's authentication hash, and an inactive account is
    refused by the authentication backends (the caller signs out the current one).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise PermissionDenied("This account is already deleted.")
    if is_last_staff(user, lock=True):
        raise LastAdminError(
            "You are the last staff account. Make someone else staff first, then delete "
            "your account."
        )
    orphaned = programs_left_without_admin(user, lock=True)
    if orphaned:
        names = ", ".join(p.name for p in orphaned)
        raise LastAdminError(
            f"You are the last admin of {names}. Make someone else an admin of "
            f"{'it' if len(orphaned) == 1 else 'each'} first, then delete your account."
        )
    name, emails = user.name, sorted(addresses_of(user))
    words = list(
        MentorRequest.objects.filter(mentee__user=user)
        .exclude(note="")
        .values_list("note", flat=True)
    )
    # Anonymised first, so that what the others are told names nobody.
    _anonymise_user(user)
    _end_relationships(user)
    _blank_texts(user)
    # The ending services above told the people concerned; nothing is kept for this one.
    Notification.objects.filter(user=user).delete()
    _scrub_copies(user, name=name, emails=emails, words=words)
    return user
