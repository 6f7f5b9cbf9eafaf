"""The world workspace tests run in: a running pair, a second pair, a circle, personas."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from matching.models import Circle, CircleMember, Pairing
from matching.tests.factories import (
    CircleFactory,
    CircleMemberFactory,
    MenteeFactory,
    MentorFactory,
    PairingFactory,
)
from mentoring.models import User
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory
from sessions.access import WorkspaceAccess, get_workspace
from sessions.models import Workspace

# Everyone who must get 404 for the pair's workspace: the other pair of the same program,
# a circle member who is not in the pair, and an admin of another program.
STRANGERS = [("other_mentor", 404), ("other_mentee", 404), ("member", 404), ("outsider", 404)]

# Fixed "now" for workspace tests that travel in time (time_machine.travel(NOW)).
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@dataclass
class World:
    """One program with a running pair, a second pair, a circle, and everyone around them.

    People: admin (program admin), mentor and mentee (the pair), other_mentor and
    other_mentee (a second pair of the same program), member (a mentee in the circle,
    led by ``mentor``), outsider (admin of another program), anonymous.
    """

    program: Program
    admin: User
    mentor: User
    mentee: User
    other_mentor: User
    other_mentee: User
    member: User
    outsider: User
    pairing: Pairing
    workspace: Workspace
    other_workspace: Workspace
    circle: Circle
    circle_workspace: Workspace

    def client(self, who: str) -> Client:
        client = Client()
        if who != "anonymous":
            client.force_login(getattr(self, who))
        return client

    def access(self, who: str, workspace: Workspace | None = None) -> WorkspaceAccess:
        """The WorkspaceAccess a service receives when ``who`` acts in ``workspace``."""
        ws = workspace or self.workspace
        return get_workspace(getattr(self, who), self.program.slug, ws.pk)

    def url(self, name: str, workspace: Workspace | None = None, **kwargs: object) -> str:
        from django.urls import reverse

        ws = workspace or self.workspace
        return reverse(
            f"workspace:{name}", kwargs={"slug": self.program.slug, "pk": ws.pk, **kwargs}
        )


def make_world(*, privacy: str = Program.PrivacyPolicy.METADATA) -> World:
    program = ProgramFactory.create(
        status=Program.Status.RUNNING,
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2027, 3, 1),
        privacy_policy=privacy,
    )
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    mentor = MentorFactory.create(program=program)
    mentee = MenteeFactory.create(program=program)
    started = dt.datetime(2026, 9, 15, 9, 0, tzinfo=dt.UTC)
    pairing = PairingFactory.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        status=Pairing.Status.ACTIVE,
        started_at=started,
        respond_by=None,
    )
    other = PairingFactory.create(
        program=program, status=Pairing.Status.ACTIVE, started_at=started, respond_by=None
    )
    circle = CircleFactory.create(program=program, mentor=mentor)
    member = MenteeFactory.create(program=program)
    CircleMemberFactory.create(
        circle=circle, mentee=member, status=CircleMember.Status.MEMBER, joined_at=started
    )
    other_program = ProgramFactory.create()
    outsider = MembershipFactory.create(program=other_program, role=Membership.Role.ADMIN).user
    return World(
        program=program,
        admin=admin,
        mentor=mentor.user,
        mentee=mentee.user,
        other_mentor=other.mentor.user,
        other_mentee=other.mentee.user,
        member=member.user,
        outsider=outsider,
        pairing=pairing,
        workspace=Workspace.objects.get(pairing=pairing),
        other_workspace=Workspace.objects.get(pairing=other),
        circle=circle,
        circle_workspace=Workspace.objects.get(circle=circle),
    )


@pytest.fixture
def world(db) -> World:
    """A metadata-only program (admins see figures, not words)."""
    return make_world()


@pytest.fixture
def content_world(db) -> World:
    """The same world in a program whose admins may read content."""
    return make_world(privacy=Program.PrivacyPolicy.CONTENT)


__all__ = ["NOW", "STRANGERS", "World", "make_world", "timezone"]
