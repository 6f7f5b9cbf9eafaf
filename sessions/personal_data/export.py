"""The download: everything about one person, as ``data.json`` and CSVs in a zip.

What it holds and leaves out, and why: see ``sessions.personal_data``.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import operator
import uuid
import zipfile
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Q
from django.utils import timezone

from matching.models import (
    Circle,
    CircleMember,
    FlashOffer,
    FlashSlot,
    MatchingPreference,
    MentorRequest,
    Pairing,
)
from mentoring.accounts import addresses_of
from mentoring.csvutil import safe_cell
from mentoring.models import (
    Notification,
    NotificationPreference,
    User,
)
from programs.models import Answer, Invitation, Membership
from sessions.access import workspaces_of
from sessions.models import (
    ActionItem,
    Agenda,
    AgendaItem,
    Agreement,
    AgreementAcceptance,
    AgreementRevision,
    CheckIn,
    DateChange,
    Goal,
    GoalUpdate,
    Meeting,
    Note,
    Review,
    RoadmapTopic,
    Workspace,
)

FORMAT = "constellation-data/1"


def _plain(value: Any, tz: dt.tzinfo) -> Any:
    """A value JSON can hold; moments in the person's own time zone."""
    if isinstance(value, dt.datetime):
        return value.astimezone(tz).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _name(name: str, email: str) -> str:
    """A person's name as the app shows it (``User.display_name``)."""
    return name or email


class _Rows:
    """The sections of the export: lists of flat rows, each tagged with its program."""

    def __init__(self, tz: dt.tzinfo) -> None:
        self.tz = tz
        self.sections: dict[str, list[dict[str, Any]]] = {}

    def add(self, section: str, row: dict[str, Any]) -> None:
        self.sections.setdefault(section, []).append(
            {k: _plain(v, self.tz) for k, v in row.items()}
        )


def _workspace_label(ws: Workspace, user: User) -> str:
    if ws.pairing is not None:
        mentor, mentee = ws.pairing.mentor.user, ws.pairing.mentee.user
        if mentor.pk == user.pk:
            return f"You mentoring {mentee.display_name}"
        return f"{mentor.display_name} mentoring you"
    return f"Circle: {ws.circle.name if ws.circle else ''}"


def addressed_to(user: User) -> Q:
    """Rows whose ``email`` is one of the person's addresses (any case).

    Their login address and the addresses they verified (``mentoring.accounts.addresses_of``,
    as invitations are accepted): never an address merely added, which anyone can type.
    """
    return functools.reduce(
        operator.or_, (Q(email__iexact=address) for address in sorted(addresses_of(user)))
    )


def _why(explanation: list[dict[str, Any]], *, mentee: bool) -> list[dict[str, Any]]:
    """A pair's "why you fit" as the person was shown it (``_explanation.html``): the mentee
    in their own words, the mentor in the third person."""
    shown = []
    for item in explanation or []:
        text = (item.get("you_text") or item.get("text", "")) if mentee else item.get("text", "")
        row = {"criterion": item.get("label", ""), "text": text}
        if item.get("criterion") != "forbidden":
            row |= {"points": item.get("points"), "max_points": item.get("max_points")}
        shown.append(row)
    return shown


def _account(user: User, rows: _Rows) -> dict[str, Any]:
    account = {
        "email": user.email,
        "name": user.name,
        "title": user.title,
        "organisation": user.organisation,
        "timezone": user.timezone,
        "bio": user.bio,
        "contact_channels": user.contact_channels,
        "contact_days": user.contact_days,
        "contact_hours_start": user.contact_hours_start,
        "contact_hours_end": user.contact_hours_end,
        "is_staff": user.is_staff,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }
    rows.add("account", account)
    for address in EmailAddress.objects.filter(user=user).order_by("pk"):
        rows.add(
            "email_addresses",
            {"email": address.email, "verified": address.verified, "primary": address.primary},
        )
    for method in Authenticator.objects.filter(user=user).order_by("pk"):
        # Only that a method is on and when: never its secret or codes.
        rows.add(
            "two_factor",
            {
                "method": method.get_type_display(),
                "set_up_at": method.created_at,
                "last_used_at": method.last_used_at,
            },
        )
    for pref in NotificationPreference.objects.filter(user=user).order_by("category"):
        rows.add(
            "notification_preferences",
            {"category": pref.get_category_display(), "mode": pref.get_mode_display()},
        )
    for note in Notification.objects.filter(user=user).order_by("created_at", "pk"):
        rows.add(
            "notifications",
            {
                "created_at": note.created_at,
                "category": note.get_category_display(),
                "title": note.title,
                "body": note.body,
                "lines": note.lines,
                "url": note.url,
                "read_at": note.read_at,
                "email": note.get_email_state_display(),
                "emailed_at": note.emailed_at,
            },
        )
    return account


