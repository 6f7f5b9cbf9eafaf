"""Notes: private to their author (always), or shared with the relationship.

Only the people in the relationship write notes, and only a note's author changes or
deletes it. Once the relationship has ended its shared notes are part of its record
and stay as they are; the author may still tidy up their own private notes.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from sessions.access import WorkspaceAccess
from sessions.models import Meeting, Note
from sessions.services._common import NOT_IN_IT, TransitionError, check_can_write

__all__ = ["BODY_MAX", "check_note_editable", "note_create", "note_delete", "note_update"]

BODY_MAX = Note._meta.get_field("body").max_length or 10000
AUTHOR_ONLY = "Only the author of a note can change or delete it."
CLOSED = (
    "This relationship has ended: its shared notes stay as they are. "
    "You can still change or delete your private notes."
)


def _clean(
    wa: WorkspaceAccess, body: str, visibility: str, meeting: Meeting | None
) -> tuple[str, str]:
    errors: dict[str, str] = {}
    body = (body or "").strip()
    if not body:
        errors["body"] = "Write something in the note."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Keep a note under {BODY_MAX:,} characters (this one has {len(body):,})."
    if visibility not in Note.Visibility.values:
        errors["visibility"] = "Choose who may read the note."
    if meeting is not None and meeting.workspace_id != wa.workspace.pk:
        errors["meeting"] = "Choose one of this relationship's meetings."
    if errors:
        raise ValidationError(errors)
    return body, visibility


def _check_author(wa: WorkspaceAccess, note: Note) -> None:
    if note.workspace_id != wa.workspace.pk:
        raise PermissionDenied(AUTHOR_ONLY)
    if not wa.is_participant:
        raise PermissionDenied(NOT_IN_IT)
    if note.author_id != wa.user.pk:
        raise PermissionDenied(AUTHOR_ONLY)


def check_note_editable(wa: WorkspaceAccess, note: Note, visibility: str | None = None) -> None:
    """The author changes their notes while the relationship runs, and private ones after."""
    _check_author(wa, note)
    if wa.workspace.is_open:
        return
    if note.visibility != Note.Visibility.PRIVATE or (
        visibility is not None and visibility != Note.Visibility.PRIVATE
    ):
        raise TransitionError(CLOSED)


@transaction.atomic
def note_create(
    *,
    wa: WorkspaceAccess,
    body: str,
    visibility: str = Note.Visibility.PRIVATE,
    meeting: Meeting | None = None,
) -> Note:
    """Add a note by the acting participant, private or shared with the relationship."""
    check_can_write(wa)
    body, visibility = _clean(wa, body, visibility, meeting)
    now = timezone.now()
    return Note.objects.create(
        workspace=wa.workspace,
        author=wa.user,
        meeting=meeting,
        visibility=visibility,
        body=body,
        created_at=now,
        updated_at=now,
    )


@transaction.atomic
def note_update(
    *,
    wa: WorkspaceAccess,
    note: Note,
    body: str,
    visibility: str,
    meeting: Meeting | None = None,
) -> Note:
    """Change a note's text, who may read it, or its meeting (its author only)."""
    # Check the note as stored, not the caller's copy (a bound ModelForm has already
    # written the new values onto it).
    note = Note.objects.select_for_update().get(pk=note.pk)
    check_note_editable(wa, note, visibility)
    body, visibility = _clean(wa, body, visibility, meeting)
    note.body = body
    note.visibility = visibility
    note.meeting = meeting
    note.updated_at = timezone.now()
    note.save(update_fields=["body", "visibility", "meeting", "updated_at"])
    note.workspace = wa.workspace
    return note


@transaction.atomic
def note_delete(*, wa: WorkspaceAccess, note: Note) -> None:
    """Delete a note for good (its author only)."""
    note = Note.objects.select_for_update().get(pk=note.pk)
    check_note_editable(wa, note)
    Note.objects.filter(pk=note.pk, author=wa.user).delete()
