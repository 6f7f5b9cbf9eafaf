"""Helpers shared by the workspace services: who may write, and when."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from matching.services import TransitionError
from mentoring import notifications
from mentoring.models import Category, User
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


# How people choose to hear of each kind of workspace event (their preference is per
# category); anything not listed is about the relationship itself.
CATEGORY_OF = {
    "agenda_submitted": Category.MEETINGS,
    "meeting_scheduled": Category.MEETINGS,
    "meeting_rescheduled": Category.MEETINGS,
    "meeting_cancelled": Category.MEETINGS,
    "action_assigned": Category.FOLLOW_UPS,
}


def notify_later(  # the name says when its e-mails go: after the commit
    *,
    users: list[User],
    kind: str,
    key: str,
    title: str,
    url: str,
    body: str = "",
    attachment: str = "",
) -> None:
    """Tell each of ``users`` (in the app, and by e-mail as they prefer) after the commit.

    ``key`` names the event; the recipient's id is added, so each person is told once.
    """
    category = CATEGORY_OF.get(kind, Category.RELATIONSHIP)
    notices = [
        notifications.Notice(
            user=user,
            kind=kind,
            key=f"{key}:u{user.pk}",
            title=title,
            category=category,
            lines=(body,) if body else (),
            url=url,
            attachment=attachment,
        )
        for user in users
    ]
    # Recorded inside the service's transaction: the notice exists exactly when the
    # change does (nothing lost between the commit and a callback); its e-mail is
    # handed to the broker once the transaction commits.
    notifications.record(notices)
