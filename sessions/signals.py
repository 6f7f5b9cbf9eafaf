"""Every active pairing and every circle gets a workspace, however it became active.

Pairings turn active in several matching services (a proposal accepted, a request
accepted, a flash session booked, an admin's direct pairing); matching sits below
this app and cannot call it, so the workspace follows the saved row instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from matching.models import Circle, CircleMember, FlashSlot, Pairing
from programs.models import Program
from sessions import rhythm
from sessions.models import Medium, Meeting, Workspace

# Once a pairing has started, its workspace exists for good (also after it ends).
STARTED = (Pairing.Status.ACTIVE, Pairing.Status.COMPLETED, Pairing.Status.ENDED_EARLY)
ENDED = (Pairing.Status.COMPLETED, Pairing.Status.ENDED_EARLY)


def _dates(start: dt.date, end: dt.date | None) -> tuple[dt.date, dt.date, dt.date]:
    end = max(end or start, start)
    return start, end, Workspace.midpoint_between(start, end)


def _new_workspace(
    program: Program, start: dt.date, end: dt.date | None, *, flash: bool = False, **of: Any
) -> None:
    start, end, mid = _dates(start, end)
    Workspace.objects.create(
        program=program,
        start_date=start,
        end_date=end,
        midpoint_date=mid,
        **rhythm.initial(start, program.cadence_days, flash=flash),
        **of,
    )


@receiver(post_save, sender=Pairing, dispatch_uid="workspace_for_pairing")
def workspace_for_pairing(sender: type[Pairing], instance: Pairing, **kwargs: Any) -> None:
    if instance.status not in STARTED:
        return
    workspaces = Workspace.objects.filter(pairing=instance)
    if not workspaces.exists():
        program = instance.program
        start = program.local_date(instance.started_at or timezone.now())
        _new_workspace(
            program,
            start,
            instance.planned_end_date or program.end_date,
            flash=instance.kind == Pairing.Kind.FLASH,
            pairing=instance,
        )
    if instance.status in ENDED:
        rhythm.stop(workspaces)


@receiver(post_save, sender=Circle, dispatch_uid="workspace_for_circle")
def workspace_for_circle(sender: type[Circle], instance: Circle, **kwargs: Any) -> None:
    workspaces = Workspace.objects.filter(circle=instance)
    if not workspaces.exists():
        program = instance.program
        start = program.local_date(instance.created_at)
        _new_workspace(program, start, program.end_date, circle=instance)
    if instance.status != Circle.Status.ACTIVE:
        rhythm.stop(workspaces)
    else:
        # Perhaps another mentor: the mid-point now waits for their review too.
        rhythm.recount_circle_reviews(instance.pk)


@receiver(post_save, sender=CircleMember, dispatch_uid="circle_reviews_follow_members")
@receiver(post_delete, sender=CircleMember, dispatch_uid="circle_reviews_follow_leavers")
def circle_reviews_follow_members(
    sender: type[CircleMember], instance: CircleMember, **kwargs: Any
) -> None:
    """Someone joined or left a circle: whose mid-point reviews are awaited changed."""
    rhythm.recount_circle_reviews(instance.circle_id)


# Where pre_save leaves the cadence a program had before it was saved.
_CADENCE_BEFORE = "_rhythm_cadence_before"


@receiver(pre_save, sender=Program, dispatch_uid="rhythm_notes_program_cadence")
def rhythm_notes_program_cadence(sender: type[Program], instance: Program, **kwargs: Any) -> None:
    """The settings form saves every field: remember the stored pace to see if it moved."""
    fields = kwargs.get("update_fields")
    before = None
    if instance.pk is not None and (fields is None or "cadence_days" in fields):
        before = (
            Program.objects.filter(pk=instance.pk).values_list("cadence_days", flat=True).first()
        )
    setattr(instance, _CADENCE_BEFORE, before)


@receiver(post_save, sender=Program, dispatch_uid="rhythm_follows_program_cadence")
def rhythm_follows_program_cadence(
    sender: type[Program], instance: Program, created: bool, **kwargs: Any
) -> None:
    """Pairs without accepted terms meet at the program's pace: follow a change of it."""
    before = getattr(instance, _CADENCE_BEFORE, None)
    if created or before is None or before == instance.cadence_days:
        return
    rhythm.refresh(
        Workspace.objects.filter(program=instance).filter(
            Q(agreement__isnull=True) | Q(agreement__accepted_at__isnull=True)
        )
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
