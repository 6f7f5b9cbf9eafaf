"""A deleted account keeps its membership (program figures count it) but is never matched,
listed or offered again."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from matching import services
from matching.forms_circles import enrolled
from matching.models import MatchSuggestion
from matching.services.preferences import preference_targets
from matching.tests.factories import MenteeFactory, MentorFactory
from matching.views.requests import _mentors
from mentoring.models import User
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory
from sessions import personal_data as privacy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _contact_hours_always(monkeypatch):
    monkeypatch.setattr(User, "may_be_contacted_at", lambda self, moment: True)


@pytest.fixture
def board():
    """Two mentors and two mentees, one of each of whom deletes their account."""
    program = ProgramFactory.create(status=Program.Status.MATCHING)
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    mentors = [MentorFactory.create(program=program, capacity=2) for _ in range(2)]
    mentees = [MenteeFactory.create(program=program) for _ in range(2)]
    gone_mentee, gone_mentor = mentees[0], mentors[0]
    for membership in (gone_mentee, gone_mentor):
        privacy.account_delete(user=User.objects.get(pk=membership.user_id))
        membership.refresh_from_db()
        assert membership.enrolled_at is not None  # kept for the program's figures
    return SimpleNamespace(
        program=program,
        admin=admin,
        mentors=mentors,
        mentees=mentees,
        gone_mentee=gone_mentee,
        gone_mentor=gone_mentor,
    )


def test_a_new_match_run_proposes_neither_a_deleted_mentee_nor_a_deleted_mentor(board):
    run = services.run_create(program=board.program, actor=board.admin)
    suggestions = MatchSuggestion.objects.filter(run=run)
    assert not suggestions.filter(mentee=board.gone_mentee).exists()
    assert not suggestions.filter(mentor=board.gone_mentor).exists()
    assert suggestions.get(mentee=board.mentees[1]).mentor == board.mentors[1]
    assert (run.mentee_count, run.mentor_count) == (1, 1)


def test_a_deleted_person_is_in_no_mentor_list_ranking_or_circle_picker(board):
    mentee = board.mentees[1]
    assert list(_mentors(mentee)) == [board.mentors[1]]
    assert list(preference_targets(mentee)) == [board.mentors[1]]
    assert list(preference_targets(board.mentors[1])) == [mentee]
    assert list(enrolled(board.program, Membership.Role.MENTOR)) == [board.mentors[1]]
    assert list(enrolled(board.program, Membership.Role.MENTEE)) == [mentee]


def test_the_board_counts_no_room_with_a_deleted_mentor_and_search_does_not_offer_them(board):
    from matching.constellation.search import who_can_help
    from matching.selectors import draft_room
    from programs.access import get_program_access

    access = get_program_access(board.admin, board.program.slug, admin=True)
    room = draft_room(access, None)
    assert board.gone_mentor.pk not in room
    assert board.mentors[1].pk in room

    Membership.objects.filter(pk__in=[m.pk for m in board.mentors]).update(strengths="Kotlin")
    asker = User.objects.get(pk=board.mentees[1].user_id)
    found = who_can_help(asker, "Kotlin")
    helpers = [h.mentor.pk for h in found.helpers]
    assert board.gone_mentor.pk not in helpers
    assert board.mentors[1].pk in helpers
