"""The matching board's services: run, lock, forbid, pick by hand, publish."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from matching import services
from matching.models import MatchConstraint, MatchRun, MatchSuggestion, Pairing
from matching.tests.factories import MenteeFactory, MentorFactory, PairingFactory
from mentoring.models import User
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _contact_hours_always(monkeypatch):
    """Who is told, not when: e-mails wait for contact hours, tested with the pipeline."""
    monkeypatch.setattr(User, "may_be_contacted_at", lambda self, moment: True)


@pytest.fixture
def board():
    """A program with three one-place mentors and four mentees, each wanting one topic."""
    program = ProgramFactory.create(status=Program.Status.MATCHING)
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    topics = [TopicFactory.create(program=program, name=n) for n in ("Sales", "Code", "Design")]
    mentors = []
    for topic in topics:
        mentor = MentorFactory.create(program=program, capacity=1)
        mentor.topics.set([topic])
        mentors.append(mentor)
    mentees = []
    for topic in [*topics, topics[0]]:
        mentee = MenteeFactory.create(program=program)
        mentee.topics.set([topic])
        mentees.append(mentee)

    return SimpleNamespace(
        program=program, admin=admin, topics=topics, mentors=mentors, mentees=mentees
    )


def _mentor_of(run: MatchRun, mentee: Membership) -> Membership | None:
    return MatchSuggestion.objects.get(run=run, mentee=mentee).mentor


def test_run_pairs_each_mentee_with_the_mentor_offering_their_topic(board):
    run = services.run_create(program=board.program, actor=board.admin)
    assert run.status == MatchRun.Status.DRAFT
    assert run.mentee_count == 4
    assert run.matched_count == 3  # three places for four mentees
    for mentee, mentor in zip(board.mentees[:3], board.mentors, strict=True):
        assert _mentor_of(run, mentee) == mentor
    unmatched = MatchSuggestion.objects.get(run=run, mentee=board.mentees[3])
    assert unmatched.mentor is None
    assert "places are taken" in unmatched.unmatched_reason


def test_each_suggestion_explains_its_score_in_words(board):
    run = services.run_create(program=board.program, actor=board.admin)
    s = MatchSuggestion.objects.get(run=run, mentee=board.mentees[1])
    topics = next(item for item in s.explanation if item["criterion"] == "topics")
    assert "Code" in topics["text"]
    assert sum(item["points"] for item in s.explanation) == pytest.approx(s.score, abs=0.05)


def test_a_new_run_supersedes_the_draft(board):
    first = services.run_create(program=board.program, actor=board.admin)
    second = services.run_create(program=board.program, actor=board.admin)
    first.refresh_from_db()
    assert first.status == MatchRun.Status.SUPERSEDED
    assert second.is_draft


def test_run_keeps_locks_and_forbids(board):
    run = services.run_create(program=board.program, actor=board.admin)
    # Forbid Sales-mentor with the first Sales mentee; lock the second Sales mentee with them.
    services.suggestion_forbid(
        suggestion=MatchSuggestion.objects.get(run=run, mentee=board.mentees[0]),
        actor=board.admin,
    )
    s = MatchSuggestion.objects.get(run=run, mentee=board.mentees[3])
    services.suggestion_pick(suggestion=s, actor=board.admin, mentor=board.mentors[0])
    again = services.run_create(program=board.program, actor=board.admin)
    assert _mentor_of(again, board.mentees[3]) == board.mentors[0]
    assert _mentor_of(again, board.mentees[0]) != board.mentors[0]
    locked = MatchSuggestion.objects.get(run=again, mentee=board.mentees[3])
    assert locked.locked


def test_pick_by_hand_refuses_a_full_mentor_and_a_forbidden_pair(board):
    run = services.run_create(program=board.program, actor=board.admin)
    s = MatchSuggestion.objects.get(run=run, mentee=board.mentees[3])
    with pytest.raises(ValidationError, match="no place left"):
        services.suggestion_pick(suggestion=s, actor=board.admin, mentor=board.mentors[1])
    MatchConstraint.objects.create(
        program=board.program,
        mentee=board.mentees[3],
        mentor=board.mentors[2],
        kind=MatchConstraint.Kind.FORBID,
    )
    with pytest.raises(ValidationError, match="excluded"):
        services.suggestion_pick(suggestion=s, actor=board.admin, mentor=board.mentors[2])


def test_pick_by_hand_records_the_choice_its_score_and_a_lock(board):
    spare = MentorFactory.create(program=board.program, capacity=1)
    spare.topics.set([board.topics[0]])
    run = services.run_create(program=board.program, actor=board.admin)
    s = MatchSuggestion.objects.get(run=run, mentee=board.mentees[3])
    other = MatchSuggestion.objects.get(run=run, mentee=board.mentees[0])
    # Both Sales mentees are matched now (four places); move the unplaced or second one.
    target = board.mentors[1] if s.mentor != board.mentors[1] else board.mentors[2]
    assert other.mentor is not None
    with pytest.raises(ValidationError, match="no place left"):
        services.suggestion_pick(suggestion=s, actor=board.admin, mentor=target)
    MatchSuggestion.objects.filter(run=run, mentor=target).update(mentor=None, score=None)
    picked = services.suggestion_pick(suggestion=s, actor=board.admin, mentor=target)
    assert picked.mentor == target
    assert picked.picked_by_hand
    assert picked.locked
    assert any(item["criterion"] == "topics" for item in picked.explanation)
    assert MatchConstraint.objects.filter(
        mentee=board.mentees[3], mentor=target, kind=MatchConstraint.Kind.LOCK
    ).exists()
    run.refresh_from_db()
    assert run.edited


def test_an_impossible_lock_is_refused_by_name(board):
    MatchConstraint.objects.create(
        program=board.program,
        mentee=board.mentees[0],
        mentor=board.mentors[0],
        kind=MatchConstraint.Kind.LOCK,
    )
    board.mentors[0].accepting_mentees = False
    board.mentors[0].save()
    with pytest.raises(ValidationError) as caught:
        services.run_create(program=board.program, actor=board.admin)
    message = " ".join(caught.value.messages)
    assert str(board.mentees[0].user) in message
    assert "cannot hold" in message


def test_only_admins_run_matching(board):
    with pytest.raises(PermissionDenied):
        services.run_create(program=board.program, actor=board.mentees[0].user)


def test_matching_waits_for_enrolment_to_open(board):
    Program.objects.filter(pk=board.program.pk).update(status=Program.Status.DRAFT)
    board.program.refresh_from_db()
    with pytest.raises(ValidationError, match="draft"):
        services.run_create(program=board.program, actor=board.admin)


def test_publish_turns_the_draft_into_proposals_and_tells_each_mentor(
    board, django_capture_on_commit_callbacks
):
    run = services.run_create(program=board.program, actor=board.admin)
    with django_capture_on_commit_callbacks(execute=True):
        pairings = services.run_publish(run=run, actor=board.admin)
    assert len(pairings) == 3
    assert {p.status for p in pairings} == {Pairing.Status.PROPOSED}
    assert all(p.respond_by and p.explanation and p.match_run_id == run.pk for p in pairings)
    run.refresh_from_db()
    assert run.status == MatchRun.Status.PUBLISHED
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in board.mentors)
    assert "would you mentor" in mail.outbox[0].subject


def test_publish_is_all_or_nothing(board):
    run = services.run_create(program=board.program, actor=board.admin)
    # Meanwhile one mentee found a mentor another way.
    PairingFactory.create(
        program=board.program,
        mentor=MentorFactory.create(program=board.program),
        mentee=board.mentees[1],
        status=Pairing.Status.ACTIVE,
    )
    with pytest.raises(ValidationError, match="Nothing was published"):
        services.run_publish(run=run, actor=board.admin)
    assert Pairing.objects.filter(match_run=run).count() == 0
    run.refresh_from_db()
    assert run.is_draft


def test_forbidding_a_pair_takes_it_out_of_the_draft(board):
    run = services.run_create(program=board.program, actor=board.admin)
    s = MatchSuggestion.objects.get(run=run, mentee=board.mentees[0])
    services.suggestion_forbid(suggestion=s, actor=board.admin)
    s.refresh_from_db()
    assert s.mentor is None
    assert "You forbade the pair" in s.unmatched_reason
    run.refresh_from_db()
    assert run.matched_count == 2
    assert run.edited


def test_publish_refuses_a_draft_with_a_pair_forbidden_since(board):
    """A mentor who declines another proposal meanwhile forbids a pair the draft holds."""
    run = services.run_create(program=board.program, actor=board.admin)
    s = MatchSuggestion.objects.get(run=run, mentee=board.mentees[0])
    assert s.mentor is not None
    MatchConstraint.objects.create(
        program=board.program, mentee=s.mentee, mentor=s.mentor, kind=MatchConstraint.Kind.FORBID
    )
    with pytest.raises(ValidationError, match="forbidden since"):
        services.run_publish(run=run, actor=board.admin)


def test_matched_mentees_and_full_mentors_leave_the_next_run(board):
    run = services.run_create(program=board.program, actor=board.admin)
    services.run_publish(run=run, actor=board.admin)
    again = services.run_create(program=board.program, actor=board.admin)
    assert list(again.suggestions.values_list("mentee_id", flat=True)) == [board.mentees[3].pk]
    assert again.capacity_total == 0
    assert again.matched_count == 0
    assert "places are taken" in again.suggestions.get().unmatched_reason


def test_a_declined_proposal_frees_the_mentee_and_forbids_the_pair(board):
    run = services.run_create(program=board.program, actor=board.admin)
    pairings = services.run_publish(run=run, actor=board.admin)
    declined = pairings[0]
    services.pairing_decline(pairing=declined, actor=declined.mentor.user, reason="Too busy")
    again = services.run_create(program=board.program, actor=board.admin)
    mentees = set(again.suggestions.values_list("mentee_id", flat=True))
    assert declined.mentee_id in mentees
    assert _mentor_of(again, declined.mentee) != declined.mentor


def test_optimal_beats_first_come_first_served_and_says_by_how_much(db):
    """Greedy gives the first mentee the only mentor the second one could use."""
    program = ProgramFactory.create(status=Program.Status.MATCHING)
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    a, b = (TopicFactory.create(program=program, name=n) for n in ("A", "B"))
    both = MentorFactory.create(program=program, capacity=1)
    both.topics.set([a, b])
    only_a = MentorFactory.create(program=program, capacity=1)
    only_a.topics.set([a])
    first = MenteeFactory.create(program=program)
    first.topics.set([a, b])
    second = MenteeFactory.create(program=program)
    second.topics.set([b])
    run = services.run_create(program=program, actor=admin)
    assert run.greedy_total is not None
    assert run.total_score > run.greedy_total
    assert run.gain_over_greedy_pct
    assert run.gain_over_greedy_pct > 0
    assert _mentor_of(run, second) == both