def _programs(user: User, rows: _Rows) -> dict[str, dict[str, Any]]:
    """Memberships, answers, invitations; returns the programs seen, by slug."""
    programs: dict[str, dict[str, Any]] = {}
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("program")
        .prefetch_related("topics")
        .order_by("program__start_date", "pk")
    )
    for m in memberships:
        p = m.program
        programs.setdefault(
            p.slug,
            {
                "name": p.name,
                "slug": p.slug,
                "status": p.get_status_display(),
                "start_date": p.start_date.isoformat(),
                "end_date": p.end_date.isoformat(),
            },
        )
        rows.add(
            "memberships",
            {
                "program": p.slug,
                "role": m.get_role_display(),
                "joined_at": m.created_at,
                "enrolled_at": m.enrolled_at,
                "goals_statement": m.goals_statement,
                "what_i_bring": m.what_i_bring,
                "expectations": m.expectations,
                "goals": m.goals,
                "strengths": m.strengths,
                "topics": sorted(t.name for t in m.topics.all()),
                "seniority": m.get_seniority_display() if m.seniority else "",
                "department": m.department,
                "cohort": m.cohort,
                "capacity": m.capacity,
                "availability": m.availability,
                "accepting_mentees": m.accepting_mentees,
                "preferred_medium": m.get_preferred_medium_display(),
                "manager_email": m.manager_email,
                "privacy_acknowledged_at": m.privacy_acknowledged_at,
            },
        )
    answers = (
        Answer.objects.filter(membership__user=user)
        .select_related("question", "membership__program")
        .prefetch_related("question__choices")
        .order_by("membership__program_id", "question__position", "question_id")
    )
    for a in answers:
        rows.add(
            "enrolment_answers",
            {
                "program": a.membership.program.slug,
                "role": a.membership.get_role_display(),
                "question": a.question.text,
                "answer": a.display({c.id: c.label for c in a.question.choices.all()}),
                "updated_at": a.updated_at,
            },
        )
    for inv in (
        Invitation.objects.filter(addressed_to(user) | Q(accepted_by=user))
        .select_related("program")
        .order_by("created_at")
    ):
        rows.add(
            "invitations",
            {
                "program": inv.program.slug,
                "email": inv.email,
                "role": inv.get_role_display(),
                "message": inv.message,
                "created_at": inv.created_at,
                "expires_at": inv.expires_at,
                "accepted_at": inv.accepted_at,
                "state": inv.state_label,
            },
        )
    return programs


