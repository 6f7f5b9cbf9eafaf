"""The program admins' weekly digest: what in their program needs them this week.

On Monday, in each program's time zone, every admin of a program with something to
report gets one notice listing the pairs at risk (no held meeting for twice their
cadence), the overdue mid-point reviews (more than two weeks past the mid-point with a
review missing) and the proposals nobody answered yet, with counts and the first few
names, linking to the program's pairings page. The sweep runs hourly; the key names
the program's ISO week, so each admin hears once a week. An admin with nothing to
report hears nothing.

Queries, none per row: the programs (a small table), their admins and the digests
already recorded this week; then, only for programs still due, one query per section,
each over the program's running pairs (or proposals) and filtered in SQL to what it
reports. The meetings are never read: a pair's silence comes from
``Workspace.last_met_at``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse

from matching.models import Pairing
from mentoring.models import Category, Notification, User
from mentoring.notifications import Notice
from mentoring.sweeps import sweep
from programs.models import Membership, Program
from sessions.models import Review, Workspace
from sessions.selectors import REVIEW_GRACE

__all__ = ["admin_digest"]

# A pair is at risk after this many cadences without a held meeting (as in the health
# badge and the fading-pair sweep).
AT_RISK_CADENCES = 2
# How many names each line shows before "and N more".
FEW = 3
# Whose reviews a pair's mid-point needs: the mentor's and the mentee's.
PAIR = 2
MONDAY = 0
# The latest time zone there is: "today" is at most this far ahead of UTC.
LATEST_ZONE = dt.timedelta(hours=14)


def _tz(program: Program) -> zoneinfo.ZoneInfo:
    return program.tzinfo


def _week(program: Program, at: dt.datetime) -> str:
    year, week, _ = at.astimezone(_tz(program)).isocalendar()
    return f"{year}-W{week:02d}"


def _key(program: Program, at: dt.datetime, admin: User) -> str:
    return f"admin_digest:{program.pk}:{_week(program, at)}:u{admin.pk}"


def _running_pairs(program_ids: Sequence[int]) -> QuerySet[Workspace]:
    """The workspaces of the programs' active one-to-one pairings (flash has no rhythm)."""
    return Workspace.objects.filter(
        program_id__in=program_ids,
        pairing__status=Pairing.Status.ACTIVE,
        pairing__kind=Pairing.Kind.ONE_TO_ONE,
    ).select_related("program", "pairing__mentor__user", "pairing__mentee__user")


def _cadence() -> Case:
    """Days between meetings: the accepted agreement's, else the program's."""
    return Case(
        When(agreement__accepted_at__isnull=False, then=F("agreement__cadence_days")),
        default=F("program__cadence_days"),
        output_field=IntegerField(),
    )


def _silent_since(ws: Workspace) -> dt.datetime:
    if ws.last_met_at is not None:
        return ws.last_met_at
    return dt.datetime.combine(ws.start_date, dt.time(0, 0), tzinfo=dt.UTC)


def _at_risk(program_ids: Sequence[int], at: dt.datetime) -> list[Workspace]:
    """Running pairs without a held meeting for twice their cadence, longest silent first."""
    span = ExpressionWrapper(
        F("cadence") * Value(dt.timedelta(days=AT_RISK_CADENCES)), output_field=DurationField()
    )
    rows = (
        _running_pairs(program_ids)
        # Silent for at least two days (the shortest cadence is a day): the index.
        .filter(Q(last_met_at__lte=at - dt.timedelta(days=AT_RISK_CADENCES)) | Q(last_met_at=None))
        .annotate(cadence=_cadence())
        .annotate(
            met_risk=ExpressionWrapper(F("last_met_at") + span, output_field=DateTimeField()),
            start_risk=ExpressionWrapper(F("start_date") + span, output_field=DateTimeField()),
        )
        .filter(
            Q(last_met_at__isnull=False, met_risk__lte=at)
            | Q(last_met_at__isnull=True, start_risk__lte=at)
        )
        .order_by(F("last_met_at").asc(nulls_first=True), "start_date", "pk")
    )
    # SQL picked them; the same rule in Python keeps the two backends' date sums honest.
    return [
        ws
        for ws in rows
        if at - _silent_since(ws) >= dt.timedelta(days=AT_RISK_CADENCES * ws.cadence)
    ]


def _reviews_overdue(program_ids: Sequence[int], at: dt.datetime) -> list[Workspace]:
    """Running pairs more than two weeks past their mid-point with a mid-point review missing."""
    latest_today = (at + LATEST_ZONE).date()
    rows = (
        _running_pairs(program_ids)
        .filter(midpoint_date__lt=latest_today - REVIEW_GRACE)
        .annotate(midpoint_reviews=Count("reviews", filter=Q(reviews__kind=Review.Kind.MIDPOINT)))
        .filter(midpoint_reviews__lt=PAIR)
        .order_by("midpoint_date", "pk")
    )
    return [
        ws for ws in rows if at.astimezone(_tz(ws.program)).date() > ws.midpoint_date + REVIEW_GRACE
    ]


