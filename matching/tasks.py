"""Thin Celery tasks: load by id, call a service."""

from celery import shared_task

from matching import notify
from mentoring import sweeps


# Events are recorded by the service that makes the change (``notify.event``). This task
# stays for events queued before that: it records what is not recorded yet, so running
# it twice records nothing more; the pipeline sends the e-mails.
@shared_task(name="matching.send_event")
def send_event(kind: str, pk: int) -> int:
    """Record the notifications of one matching event; returns how many were new."""
    return notify.record(kind, pk)


@shared_task(name="matching.expire_overdue")
def expire_overdue() -> int:
    """Sweep: proposals and requests past their deadline expire, and people are told."""
    return sweeps.run_chore("expire_overdue")
