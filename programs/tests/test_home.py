"""The programs section of the home page, and the memberships the whole page reads once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring.tests.factories import UserFactory
from programs.home import my_memberships
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role


def test_the_memberships_are_read_once_for_the_whole_page(rf):
    user = UserFactory.create()
    first = ProgramFactory.create(name="First", start_date="2026-01-01", end_date="2026-12-31")
    second = ProgramFactory.create(name="Second", start_date="2026-06-01", end_date="2027-05-31")
    MembershipFactory.create(program=first, user=user, role=Role.MENTOR)
    MembershipFactory.create(program=second, user=user, role=Role.ADMIN)
    MembershipFactory.create(program=second, user=user, role=Role.MENTEE)
    request = rf.get("/")
    request.user = user
    with CaptureQueriesContext(connection) as ctx:
        found = my_memberships(request)
        assert my_memberships(request) is found
    assert len(ctx.captured_queries) == 1
    # Newest program first; each with its program, read in the same query.
    assert [(m.program.name, m.role) for m in found] == [
        ("Second", Role.ADMIN),
        ("Second", Role.MENTEE),
        ("First", Role.MENTOR),
    ]
    assert found[1].program is found[0].program


def test_an_unenrolled_participant_is_asked_to_finish_enrolling():
    program = ProgramFactory.create(status=Program.Status.ENROLLING)
    membership = MembershipFactory.create(program=program, role=Role.MENTOR)
    client = Client()
    client.force_login(membership.user)
    html = client.get(reverse("home")).content.decode()
    assert "Needs you now" in html
    assert reverse("programs:enrol", args=[program.slug, Role.MENTOR]) in html
    Membership.objects.filter(pk=membership.pk).update(enrolled_at=timezone.now())
    html = client.get(reverse("home")).content.decode()
    assert reverse("programs:enrol", args=[program.slug, Role.MENTOR]) not in html


def test_someone_in_no_program_learns_how_to_join_one_and_staff_how_to_start_one():
    client = Client()
    client.force_login(UserFactory.create())
    html = client.get(reverse("home")).content.decode()
    assert "You are not in any program yet" in html
    assert reverse("programs:create") not in html
    client.force_login(UserFactory.create(is_staff=True))
    assert reverse("programs:create") in client.get(reverse("home")).content.decode()


@pytest.mark.usefixtures("page_cache_off")
def test_an_admin_sees_a_card_for_each_of_their_programs_only(personas):
    client = personas.client("admin")
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("home")).content.decode()
    assert personas.program.name in html
    assert personas.other_program.name not in html
    assert html.count('class="card h-100"') == 1
    # Session, user, memberships, notifications: an admin has no relationships to read.
    assert len(ctx.captured_queries) == 4