def _unanswered(program_ids: Sequence[int]) -> list[Pairing]:
    """Proposals still waiting for their mentor's answer, the soonest deadline first."""
    return list(
        Pairing.objects.filter(program_id__in=program_ids, status=Pairing.Status.PROPOSED)
        .select_related("mentor__user", "mentee__user")
        .order_by(F("respond_by").asc(nulls_last=True), "pk")
    )


def _pair(p: Pairing) -> str:
    return f"{p.mentor.user.display_name} and {p.mentee.user.display_name}"


def _some(names: list[str]) -> str:
    """The first few names, then how many more."""
    shown = ", ".join(names[:FEW])
    more = len(names) - FEW
    return f"{shown} and {more} more" if more > 0 else shown


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _lines(
    admin: User,
    at: dt.datetime,
    at_risk: list[Workspace],
    overdue: list[Workspace],
    proposals: list[Pairing],
) -> list[str]:
    lines = []
    if at_risk:
        names = []
        for ws in at_risk:
            assert ws.pairing is not None  # noqa: S101 (running pairs only)
            days = (at - _silent_since(ws)).days
            silence = f"no meeting for {days} days" if ws.last_met_at else "never met"
            names.append(f"{_pair(ws.pairing)} ({silence})")
        lines.append(
            f"{_count(len(at_risk), 'pair', 'pairs')} at risk, without a meeting for twice "
            f"their cadence: {_some(names)}."
        )
    if overdue:
        names = []
        for ws in overdue:
            assert ws.pairing is not None  # noqa: S101
            names.append(f"{_pair(ws.pairing)} (mid-point {ws.midpoint_date:%-d %b})")
        lines.append(
            f"{_count(len(overdue), 'pair', 'pairs')} more than two weeks past the mid-point "
            f"with a review missing: {_some(names)}."
        )
    if proposals:
        names = []
        tz = admin.tzinfo
        for p in proposals:
            deadline = f", answer due {p.respond_by.astimezone(tz):%-d %b}" if p.respond_by else ""
            names.append(f"{p.mentor.user.display_name} for {p.mentee.user.display_name}{deadline}")
        lines.append(
            f"{_count(len(proposals), 'proposal', 'proposals')} still unanswered: {_some(names)}."
        )
    return lines


def _title(program: Program, at_risk: int, overdue: int, proposals: int) -> str:
    parts = []
    if at_risk:
        parts.append(f"{_count(at_risk, 'pair', 'pairs')} at risk")
    if overdue:
        parts.append(f"{_count(overdue, 'review', 'reviews')} overdue")
    if proposals:
        parts.append(f"{_count(proposals, 'proposal', 'proposals')} unanswered")
    return f"{program.name}, this week: {', '.join(parts)}"


@sweep("admin_digest")
def admin_digest(at: dt.datetime) -> list[Notice]:
    """Monday, in each program's time zone: each admin's weekly digest of what needs them."""
    # Programs with running pairs or open proposals: the others have nothing to report.
    busy = Pairing.objects.filter(program=OuterRef("pk"), status__in=Pairing.OPEN_STATUSES)
    programs = Program.objects.filter(Exists(busy)).only("pk", "name", "slug", "timezone")
    mondays = [p for p in programs.order_by() if at.astimezone(_tz(p)).weekday() == MONDAY]
    if not mondays:
        return []
    by_pk = {p.pk: p for p in mondays}
    admins: dict[int, list[User]] = defaultdict(list)
    for m in (
        Membership.objects.filter(
            program_id__in=by_pk, role=Membership.Role.ADMIN, user__is_active=True
        )
        .select_related("user")
        .order_by("user__name", "user__email")
    ):
        admins[m.program_id].append(m.user)
    keys = {_key(by_pk[pk], at, a): (pk, a) for pk, people in admins.items() for a in people}
    # The hourly runs after the first on a Monday cost this look-up, nothing more.
    done = set(
        Notification.objects.filter(key__in=list(keys)).order_by().values_list("key", flat=True)
    )
    todo: dict[int, list[User]] = defaultdict(list)
    for key, (pk, admin) in keys.items():
        if key not in done:
            todo[pk].append(admin)
    if not todo:
        return []
    due = sorted(todo)
    at_risk: dict[int, list[Workspace]] = defaultdict(list)
    for ws in _at_risk(due, at):
        at_risk[ws.program_id].append(ws)
    overdue: dict[int, list[Workspace]] = defaultdict(list)
    for ws in _reviews_overdue(due, at):
        overdue[ws.program_id].append(ws)
    proposals: dict[int, list[Pairing]] = defaultdict(list)
    for p in _unanswered(due):
        proposals[p.program_id].append(p)
    notices = []
    for pk in due:
        program = by_pk[pk]
        risky, late, waiting = at_risk[pk], overdue[pk], proposals[pk]
        if not (risky or late or waiting):
            continue
        url = reverse("matching:pairings", kwargs={"slug": program.slug})
        for admin in todo[pk]:
            notices.append(
                Notice(
                    user=admin,
                    kind="admin_digest",
                    key=_key(program, at, admin),
                    title=_title(program, len(risky), len(late), len(waiting)),
                    category=Category.ADMIN,
                    lines=tuple(_lines(admin, at, risky, late, waiting)),
                    url=url,
                    action="Open the pairings",
                )
            )
    return notices
