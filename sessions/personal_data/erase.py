"""Deleting an account: end what is open, anonymise the person, remove their words.

What goes and what stays, and why: see ``sessions.personal_data``.
"""

from __future__ import annotations

from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from matching.models import (
    Circle,
    CircleMember,
    FlashOffer,
    FlashSlot,
    MatchingPreference,
    MentorRequest,
    Pairing,
)
from matching.services.circles import circle_end, circle_leave
from matching.services.flash import flash_cancel_booking, flash_offer_close
from matching.services.pairings import pairing_decline, pairing_end_early
from matching.services.requests import can_decide, request_decline, request_withdraw
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
    """The person is the last admin of a program: they must hand over first."""


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


def _end_sessions(user: User) -> int:
    """Sign the person out everywhere: every session that names them, on every device."""
    keys = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now())
        if str(s.get_decoded().get(SESSION_KEY)) == str(user.pk)
    ]
    Session.objects.filter(pk__in=keys).delete()
    # A cached session engine keeps a copy outside the database: dropped once the
    # deletion is committed (a rollback leaves the person signed in, as before).
    store = import_module(settings.SESSION_ENGINE).SessionStore
    transaction.on_commit(lambda: [store(session_key=key).delete() for key in keys])
    return len(keys)


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
    FlashOffer.objects.filter(mentor__user=user).update(description="")
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


@transaction.atomic
def account_delete(*, user: User) -> User:
    """Delete a person's account: end what is open, anonymise them, remove their words.

    Refused (``LastAdminError``, nothing changed) while they are the last admin of a
    program. One transaction: any failure leaves everything as it was.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise PermissionDenied("This account is already deleted.")
    orphaned = programs_left_without_admin(user, lock=True)
    if orphaned:
        names = ", ".join(p.name for p in orphaned)
        raise LastAdminError(
            f"You are the last admin of {names}. Make someone else an admin of "
            f"{'it' if len(orphaned) == 1 else 'each'} first, then delete your account."
        )
    # Anonymised first, so that what the others are told names nobody.
    _anonymise_user(user)
    _end_relationships(user)
    _blank_texts(user)
    # The ending services above told the people concerned; nothing is kept for this one.
    Notification.objects.filter(user=user).delete()
    _end_sessions(user)
    return user
