"""Check-ins: each participant's answers to the four end-of-conversation questions.

One check-in per participant per held meeting; it belongs to its author, who
alone may change it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sessions.access import WorkspaceAccess
from sessions.models import TEXT, CheckIn, Meeting
from sessions.services._common import TransitionError, check_can_write

__all__ = ["checkin_refusal", "checkin_save"]

REQUIRED = {
    "useful": "Say what was useful today.",
    "next_steps": "Say what your next steps are.",
    "before_next": "Say what you will do or learn before next time.",
}


def checkin_refusal(meeting: Meeting) -> str:
    """Why no check-in can be filed for ``meeting`` ("" when it can)."""
    if meeting.status == Meeting.Status.HELD:
        return ""
    if meeting.status == Meeting.Status.SCHEDULED:
        return "Check-ins are filed after the meeting: mark it held first."
    return f"This meeting was {meeting.get_status_display().lower()}, so it takes no check-ins."


@transaction.atomic
def checkin_save(
    *,
    wa: WorkspaceAccess,
    meeting: Meeting,
    useful: str,
    next_steps: str,
    before_next: str,
    change: str,
    rating: int,
) -> CheckIn:
    """File (or change) the acting participant's own check-in on a held meeting."""
    check_can_write(wa)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    refusal = checkin_refusal(meeting)
    if refusal:
        raise TransitionError(refusal)
    answers = {
        "useful": (useful or "").strip(),
        "next_steps": (next_steps or "").strip(),
        "before_next": (before_next or "").strip(),
        "change": (change or "").strip(),
    }
    errors: dict[str, str] = {
        name: message for name, message in REQUIRED.items() if not answers[name]
    }
    errors.update(
        {
            name: f"Keep this under {TEXT:,} characters (it has {len(value):,})."
            for name, value in answers.items()
            if len(value) > TEXT
        }
    )
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = "Rate the meeting from 1 to 5."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    checkin = CheckIn.objects.filter(meeting=meeting, author=wa.user).first()
    if checkin is None:
        checkin = CheckIn(meeting=meeting, author=wa.user, created_at=now)
    for name, value in answers.items():
        setattr(checkin, name, value)
    checkin.rating = rating
    checkin.updated_at = now
    checkin.save()
    return checkin
