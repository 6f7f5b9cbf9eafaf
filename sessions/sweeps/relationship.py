"""Sweeps about the relationship: action items, the mid-point, closure, fading pairs."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Q,
)

from matching.models import Circle, Pairing
from mentoring.models import Category
from mentoring.notifications import Notice
from mentoring.sweeps import sweep
from sessions import rhythm
from sessions.models import ActionItem, Review, Workspace
from sessions.services.closure import CLOSURE_WINDOW_DAYS
from sessions.sweeps._common import (
    CATCH_UP_DAYS,
    date_windows,
    load_people,
    long_day,
    program_today,
    relationship_name,
    running,
    todays,
    with_people,
    with_whom,
    workspace_url,
)

# Mid-point review: opens on the date, a reminder a week later, the admins a week after.
MIDPOINT_REMINDER_DAYS = 7
MIDPOINT_ESCALATION_DAYS = 14


# --- Action items ---------------------------------------------------------------------------


@sweep("action_items")
def action_items(at: dt.datetime) -> list[Notice]:
    """Open action items due tomorrow, and overdue ones, to their owner (each once)."""
    first, last = todays(at)
    items = (
        ActionItem.objects.filter(
            running("workspace__"),
            status=ActionItem.Status.OPEN,
            # Overdue since yesterday (or a few days, to catch up), or due tomorrow.
            due_date__gte=first - dt.timedelta(days=1 + CATCH_UP_DAYS),
            due_date__lte=last + dt.timedelta(days=1),
        )
        .select_related("owner", *with_people("workspace__"))
        .order_by("due_date", "pk")
    )
    notices = []
    for item in items:
        ws, owner, due = item.workspace, item.owner, item.due_date
        assert due is not None  # noqa: S101 (filtered above)
        today = program_today(ws.program, at)
        if not owner.is_active:
            continue
        what = item.description if len(item.description) <= 60 else item.description[:59] + "…"
        if due == today + dt.timedelta(days=1):
            kind, title = "action_due_soon", f"Due tomorrow: {what}"
            first_line = f"Your action item is due tomorrow, {long_day(due)}."
        elif due < today:
            kind, title = "action_overdue", f"Overdue: {what}"
            first_line = f"Your action item was due on {long_day(due)}."
        else:
            continue
        notices.append(
            Notice(
                user=owner,
                kind=kind,
                key=f"{kind}:{item.pk}:d{due.isoformat()}:u{owner.pk}",
                title=title,
                category=Category.FOLLOW_UPS,
                lines=(
                    first_line,
                    f"In your mentoring with {with_whom(ws, owner)}: mark it done, or move "
                    "its date if plans changed.",
                ),
                url=workspace_url(ws, "actions"),
                action="Open your action items",
            )
        )
    return notices


# --- Mid-point reviews ----------------------------------------------------------------------


@sweep("midpoint_reviews")
def midpoint_reviews(at: dt.datetime) -> list[Notice]:
    """The mid-point review opens for each participant who has not written it; a reminder
    a week later; after two weeks the program's admins are asked to follow up."""
    workspaces = list(
        Workspace.objects.filter(
            date_windows(
                "midpoint_date", at, (0, MIDPOINT_REMINDER_DAYS, MIDPOINT_ESCALATION_DAYS)
            ),
            # A flash session has no mid-point.
            Q(pairing__status=Pairing.Status.ACTIVE, pairing__kind=Pairing.Kind.ONE_TO_ONE)
            | Q(circle__status=Circle.Status.ACTIVE),
        )
        .select_related(*with_people())
        .order_by("midpoint_date", "pk")
    )
    if not workspaces:
        return []
    people = load_people(workspaces, admins=True)
    reviewed = set(
        Review.objects.filter(
            workspace_id__in=[ws.pk for ws in workspaces], kind=Review.Kind.MIDPOINT
        ).values_list("workspace_id", "author_id")
    )
    notices = []
    for ws in workspaces:
        days = (program_today(ws.program, at) - ws.midpoint_date).days
        missing = [u for u in people.participants(ws) if (ws.pk, u.pk) not in reviewed]
        if days < 0 or not missing:
            continue
        occurrence = f"{ws.pk}:{ws.midpoint_date.isoformat()}"
        if days >= MIDPOINT_ESCALATION_DAYS:
            names = ", ".join(u.display_name for u in missing)
            for admin in people.admins_of(ws):
                notices.append(
                    Notice(
                        user=admin,
                        kind="midpoint_review_escalation",
                        key=f"midpoint_review_escalation:{occurrence}:u{admin.pk}",
                        title=f"Mid-point review overdue: {relationship_name(ws)}",
                        category=Category.ADMIN,
                        lines=(
                            f"Two weeks after the mid-point ({long_day(ws.midpoint_date)}), "
                            f"these reviews are still missing: {names}.",
                            "A short word from you often gets the review written.",
                        ),
                        url=workspace_url(ws, "reviews"),
                        action="Open the relationship",
                    )
                )
            continue
        reminder = days >= MIDPOINT_REMINDER_DAYS
        kind = "midpoint_review_reminder" if reminder else "midpoint_review_open"
        for user in missing:
            notices.append(
                Notice(
                    user=user,
                    kind=kind,
                    key=f"{kind}:{occurrence}:u{user.pk}",
                    title=(
                        "Reminder: your mid-point review is waiting"
                        if reminder
                        else "Your mid-point review is open"
                    ),
                    category=Category.RELATIONSHIP,
                    lines=(
                        f"Your mentoring with {with_whom(ws, user)} reached its mid-point "
                        f"on {long_day(ws.midpoint_date)}.",
                        "Take ten minutes: the value you give and receive, what is working, "
                        "what should change, and whether to continue.",
                    ),
                    url=workspace_url(ws, "review_midpoint"),
                    action="Write your review",
                )
            )
    return notices


