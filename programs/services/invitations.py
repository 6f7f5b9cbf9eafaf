"""Invitations: the signed link, sending it exactly once, accepting it, joining from it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from mentoring import emails
from mentoring.accounts import account_for_email, addresses_of
from mentoring.models import User
from mentoring.queue import enqueue_on_commit
from programs.audit import services as audit
from programs.models import Invitation, Membership, Program

Role = Membership.Role

INVITATION_SALT = "programs.invitation"
# Invitation e-mails go out in tasks of this many, so that no task runs long.
SEND_BATCH = 50


def invitation_token(invitation: Invitation) -> str:
    """The signed token in an invitation's link: the same every time it is made.

    No timestamp inside: when a link stops working is the invitation's own
    expiry date, which a resend moves.
    """
    return signing.Signer(salt=INVITATION_SALT).sign_object(
        {"i": invitation.pk, "n": invitation.nonce}
    )


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link's token names, or None when the token is not genuine."""
    try:
        data = signing.Signer(salt=INVITATION_SALT).unsign_object(token)
        invitation = Invitation.objects.select_related("program").get(pk=int(data["i"]))
    except (signing.BadSignature, Invitation.DoesNotExist, KeyError, TypeError, ValueError):
        return None
    if not isinstance(data.get("n"), str) or data["n"] != invitation.nonce:
        return None
    return invitation


def invitation_url(invitation: Invitation) -> str:
    path = reverse("invitations:landing", kwargs={"token": invitation_token(invitation)})
    return settings.SITE_URL + path


def invitation_expiry() -> dt.datetime:
    """When an invitation sent now stops working."""
    return timezone.now() + dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def invitations_queue_emails(ids: list[int]) -> None:
    """Record one more requested e-mail per invitation; queue the sending on commit."""
    from programs import tasks

    if not ids:
        return
    Invitation.objects.filter(pk__in=ids).update(sends_requested=F("sends_requested") + 1)
    for start in range(0, len(ids), SEND_BATCH):
        enqueue_on_commit(tasks.send_invitations, ids[start : start + SEND_BATCH])


@transaction.atomic
def invitation_create(
    *, program: Program, actor: User, email: str, role: str, message: str = ""
) -> Invitation:
    """Invite someone by e-mail to the program in ``role``; the e-mail goes out on commit."""
    email = email.strip().lower()
    if program.status == Program.Status.CLOSED:
        raise ValidationError("This program is closed; reopen it before inviting anyone.")
    account = account_for_email(email)
    # A member imported without an invitation has not set up their account:
    # inviting them is how they do.
    if (
        account is not None
        and not account.is_unclaimed
        and Membership.objects.filter(program=program, user=account, role=role).exists()
    ):
        raise ValidationError(
            {"email": f"{email} is already a {Role(role).label.lower()} in this program."}
        )
    open_invitation = (
        Invitation.objects.open().filter(program=program, email__iexact=email, role=role).first()
    )
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
        expires_at=invitation_expiry(),
    )
    invitation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise ValidationError({"email": f"{email} was invited a moment ago."}) from None
    invitations_queue_emails([invitation.pk])
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    """Send a pending invitation again and give it a fresh expiry date."""
    updated = (
        Invitation.objects.open().filter(pk=invitation.pk).update(expires_at=invitation_expiry())
    )
    if not updated:
        raise ValidationError("Only a pending invitation can be sent again.")
    invitations_queue_emails([invitation.pk])
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    """Withdraw a pending invitation; its link stops working."""
    # Conditional, so an acceptance that lands first wins and is not overwritten.
    Invitation.objects.open().filter(pk=invitation.pk).update(revoked_at=timezone.now())
    invitation.refresh_from_db()
    if invitation.accepted_at:
        raise ValidationError("This invitation was already accepted.")
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
    ).update(send_count=F("send_count") + 1)
    if not claimed:
        return False
    # Someone imported from a CSV has an account they never set up: they set it
    # up from the link, like a newcomer.
    account = account_for_email(invitation.email)
    has_account = account is not None and not account.is_unclaimed
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
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True


def invitations_send_pending(*, limit: int = 500) -> int:
    """Send the invitation e-mails that were requested but never went out (broker down,
    worker lost); returns how many were sent."""
    ids = list(
        Invitation.objects.in_state("pending")
        .filter(send_count__lt=F("sends_requested"))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(invitation_send(invitation_id=pk) for pk in ids)


def invitation_problem(invitation: Invitation, user: User | None = None) -> str:
    """Why this invitation cannot be accepted (by ``user``), or "" when it can."""
    if invitation.revoked_at:
        return "This invitation was withdrawn by the program's admins."
    if invitation.accepted_at:
        return "This invitation has already been accepted."
    if invitation.is_expired:
        return "This invitation has expired. Ask the program's admins to send it again."
    if invitation.program.status == Program.Status.CLOSED:
        return "This program has closed."
    if (
        user is not None
        and user.is_authenticated
        and invitation.email.lower() not in addresses_of(user)
    ):
        return (
            f"This invitation was sent to {invitation.email}, but you are signed in "
            f"as {user.email}. Sign out and open the link again."
        )
    return ""


@audit.records(audit.Action.ROLE_GRANTED)
def _accept(invitation: Invitation, user: User) -> Membership:
    membership, created = Membership.objects.get_or_create(
        program=invitation.program, user=user, role=invitation.role
    )
    if created:
        audit.record(
            audit.Action.ROLE_GRANTED,
            actor=user,
            program=invitation.program_id,
            target=membership,
            detail={
                "user": user.pk,
                "role": invitation.role,
                "invited_by": invitation.invited_by_id,
            },
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def _locked(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().select_related("program").get(pk=invitation.pk)


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the program in the invited role."""
    invitation = _locked(invitation)
    problem = invitation_problem(invitation, user)
    if problem:
        raise ValidationError(problem)
    return _accept(invitation, user)


@transaction.atomic
def invitation_join(*, invitation: Invitation, name: str, password: str) -> User:
    """Set up the invited person's account from the link and accept the invitation.

    The link was e-mailed to the address, so the address counts as verified.
    Someone imported from a CSV has an account they never set up; anyone else
    without an account gets a new one. An account that is in use is never
    taken over this way: its owner signs in instead.
    """
    from allauth.account.models import EmailAddress

    invitation = _locked(invitation)
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    user = account_for_email(invitation.email)
    if user is not None:
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise ValidationError("This account is deactivated. Ask the program's admins.")
        if not user.is_unclaimed:
            raise ValidationError("You already have an account: sign in to accept the invitation.")
    else:
        user = User(email=invitation.email.lower())
    user.name = name
    user.set_password(password)
    user.full_clean(exclude=["password"], validate_constraints=False)
    user.save()
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        address = EmailAddress(user=user, email=user.email)
    address.verified = True
    address.primary = True
    address.save()
    _accept(invitation, user)
    return user
