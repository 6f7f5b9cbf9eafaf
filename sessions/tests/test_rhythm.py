"""The stored rhythm of a relationship follows everything it depends on.

``Workspace.at_risk_from`` and ``step_in_from`` (two and four cadences after the last
held meeting, or after the start) and ``awaiting_midpoint_reviews`` are what the
fading-pair sweep and the admins' digest search, kept only while the relationship runs;
these tests change each thing they follow through the services people use, and read
the stored values back.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.db import connection

from matching.models import Circle, CircleMember, Pairing
from matching.services import pairings as pairing_services
from matching.tests.factories import PairingFactory
from sessions import rhythm
from sessions.models import Meeting, Workspace
from sessions.services import meetings as meeting_services
from sessions.tests.test_agreements import accept, draft

from .conftest import NOW

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
# The world's pairs start on 15 September 2026 (UTC) in a fortnightly program.
START = dt.datetime(2026, 9, 15, 0, 0, tzinfo=dt.UTC)


def stored(ws: Workspace) -> tuple[dt.datetime | None, dt.datetime | None]:
    ws.refresh_from_db()
    return ws.at_risk_from, ws.step_in_from


def held(world, starts_at: dt.datetime) -> Meeting:
    meeting = Meeting.objects.create(
        workspace=world.workspace, starts_at=starts_at, duration_minutes=60, created_by=world.mentor
    )
    with time_machine.travel(NOW, tick=False):
        return meeting_services.meeting_mark_held(wa=world.access("mentee"), meeting=meeting)


def test_a_new_relationship_counts_from_its_start_at_the_programs_pace(world):
    assert world.program.cadence_days == 14
    assert world.workspace.start_date == START.date()
    assert stored(world.workspace) == (START + 28 * DAY, START + 56 * DAY)
    assert stored(world.circle_workspace)[0] is not None


def test_a_held_meeting_restarts_the_silence(world):
    first = NOW - 20 * DAY
    held(world, first)
    assert stored(world.workspace) == (first + 28 * DAY, first + 56 * DAY)
    later = held(world, NOW - 2 * DAY)
    assert stored(world.workspace) == (later.starts_at + 28 * DAY, later.starts_at + 56 * DAY)
    # An older meeting logged late does not move it back.
    held(world, NOW - 30 * DAY)
    assert stored(world.workspace)[0] == later.starts_at + 28 * DAY


def test_accepted_terms_set_the_pace_and_new_terms_fall_back_to_the_programs(world):
    with time_machine.travel(NOW, tick=False):
        draft(world, cadence_days=7)
        assert stored(world.workspace)[0] == START + 28 * DAY  # drafted, not agreed
        accept(world, "mentor")
        accept(world, "mentee")
        assert stored(world.workspace) == (START + 14 * DAY, START + 28 * DAY)
        draft(world, cadence_days=21)  # a new version, to accept again
        assert stored(world.workspace)[0] == START + 28 * DAY
        accept(world, "mentor")
        accept(world, "mentee")
        assert stored(world.workspace) == (START + 42 * DAY, START + 84 * DAY)


def test_the_programs_pace_moves_only_the_pairs_without_agreed_terms(world):
    with time_machine.travel(NOW, tick=False):
        draft(world, cadence_days=7)
        accept(world, "mentor")
        accept(world, "mentee")
    world.program.cadence_days = 30
    world.program.save()
    assert stored(world.workspace)[0] == START + 14 * DAY  # their own terms
    assert stored(world.other_workspace)[0] == START + 60 * DAY
    # Saving other fields leaves the rhythm alone (and costs no query about it).
    Workspace.objects.filter(pk=world.other_workspace.pk).update(at_risk_from=None)
    world.program.save(update_fields=["name"])
    assert stored(world.other_workspace)[0] is None


def test_saving_the_programs_settings_without_a_new_pace_leaves_the_rhythm_alone(world):
    """The settings form saves every field: only a changed cadence moves the rhythm, so a
    renamed program does not rewrite (and race with) every running pair's row."""
    Workspace.objects.filter(pk=world.other_workspace.pk).update(at_risk_from=None)
    world.program.name = "Renamed"
    world.program.save()
    assert stored(world.other_workspace)[0] is None
    world.program.cadence_days = 30
    world.program.save()
    assert stored(world.other_workspace)[0] == START + 60 * DAY