def _matching(user: User, rows: _Rows) -> None:
    for pref in MatchingPreference.objects.filter(chooser__user=user).select_related(
        "program", "chosen__user"
    ):
        rows.add(
            "matching_preferences",
            {
                "program": pref.program.slug,
                "rank": pref.rank,
                "person": pref.chosen.user.display_name,
                "their_role": pref.chosen.get_role_display(),
            },
        )
    requests = MentorRequest.objects.filter(Q(mentee__user=user) | Q(mentor__user=user))
    for r in requests.select_related("program", "mentee__user", "mentor__user").order_by(
        "created_at"
    ):
        sent = r.mentee.user_id == user.pk
        rows.add(
            "mentor_requests",
            {
                "program": r.program.slug,
                "direction": "sent" if sent else "received",
                "person": (r.mentor if sent else r.mentee).user.display_name,
                "note": r.note,
                "status": r.get_status_display(),
                "created_at": r.created_at,
                "decided_at": r.decided_at,
                "decline_reason": r.decline_reason,
                "why_you_fit": _why(r.explanation, mentee=sent),
            },
        )
    # A mentee is not shown a proposal until the mentor accepts it.
    hidden = Q(mentee__user=user) & Q(
        status__in=(Pairing.Status.PROPOSED, Pairing.Status.DECLINED, Pairing.Status.EXPIRED)
    )
    pairings = (
        Pairing.objects.filter(Q(mentor__user=user) | Q(mentee__user=user))
        .exclude(hidden)
        .select_related("program", "mentor__user", "mentee__user", "topic", "ended_by")
        .order_by("created_at")
    )
    for p in pairings:
        as_mentor = p.mentor.user_id == user.pk
        rows.add(
            "pairings",
            {
                "program": p.program.slug,
                "your_role": "Mentor" if as_mentor else "Mentee",
                "partner": (p.mentee if as_mentor else p.mentor).user.display_name,
                "kind": p.get_kind_display(),
                "relationship_type": p.get_relationship_type_display(),
                "status": p.get_status_display(),
                "source": p.get_source_display(),
                "topic": p.topic.name if p.topic else "",
                "created_at": p.created_at,
                "started_at": p.started_at,
                "planned_end_date": p.planned_end_date,
                "ended_at": p.ended_at,
                "ended_by": p.ended_by.display_name if p.ended_by else "",
                "end_reason": p.end_reason,
                "decline_reason": p.decline_reason if as_mentor else "",
                "why_you_fit": _why(p.explanation, mentee=not as_mentor),
            },
        )
    for c in Circle.objects.filter(mentor__user=user).select_related("program", "topic"):
        rows.add(
            "circles",
            {
                "program": c.program.slug,
                "circle": c.name,
                "your_role": "Mentor",
                "status": c.get_status_display(),
                "description": c.description,
                "joined_at": c.created_at,
                "left_at": c.ended_at,
                "note": c.end_reason,
            },
        )
    for seat in CircleMember.objects.filter(mentee__user=user).select_related("circle__program"):
        rows.add(
            "circles",
            {
                "program": seat.circle.program.slug,
                "circle": seat.circle.name,
                "your_role": "Mentee",
                "status": seat.get_status_display(),
                "description": seat.circle.description,
                "joined_at": seat.joined_at or seat.created_at,
                "left_at": seat.left_at,
                "note": seat.note,
            },
        )
    for offer in (
        FlashOffer.objects.filter(mentor__user=user)
        .select_related("program", "topic")
        .prefetch_related("slots__booked_by__user")
    ):
        for slot in [None, *offer.slots.all()]:
            rows.add(
                "flash_offers",
                {
                    "program": offer.program.slug,
                    "title": offer.title,
                    "description": offer.description,
                    "length_minutes": offer.length_minutes,
                    "medium": offer.get_medium_display(),
                    "active": offer.active,
                    "slot_starts_at": slot.starts_at if slot else None,
                    "booked_by": slot.booked_by.user.display_name
                    if slot and slot.booked_by
                    else "",
                    "booking_note": slot.booking_note if slot else "",
                },
            )
    for slot in FlashSlot.objects.filter(booked_by__user=user).select_related(
        "offer__program", "offer__mentor__user"
    ):
        rows.add(
            "flash_bookings",
            {
                "program": slot.offer.program.slug,
                "offer": slot.offer.title,
                "mentor": slot.offer.mentor.user.display_name,
                "starts_at": slot.starts_at,
                "booked_at": slot.booked_at,
                "booking_note": slot.booking_note,
            },
        )


