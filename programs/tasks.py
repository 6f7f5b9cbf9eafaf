"""Thin Celery tasks: load by id, call a service."""

from celery import shared_task

from programs import services


# A mail server that is briefly unreachable raises OSError: retry later. The
# service claims each send before it sends, so a retry never sends twice.
@shared_task(
    name="programs.send_invitations",
    autoretry_for=(OSError,),
    retry_backoff=60,
    retry_backoff_max=1800,
    max_retries=5,
)
def send_invitations(invitation_ids: list[int]) -> int:
    """Send the requested invitation e-mails; returns how many went out."""
    return sum(services.invitation_send(invitation_id=i) for i in invitation_ids)


@shared_task(name="programs.send_pending_invitations")
def send_pending_invitations() -> int:
    """Sweep: send invitation e-mails that were requested but never went out."""
    return services.invitations_send_pending()