def test_the_midpoint_is_reviewed_once_everyone_has_written(world):
    from sessions.tests.test_reviews import AFTER_MIDPOINT, submit

    with time_machine.travel(AFTER_MIDPOINT, tick=False):
        submit(world, "mentor")
        world.workspace.refresh_from_db()
        assert world.workspace.awaiting_midpoint_reviews
        submit(world, "mentee")
    world.workspace.refresh_from_db()
    assert not world.workspace.awaiting_midpoint_reviews


def test_a_circles_midpoint_waits_for_whoever_is_in_it_now(world):
    from matching.tests.factories import CircleMemberFactory, MenteeFactory
    from sessions.tests.test_reviews import AFTER_MIDPOINT, circle_on_the_pairs_dates, submit

    circle = circle_on_the_pairs_dates(world)

    def awaited() -> bool:
        circle.refresh_from_db()
        return circle.awaiting_midpoint_reviews

    with time_machine.travel(AFTER_MIDPOINT, tick=False):
        submit(world, "mentor", circle)
        submit(world, "member", circle)
    assert not awaited()
    newcomer = CircleMemberFactory.create(
        circle=world.circle,
        mentee=MenteeFactory.create(program=world.program),
        status=CircleMember.Status.MEMBER,
    )
    assert awaited()  # the newcomer has not written theirs
    newcomer.status = CircleMember.Status.LEFT
    newcomer.save()
    assert not awaited()
    newcomer.delete()
    assert not awaited()


def test_the_migration_fills_what_existing_workspaces_had(world):
    held(world, NOW - 20 * DAY)
    ended, flash = ended_and_flash(world)
    from sessions.tests.test_reviews import AFTER_MIDPOINT, submit

    with time_machine.travel(AFTER_MIDPOINT, tick=False):
        submit(world, "mentor")
        submit(world, "mentee")
    expected = {
        ws.pk: (ws.at_risk_from, ws.step_in_from, ws.awaiting_midpoint_reviews)
        for ws in Workspace.objects.all()
    }
    Workspace.objects.update(at_risk_from=None, step_in_from=None, awaiting_midpoint_reviews=False)
    migration = importlib.import_module("sessions.migrations.0004_workspace_rhythm")
    migration.fill_rhythm(apps, connection.schema_editor())
    after = {
        ws.pk: (ws.at_risk_from, ws.step_in_from, ws.awaiting_midpoint_reviews)
        for ws in Workspace.objects.all()
    }
    assert after == expected
    assert after[world.workspace.pk][2] is False  # both reviews are in
    assert after[world.other_workspace.pk][2] is True
    assert after[ended.pk] == (None, None, False)
    assert after[flash.pk] == (None, None, False)


def ended_and_flash(world) -> tuple[Workspace, Workspace]:
    """A pairing that ended, through the service, and a flash session."""
    done = PairingFactory.create(
        program=world.program, status=Pairing.Status.ACTIVE, started_at=START, respond_by=None
    )
    ended = Workspace.objects.get(pairing=done)
    assert ended.at_risk_from is not None
    assert ended.awaiting_midpoint_reviews
    pairing_services.pairing_complete(pairing=done, actor=world.admin)
    flash = PairingFactory.create(
        program=world.program,
        kind=Pairing.Kind.FLASH,
        status=Pairing.Status.ACTIVE,
        started_at=START,
        respond_by=None,
    )
    return ended, Workspace.objects.get(pairing=flash)


def test_an_ended_relationship_and_a_flash_session_have_nothing_to_watch(world):
    ended, flash = ended_and_flash(world)
    assert stored(ended) == (None, None)
    assert not ended.awaiting_midpoint_reviews
    assert stored(flash) == (None, None)
    assert not flash.awaiting_midpoint_reviews
    # Nothing brings them back: a late refresh keeps them empty.
    rhythm.refresh([ended.pk, flash.pk])
    assert stored(ended) == stored(flash) == (None, None)
    world.circle.status = Circle.Status.COMPLETED
    world.circle.save()
    assert stored(world.circle_workspace) == (None, None)
    assert not world.circle_workspace.awaiting_midpoint_reviews


def test_moments_count_whole_cadences_from_the_silences_start():
    met = dt.datetime(2026, 11, 1, 18, 30, tzinfo=dt.UTC)
    assert rhythm.moments(met, dt.date(2026, 9, 1), 7) == (met + 14 * DAY, met + 28 * DAY)
    assert rhythm.moments(None, dt.date(2026, 9, 1), 7)[0] == dt.datetime(
        2026, 9, 15, tzinfo=dt.UTC
    )
