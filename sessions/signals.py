"""Every active pairing and every circle gets a workspace, however it became active.

Pairings turn active in several matching services (a proposal accepted, a request
accepted, a flash session booked, an admin's direct pairing); matching sits below
this app and cannot call it, so the workspace follows the saved row instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from matching.models import Circle, FlashSlot, Pairing
from sessions.models import Medium, Meeting, Workspace

# Once a pairing has started, its workspace exists for good (also after it ends).
STARTED = (Pairing.Status.ACTIVE, Pairing.Status.COMPLETED, Pairing.Status.ENDED_EARLY)


def _dates(start: dt.date, end: dt.date | None) -> tuple[dt.date, dt.date, dt.date]:
    end = max(end or start, start)
    return start, end, Workspace.midpoint_between(start, end)


@receiver(post_save, sender=Pairing, dispatch_uid="workspace_for_pairing")
def workspace_for_pairing(sender: type[Pairing], instance: Pairing, **kwargs: Any) -> None:
    if instance.status not in STARTED or Workspace.objects.filter(pairing=instance).exists():
        return
    program = instance.program
    started = instance.started_at or timezone.now()
    start = program.local_date(started)
    start, end, mid = _dates(start, instance.planned_end_date or program.end_date)
    Workspace.objects.create(
        program=program, pairing=instance, start_date=start, end_date=end, midpoint_date=mid
    )


@receiver(post_save, sender=Circle, dispatch_uid="workspace_for_circle")
def workspace_for_circle(sender: type[Circle], instance: Circle, **kwargs: Any) -> None:
    if Workspace.objects.filter(circle=instance).exists():
        return
    program = instance.program
    created = program.local_date(instance.created_at)
    start, end, mid = _dates(created, program.end_date)
    Workspace.objects.create(
        program=program, circle=instance, start_date=start, end_date=end, midpoint_date=mid
    )


@receiver(post_save, sender=FlashSlot, dispatch_uid="meeting_for_flash_booking")
def meeting_for_flash_booking(sender: type[FlashSlot], instance: FlashSlot, **kwargs: Any) -> None:
    """A booked flash session is the flash pairing's one meeting."""
    if instance.pairing_id is None:
        return
    workspace = Workspace.objects.filter(pairing_id=instance.pairing_id).first()
    if workspace is None or workspace.meetings.exists():
        return
    offer = instance.offer
    medium = offer.medium if offer.medium in Medium.values else Medium.VIDEO
    Meeting.objects.create(
        workspace=workspace,
        starts_at=instance.starts_at,
        duration_minutes=offer.length_minutes,
        medium=medium,
        created_by=offer.mentor.user,
    )
