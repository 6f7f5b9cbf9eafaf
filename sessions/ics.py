"""The calendar file (``.ics``) of a meeting, built with ``icalendar``.

The builder takes a meeting and the address of its page, not a request, so the
reminders can attach the same file to e-mails. Calendars recognise the event by
its UID (stable for the meeting's life) and apply a newer version when SEQUENCE
goes up, so a moved or cancelled meeting updates the event instead of adding one.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from matching.models import CircleMember
from mentoring import notifications
from mentoring.models import User
from sessions.models import Meeting, Workspace

PRODID = "-//Constellation//Mentoring meetings//EN"


def meeting_uid(meeting: Meeting) -> str:
    return f"{meeting.uid}@constellation"


def participants_of(workspace: Workspace) -> tuple[User, list[User]]:
    """The mentor and the mentees of a workspace's relationship."""
    if workspace.pairing is not None:
        return workspace.pairing.mentor.user, [workspace.pairing.mentee.user]
    if workspace.circle is None:
        raise ValueError(f"{workspace} has neither a pairing nor a circle")
    members = CircleMember.objects.filter(
        circle=workspace.circle, status=CircleMember.Status.MEMBER
    ).select_related("mentee__user")
    return workspace.circle.mentor.user, [seat.mentee.user for seat in members]


def summary_of(workspace: Workspace, mentor: User, mentees: list[User]) -> str:
    if workspace.circle is not None:
        return f"Mentoring: {workspace.circle.name}"
    return f"Mentoring: {mentor.display_name} and {mentees[0].display_name}"


def _address(user: User, role: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = vText(user.display_name)
    address.params["role"] = vText(role)
    return address


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def meeting_calendar(meeting: Meeting, *, url: str) -> bytes:
    """One meeting as an iCalendar file: a single VEVENT, cancelled or confirmed."""
    workspace = meeting.workspace
    mentor, mentees = participants_of(workspace)
    cancelled = meeting.status == Meeting.Status.CANCELLED

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")

    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", _utc(timezone.now()))
    event.add("created", _utc(meeting.created_at))
    event.add("last-modified", _utc(meeting.updated_at))
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("summary", summary_of(workspace, mentor, mentees))
    event.add("location", meeting.location or meeting.get_medium_display())
    lines = [f"How: {meeting.get_medium_display()}.", f"Agenda and notes: {url}"]
    event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    people = [mentor, *mentees]
    # The organiser is whoever scheduled it, while they are still in the relationship.
    organizer = next((p for p in people if p.pk == meeting.created_by_id), mentor)
    event.add("organizer", _address(organizer, "CHAIR"))
    for person in people:
        event.add("attendee", _address(person, "REQ-PARTICIPANT"))
    calendar.add_component(event)
    return calendar.to_ical()


@notifications.attachment_builder("meeting_ics")
def meeting_attachment(argument: str) -> notifications.Attachment | None:
    """The meeting's calendar file, as it stands when the e-mail is sent."""
    meeting = (
        Meeting.objects.filter(pk=int(argument) if argument.isascii() and argument.isdigit() else 0)
        .select_related("workspace__program")
        .first()
    )
    if meeting is None:
        return None
    url = settings.SITE_URL + meeting.get_absolute_url()
    name = f"meeting-{meeting.starts_at.astimezone(dt.UTC):%Y-%m-%d-%H%M}.ics"
    return (name, meeting_calendar(meeting, url=url), "text/calendar")
