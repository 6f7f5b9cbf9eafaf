"""A relationship's rhythm: how often its people agreed to meet, and when a silence is
long enough to worry about; and whether its mid-point reviews are still awaited.

A pair is at risk once it has not held a meeting for ``AT_RISK_CADENCES`` cadences
(counted from its last held meeting, or from its start if it never met), and its admins
are asked to step in after ``STEP_IN_CADENCES``. The cadence in force is the accepted
agreement's, else the program's.

Both moments are stored on the workspace (``at_risk_from``, ``step_in_from``), and so is
``awaiting_midpoint_reviews``, so that the fading-pair sweep and the admins' weekly
digest find what they report with an index range, however many pairs exist. They are
kept only while the relationship runs (and a flash session, one meeting, has neither):
an ended relationship's are cleared, so it drops out of those indexes. They change only
when what they follow changes, and the code that changes it calls this module in the
same transaction:

- a meeting marked held (``last_met_at``): :func:`refresh`;
- an agreement saved (a new version is no longer the accepted one) or accepted:
  :func:`refresh`;
- the program's cadence: :func:`refresh`, from a ``post_save`` receiver (programs sit
  below us);
- a new workspace: :func:`initial`; a relationship that ends: :func:`stop` (both from
  the receivers in ``sessions.signals``, since matching sits below us);
- a mid-point review written: :func:`note_midpoint_review`;
- a circle's people changing (a member joins or leaves, another mentor):
  :func:`recount_circle_reviews`, from receivers in ``sessions.signals``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    When,
)

from matching.models import Circle, CircleMember, Pairing
from sessions.models import Review, Workspace

AT_RISK_CADENCES = 2
STEP_IN_CADENCES = 4


def cadence_in_force(prefix: str = "") -> Case:
    """SQL: days between meetings, the accepted agreement's, else the program's."""
    return Case(
        When(
            Q(**{f"{prefix}agreement__accepted_at__isnull": False}),
            then=F(f"{prefix}agreement__cadence_days"),
        ),
        default=F(f"{prefix}program__cadence_days"),
        output_field=IntegerField(),
    )


def silent_since(last_met_at: dt.datetime | None, start_date: dt.date) -> dt.datetime:
    """Where the current silence began: the last held meeting, else the start (UTC midnight)."""
    if last_met_at is not None:
        return last_met_at
    return dt.datetime.combine(start_date, dt.time(0, 0), tzinfo=dt.UTC)


def moments(
    last_met_at: dt.datetime | None, start_date: dt.date, cadence_days: int
) -> tuple[dt.datetime, dt.datetime]:
    """When this silence makes the pair at risk, and when the admins should step in."""
    since = silent_since(last_met_at, start_date)
    cadence = dt.timedelta(days=max(cadence_days, 1))
    return since + AT_RISK_CADENCES * cadence, since + STEP_IN_CADENCES * cadence


def keeps_rhythm() -> Q:
    """Rows of workspaces with a rhythm to keep: running, and not a flash session."""
    return (Q(pairing__status=Pairing.Status.ACTIVE) & ~Q(pairing__kind=Pairing.Kind.FLASH)) | Q(
        circle__status=Circle.Status.ACTIVE
    )


def initial(
    start_date: dt.date, cadence_days: int, *, flash: bool
) -> dict[str, dt.datetime | bool | None]:
    """The stored fields of a new workspace: nothing held, nothing agreed, nothing reviewed."""
    if flash:
        return {"at_risk_from": None, "step_in_from": None, "awaiting_midpoint_reviews": False}
    at_risk, step_in = moments(None, start_date, cadence_days)
    return {"at_risk_from": at_risk, "step_in_from": step_in, "awaiting_midpoint_reviews": True}


def refresh(workspaces: QuerySet[Workspace] | Iterable[int]) -> int:
    """Recompute the stored moments of these workspaces (a queryset or ids); how many moved."""
    rows = (
        workspaces
        if isinstance(workspaces, QuerySet)
        else Workspace.objects.filter(pk__in=list(workspaces))
    )
    with transaction.atomic():
        return _refresh_locked(rows.select_for_update(of=("self",)))


def _refresh_locked(rows: QuerySet[Workspace]) -> int:
    # The rows stay locked until the caller's transaction ends, so an ending relationship
    # (whose stop() updates the same rows) waits for this and then clears what it wrote.
    changed = []
    for ws in rows.annotate(
        cadence=cadence_in_force(),
        keeps=ExpressionWrapper(keeps_rhythm(), output_field=BooleanField()),
    ).only("pk", "start_date", "last_met_at", "at_risk_from", "step_in_from"):
        at_risk, step_in = (
            moments(ws.last_met_at, ws.start_date, ws.cadence) if ws.keeps else (None, None)
        )
        if (ws.at_risk_from, ws.step_in_from) != (at_risk, step_in):
            ws.at_risk_from, ws.step_in_from = at_risk, step_in
            changed.append(ws)
    Workspace.objects.bulk_update(changed, ["at_risk_from", "step_in_from"], batch_size=500)
    return len(changed)


def stop(workspaces: QuerySet[Workspace]) -> None:
    """The relationship ended: nothing more to watch for."""
    workspaces.filter(
        Q(at_risk_from__isnull=False)
        | Q(step_in_from__isnull=False)
        | Q(awaiting_midpoint_reviews=True)
    ).update(at_risk_from=None, step_in_from=None, awaiting_midpoint_reviews=False)


def note_midpoint_review(workspace: Workspace, participant_ids: Iterable[int]) -> None:
    """After a mid-point review is written: no longer awaited once everyone's is in.

    The workspace row is locked first, so of two last reviews submitted at once the
    second to commit sees the first and marks it.
    """
    Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk").get()
    authors = set(
        Review.objects.filter(workspace=workspace, kind=Review.Kind.MIDPOINT).values_list(
            "author_id", flat=True
        )
    )
    if set(participant_ids) <= authors:
        Workspace.objects.filter(pk=workspace.pk, awaiting_midpoint_reviews=True).update(
            awaiting_midpoint_reviews=False
        )
        workspace.awaiting_midpoint_reviews = False


def recount_circle_reviews(circle_id: int) -> None:
    """A circle's people changed: its mid-point is awaited until everyone now in it wrote."""
    with transaction.atomic():
        _recount_circle_reviews(circle_id)


def _recount_circle_reviews(circle_id: int) -> None:
    # The row lock orders this after (or before) a review being written for the circle.
    workspace = (
        Workspace.objects.select_for_update(of=("self",))
        .filter(circle_id=circle_id, circle__status=Circle.Status.ACTIVE)
        .select_related("circle__mentor")
        .first()
    )
    if workspace is None or workspace.circle is None:
        return
    people = {workspace.circle.mentor.user_id} | set(
        CircleMember.objects.filter(
            circle_id=circle_id, status=CircleMember.Status.MEMBER
        ).values_list("mentee__user_id", flat=True)
    )
    authors = set(
        Review.objects.filter(workspace=workspace, kind=Review.Kind.MIDPOINT).values_list(
            "author_id", flat=True
        )
    )
    awaited = not people <= authors
    if workspace.awaiting_midpoint_reviews != awaited:
        Workspace.objects.filter(pk=workspace.pk).update(awaiting_midpoint_reviews=awaited)
