"""The kickoff agreement: drafted by either side, accepted by everyone, versioned.

Saving terms never counts as acceptance. A change once anyone has accepted the
current version starts a new version (so everyone accepts again); a change
before that rewrites the current version. Every version's terms are kept in
``AgreementRevision`` and every acceptance in ``AgreementAcceptance``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from matching.models import Pairing
from programs.models import Membership
from sessions import rhythm
from sessions.access import WorkspaceAccess
from sessions.models import (
    Agreement,
    AgreementAcceptance,
    AgreementRevision,
    DateChange,
    Medium,
    Workspace,
)
from sessions.selectors import today_in
from sessions.selectors_plan import agreement_history, agreement_state
from sessions.services._common import TransitionError, check_can_write, notify_later

# The reads live in sessions.selectors_plan; re-exported for callers that look here.
__all__ = [
    "agreement_accept",
    "agreement_history",
    "agreement_initial",
    "agreement_save",
    "agreement_state",
]

TERMS: tuple[str, ...] = tuple(Agreement.TERMS)
DEFAULT_MINUTES = 60


def _url(wa: WorkspaceAccess) -> str:
    return reverse("workspace:agreement", kwargs={"slug": wa.program.slug, "pk": wa.workspace.pk})


def _snapshot(agreement: Agreement) -> dict[str, Any]:
    """The terms as JSON-friendly values (dates as ISO strings)."""
    terms: dict[str, Any] = {}
    for name in TERMS:
        value = getattr(agreement, name)
        terms[name] = value.isoformat() if isinstance(value, dt.date) else value
    return terms


def agreement_initial(wa: WorkspaceAccess) -> dict[str, Any]:
    """The values a new agreement form starts with: the program's cadence, an hour, the
    mentee's preferred medium and the relationship's planned end."""
    initial: dict[str, Any] = {
        "cadence_days": wa.program.cadence_days,
        "meeting_minutes": DEFAULT_MINUTES,
        "planned_end_date": wa.workspace.end_date,
    }
    pairing = wa.workspace.pairing
    if pairing is not None:
        preferred = getattr(pairing.mentee, "preferred_medium", Membership.Medium.ANY)
        if preferred != Membership.Medium.ANY and preferred in Medium.values:
            initial["medium"] = preferred
    return initial


def _check_terms(workspace: Workspace, terms: dict[str, Any]) -> None:
    end = terms.get("planned_end_date")
    if end is not None and end <= workspace.start_date:
        raise ValidationError(
            {
                "planned_end_date": "The planned end date must be after the relationship "
                f"started ({workspace.start_date:%-d %B %Y})."
            }
        )
    if end is not None and end > workspace.latest_end_date:
        raise ValidationError(
            {
                "planned_end_date": "A relationship can be planned for three years at most: "
                f"choose a date by {workspace.latest_end_date:%-d %B %Y}."
            }
        )


def _locked(workspace: Workspace) -> Agreement | None:
    """Lock the workspace row (so two first drafts cannot race), then read its agreement."""
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
    return Agreement.objects.select_for_update().filter(workspace=workspace).first()


def agreement_save(*, wa: WorkspaceAccess, terms: dict[str, Any]) -> Agreement:
    """Draft the agreement, or change its terms (a new version once anyone accepted)."""
    check_can_write(wa)
    unknown = set(terms) - set(TERMS)
    if unknown:
        raise ValueError(f"Not terms of an agreement: {sorted(unknown)}")
    _check_terms(wa.workspace, terms)
    now = timezone.now()
    with transaction.atomic():
        agreement = _locked(wa.workspace)
        before = None if agreement is None else _snapshot(agreement)
        if agreement is None:
            agreement = Agreement(workspace=wa.workspace, drafted_by=wa.user, created_at=now)
        for name, value in terms.items():
            setattr(agreement, name, value)
        agreement.full_clean(exclude=["workspace", "drafted_by"])
        if before is not None and _snapshot(agreement) == before:
            return agreement
        agreement.updated_at = now
        # A change to terms someone has accepted is a new version everyone accepts
        # again; before anyone has, the current version is simply rewritten.
        if (
            before is not None
            and AgreementAcceptance.objects.filter(
                agreement=agreement, version=agreement.version
            ).exists()
        ):
            agreement.version += 1
            agreement.accepted_at = None
        agreement.save()
        # Terms no longer accepted: the pair meets at the program's pace until they are.
        rhythm.refresh([wa.workspace.pk])
        AgreementRevision.objects.update_or_create(
            agreement=agreement,
            version=agreement.version,
            defaults={"terms": _snapshot(agreement), "changed_by": wa.user, "changed_at": now},
        )
        _tell_partners(wa, agreement, proposed=agreement.version == 1)
        return agreement


def _tell_partners(wa: WorkspaceAccess, agreement: Agreement, *, proposed: bool) -> None:
    verb = "proposed terms" if proposed else "changed the terms"
    notify_later(
        users=list(wa.partners),
        kind="agreement_proposed",
        key=f"agreement:{agreement.pk}:v{agreement.version}:proposed:{agreement.updated_at.timestamp()}",
        title=f"{wa.user.display_name} {verb}: please read and accept",
        url=_url(wa),
    )


def agreement_accept(*, wa: WorkspaceAccess, version: int) -> Agreement:
    """Accept the current version of the terms; the last acceptance makes them agreed."""
    if not wa.is_participant:
        raise PermissionDenied("Only the people in this relationship can accept its terms.")
    check_can_write(wa)
    now = timezone.now()
    with transaction.atomic():
        agreement = _locked(wa.workspace)
        if agreement is None:
            raise TransitionError("There are no terms to accept yet.")
        if agreement.version != version:
            raise TransitionError(
                "The terms changed while you were reading them: read version "
                f"{agreement.version} and accept that one."
            )
        accepted = set(
            AgreementAcceptance.objects.filter(
                agreement=agreement, version=agreement.version
            ).values_list("user_id", flat=True)
        )
        if wa.user.pk in accepted:
            raise TransitionError(f"You have already accepted version {agreement.version}.")
        AgreementAcceptance.objects.create(
            agreement=agreement, version=agreement.version, user=wa.user, accepted_at=now
        )
        accepted.add(wa.user.pk)
        pending = [u for u in wa.participants if u.pk not in accepted]
        if pending:
            notify_later(
                users=pending,
                kind="agreement_proposed",
                key=f"agreement:{agreement.pk}:v{agreement.version}:accepted-by:{wa.user.pk}",
                title=f"{wa.user.display_name} accepted the terms: your acceptance is needed",
                url=_url(wa),
            )
            return agreement
        agreement.accepted_at = now
        agreement.save(update_fields=["accepted_at"])
        rhythm.refresh([wa.workspace.pk])
        AgreementRevision.objects.filter(agreement=agreement, version=agreement.version).update(
            accepted_at=now
        )
        _move_end_date(wa, agreement)
        notify_later(
            users=list(wa.partners),
            kind="agreement_accepted",
            key=f"agreement:{agreement.pk}:v{agreement.version}:accepted",
            title=f"Everyone accepted the terms (version {agreement.version})",
            url=_url(wa),
        )
        return agreement


def _end_date_was_agreed_before(agreement: Agreement) -> bool:
    """Whether an earlier accepted version already planned this end date.

    The relationship's end may have moved since (an extension); accepting a version that
    changes other terms must not move it back.
    """
    earlier = (
        AgreementRevision.objects.filter(
            agreement=agreement, version__lt=agreement.version, accepted_at__isnull=False
        )
        .order_by("-version")
        .values_list("terms", flat=True)
        .first()
    )
    return bool(
        earlier and earlier.get("planned_end_date") == agreement.planned_end_date.isoformat()
    )


def _move_end_date(wa: WorkspaceAccess, agreement: Agreement) -> None:
    """Give the relationship the agreed end date (and a mid-point that has not come yet)."""
    workspace = Workspace.objects.get(pk=wa.workspace.pk)  # locked by _locked()
    new_end = agreement.planned_end_date
    if new_end == workspace.end_date or _end_date_was_agreed_before(agreement):
        return
    old_end, old_mid = workspace.end_date, workspace.midpoint_date
    if old_mid <= today_in(wa.workspace):
        # The mid-point has come (its review may be under way): it stays.
        new_mid = min(old_mid, new_end)
    else:
        new_mid = Workspace.midpoint_between(workspace.start_date, new_end)
    Workspace.objects.filter(pk=workspace.pk).update(end_date=new_end, midpoint_date=new_mid)
    DateChange.objects.create(
        workspace=workspace,
        old_end_date=old_end,
        new_end_date=new_end,
        old_midpoint_date=old_mid,
        new_midpoint_date=new_mid,
        reason=f"Agreed in the kickoff agreement (version {agreement.version})",
        changed_by=wa.user,
    )
    wa.workspace.end_date = new_end
    wa.workspace.midpoint_date = new_mid
    pairing = wa.workspace.pairing
    if pairing is not None:
        Pairing.objects.filter(pk=pairing.pk).update(planned_end_date=new_end)
        pairing.planned_end_date = new_end
