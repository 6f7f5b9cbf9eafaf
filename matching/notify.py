"""Tell people about matching events by e-mail, after the change commits.

A service calls ``event(kind, pk)``; once the transaction commits, a Celery task
looks the object up again and sends each recipient one e-mail, built by the
message function registered for ``kind`` with ``@message(kind)``. The
reminders issue turns these into notification records with in-app delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from mentoring import emails
from mentoring.models import User
from mentoring.queue import enqueue_on_commit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """One e-mail to one person."""

    to: User
    subject: str
    lines: list[str] = field(default_factory=list)
    url: str = ""
    action: str = "Open in Constellation"


Builder = Callable[[int], list[Notice]]
_BUILDERS: dict[str, Builder] = {}


def message(kind: str) -> Callable[[Builder], Builder]:
    """Register the function that builds the notices of event ``kind``."""

    def register(builder: Builder) -> Builder:
        _BUILDERS[kind] = builder
        return builder

    return register


def event(kind: str, pk: int) -> None:
    """Queue the notices of event ``kind`` about object ``pk`` for after the commit."""
    if kind not in _BUILDERS:
        raise KeyError(f"No message is registered for the event {kind!r}.")
    from matching import tasks

    enqueue_on_commit(tasks.send_event, kind, pk)


def build(kind: str, pk: int) -> list[Notice]:
    return _BUILDERS[kind](pk)


def deliver(kind: str, pk: int) -> int:
    """Send the notices of one event; returns how many e-mails went out."""
    sent = 0
    for notice in build(kind, pk):
        if not notice.to.is_active or not notice.to.email:
            continue
        url = notice.url
        if url.startswith("/"):
            url = settings.SITE_URL + url
        emails.send(
            "notice",
            notice.to.email,
            {
                "recipient": notice.to,
                "subject": notice.subject,
                "lines": notice.lines,
                "url": url,
                "action": notice.action,
            },
        )
        sent += 1
    return sent
