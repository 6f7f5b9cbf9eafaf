"""Who may see what in a relationship workspace: one helper per owned object.

Built on ``programs.access``: outsiders get 404 for everything in a program.
Inside it, a workspace is visible to the people in the relationship and to the
program's admins; anyone else gets 404, so existence does not leak.

What admins may *read* inside a workspace depends on the program's privacy
policy (``WorkspaceAccess.can_read_content``); private notes are their
author's alone, always.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from matching.models import CircleMember, Pairing
from mentoring.models import User
from mentoring.security import TwoFactorRequired
from programs.access import ProgramAccess, get_program_access
from programs.models import Program
from sessions.models import (
    ActionItem,
    Goal,
    Meeting,
    Note,
    Review,
    RoadmapTopic,
    Workspace,
)

MENTOR = "mentor"
MENTEE = "mentee"
ADMIN = "admin"


@dataclass(frozen=True)
class WorkspaceAccess:
    """A workspace as one user sees it: their role in it and what they may read."""

    access: ProgramAccess
    workspace: Workspace
    role: str  # MENTOR, MENTEE (a participant) or ADMIN (a program admin looking in)
    mentor: User
    mentees: tuple[User, ...]

    @property
    def program(self) -> Program:
        return self.access.program

    @property
    def user(self) -> User:
        return self.access.user

    @property
    def participants(self) -> tuple[User, ...]:
        return (self.mentor, *self.mentees)

    @property
    def participant_ids(self) -> set[int]:
        return {u.pk for u in self.participants}

    @property
    def is_participant(self) -> bool:
        return self.role in (MENTOR, MENTEE)

    @property
    def is_mentor(self) -> bool:
        return self.role == MENTOR

    @property
    def is_mentee(self) -> bool:
        return self.role == MENTEE

    @property
    def is_program_admin(self) -> bool:
        return self.access.is_admin

    @property
    def can_read_content(self) -> bool:
        """Agendas, check-in answers, goals and shared notes: the relationship, and
        admins only where the program's privacy policy allows."""
        return self.is_participant or (self.access.is_admin and self.program.admins_see_content)

    @property
    def can_write(self) -> bool:
        """Participants add and change things while the relationship runs."""
        return self.is_participant and self.workspace.is_open

    @property
    def partners(self) -> tuple[User, ...]:
        """The other people in the relationship, from this user's side."""
        return tuple(u for u in self.participants if u.pk != self.user.pk)


def workspaces_of(user: User) -> QuerySet[Workspace]:
    """Every workspace ``user`` takes part in (as mentor, mentee or circle member)."""
    return Workspace.objects.filter(
        Q(pairing__mentor__user=user)
        | (Q(pairing__mentee__user=user) & ~Q(pairing__status__in=_HIDDEN_FROM_MENTEE))
        | Q(circle__mentor__user=user)
        | Q(
            circle__members__mentee__user=user,
            circle__members__status=CircleMember.Status.MEMBER,
        )
    ).distinct()


_HIDDEN_FROM_MENTEE = (Pairing.Status.PROPOSED, Pairing.Status.DECLINED, Pairing.Status.EXPIRED)


def get_workspace(user: User, slug: str, pk: int) -> WorkspaceAccess:
    """A workspace, for the people in it and the program's admins; 404 for anyone else."""
    access = get_program_access(user, slug)
    workspace = (
        Workspace.objects.filter(program=access.program, pk=pk)
        .select_related(
            "program",
            "pairing__mentor__user",
            "pairing__mentee__user",
            "pairing__topic",
            "pairing__ended_by",
            "circle__mentor__user",
            "circle__topic",
            "circle__ended_by",
        )
        .first()
    )
    if workspace is None:
        raise Http404
    workspace.program = access.program  # the same row; keeps one object for templates
    if workspace.pairing is not None:
        mentor = workspace.pairing.mentor.user
        mentees: tuple[User, ...] = (workspace.pairing.mentee.user,)
    elif workspace.circle is not None:
        mentor = workspace.circle.mentor.user
        mentees = tuple(
            seat.mentee.user
            for seat in CircleMember.objects.filter(
                circle=workspace.circle, status=CircleMember.Status.MEMBER
            ).select_related("mentee__user")
        )
    else:  # the check constraint rules this out
        raise Http404
    if user.pk == mentor.pk:
        role = MENTOR
    elif any(user.pk == m.pk for m in mentees):
        role = MENTEE
    elif access.is_admin:
        role = ADMIN
    elif access.needs_two_factor:  # an admin looking in, still without two-factor
        raise TwoFactorRequired
    else:
        raise Http404
    return WorkspaceAccess(
        access=access, workspace=workspace, role=role, mentor=mentor, mentees=mentees
    )


def _one(queryset: QuerySet, pk: int):  # type: ignore[no-untyped-def]
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def get_meeting(user: User, slug: str, pk: int, mid: int) -> tuple[WorkspaceAccess, Meeting]:
    """A meeting of a workspace the user may see."""
    wa = get_workspace(user, slug, pk)
    meeting: Meeting = _one(wa.workspace.meetings.all(), mid)
    meeting.workspace = wa.workspace
    return wa, meeting


def get_goal(user: User, slug: str, pk: int, gid: int) -> tuple[WorkspaceAccess, Goal]:
    """A goal, for the relationship (and admins only where the privacy policy allows)."""
    wa = get_workspace(user, slug, pk)
    if not wa.can_read_content:
        raise Http404
    goal: Goal = _one(wa.workspace.goals.all(), gid)
    goal.workspace = wa.workspace
    return wa, goal


def get_roadmap_topic(
    user: User, slug: str, pk: int, tid: int
) -> tuple[WorkspaceAccess, RoadmapTopic]:
    """A roadmap topic, for the relationship (admins where the privacy policy allows)."""
    wa = get_workspace(user, slug, pk)
    if not wa.can_read_content:
        raise Http404
    topic: RoadmapTopic = _one(wa.workspace.roadmap.all(), tid)
    topic.workspace = wa.workspace
    return wa, topic


def get_action(user: User, slug: str, pk: int, aid: int) -> tuple[WorkspaceAccess, ActionItem]:
    """An action item of a workspace the user may see."""
    wa = get_workspace(user, slug, pk)
    action: ActionItem = _one(wa.workspace.actions.select_related("owner"), aid)
    action.workspace = wa.workspace
    return wa, action


def visible_notes(wa: WorkspaceAccess) -> QuerySet[Note]:
    """The notes this user may read: their own, and shared ones where they may read content."""
    notes = wa.workspace.notes.select_related("author")
    mine = Q(author=wa.user)
    if wa.can_read_content:
        return notes.filter(mine | Q(visibility=Note.Visibility.SHARED))
    return notes.filter(mine)


def get_note(user: User, slug: str, pk: int, nid: int) -> tuple[WorkspaceAccess, Note]:
    """A note its reader may see: a private note is 404 for everyone but its author."""
    wa = get_workspace(user, slug, pk)
    note: Note = _one(visible_notes(wa), nid)
    note.workspace = wa.workspace
    return wa, note


def get_review(user: User, slug: str, pk: int, rid: int) -> tuple[WorkspaceAccess, Review]:
    """A review of a workspace the user may see (its words only where content is readable)."""
    wa = get_workspace(user, slug, pk)
    review: Review = _one(wa.workspace.reviews.select_related("author"), rid)
    review.workspace = wa.workspace
    return wa, review
