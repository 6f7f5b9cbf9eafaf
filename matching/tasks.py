"""Thin Celery tasks: load by id, call a service."""

from celery import shared_task

from matching import notify, services


# A mail server that is briefly unreachable raises OSError: retry later.
@shared_task(
    name="matching.send_event",
    autoretry_for=(OSError,),
    retry_backoff=60,
    retry_backoff_max=1800,
    max_retries=5,
)
def send_event(kind: str, pk: int) -> int:
    """Send the e-mails of one matching event; returns how many went out."""
    return notify.deliver(kind, pk)


@shared_task(name="matching.expire_overdue")
def expire_overdue() -> int:
    """Sweep: proposals and requests past their deadline expire, and people are told."""
    return len(services.pairings_expire_overdue()) + len(services.requests_expire_overdue())
