"""Agendas: what the mentee brings to a meeting, filed ahead.

One-to-one and flash: the mentee drafts, then submits; the mentor is told. An
agenda submitted later than the program's lead time before the meeting is
marked late. Edits after submitting are allowed and kept: the previous content
goes into an ``AgendaRevision`` first. A circle has one shared agenda per
meeting to which every participant adds items; it counts as submitted at the
first item.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sessions.access import WorkspaceAccess
from sessions.models import TEXT, Agenda, AgendaItem, AgendaRevision, Meeting
from sessions.services._common import (
    TransitionError,
    check_can_write,
    check_mentee,
    notify_later,
)
from sessions.services.meetings import when

__all__ = [
    "CONTENT_FIELDS",
    "agenda_content",
    "agenda_item_add",
    "agenda_refusal",
    "agenda_save",
    "need_labels",
]

# The words of an agenda: what a revision keeps.
CONTENT_FIELDS = ("did", "learned", "topics", "needs", "needs_detail", "links")
TEXT_FIELDS = ("did", "learned", "topics", "needs_detail", "links")


def agenda_refusal(meeting: Meeting) -> str:
    """Why no agenda can be filed or changed for ``meeting`` now ("" when it can)."""
    if meeting.status == Meeting.Status.CANCELLED:
        return "This meeting was cancelled, so it takes no agenda."
    if meeting.status == Meeting.Status.MISSED:
        return "This meeting was missed, so its agenda can no longer change."
    if meeting.status == Meeting.Status.HELD:
        return "This meeting has happened, so its agenda can no longer change."
    return ""


def agenda_content(agenda: Agenda) -> dict[str, Any]:
    """The agenda's words, as a revision keeps them."""
    return {name: getattr(agenda, name) for name in CONTENT_FIELDS}


def need_labels(needs: Any) -> list[str]:
    """The labels of an agenda's (or a revision's) needs, skipping unknown values."""
    if not isinstance(needs, list):
        return []
    labels = dict(Agenda.Need.choices)
    return [str(labels[n]) for n in needs if n in labels]


def is_late(meeting: Meeting, submitted_at: dt.datetime, lead_hours: int) -> bool:
    return submitted_at > meeting.starts_at - dt.timedelta(hours=lead_hours)


def _check_open(meeting: Meeting) -> None:
    refusal = agenda_refusal(meeting)
    if refusal:
        raise TransitionError(refusal)


def _locked_meeting(meeting: Meeting) -> Meeting:
    """Lock the meeting row: agenda writes for one meeting happen one at a time."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    locked.workspace = meeting.workspace
    return locked


def _tell_mentor(wa: WorkspaceAccess, meeting: Meeting, agenda: Agenda) -> None:
    if wa.user.pk == wa.mentor.pk:
        return
    span = when(meeting.starts_at, meeting.ends_at, wa.mentor.tzinfo)
    notify_later(
        users=[wa.mentor],
        kind="agenda_submitted",
        key=f"agenda_submitted:{agenda.pk}",
        title=f"{wa.user.display_name} submitted the agenda for {span}",
        url=meeting.get_absolute_url(),
    )


def _clean_text(values: dict[str, str]) -> dict[str, str]:
    cleaned = {name: (value or "").strip() for name, value in values.items()}
    errors = {
        name: f"Keep this under {TEXT:,} characters (it has {len(value):,})."
        for name, value in cleaned.items()
        if len(value) > TEXT
    }
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def agenda_save(
    *,
    wa: WorkspaceAccess,
    meeting: Meeting,
    did: str,
    learned: str,
    topics: str,
    needs: list[str],
    needs_detail: str,
    links: str,
    submit: bool = False,
) -> Agenda:
    """The mentee saves the agenda of a one-to-one meeting (``submit`` sends it to the mentor)."""
    check_can_write(wa)
    check_mentee(wa, "write the agenda")
    if wa.workspace.is_circle:
        raise TransitionError("In a circle, everyone adds items to the meeting's shared agenda.")
    meeting = _locked_meeting(meeting)
    _check_open(meeting)
    text = _clean_text(
        {
            "did": did,
            "learned": learned,
            "topics": topics,
            "needs_detail": needs_detail,
            "links": links,
        }
    )
    known = set(Agenda.Need.values)
    if any(n not in known for n in needs):
        raise ValidationError({"needs": "Choose from the needs listed."})
    new_needs = [n for n in Agenda.Need.values if n in set(needs)]
    agenda = Agenda.objects.filter(meeting=meeting).first()
    now = timezone.now()
    if agenda is None:
        agenda = Agenda(meeting=meeting, author=wa.user, created_at=now)
    new_content = {**text, "needs": new_needs}
    if agenda.pk and agenda.is_submitted and agenda_content(agenda) != new_content:
        AgendaRevision.objects.create(
            agenda=agenda, content=agenda_content(agenda), edited_by=wa.user, edited_at=now
        )
    for name, value in new_content.items():
        setattr(agenda, name, value)
    agenda.updated_at = now
    just_submitted = submit and not agenda.is_submitted
    if just_submitted:
        if not agenda.topics:
            raise ValidationError(
                {"topics": "Say what you would like to talk about before you submit the agenda."}
            )
        agenda.status = Agenda.Status.SUBMITTED
        agenda.submitted_at = now
        agenda.late = is_late(meeting, now, wa.program.agenda_lead_hours)
    agenda.save()
    if just_submitted:
        _tell_mentor(wa, meeting, agenda)
    return agenda


@transaction.atomic
def agenda_item_add(*, wa: WorkspaceAccess, meeting: Meeting, kind: str, text: str) -> AgendaItem:
    """A circle participant adds an item to the meeting's shared agenda."""
    check_can_write(wa)
    if not wa.workspace.is_circle:
        raise TransitionError("Only a circle's meetings have a shared agenda of items.")
    meeting = _locked_meeting(meeting)
    _check_open(meeting)
    if kind not in AgendaItem.Kind.values:
        raise ValidationError({"kind": "Choose what kind of item this is."})
    text = _clean_text({"text": text})["text"]
    if not text:
        raise ValidationError({"text": "Write the item."})
    now = timezone.now()
    agenda = Agenda.objects.filter(meeting=meeting).first()
    if agenda is None:
        agenda = Agenda.objects.create(meeting=meeting, author=wa.user, created_at=now)
    item = AgendaItem.objects.create(
        agenda=agenda, author=wa.user, kind=kind, text=text, created_at=now
    )
    agenda.updated_at = now
    if not agenda.is_submitted:
        agenda.status = Agenda.Status.SUBMITTED
        agenda.submitted_at = now
        agenda.late = is_late(meeting, now, wa.program.agenda_lead_hours)
        agenda.save(update_fields=["status", "submitted_at", "late", "updated_at"])
        _tell_mentor(wa, meeting, agenda)
    else:
        agenda.save(update_fields=["updated_at"])
    return item
