"""Shared fixtures: the personas every view is tested with, and service guards.

Personas, as in healthchecks' BaseTestCase: a program with its admin, a mentor
and a mentee; an outsider who is signed in but belongs to another program;
and the anonymous visitor.
"""

import os
from dataclasses import dataclass

import pytest
from django.test import Client

from mentoring.models import User
from mentoring.tests.factories import UserFactory
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_service(name: str, reachable: bool, detail: str = "") -> None:
    """Skip a test whose service is missing, except in CI, where that is a failure."""
    if reachable:
        return
    message = f"{name} is not reachable{': ' + detail if detail else ''}"
    if IN_CI:
        pytest.fail(f"{message} (CI must run every service test)")
    pytest.skip(message)


@dataclass
class Personas:
    program: Program
    admin: User
    mentor: User
    mentee: User
    outsider: User
    other_program: Program

    def client(self, who: str) -> Client:
        client = Client()
        if who != "anonymous":
            client.force_login(getattr(self, who))
        return client

    def membership(self, who: str) -> Membership:
        user = getattr(self, who)
        return Membership.objects.get(program=self.program, user=user)


@pytest.fixture
def personas(db) -> Personas:
    program = ProgramFactory.create()
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    mentor = MembershipFactory.create(program=program, role=Membership.Role.MENTOR).user
    mentee = MembershipFactory.create(program=program, role=Membership.Role.MENTEE).user
    other = ProgramFactory.create()
    # The outsider is an admin elsewhere: a powerful user, just not here.
    outsider = MembershipFactory.create(program=other, role=Membership.Role.ADMIN).user
    return Personas(program, admin, mentor, mentee, outsider, other)


@pytest.fixture
def staff_user(db) -> User:
    return UserFactory.create(is_staff=True)