# --- Closure --------------------------------------------------------------------------------


@sweep("closure")
def closure(at: dt.datetime) -> list[Notice]:
    """The closing-checklist prompt three weeks before the end date; once the end date has
    passed and the relationship still runs, participants and admins hear it is overdue."""
    workspaces = list(
        Workspace.objects.filter(
            running(),
            # The prompt's day (end - 21), or the day after the end date, came lately.
            date_windows("end_date", at, (-CLOSURE_WINDOW_DAYS, 1)),
        )
        .select_related(*with_people())
        .order_by("end_date", "pk")
    )
    if not workspaces:
        return []
    people = load_people(workspaces, admins=True)
    notices = []
    for ws in workspaces:
        today, end = program_today(ws.program, at), ws.end_date
        occurrence = f"{ws.pk}:{end.isoformat()}"
        participants = people.participants(ws)
        if end < today:
            for user in participants:
                notices.append(
                    Notice(
                        user=user,
                        kind="closure_overdue",
                        key=f"closure_overdue:{occurrence}:u{user.pk}",
                        title="Your mentoring relationship has passed its end date",
                        category=Category.RELATIONSHIP,
                        lines=(
                            f"Your mentoring with {with_whom(ws, user)} was planned to end "
                            f"on {long_day(end)}.",
                            "Close it with the checklist (final review, debrief, what's "
                            "next), or extend it if you need more time.",
                        ),
                        url=workspace_url(ws, "closure"),
                        action="Open the closing checklist",
                    )
                )
            for admin in people.admins_of(ws):
                notices.append(
                    Notice(
                        user=admin,
                        kind="closure_overdue_admin",
                        key=f"closure_overdue_admin:{occurrence}:u{admin.pk}",
                        title=f"Closure overdue: {relationship_name(ws)}",
                        category=Category.ADMIN,
                        lines=(
                            f"It was planned to end on {long_day(end)} and is still running.",
                            "Help them complete it, or extend it.",
                        ),
                        url=workspace_url(ws, "detail"),
                        action="Open the relationship",
                    )
                )
        elif end - dt.timedelta(days=CLOSURE_WINDOW_DAYS) <= today:
            for user in participants:
                notices.append(
                    Notice(
                        user=user,
                        kind="closure_prompt",
                        key=f"closure_prompt:{occurrence}:u{user.pk}",
                        title="Three weeks to go: plan how you close your mentoring",
                        category=Category.RELATIONSHIP,
                        lines=(
                            f"Your mentoring with {with_whom(ws, user)} ends on {long_day(end)}.",
                            "The closing checklist: celebrate the wins, write your final "
                            "review, debrief together and agree what happens next.",
                        ),
                        url=workspace_url(ws, "closure"),
                        action="Open the closing checklist",
                    )
                )
    return notices


