"""In-app notifications: recorded once per event key, read from the home page."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from mentoring.models import Notification, User


def notification_record(
    *, user: User, kind: str, key: str, title: str, url: str = "", body: str = ""
) -> Notification | None:
    """Record a notification for ``user`` unless one with ``key`` exists; None if it did."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user=user, kind=kind, key=key[:200], title=title[:300], url=url, body=body[:2000]
            )
    except IntegrityError:
        return None


def notifications_mark_read(*, user: User, pks: list[int] | None = None) -> int:
    """Mark ``user``'s notifications read (all unread ones when ``pks`` is None)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pks is not None:
        unread = unread.filter(pk__in=pks)
    return unread.update(read_at=timezone.now())


def unread_for(user: User, limit: int = 10) -> list[Notification]:
    """The newest unread notifications of ``user``."""
    return list(Notification.objects.filter(user=user, read_at__isnull=True)[:limit])
