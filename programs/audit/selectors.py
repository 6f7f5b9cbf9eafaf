"""Reading the audit trail, always for one viewer (staff: all of it; a program's admins:
that program's events)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet

from mentoring.models import User
from programs.access import ProgramAccess
from programs.audit.forms import day_after, day_start
from programs.audit.models import Event

# The key of ``Event.detail`` that names, by id, the person an event is about.
SUBJECT = "user"
CSV_CHUNK = 2000


def events_for_staff(user: User) -> QuerySet[Event]:
    """Every event, for staff; none for anyone else."""
    events = Event.objects.select_related("actor", "program")
    return events if user.is_staff else events.none()


def events_for_program(access: ProgramAccess) -> QuerySet[Event]:
    """The events of one program, for its admins; none for anyone else."""
    if not access.is_admin:
        return Event.objects.none()
    return Event.objects.filter(program_id=access.program.pk).select_related("actor", "program")


def filtered(events: QuerySet[Event], filters: dict[str, Any]) -> QuerySet[Event]:
    """``events`` narrowed by the understood filters of ``EventFilterForm``, newest first."""
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("actor"):
        text = filters["actor"]
        events = events.filter(Q(actor__email__icontains=text) | Q(actor_label__icontains=text))
    if filters.get("date_from"):
        start = day_start(filters["date_from"])
        if start is not None:
            events = events.filter(when__gte=start)
    if filters.get("date_to"):
        end = day_after(filters["date_to"])
        if end is not None:
            events = events.filter(when__lt=end)
    if filters.get("program"):
        events = events.filter(program_id=filters["program"].pk)
    if filters.get("q"):
        text = filters["q"]
        events = events.filter(Q(target__icontains=text) | Q(path__icontains=text))
    return events.order_by("-when", "-id")


def _subject_id(event: Event) -> int | None:
    value = event.detail.get(SUBJECT) if isinstance(event.detail, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _subjects(events: list[Event]) -> dict[int, User]:
    ids = {_subject_id(e) for e in events} - {None}
    if not ids:
        return {}
    return {u.pk: u for u in User.objects.filter(pk__in=ids).only("pk", "name", "email")}


def with_subjects(events: list[Event]) -> list[Event]:
    """Each event with ``subject`` (the person its detail names by id, as they are now, or
    None) and ``details`` (the rest of its detail, to show), in one query for them all."""
    people = _subjects(events)
    for e in events:
        detail = e.detail if isinstance(e.detail, dict) else {"detail": e.detail}
        subject_id = _subject_id(e)
        e.subject = people.get(subject_id) if subject_id else None  # type: ignore[attr-defined]
        e.details = [(k, v) for k, v in detail.items() if k != SUBJECT]  # type: ignore[attr-defined]
    return events


CSV_HEADER = [
    "when",
    "actor_email",
    "actor_name",
    "typed_at_sign_in",
    "action",
    "action_label",
    "program",
    "about",
    "target",
    "path",
    "ip",
    "user_agent",
    "request_id",
    "detail",
]
# Where a request came from: for staff only, not for a program's admins.
CLIENT_COLUMNS = ("ip", "user_agent")


def csv_rows(
    events: QuerySet[Event], zone: dt.tzinfo, *, client: bool = True
) -> Iterator[list[Any]]:
    """The CSV export: a header, then one row per event, its time in ``zone`` (the rows
    are read while the response streams, after the request's time zone is gone).
    Without ``client``, the IP address and user agent columns are left out."""
    keep = [i for i, name in enumerate(CSV_HEADER) if client or name not in CLIENT_COLUMNS]
    yield [CSV_HEADER[i] for i in keep]
    chunk: list[Event] = []
    for event in events.iterator(chunk_size=CSV_CHUNK):
        chunk.append(event)
        if len(chunk) == CSV_CHUNK:
            yield from ([row[i] for i in keep] for row in _csv_chunk(chunk, zone))
            chunk = []
    yield from ([row[i] for i in keep] for row in _csv_chunk(chunk, zone))


def _csv_chunk(events: list[Event], zone: dt.tzinfo) -> Iterator[list[Any]]:
    for e in with_subjects(events):
        actor = e.actor if e.actor_id else None
        subject = e.subject  # type: ignore[attr-defined]
        yield [
            e.when.astimezone(zone).isoformat(),
            actor.email if actor else "",
            actor.name if actor else ("Deleted user" if e.actor_id else ""),
            e.actor_label,
            e.action,
            e.get_action_display(),
            e.program.slug if e.program_id and e.program else "",
            subject.email if subject else "",
            e.target,
            e.path,
            e.ip or "",
            e.user_agent,
            e.request_id,
            json.dumps(e.detail, sort_keys=True, ensure_ascii=False),
        ]
