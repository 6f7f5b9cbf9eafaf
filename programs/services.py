"""Every write to programs, memberships, questions and invitations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from mentoring import emails
from mentoring.models import User
from programs.models import (
    Answer,
    Choice,
    Invitation,
    Membership,
    Program,
    Question,
    Topic,
)

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
    "status",
)

PROFILE_FIELDS = (
    "goals_statement",
    "what_i_bring",
    "expectations",
    "goals",
    "strengths",
    "seniority",
    "department",
    "capacity",
    "availability",
    "preferred_medium",
    "manager_email",
)

INVITATION_SALT = "programs.invitation"


def _check_fields(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "program"
    slug, n = base, 2
    while Program.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


# --- Programs -----------------------------------------------------------------


@transaction.atomic
def program_create(*, actor: User, **fields: Any) -> Program:
    """Create a program; only staff may, and the creator becomes its first admin."""
    if not actor.is_staff:
        raise PermissionDenied("Only staff can create programs.")
    _check_fields(fields, PROGRAM_FIELDS)
    program = Program(created_by=actor, **fields)
    program.slug = _unique_slug(program.name)
    program.full_clean()
    program.save()
    Membership.objects.create(program=program, user=actor, role=Role.ADMIN)
    return program


@transaction.atomic
def program_update(*, program: Program, actor: User, **fields: Any) -> Program:
    """Change a program's settings."""
    _check_fields(fields, PROGRAM_FIELDS)
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
    for name, value in fields.items():
        setattr(program, name, value)
    program.full_clean()
    program.save()
    return program


@transaction.atomic
def program_add_admin(*, program: Program, actor: User, email: str) -> Membership | Invitation:
    """Make someone a co-admin: at once if they have an account, else by invitation."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return invitation_create(program=program, actor=actor, email=email, role=Role.ADMIN)
    membership, created = Membership.objects.get_or_create(
        program=program, user=user, role=Role.ADMIN
    )
    if not created:
        raise ValidationError({"email": f"{email} is already an admin of this program."})
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    """Take someone out of a program in one role; a program always keeps one admin."""
    if membership.role == Role.ADMIN:
        admins = Membership.objects.select_for_update().filter(
            program_id=membership.program_id, role=Role.ADMIN
        )
        if len(admins) <= 1:
            raise ValidationError("A program needs at least one admin.")
    membership.delete()


# --- Topics -------------------------------------------------------------------


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
    topic.save()
    return topic


@transaction.atomic
def topic_create(*, program: Program, actor: User, name: str) -> Topic:
    """Add a topic to the program."""
    return _save_topic(Topic(program=program, name=name))


@transaction.atomic
def topic_update(*, topic: Topic, actor: User, name: str) -> Topic:
    """Rename a topic; participants who chose it keep it."""
    topic.name = name
    return _save_topic(topic)


@transaction.atomic
def topic_delete(*, topic: Topic, actor: User) -> None:
    """Delete a topic and take it off every profile."""
    topic.delete()


# --- Enrolment questions ------------------------------------------------------


def _clean_labels(labels: Sequence[str]) -> list[str]:
    cleaned, seen = [], set()
    for raw in labels:
        label = " ".join(raw.split())
        if label and label.lower() not in seen:
            seen.add(label.lower())
            cleaned.append(label)
    return cleaned


def _sync_choices(question: Question, labels: Sequence[str]) -> None:
    labels = _clean_labels(labels)
    if question.kind in Question.CHOICE_KINDS:
        if len(labels) < 2:
            raise ValidationError({"choices": "Give at least two options, one per line."})
        if any(len(label) > 200 for label in labels):
            raise ValidationError({"choices": "Keep each option under 200 characters."})
    else:
        labels = []
    old = list(question.choices.all())
    by_label = {c.label.lower(): c for c in old}
    matched = {by_label[label.lower()].pk for label in labels if label.lower() in by_label}
    # An option whose label is gone but whose place in the list has a new label
    # was renamed: it keeps its id, so the answers that chose it still do.
    renamed = {
        position: choice
        for position, choice in enumerate(old)
        if choice.pk not in matched
        and position < len(labels)
        and labels[position].lower() not in by_label
    }
    keep = []
    for position, label in enumerate(labels):
        choice = by_label.get(label.lower()) or renamed.get(position)
        if choice is None:
            choice = Choice(question=question, label=label, position=position)
        else:
            choice.label, choice.position = label, position
        choice.save()
        keep.append(choice.pk)
    question.choices.exclude(pk__in=keep).delete()


QUESTION_FIELDS = (
    "text",
    "help_text",
    "kind",
    "audience",
    "required",
    "used_for_matching",
    "matching_rule",
)


@transaction.atomic
def question_create(
    *, program: Program, actor: User, choices: Sequence[str] = (), **fields: Any
) -> Question:
    """Add an enrolment question at the end of the program's list."""
    _check_fields(fields, QUESTION_FIELDS)
    last = program.questions.aggregate(m=Max("position"))["m"]
    question = Question(program=program, position=(last or 0) + 1, **fields)
    question.full_clean()
    question.save()
    _sync_choices(question, choices)
    return question