# --- Fading pairs ---------------------------------------------------------------------------


@sweep("fading_pairs")
def fading_pairs(at: dt.datetime) -> list[Notice]:
    """No held meeting for twice the cadence: a nudge to the participants and the pair
    flagged at risk for the admins; after four times, the admins are asked to step in.

    Nothing is closed: people decide. A new meeting starts a new silence (its start is
    the key's occurrence), so a pair that fades again is told again.
    """
    # Both moments are stored (sessions.rhythm): two index ranges find the pairs that
    # crossed one lately, however many pairs are quiet.
    recently = at - dt.timedelta(days=CATCH_UP_DAYS)
    workspaces = list(
        Workspace.objects.filter(
            Q(at_risk_from__gt=recently, at_risk_from__lte=at)
            | Q(step_in_from__gt=recently, step_in_from__lte=at),
            running(),
            # A flash session is one meeting: it has no rhythm to lose.
            ~Q(pairing__kind=Pairing.Kind.FLASH),
        )
        .annotate(cadence=rhythm.cadence_in_force())
        .select_related(*with_people())
        .order_by("pk")
    )
    if not workspaces:
        return []
    people = load_people(workspaces, admins=True)
    notices = []
    for ws in workspaces:
        cadence = dt.timedelta(days=ws.cadence)
        since = rhythm.silent_since(ws.last_met_at, ws.start_date)
        silence = at - since
        intervene = ws.step_in_from is not None and ws.step_in_from <= at
        occurrence = f"{ws.pk}:{since.date().isoformat()}"
        last = (
            f"Your last meeting was on {long_day(ws.program.local_date(since))}"
            if ws.last_met_at
            else f"You have not met since you started on {long_day(ws.start_date)}"
        )
        for user in people.participants(ws):
            notices.append(
                Notice(
                    user=user,
                    kind="fading_nudge",
                    key=f"fading_nudge:{occurrence}:u{user.pk}",
                    title=f"Time to meet again with {with_whom(ws, user)}",
                    category=Category.RELATIONSHIP,
                    lines=(
                        f"{last}; you agreed to meet every {cadence.days} days.",
                        "Calendars get busy: book the next meeting now, even a short one.",
                    ),
                    url=workspace_url(ws, "meeting_create"),
                    action="Schedule a meeting",
                )
            )
        kind = "fading_intervene" if intervene else "fading_at_risk"
        for admin in people.admins_of(ws):
            notices.append(
                Notice(
                    user=admin,
                    kind=kind,
                    key=f"{kind}:{occurrence}:u{admin.pk}",
                    title=(
                        f"{'Please step in' if intervene else 'At risk'}: {relationship_name(ws)}, "
                        f"no meeting for {silence.days} days"
                    ),
                    category=Category.ADMIN,
                    lines=(
                        f"They agreed to meet every {cadence.days} days; "
                        + (
                            f"the last meeting was on {long_day(ws.program.local_date(since))}."
                            if ws.last_met_at
                            else f"they have not met since starting on {long_day(ws.start_date)}."
                        ),
                        "A word from you now: ask how it is going and whether they need help "
                        "to continue, or to close."
                        if intervene
                        else "They have been nudged. Nothing is closed automatically.",
                    ),
                    url=workspace_url(ws, "detail"),
                    action="Open the relationship",
                )
            )
    return notices