def _workspaces(user: User, rows: _Rows) -> None:
    workspaces = list(
        workspaces_of(user)
        .select_related(
            "program", "pairing__mentor__user", "pairing__mentee__user", "circle__program"
        )
        .order_by("start_date", "pk")
    )
    ids = [ws.pk for ws in workspaces]
    slug = {ws.pk: ws.program.slug for ws in workspaces}
    for ws in workspaces:
        rows.add(
            "workspaces",
            {
                "program": ws.program.slug,
                "workspace": ws.pk,
                "relationship": _workspace_label(ws, user),
                "start_date": ws.start_date,
                "midpoint_date": ws.midpoint_date,
                "end_date": ws.end_date,
            },
        )
    accepted = dict(
        AgreementAcceptance.objects.filter(user=user, agreement__workspace_id__in=ids)
        .order_by("version")
        .values_list("agreement_id", "accepted_at")
    )
    for ag in Agreement.objects.filter(workspace_id__in=ids).order_by("pk"):
        terms = {name: getattr(ag, name) for name in Agreement.TERMS}
        rows.add(
            "agreements",
            {
                "program": slug[ag.workspace_id],
                "workspace": ag.workspace_id,
                "version": ag.version,
                **terms,
                "medium": ag.get_medium_display(),
                "scheduler": ag.get_scheduler_display(),
                "drafted_by_you": ag.drafted_by_id == user.pk,
                "you_accepted_at": accepted.get(ag.pk),
                "everyone_accepted_at": ag.accepted_at,
            },
        )
    for rev in (
        AgreementRevision.objects.filter(agreement__workspace_id__in=ids)
        .select_related("agreement", "changed_by")
        .order_by("agreement_id", "version")
    ):
        rows.add(
            "agreement_revisions",
            {
                "program": slug[rev.agreement.workspace_id],
                "workspace": rev.agreement.workspace_id,
                "version": rev.version,
                "terms": rev.terms,
                "changed_by": rev.changed_by.display_name if rev.changed_by else "",
                "changed_at": rev.changed_at,
                "accepted_at": rev.accepted_at,
            },
        )
    for change in (
        DateChange.objects.filter(workspace_id__in=ids)
        .select_related("changed_by")
        .order_by("workspace_id", "changed_at", "pk")
    ):
        rows.add(
            "date_changes",
            {
                "program": slug[change.workspace_id],
                "workspace": change.workspace_id,
                "old_end_date": change.old_end_date,
                "new_end_date": change.new_end_date,
                "old_midpoint_date": change.old_midpoint_date,
                "new_midpoint_date": change.new_midpoint_date,
                "reason": change.reason,
                "changed_by": change.changed_by.display_name if change.changed_by else "",
                "changed_at": change.changed_at,
            },
        )
    for goal in Goal.objects.filter(workspace_id__in=ids).order_by("workspace_id", "pk"):
        rows.add(
            "goals",
            {
                "program": slug[goal.workspace_id],
                "workspace": goal.workspace_id,
                "goal": goal.pk,
                "title": goal.title,
                "specific": goal.specific,
                "measurable": goal.measurable,
                "achievable": goal.achievable,
                "relevant": goal.relevant,
                "target_date": goal.target_date,
                "status": goal.get_status_display(),
                "progress": goal.progress,
                "created_at": goal.created_at,
                "closed_at": goal.closed_at,
            },
        )
    for up in (
        GoalUpdate.objects.filter(goal__workspace_id__in=ids)
        .select_related("goal", "author")
        .order_by("goal_id", "created_at", "pk")
    ):
        rows.add(
            "goal_updates",
            {
                "program": slug[up.goal.workspace_id],
                "workspace": up.goal.workspace_id,
                "goal": up.goal_id,
                "kind": up.get_kind_display(),
                "by": up.author.display_name if up.author else "",
                "progress": up.progress,
                "status": up.status,
                "note": up.note,
                "created_at": up.created_at,
            },
        )
    for topic in RoadmapTopic.objects.filter(workspace_id__in=ids).order_by(
        "workspace_id", "position", "pk"
    ):
        rows.add(
            "roadmap",
            {
                "program": slug[topic.workspace_id],
                "workspace": topic.workspace_id,
                "title": topic.title,
                "details": topic.details,
                "covered_in_meeting": topic.covered_in_id,
            },
        )
    for m in Meeting.objects.filter(workspace_id__in=ids).order_by("starts_at", "pk"):
        rows.add(
            "meetings",
            {
                "program": slug[m.workspace_id],
                "workspace": m.workspace_id,
                "meeting": m.pk,
                "starts_at": m.starts_at,
                "duration_minutes": m.duration_minutes,
                "medium": m.get_medium_display(),
                "location": m.location,
                "status": m.get_status_display(),
                "cancel_reason": m.cancel_reason,
            },
        )
    # A draft agenda is its author's (and the mentee's) until submitted: the mentor
    # does not see it in the app, so not in the download either.
    seen = (
        Q(status=Agenda.Status.SUBMITTED)
        | Q(author=user)
        | Q(meeting__workspace__pairing__mentee__user=user)
    )
    for agenda in (
        Agenda.objects.filter(seen, meeting__workspace_id__in=ids)
        .select_related("meeting", "author")
        .order_by("meeting__starts_at", "pk")
    ):
        rows.add(
            "agendas",
            {
                "program": slug[agenda.meeting.workspace_id],
                "workspace": agenda.meeting.workspace_id,
                "meeting": agenda.meeting_id,
                "by": agenda.author.display_name if agenda.author else "",
                "did": agenda.did,
                "learned": agenda.learned,
                "topics": agenda.topics,
                "needs": agenda.needs,
                "needs_detail": agenda.needs_detail,
                "links": agenda.links,
                "status": agenda.get_status_display(),
                "submitted_at": agenda.submitted_at,
                "late": agenda.late,
            },
        )
    for item in (
        AgendaItem.objects.filter(agenda__meeting__workspace_id__in=ids)
        .select_related("agenda__meeting", "author")
        .order_by("created_at", "pk")
    ):
        rows.add(
            "agenda_items",
            {
                "program": slug[item.agenda.meeting.workspace_id],
                "workspace": item.agenda.meeting.workspace_id,
                "meeting": item.agenda.meeting_id,
                "by": item.author.display_name if item.author else "",
                "kind": item.get_kind_display(),
                "text": item.text,
                "created_at": item.created_at,
            },
        )
    # What you wrote, wherever it is (a circle you left included).
    for ci in CheckIn.objects.filter(author=user).select_related("meeting__workspace__program"):
        rows.add(
            "check_ins",
            {
                "program": ci.meeting.workspace.program.slug,
                "workspace": ci.meeting.workspace_id,
                "meeting": ci.meeting_id,
                "useful": ci.useful,
                "next_steps": ci.next_steps,
                "before_next": ci.before_next,
                "change": ci.change,
                "rating": ci.rating,
                "created_at": ci.created_at,
            },
        )
    actions = ActionItem.objects.filter(Q(owner=user) | Q(created_by=user))
    for a in actions.select_related("workspace__program", "owner", "created_by").order_by("pk"):
        rows.add(
            "action_items",
            {
                "program": a.workspace.program.slug,
                "workspace": a.workspace_id,
                "meeting": a.meeting_id,
                "owner": a.owner.display_name,
                "created_by": a.created_by.display_name if a.created_by else "",
                "kind": a.get_kind_display(),
                "description": a.description,
                "due_date": a.due_date,
                "status": a.get_status_display(),
                "done_at": a.done_at,
            },
        )
    notes = Note.objects.filter(
        Q(author=user) | Q(workspace_id__in=ids, visibility=Note.Visibility.SHARED)
    )
    for n in notes.select_related("workspace__program", "author").order_by("created_at", "pk"):
        rows.add(
            "notes",
            {
                "program": n.workspace.program.slug,
                "workspace": n.workspace_id,
                "meeting": n.meeting_id,
                "by": "you" if n.author_id == user.pk else n.author.display_name,
                "visibility": n.get_visibility_display(),
                "body": n.body,
                "created_at": n.created_at,
                "updated_at": n.updated_at,
            },
        )
    for r in Review.objects.filter(author=user).select_related("workspace__program"):
        rows.add(
            "reviews",
            {
                "program": r.workspace.program.slug,
                "workspace": r.workspace_id,
                "kind": r.get_kind_display(),
                "value_received": r.value_received,
                "value_given": r.value_given,
                "working": r.working,
                "change": r.change,
                "decision": r.get_decision_display() if r.decision else "",
                "remains": r.remains,
                "differently": r.differently,
                "submitted_at": r.submitted_at,
            },
        )


