"""Matching services: participants' ranked preferences, and the program's matching settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from matching.models import MatchingPreference, MatchingSettings
from matching.services._common import check_admin
from mentoring.models import User
from programs.models import Membership, Program
from programs.services._common import check_fields

__all__ = [
    "PREFERENCE_OPEN_STATUSES",
    "SETTINGS_FIELDS",
    "matching_settings_update",
    "preference_targets",
    "preferences_set",
]

Role = Membership.Role

# Rankings feed matching, so they may change until matching is over.
PREFERENCE_OPEN_STATUSES = (
    Program.Status.DRAFT,
    Program.Status.ENROLLING,
    Program.Status.MATCHING,
)

SETTINGS_FIELDS = (
    *MatchingSettings.WEIGHT_FIELDS,
    "ideal_seniority_gap",
    "avoid_same_department",
    "max_open_requests",
    "response_days",
)


def preference_targets(membership: Membership) -> QuerySet[Membership]:
    """Whom this participant may rank: enrolled people of the other role, never themself."""
    other = Role.MENTOR if membership.role == Role.MENTEE else Role.MENTEE
    return (
        Membership.objects.filter(
            program_id=membership.program_id,
            role=other,
            enrolled_at__isnull=False,
            user__is_active=True,
        )
        .exclude(user_id=membership.user_id)
        .select_related("user")
    )


@transaction.atomic
def preferences_set(
    *, membership: Membership, actor: User, chosen: Sequence[Membership]
) -> list[MatchingPreference]:
    """Replace a participant's ranking of people they would like to be matched with."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("program", "user")
        .get(pk=membership.pk)
    )
    if membership.user_id != actor.pk:
        raise PermissionDenied("Only the participant can rank whom they would like to meet.")
    if membership.role not in Membership.PARTICIPANT_ROLES:
        raise ValidationError("Only mentors and mentees rank preferences.")
    program = membership.program
    if program.status not in PREFERENCE_OPEN_STATUSES:
        raise ValidationError(
            f"The program is {program.get_status_display().lower()}, so matching is over and "
            "preferences can no longer change."
        )
    limit = MatchingPreference.MAX_RANK
    if len(chosen) > limit:
        raise ValidationError(f"Rank at most {limit} people.")
    pks = [c.pk for c in chosen]
    if len(set(pks)) != len(pks):
        raise ValidationError("Rank each person only once.")
    other = "mentor" if membership.role == Role.MENTEE else "mentee"
    allowed = {m.pk: m for m in preference_targets(membership).filter(pk__in=pks)}
    for person in chosen:
        if person.user_id == membership.user_id:
            raise ValidationError("You cannot rank yourself.")
        if person.pk not in allowed:
            raise ValidationError(
                f"{person.user} is not an enrolled {other} of this program, so cannot be ranked."
            )
    MatchingPreference.objects.filter(chooser=membership).delete()
    return MatchingPreference.objects.bulk_create(
        MatchingPreference(program=program, chooser=membership, chosen=allowed[pk], rank=rank)
        for rank, pk in enumerate(pks, start=1)
    )


@transaction.atomic
def matching_settings_update(*, program: Program, actor: User, **fields: Any) -> MatchingSettings:
    """Change how matching weighs each criterion in a program (admins only)."""
    check_fields(fields, SETTINGS_FIELDS)
    check_admin(program, actor)
    settings, _ = MatchingSettings.objects.select_for_update().get_or_create(program=program)
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.full_clean()
    if not any(getattr(settings, name) for name in MatchingSettings.WEIGHT_FIELDS):
        raise ValidationError(
            {
                MatchingSettings.WEIGHT_FIELDS[0]: (
                    "Give at least one criterion a weight above 0, or every pair scores the same."
                )
            }
        )
    settings.save()
    return settings
