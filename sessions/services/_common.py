"""Helpers shared by the workspace services: who may write, and when."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from matching.services import TransitionError
from mentoring import notifications
from mentoring.models import User
from sessions.access import WorkspaceAccess

__all__ = ["TransitionError", "check_can_write", "check_mentee", "check_mentor", "notify_later"]

NOT_IN_IT = "Only the people in this relationship can do that."


def check_can_write(wa: WorkspaceAccess) -> None:
    """Refuse anyone outside the relationship, and everyone once it has ended."""
    if not wa.is_participant:
        raise PermissionDenied(NOT_IN_IT)
    if not wa.workspace.is_open:
        raise TransitionError("This relationship has ended; its workspace is read-only now.")


def check_mentor(wa: WorkspaceAccess, action: str) -> None:
    if not wa.is_mentor:
        raise PermissionDenied(f"Only the mentor can {action}.")


def check_mentee(wa: WorkspaceAccess, action: str) -> None:
    if not wa.is_mentee:
        raise PermissionDenied(f"Only the mentee can {action}.")


def notify_later(
    *, users: list[User], kind: str, key: str, title: str, url: str, body: str = ""
) -> None:
    """Record an in-app notification for each of ``users`` once the transaction commits.

    ``key`` names the event; the recipient's id is added, so each person gets it once.
    """

    def record(user: User) -> Callable[[], object]:
        return lambda: notifications.notification_record(
            user=user, kind=kind, key=f"{key}:u{user.pk}", title=title, url=url, body=body
        )

    for user in users:
        transaction.on_commit(record(user))
