"""Who may see what in a program: one helper per owned object.

Everything inside a program is fetched through these helpers. Someone outside
the program gets 404 for all of it (existence does not leak); a member whose
role is too low gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from mentoring.models import User
from programs.models import (
    Invitation,
    Membership,
    ParticipantImport,
    Program,
    Question,
    Topic,
)

Role = Membership.Role

M = TypeVar("M", bound=Model)

ADMIN_ONLY = "Only this program's admins can do that."


@dataclass(frozen=True)
class ProgramAccess:
    """A program as seen by one user, with the roles they hold in it."""

    program: Program
    user: User
    memberships: dict[str, Membership] = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.memberships

    @property
    def is_mentor(self) -> bool:
        return Role.MENTOR in self.memberships

    @property
    def is_mentee(self) -> bool:
        return Role.MENTEE in self.memberships

    @property
    def participant_memberships(self) -> list[Membership]:
        return [m for r, m in sorted(self.memberships.items()) if r in Membership.PARTICIPANT_ROLES]


def get_program_access(user: User, slug: str, *, admin: bool = False) -> ProgramAccess:
    """The program ``slug`` as ``user`` sees it: 404 if not a member, 403 if ``admin`` is
    required and they are not one."""
    if not user.is_authenticated:
        raise Http404
    # Unordered: the default ordering would join the users table (and sort) for nothing.
    memberships = list(
        Membership.objects.filter(program__slug=slug, user=user)
        .select_related("program")
        .order_by()
    )
    if not memberships:
        raise Http404
    access = ProgramAccess(
        program=memberships[0].program,
        user=user,
        memberships={m.role: m for m in memberships},
    )
    if admin and not access.is_admin:
        raise PermissionDenied(ADMIN_ONLY)
    return access


def get_participant_membership(
    user: User, slug: str, role: str
) -> tuple[ProgramAccess, Membership]:
    """The user's own mentor or mentee membership of the program (404 otherwise)."""
    access = get_program_access(user, slug)
    if role not in Membership.PARTICIPANT_ROLES:
        raise Http404
    membership = access.memberships.get(role)
    if membership is None:
        raise PermissionDenied(f"You are not a {role} in this program.")
    return access, membership


def _admin_object(user: User, slug: str, queryset: QuerySet[M], pk: int) -> tuple[ProgramAccess, M]:
    """Object ``pk`` of ``queryset`` inside program ``slug``, for that program's admins only."""
    access = get_program_access(user, slug, admin=True)
    try:
        return access, queryset.get(pk=pk, program=access.program)
    except ObjectDoesNotExist:
        raise Http404 from None


def get_membership_for_admin(user: User, slug: str, pk: int) -> tuple[ProgramAccess, Membership]:
    return _admin_object(user, slug, Membership.objects.select_related("user"), pk)


def get_topic_for_admin(user: User, slug: str, pk: int) -> tuple[ProgramAccess, Topic]:
    return _admin_object(user, slug, Topic.objects.all(), pk)


def get_question_for_admin(user: User, slug: str, pk: int) -> tuple[ProgramAccess, Question]:
    return _admin_object(user, slug, Question.objects.prefetch_related("choices"), pk)


def get_invitation_for_admin(user: User, slug: str, pk: int) -> tuple[ProgramAccess, Invitation]:
    return _admin_object(user, slug, Invitation.objects.all(), pk)


def get_import_for_admin(user: User, slug: str, pk: int) -> tuple[ProgramAccess, ParticipantImport]:
    imports = ParticipantImport.objects.select_related("valid_rows_import", "rejected_upload")
    return _admin_object(user, slug, imports, pk)