# The sections that belong to the account as a whole, not to a program.
ACCOUNT_SECTIONS = (
    "account",
    "email_addresses",
    "two_factor",
    "notification_preferences",
    "notifications",
)


def export_data(user: User) -> dict[str, Any]:
    """Everything Constellation holds about ``user``, as JSON-ready data nested by program.

    A fixed number of queries, however many meetings, goals or notes there are.
    """
    rows = _Rows(user.tzinfo)
    _account(user, rows)
    programs = _programs(user, rows)
    _matching(user, rows)
    _workspaces(user, rows)
    data: dict[str, Any] = {
        "format": FORMAT,
        "generated_at": _plain(timezone.now(), user.tzinfo),
        "account": rows.sections.get("account", [{}])[0],
    }
    for name in ACCOUNT_SECTIONS[1:]:
        data[name] = rows.sections.get(name, [])
    by_program: dict[str, dict[str, Any]] = {}
    for name, section in rows.sections.items():
        if name in ACCOUNT_SECTIONS:
            continue
        for row in section:
            slug = row["program"]
            entry = by_program.setdefault(slug, {"program": programs.get(slug, {"slug": slug})})
            entry.setdefault(name, []).append({k: v for k, v in row.items() if k != "program"})
    data["programs"] = list(by_program.values())
    data["_sections"] = rows.sections
    return data


def _csv(rows: list[dict[str, Any]]) -> str:
    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        cells = []
        for key in header:
            value = row.get(key)
            if isinstance(value, list | dict):
                value = json.dumps(value, ensure_ascii=False)
            cells.append(safe_cell("" if value is None else value))
        writer.writerow(cells)
    return "\ufeff" + out.getvalue()  # a BOM, so that Excel reads the file as UTF-8


def export_zip(user: User) -> bytes:
    """The download: ``data.json`` and ``csv/<section>.csv``, zipped in memory."""
    data = export_data(user)
    sections: dict[str, list[dict[str, Any]]] = data.pop("_sections")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for name, section in sections.items():
            archive.writestr(f"csv/{name}.csv", _csv(section))
    return buffer.getvalue()


def export_filename(user: User) -> str:
    return f"constellation-data-{timezone.localdate(timezone.now(), user.tzinfo):%Y-%m-%d}.zip"
