"""Thin Celery tasks: load by id, call a service."""

from celery import shared_task

from programs import services


@shared_task(name="programs.send_invitations")
def send_invitations(invitation_ids: list[int]) -> int:
    """Send the invitation e-mails; an invitation no longer open is skipped."""
    return sum(services.invitation_send(invitation_id=i) for i in invitation_ids)
