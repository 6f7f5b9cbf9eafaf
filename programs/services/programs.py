"""Writes of programs, their admins, memberships and topics."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from mentoring.accounts import addresses_of
from mentoring.models import User
from programs.audit import services as audit
from programs.models import Invitation, Membership, Program, Topic
from programs.services._common import check_fields
from programs.services.invitations import invitation_create

Role = Membership.Role

PROGRAM_FIELDS = (
    "name",
    "description",
    "start_date",
    "end_date",
    "midpoint_date",
    "cadence_days",
    "timezone",
    "matching_mode",
    "default_mentor_capacity",
    "allow_one_to_one",
    "allow_circles",
    "allow_flash",
    "privacy_policy",
    "agenda_lead_hours",
    "meeting_reminder_hours",
    "digest_weekday",
    "status",
)


def _slug_for(name: str) -> str:
    base = slugify(name)[:50] or "program"
    slug, n = base, 2
    while Program.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
@audit.records(audit.Action.ROLE_GRANTED)
def program_create(*, actor: User, **fields: Any) -> Program:
    """Create a program; only staff may, and the creator becomes its first admin."""
    if not actor.is_staff:
        raise PermissionDenied("Only staff can create programs.")
    check_fields(fields, PROGRAM_FIELDS)
    program = Program(created_by=actor, **fields)
    program.slug = _slug_for(program.name)
    program.full_clean(validate_unique=False)
    for _ in range(5):
        try:
            with transaction.atomic():
                program.save()
            break
        except IntegrityError:
            # Someone took the slug a moment ago: take the next one.
            program.slug = _slug_for(program.name)
    else:
        raise ValidationError("The program could not be saved; please try again.")
    membership = Membership.objects.create(program=program, user=actor, role=Role.ADMIN)
    audit.record(
        audit.Action.ROLE_GRANTED,
        actor=actor,
        program=program,
        target=membership,
        detail={"user": actor.pk, "role": Role.ADMIN},
    )
    return program


@transaction.atomic
@audit.records(audit.Action.PRIVACY_POLICY_CHANGED)
def program_update(*, program: Program, actor: User, **fields: Any) -> Program:
    """Change a program's settings."""
    check_fields(fields, PROGRAM_FIELDS)
    program = Program.objects.select_for_update().get(pk=program.pk)
    widening = (
        fields.get("privacy_policy") == Program.PrivacyPolicy.CONTENT
        and program.privacy_policy == Program.PrivacyPolicy.METADATA
    )
    if (
        widening
        and Membership.objects.filter(
            program=program, role__in=Membership.PARTICIPANT_ROLES, enrolled_at__isnull=False
        ).exists()
    ):
        raise ValidationError(
            {
                "privacy_policy": "Participants enrolled when admins could see engagement "
                "figures only; that promise cannot be widened now."
            }
        )
    old_policy = program.privacy_policy
    for name, value in fields.items():
        setattr(program, name, value)
    program.full_clean()
    program.save()
    audit.record_change(
        audit.Action.PRIVACY_POLICY_CHANGED,
        before=old_policy,
        after=program.privacy_policy,
        actor=actor,
        program=program,
        target=program,
    )
    return program


@transaction.atomic
def program_add_admin(*, program: Program, actor: User, email: str) -> Invitation:
    """Invite someone to be a co-admin; they become one when they accept.

    Even someone who already has an account is invited rather than added: being
    made an admin is theirs to accept, and the page says the same either way,
    so it does not reveal who has an account.
    """
    return invitation_create(program=program, actor=actor, email=email, role=Role.ADMIN)


@transaction.atomic
@audit.records(audit.Action.ROLE_REVOKED)
def membership_remove(*, membership: Membership, actor: User) -> None:
    """Take someone out of a program in one role; a program always keeps one admin.

    Their open invitations to that role are withdrawn too, so the link in an
    old e-mail cannot bring them back.
    """
    if membership.role == Role.ADMIN:
        admins = Membership.objects.select_for_update().filter(
            program_id=membership.program_id, role=Role.ADMIN
        )
        if len(admins) <= 1:
            raise ValidationError("A program needs at least one admin.")
    open_invitations = Invitation.objects.open().filter(
        program_id=membership.program_id, role=membership.role
    )
    emails = addresses_of(membership.user)
    for invitation in open_invitations:
        if invitation.email.lower() in emails:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
    audit.record(
        audit.Action.ROLE_REVOKED,
        actor=actor,
        program=membership.program_id,
        target=membership,
        detail={"user": membership.user_id, "role": membership.role},
    )
    membership.delete()


def _save_topic(topic: Topic) -> Topic:
    topic.name = " ".join(topic.name.split())
    topic.full_clean(validate_constraints=False)
    clash = Topic.objects.filter(program_id=topic.program_id, name__iexact=topic.name)
    if topic.pk:
        clash = clash.exclude(pk=topic.pk)
    existing = clash.first()
    if existing is not None:
        # Name the topic that is there: it may differ from the new name in case only.
        raise ValidationError({"name": f"There is already a topic called “{existing.name}”."})
    try:
        with transaction.atomic():
            topic.save()
    except IntegrityError:
        # Added by someone else between the check and the save.
        raise ValidationError(
            {"name": f"There is already a topic called “{topic.name}”."}
        ) from None
    return topic


@transaction.atomic
def topic_create(*, program: Program, actor: User, name: str) -> Topic:
    """Add a topic to the program."""
    return _save_topic(Topic(program=program, name=name))


@transaction.atomic
def topic_update(*, topic: Topic, actor: User, name: str) -> Topic:
    """Rename a topic; participants who chose it keep it."""
    # A fresh copy: a refused name must not linger on the caller's object.
    fresh = Topic.objects.get(pk=topic.pk)
    fresh.name = name
    return _save_topic(fresh)


@transaction.atomic
def topic_delete(*, topic: Topic, actor: User) -> None:
    """Delete a topic and take it off every profile."""
    topic.delete()