@transaction.atomic
def question_update(
    *, question: Question, actor: User, choices: Sequence[str] = (), **fields: Any
) -> Question:
    """Change a question; its kind is fixed once someone has answered it."""
    _check_fields(fields, QUESTION_FIELDS)
    if "kind" in fields and fields["kind"] != question.kind and question.answers.exists():
        raise ValidationError(
            {"kind": "People have answered this question; its kind can no longer change."}
        )
    for name, value in fields.items():
        setattr(question, name, value)
    question.full_clean()
    question.save()
    _sync_choices(question, choices)
    return question


@transaction.atomic
def question_delete(*, question: Question, actor: User) -> None:
    """Delete a question and its answers."""
    question.delete()


@transaction.atomic
def question_move(*, question: Question, actor: User, up: bool) -> None:
    """Move a question one place up or down in its program's list."""
    siblings = list(
        Question.objects.select_for_update()
        .filter(program_id=question.program_id)
        .order_by("position", "id")
    )
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, q in enumerate(siblings, start=1):
        if q.position != position:
            q.position = position
            q.save(update_fields=["position"])


# --- Enrolment ----------------------------------------------------------------


@transaction.atomic
def enrolment_submit(
    *,
    membership: Membership,
    actor: User,
    topics: Iterable[Topic],
    answers: dict[int, Any],
    **profile: Any,
) -> Membership:
    """Save a participant's enrolment profile and answers while enrolment is open."""
    _check_fields(profile, PROFILE_FIELDS)
    membership = (
        Membership.objects.select_for_update().select_related("program").get(pk=membership.pk)
    )
    if membership.user_id != actor.pk:
        raise PermissionDenied("Only the participant can change their enrolment.")
    if not membership.program.enrolment_open:
        raise ValidationError(
            "Matching has started, so enrolment answers are locked. "
            "Ask a program admin if something must change."
        )
    for name, value in profile.items():
        setattr(membership, name, value)
    membership.manager_email = (membership.manager_email or "").strip().lower()
    if membership.manager_email and membership.manager_email == actor.email.lower():
        raise ValidationError({"manager_email": "Your manager cannot be yourself."})
    if membership.role != Role.MENTOR:
        membership.capacity = None
    now = timezone.now()
    membership.enrolled_at = membership.enrolled_at or now
    membership.privacy_acknowledged_at = membership.privacy_acknowledged_at or now
    membership.full_clean()
    membership.save()
    topic_list = [t for t in topics if t.program_id == membership.program_id]
    membership.topics.set(topic_list)
    questions = {
        q.pk: q
        for q in Question.objects.filter(program_id=membership.program_id)
        if q.asked_of(membership.role)
    }
    existing = {a.question_id: a for a in membership.answers.all()}
    for question_id, value in answers.items():
        if question_id not in questions:
            continue
        empty = value in (None, "", [])
        answer = existing.get(question_id)
        if empty:
            if answer:
                answer.delete()
        elif answer is None:
            Answer.objects.create(membership=membership, question_id=question_id, value=value)
        elif answer.value != value:
            answer.value = value
            answer.save(update_fields=["value", "updated_at"])
    return membership


# --- Invitations --------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link's token names, or None when the token is not genuine."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("program").get(pk=int(data["i"]))
    except (signing.BadSignature, Invitation.DoesNotExist, KeyError, TypeError, ValueError):
        return None
    if not isinstance(data.get("n"), str) or data["n"] != invitation.nonce:
        return None
    return invitation


def invitation_url(invitation: Invitation) -> str:
    path = reverse("invitations:landing", kwargs={"token": invitation_token(invitation)})
    return settings.SITE_URL + path


def _expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def _enqueue_invitation_emails(ids: list[int]) -> None:
    """Ask for one more e-mail per invitation and queue the task once this commits."""
    from programs import tasks

    if ids:
        Invitation.objects.filter(pk__in=ids).update(sends_requested=F("sends_requested") + 1)
        transaction.on_commit(lambda: tasks.send_invitations.delay(ids))


