"""Every running relationship gets a workspace, and only its people and admins reach it."""

import datetime as dt

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from matching import services as matching
from matching.models import Pairing
from matching.tests.factories import (
    CircleFactory,
    FlashOfferFactory,
    FlashSlotFactory,
    MenteeFactory,
    MentorFactory,
    PairingFactory,
)
from programs.tests.factories import ProgramFactory
from sessions.access import get_workspace, workspaces_of
from sessions.models import Meeting, Workspace

pytestmark = pytest.mark.django_db


def test_accepting_a_proposal_opens_the_workspace_with_the_pairings_dates():
    program = ProgramFactory.create(
        start_date=dt.date(2026, 9, 1), end_date=dt.date(2027, 3, 1), timezone="Pacific/Auckland"
    )
    proposal = PairingFactory.create(program=program)
    assert not Workspace.objects.filter(pairing=proposal).exists()
    # 20:00 UTC on the 20th is already the 21st in Auckland.
    with time_machine.travel(dt.datetime(2026, 11, 20, 20, 0, tzinfo=dt.UTC), tick=False):
        matching.pairing_accept(pairing=proposal, actor=proposal.mentor.user)
    workspace = Workspace.objects.get(pairing=proposal)
    assert workspace.start_date == dt.date(2026, 11, 21)
    assert workspace.end_date == dt.date(2027, 3, 1)
    assert workspace.midpoint_date == dt.date(2027, 1, 10)  # 100 days, half-way
    assert workspace.program == program


@pytest.mark.parametrize("status", ["proposed", "declined", "expired"])
def test_a_pairing_that_never_started_has_no_workspace(status):
    pairing = PairingFactory.create(status=status)
    assert not Workspace.objects.filter(pairing=pairing).exists()


def test_saving_an_active_pairing_again_keeps_its_one_workspace():
    pairing = PairingFactory.create(status=Pairing.Status.ACTIVE, started_at=timezone.now())
    pairing.save()
    assert Workspace.objects.filter(pairing=pairing).count() == 1


def test_a_circle_has_a_workspace_from_the_start():
    circle = CircleFactory.create()
    assert Workspace.objects.get(circle=circle).program == circle.program


def test_booking_a_flash_session_makes_it_the_pairings_meeting():
    program = ProgramFactory.create(allow_flash=True)
    offer = FlashOfferFactory.create(
        program=program, mentor=MentorFactory.create(program=program), length_minutes=25
    )
    starts = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=2)
    slot = FlashSlotFactory.create(offer=offer, starts_at=starts)
    mentee = MenteeFactory.create(program=program)
    pairing = matching.flash_book(slot=slot, actor=mentee.user, note="")
    workspace = Workspace.objects.get(pairing=pairing)
    meeting = Meeting.objects.get(workspace=workspace)
    assert (meeting.starts_at, meeting.duration_minutes) == (starts, 25)
    assert meeting.status == Meeting.Status.SCHEDULED
    assert workspace.is_flash


def test_roles_in_a_workspace(world):
    assert world.access("mentor").role == "mentor"
    assert world.access("mentee").role == "mentee"
    assert world.access("admin").role == "admin"
    assert world.access("member", world.circle_workspace).role == "mentee"
    assert world.access("mentor", world.circle_workspace).role == "mentor"


@pytest.mark.parametrize("who", ["other_mentor", "other_mentee", "member", "outsider"])
def test_anyone_else_gets_404_for_the_workspace(world, who):
    with pytest.raises(Http404):
        get_workspace(getattr(world, who), world.program.slug, world.workspace.pk)


def test_a_workspace_is_404_under_another_programs_slug(world):
    other = ProgramFactory.create()
    with pytest.raises(Http404):
        get_workspace(world.mentor, other.slug, world.workspace.pk)


def test_admins_read_content_only_where_the_policy_allows(world, content_world):
    assert not world.access("admin").can_read_content
    assert content_world.access("admin").can_read_content
    assert world.access("mentee").can_read_content


def test_a_workspace_is_read_only_once_the_pairing_ends(world):
    matching.pairing_end_early(pairing=world.pairing, actor=world.mentor, reason="Moved away")
    wa = world.access("mentee")
    assert not wa.can_write
    assert wa.is_participant


def test_workspaces_of_lists_each_persons_relationships(world):
    assert set(workspaces_of(world.mentor)) == {world.workspace, world.circle_workspace}
    assert set(workspaces_of(world.mentee)) == {world.workspace}
    assert set(workspaces_of(world.member)) == {world.circle_workspace}
    assert not workspaces_of(world.admin).exists()
