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
from mentoring.security import TwoFactorRequired, totp_exists, two_factor_required
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
    # Holds the admin role but has no two-factor authentication (and it is required).
    needs_two_factor: bool = False

    @property
    def is_admin(self) -> bool:
        """An admin of the program, with two-factor where it is required: without it the
        admin role gives no powers (and admin pages send them to set it up)."""
        return Role.ADMIN in self.memberships and not self.needs_two_factor

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
    rows = (
        Membership.objects.filter(program__slug=slug, user=user)
        .select_related("program")
        .order_by()
    )
    mfa_required = two_factor_required()
    if mfa_required:
        # Whether they have two-factor, in the same query (no query of its own).
        rows = rows.annotate(has_totp=totp_exists(user.pk))
    memberships = list(rows)
    if not memberships:
        raise Http404
    by_role = {m.role: m for m in memberships}
    admin_row = by_role.get(Role.ADMIN)
    access = ProgramAccess(
        program=memberships[0].program,
        user=user,
        memberships=by_role,
        needs_two_factor=(
            mfa_required and admin_row is not None and not admin_row.has_totp  # type: ignore[attr-defined]
        ),
    )
    # An admin page, or any page of a program they only administer, needs two-factor;
    # a mentor or mentee who is also an admin still uses their own pages without it.
    if access.needs_two_factor and (admin or not access.participant_memberships):
        raise TwoFactorRequired
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
    """Object ``pk`` of ``queryset`` inside program ``slug``, for that program's admins only.

    404 for an object outside the program, whoever asks (another program's ids look the
    same as ids that do not exist); then 403 for a member who is not its admin.
    """
    access = get_program_access(user, slug)
    try:
        found = queryset.get(pk=pk, program=access.program)
    except ObjectDoesNotExist:
        raise Http404 from None
    if not access.is_admin:
        get_program_access(user, slug, admin=True)  # raises: two-factor first, else 403
    return access, found


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