@transaction.atomic
def invitation_create(
    *, program: Program, actor: User, email: str, role: str, message: str = ""
) -> Invitation:
    """Invite someone by e-mail to the program in ``role``; the e-mail goes out on commit."""
    email = email.strip().lower()
    member = (
        Membership.objects.filter(program=program, user__email__iexact=email, role=role)
        .select_related("user")
        .first()
    )
    # A member imported without an invitation has no password yet: inviting
    # them is how they set up their account.
    if member is not None and member.user.has_usable_password():
        raise ValidationError(
            {"email": f"{email} is already a {Role(role).label.lower()} in this program."}
        )
    open_invitation = Invitation.objects.filter(
        program=program,
        email__iexact=email,
        role=role,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).first()
    if open_invitation is not None:
        if not open_invitation.is_expired:
            raise ValidationError(
                {"email": f"{email} already has an open invitation; resend it from the list."}
            )
        open_invitation.revoked_at = timezone.now()
        open_invitation.save(update_fields=["revoked_at"])
    invitation = Invitation(
        program=program,
        email=email,
        role=role,
        message=message,
        invited_by=actor,
        expires_at=_expiry(),
    )
    invitation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise ValidationError({"email": f"{email} was invited a moment ago."}) from None
    _enqueue_invitation_emails([invitation.pk])
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    """Send a pending invitation again and give it a fresh expiry date."""
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("Only a pending invitation can be sent again.")
    invitation.expires_at = _expiry()
    invitation.save(update_fields=["expires_at"])
    _enqueue_invitation_emails([invitation.pk])
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    """Withdraw a pending invitation; its link stops working."""
    if invitation.accepted_at:
        raise ValidationError("This invitation was already accepted.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_send(*, invitation_id: int) -> bool:
    """Send a requested invitation e-mail (called by the task).

    The send is claimed first with a conditional update, so running the task
    twice, or two workers at once, sends it once. False when there was nothing
    to send: already sent, or the invitation is no longer open.
    """
    invitation = (
        Invitation.objects.select_related("program", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_open:
        return False
    claimed = Invitation.objects.filter(
        pk=invitation.pk, send_count__lt=F("sends_requested")
    ).update(send_count=F("send_count") + 1, sent_at=timezone.now())
    if not claimed:
        return False
    # Someone imported from a CSV has an account but no password yet: they set
    # one up from the link, like a newcomer.
    existing = User.objects.filter(email__iexact=invitation.email).first()
    has_account = existing is not None and existing.has_usable_password()
    try:
        emails.send(
            "invitation",
            invitation.email,
            {
                "invitation": invitation,
                "program": invitation.program,
                "role_label": invitation.get_role_display(),
                "inviter": invitation.invited_by,
                "url": invitation_url(invitation),
                "has_account": has_account,
            },
        )
    except Exception:
        # Give the claim back so that the retried task sends it.
        Invitation.objects.filter(pk=invitation.pk).update(send_count=F("send_count") - 1)
        raise
    return True


def invitation_problem(invitation: Invitation, user: User | None = None) -> str:
    """Why this invitation cannot be accepted (by ``user``), or "" when it can."""
    if invitation.revoked_at:
        return "This invitation was withdrawn by the program's admins."
    if invitation.accepted_at:
        return "This invitation has already been accepted."
    if invitation.is_expired:
        return "This invitation has expired. Ask the program's admins to send it again."
    if user is not None and user.is_authenticated:
        from allauth.account.models import EmailAddress

        addresses = {user.email.lower()} | {
            e.lower()
            for e in EmailAddress.objects.filter(user=user, verified=True).values_list(
                "email", flat=True
            )
        }
        if invitation.email.lower() not in addresses:
            return (
                f"This invitation was sent to {invitation.email}, but you are signed in "
                f"as {user.email}. Sign out and open the link again."
            )
    return ""


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the program in the invited role."""
    invitation = (
        Invitation.objects.select_for_update().select_related("program").get(pk=invitation.pk)
    )
    problem = invitation_problem(invitation, user)
    if problem:
        raise ValidationError(problem)
    membership, _ = Membership.objects.get_or_create(
        program=invitation.program, user=user, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_join(*, invitation: Invitation, name: str, password: str) -> User:
    """Set up the invited person's account from the link and accept the invitation.

    The link was e-mailed to the address, so the address counts as verified.
    Someone imported from a CSV already has an account without a password;
    anyone else gets a new one.
    """
    from allauth.account.models import EmailAddress

    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    user = User.objects.select_for_update().filter(email__iexact=invitation.email).first()
    if user is not None and user.has_usable_password():
        raise ValidationError("You already have an account: sign in to accept the invitation.")
    if user is None:
        user = User(email=invitation.email.lower())
    user.name = name
    user.set_password(password)
    user.full_clean(exclude=["password"], validate_constraints=False)
    user.save()
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email}
    )
    if not (address.verified and address.primary):
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])
    invitation_accept(invitation=invitation, user=user)
    return user
