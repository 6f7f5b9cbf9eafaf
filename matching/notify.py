"""Tell people about matching events through the notification pipeline.

A service calls ``event(kind, pk)`` inside its transaction. The notices of the
event, built by the function registered for ``kind`` with ``@message(kind)``, are
recorded there and then (``mentoring.notifications.record``): so they exist exactly
when the change commits, a broker that is down loses nothing (``deliver_due`` sends
them later), and each one is shown in the app and e-mailed as its recipient prefers,
in their contact hours, with the unsubscribe link of the matching category.

Each notification is keyed ``{kind}:{pk}:u{user}``. An event that can happen again to
the same object (a flash slot booked a second time, a mentee added to a circle again
after leaving it) is numbered from its second occurrence on: ``{kind}:{pk}:n2:u{user}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from mentoring import notifications
from mentoring.models import Category, Notification, User


@dataclass(frozen=True)
class Notice:
    """One message to one person about a matching event."""

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
    """Record the notices of event ``kind`` about object ``pk`` in the current transaction.

    Their e-mails go out once it commits; if it rolls back, nobody hears of it.
    """
    if kind not in _BUILDERS:
        raise KeyError(f"No message is registered for the event {kind!r}.")
    record(kind, pk, again=True)


def build(kind: str, pk: int) -> list[Notice]:
    return _BUILDERS[kind](pk)


def key(kind: str, pk: int, user: User, occurrence: int = 1) -> str:
    """The unique key of one recipient's notification of one occurrence of an event."""
    if occurrence <= 1:
        return f"{kind}:{pk}:u{user.pk}"
    return f"{kind}:{pk}:n{occurrence}:u{user.pk}"


def _next_occurrence(kind: str, pk: int) -> int:
    """1 for an event not recorded yet about this object, else one more than the last."""
    prefix = f"{kind}:{pk}:"
    keys = (
        Notification.objects.filter(key__startswith=prefix).order_by().values_list("key", flat=True)
    )
    last = 0
    for found in keys:
        match = re.fullmatch(r"(?:n(\d+):)?u\d+", found.removeprefix(prefix))
        if match:
            last = max(last, int(match.group(1) or 1))
    return last + 1


def to_notifications(
    kind: str, pk: int, notices: list[Notice], occurrence: int = 1
) -> list[notifications.Notice]:
    """The pipeline's notices for these (one per active recipient)."""
    return [
        notifications.Notice(
            user=n.to,
            kind=kind,
            key=key(kind, pk, n.to, occurrence),
            title=n.subject,
            category=Category.MATCHING,
            lines=tuple(n.lines),
            url=n.url,
            action=n.action,
        )
        for n in notices
        if n.to.is_active
    ]


def record(kind: str, pk: int, *, again: bool = False) -> int:
    """Record the notices of one event; returns how many were new.

    ``again`` says this call is a new occurrence of the event (a service that just made
    the change): if the object's event was recorded before, this one gets the next
    number. Without it (a retried task) an event already recorded is not recorded twice.
    """
    notices = build(kind, pk)
    if not notices:
        return 0
    occurrence = _next_occurrence(kind, pk) if again else 1
    return notifications.record(to_notifications(kind, pk, notices, occurrence))
