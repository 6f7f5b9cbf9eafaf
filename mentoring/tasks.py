"""Thin Celery tasks of the core: deliver notifications, sweep what is due, send digests."""

from celery import shared_task

from mentoring import notifications


# A mail server that is briefly unreachable raises OSError: retry later. Rows already
# sent are marked so, and a retry skips them.
@shared_task(
    name="mentoring.deliver_notifications",
    autoretry_for=(OSError,),
    retry_backoff=60,
    retry_backoff_max=1800,
    max_retries=5,
)
def deliver_notifications(ids: list[int]) -> int:
    """Send the e-mails of these notifications that are still due; returns how many."""
    return notifications.deliver(ids)


@shared_task(name="mentoring.deliver_due")
def deliver_due() -> int:
    """Sweep: send what is due and was never sent (broker down, worker lost, quiet hours)."""
    return notifications.deliver_due()


@shared_task(name="mentoring.send_digests")
def send_digests() -> int:
    """Sweep: one digest e-mail a day to each person who chose digests."""
    return notifications.send_digests()


@shared_task(name="mentoring.run_sweep")
def run_sweep(name: str) -> int:
    """Run one registered sweep now; returns how many new notifications it recorded."""
    from mentoring import sweeps

    return sweeps.run(name)


@shared_task(name="mentoring.compact_page_stamps")
def compact_page_stamps() -> int:
    """Fold the page cache's change stamps, one row per scope; returns how many went."""
    from mentoring import stamps

    return stamps.compact()
