"""Action items: what someone in the relationship will do, and follow-ups the mentor promised.

Action items belong to the whole relationship: either participant creates them,
marks them done or dropped, and reopens them. Their creator and their owner may
edit them.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mentoring.models import User
from sessions.access import WorkspaceAccess
from sessions.models import ActionItem, Meeting
from sessions.services._common import TransitionError, check_can_write, notify_later

__all__ = ["action_create", "action_set_status", "action_update"]

DESCRIPTION_MAX = 2000


def _clean(
    wa: WorkspaceAccess,
    *,
    owner: User,
    kind: str,
    description: str,
    due_date: dt.date | None,
    previous_due: dt.date | None = None,
) -> str:
    errors: dict[str, str] = {}
    if owner.pk not in wa.participant_ids:
        errors["owner"] = "Choose someone in this relationship."
    if kind not in ActionItem.Kind.values:
        errors["kind"] = "Choose a task, a resource to share or an introduction to make."
    description = (description or "").strip()
    if not description:
        errors["description"] = "Say what is to be done."
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = (
            f"Keep this under {DESCRIPTION_MAX:,} characters (it has {len(description):,})."
        )
    # "Today" is the acting person's day; an unchanged due date may have passed since.
    today = timezone.localdate(timezone=wa.user.tzinfo)
    if due_date is not None and due_date < today and due_date != previous_due:
        errors["due_date"] = "Choose today or a later date."
    if errors:
        raise ValidationError(errors)
    return description


def _tell_owner(wa: WorkspaceAccess, action: ActionItem) -> None:
    if action.owner_id == wa.user.pk:
        return
    notify_later(
        users=[action.owner],
        kind="action_assigned",
        key=f"action_assigned:{action.pk}:{action.owner_id}:{action.updated_at.timestamp()}",
        title=f"{wa.user.display_name} gave you an action item",
        url=_url(wa),
    )


def _url(wa: WorkspaceAccess) -> str:
    return reverse("workspace:actions", kwargs={"slug": wa.program.slug, "pk": wa.workspace.pk})


@transaction.atomic
def action_create(
    *,
    wa: WorkspaceAccess,
    owner: User,
    kind: str,
    description: str,
    due_date: dt.date | None,
    meeting: Meeting | None = None,
) -> ActionItem:
    """Either participant adds an action item for anyone in the relationship."""
    check_can_write(wa)
    description = _clean(wa, owner=owner, kind=kind, description=description, due_date=due_date)
    if meeting is not None and meeting.workspace_id != wa.workspace.pk:
        raise ValidationError("That meeting is not one of this relationship's.")
    now = timezone.now()
    action = ActionItem.objects.create(
        workspace=wa.workspace,
        meeting=meeting,
        owner=owner,
        kind=kind,
        description=description,
        due_date=due_date,
        created_by=wa.user,
        created_at=now,
        updated_at=now,
    )
    _tell_owner(wa, action)
    return action


@transaction.atomic
def action_update(
    *,
    wa: WorkspaceAccess,
    action: ActionItem,
    owner: User,
    kind: str,
    description: str,
    due_date: dt.date | None,
) -> ActionItem:
    """The creator or the owner of an action item changes it."""
    check_can_write(wa)
    if wa.user.pk not in (action.created_by_id, action.owner_id):
        raise PermissionDenied(
            "Only the person who added this action item or its owner can edit it."
        )
    action = ActionItem.objects.select_for_update().select_related("owner").get(pk=action.pk)
    description = _clean(
        wa,
        owner=owner,
        kind=kind,
        description=description,
        due_date=due_date,
        previous_due=action.due_date,
    )
    new_owner = owner.pk != action.owner_id
    action.owner = owner
    action.kind = kind
    action.description = description
    action.due_date = due_date
    action.updated_at = timezone.now()
    action.save()
    if new_owner:
        _tell_owner(wa, action)
    return action


@transaction.atomic
def action_set_status(*, wa: WorkspaceAccess, action: ActionItem, status: str) -> ActionItem:
    """Either participant marks an action item done or dropped, or reopens it."""
    check_can_write(wa)
    if status not in ActionItem.Status.values:
        raise ValidationError("Choose done, dropped or open.")
    action = ActionItem.objects.select_for_update().get(pk=action.pk)
    if status == action.status:
        raise TransitionError(f"This action item is already {action.get_status_display().lower()}.")
    if status != ActionItem.Status.OPEN and action.status != ActionItem.Status.OPEN:
        raise TransitionError("Reopen this action item first.")
    now = timezone.now()
    action.status = status
    action.done_at = now if status == ActionItem.Status.DONE else None
    action.updated_at = now
    action.save(update_fields=["status", "done_at", "updated_at"])
    return action
