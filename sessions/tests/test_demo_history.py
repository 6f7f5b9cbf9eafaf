"""The demo's second program: five months of history, for the health dashboard and the
constellation (sessions/demo_history/, seeded by seed_demo)."""

import datetime as dt
import warnings
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from matching import constellation
from matching.models import Pairing
from mentoring.models import User
from programs import demo
from programs.models import Membership, Program
from sessions import demo_history, rhythm
from sessions.models import (
    ActionItem,
    Agenda,
    Agreement,
    CheckIn,
    Goal,
    GoalUpdate,
    Meeting,
    Note,
    Review,
    RoadmapTopic,
    Workspace,
)
from sessions.selectors import (
    NEEDS_CHECK_IN,
    ON_TRACK,
    REVIEW_GRACE,
    TOO_EARLY,
    derive_health,
    workspace_facts,
)

pytestmark = pytest.mark.django_db

Status = Pairing.Status
MODELS = (
    User,
    Program,
    Membership,
    Pairing,
    Workspace,
    Agreement,
    Goal,
    GoalUpdate,
    Meeting,
    Agenda,
    CheckIn,
    ActionItem,
    Note,
    Review,
    RoadmapTopic,
)


def seed() -> str:
    out = StringIO()
    # A naive datetime handed to the database would warn: make it fail instead.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*naive datetime.*", category=RuntimeWarning)
        call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def program(settings) -> Program:
    settings.DEBUG = True
    seed()
    return Program.objects.get(slug=demo_history.SLUG)


def running(program: Program):
    return Workspace.objects.filter(program=program, pairing__status=Status.ACTIVE)


def snapshot(program: Program) -> list[tuple]:
    """What a pairing's history amounts to, by who is in it."""
    rows = []
    for p in program.pairings.select_related("mentor__user", "mentee__user").order_by(
        "mentor__user__email", "mentee__user__email", "status"
    ):
        ws = Workspace.objects.filter(pairing=p).first()
        meetings = list(
            Meeting.objects.filter(workspace=ws)
            .order_by("starts_at")
            .values_list("starts_at", "status")
        )
        ratings = list(
            CheckIn.objects.filter(meeting__workspace=ws)
            .order_by("meeting__starts_at", "author__email")
            .values_list("rating", flat=True)
        )
        rows.append((p.mentor.user.email, p.mentee.user.email, p.status, meetings, ratings))
    return rows


def test_seeding_again_creates_nothing_new(settings):
    settings.DEBUG = True
    first_output = seed()
    assert f"Created “{demo_history.NAME}”" in first_output
    before = {model.__name__: model.objects.count() for model in MODELS}
    second_output = seed()
    assert f"Found “{demo_history.NAME}”" in second_output
    assert {model.__name__: model.objects.count() for model in MODELS} == before
    # One line about it, and nothing new among the logins.
    logins = second_output.split("Demo logins", 1)[1]
    assert demo_history.NAME not in logins
    assert demo_history.PARTNER_EMAIL not in logins


def test_the_same_history_every_time(program):
    first = snapshot(program)
    program.delete()
    User.objects.filter(email=demo_history.PARTNER_EMAIL).delete()
    admin = User.objects.get(email=demo.ADMIN_EMAIL)
    again = demo_history.seed(admin)
    assert again.created
    assert snapshot(again.program) == first


def test_a_running_program_five_months_in(program):
    today = program.local_date()
    assert program.status == Program.Status.RUNNING
    assert program.start_date == today - dt.timedelta(days=demo_history.STARTED_DAYS_AGO)
    assert program.end_date == today + dt.timedelta(days=demo_history.ENDS_IN_DAYS)
    assert program.midpoint < today
    assert program.timezone == "Europe/London"
    assert program.cadence_days == 14
    assert program.privacy_policy == Program.PrivacyPolicy.METADATA
    assert program.matching_mode == Program.MatchingMode.ADMIN
    assert program.allow_one_to_one
    assert program.allow_flash
    assert program.memberships.filter(user__email=demo.ADMIN_EMAIL, role="admin").exists()
    participants = program.memberships.filter(role__in=Membership.PARTICIPANT_ROLES)
    assert not participants.filter(enrolled_at__isnull=True).exists()
    assert not participants.filter(department="").exists()
    assert set(participants.values_list("cohort", flat=True)) == set(demo.COHORTS)
    assert len(set(participants.values_list("department", flat=True))) >= 4


def test_pairs_in_every_status_and_every_state_of_health(program):
    statuses = Counter(program.pairings.values_list("status", flat=True))
    assert statuses == {
        Status.ACTIVE: 13,
        Status.COMPLETED: 1,
        Status.ENDED_EARLY: 1,
        Status.DECLINED: 1,
        Status.EXPIRED: 1,
        Status.PROPOSED: 1,
    }
    types = Counter(program.pairings.values_list("relationship_type", flat=True))
    assert types[Pairing.RelationshipType.PEER] == 2
    assert types[Pairing.RelationshipType.REVERSE] == 2
    ended = program.pairings.get(status=Status.ENDED_EARLY)
    assert ended.end_reason
    assert ended.ended_at
    completed = program.pairings.get(status=Status.COMPLETED)
    today = program.local_date()
    assert today - dt.timedelta(days=45) < program.local_date(completed.ended_at) < today
    # Proposed nine days ago, the answer due in the future: nothing for the expiry chore.
    proposal = program.pairings.get(status=Status.PROPOSED)
    assert today - program.local_date(proposal.created_at) == dt.timedelta(days=9)
    assert proposal.respond_by > timezone.now()
    assert not program.pairings.filter(status=Status.PROPOSED, respond_by__lte=timezone.now())
    # As the relationship pages judge them.
    health: Counter[str] = Counter()
    reasons: list[str] = []
    for ws in running(program).select_related("program", "pairing"):
        found = derive_health(workspace_facts(ws, participants=2), today)
        health[found.status] += 1
        reasons += found.reasons
    assert health == {ON_TRACK: 9, NEEDS_CHECK_IN: 3, TOO_EARLY: 1}
    assert sum(r.startswith("No meeting held for") for r in reasons) == 2
    assert sum(r.startswith("Low check-in ratings") for r in reasons) == 1
    assert sum(r == "The mid-point review is overdue" for r in reasons) == 1


def test_pairs_at_risk_and_a_review_overdue(program):
    now, today = timezone.now(), program.local_date()
    at_risk = running(program).filter(at_risk_from__lt=now)
    assert at_risk.count() >= 2
    for ws in at_risk:
        silence = today - program.local_date(ws.last_met_at)
        assert dt.timedelta(weeks=5) <= silence <= dt.timedelta(weeks=8)
    overdue = running(program).filter(
        awaiting_midpoint_reviews=True, midpoint_date__lt=today - REVIEW_GRACE
    )
    [ws] = overdue
    [review] = Review.objects.filter(workspace=ws, kind=Review.Kind.MIDPOINT)
    assert review.author == ws.pairing.mentee.user
    # The pair that started five days ago has not met yet.
    fresh = running(program).get(start_date=today - dt.timedelta(days=5))
    assert fresh.last_met_at is None
    assert not fresh.meetings.filter(status=Meeting.Status.HELD).exists()


def test_the_stored_rhythm_is_what_the_services_would_have_kept(program):
    workspaces = Workspace.objects.filter(program=program)
    assert rhythm.refresh(workspaces) == 0
    for ws in workspaces.select_related("pairing", "agreement"):
        pairing = ws.pairing
        assert pairing is not None
        held = ws.meetings.filter(status=Meeting.Status.HELD).order_by("-starts_at").first()
        assert ws.last_met_at == (held.starts_at if held else None)
        authors = set(
            Review.objects.filter(workspace=ws, kind=Review.Kind.MIDPOINT).values_list(
                "author_id", flat=True
            )
        )
        people = {pairing.mentor.user_id, pairing.mentee.user_id}
        if pairing.status == Status.ACTIVE:
            assert ws.awaiting_midpoint_reviews == (not people <= authors)
            at_risk, step_in = rhythm.moments(
                ws.last_met_at, ws.start_date, ws.agreement.cadence_days
            )
            assert (ws.at_risk_from, ws.step_in_from) == (at_risk, step_in)
        else:
            assert not ws.awaiting_midpoint_reviews
            assert ws.at_risk_from is None
            assert ws.step_in_from is None
        # The workspace follows its pairing's dates.
        assert ws.start_date == program.local_date(pairing.started_at)
        assert ws.created_at == pairing.started_at


def test_the_history_reads_like_one(program):
    """Agreed terms, goals, meetings with agendas and check-ins, all in the past."""
    now = timezone.now()
    for ws in Workspace.objects.filter(program=program).select_related("pairing"):
        assert ws.agreement.accepted_at is not None
        assert ws.agreement.acceptances.count() == 2
        assert 1 <= ws.goals.count() <= 3
        held = ws.meetings.filter(status=Meeting.Status.HELD)
        lead = dt.timedelta(hours=program.agenda_lead_hours)
        for meeting in held:
            assert meeting.starts_at < now
            agenda = Agenda.objects.filter(meeting=meeting).first()
            if agenda is not None:
                submitted = agenda.submitted_at
                assert submitted is not None
                assert submitted < meeting.starts_at
                assert agenda.late == (submitted > meeting.starts_at - lead)
        assert not ws.meetings.filter(status=Meeting.Status.SCHEDULED, starts_at__lte=now)
    on_time = Agenda.objects.filter(meeting__workspace__program=program, late=False).count()
    held = Meeting.objects.filter(workspace__program=program, status=Meeting.Status.HELD)
    assert on_time / held.count() > 0.75
    ratings = CheckIn.objects.filter(meeting__workspace__program=program)
    assert set(ratings.values_list("rating", flat=True)) <= {2, 3, 4, 5}
    notes = Note.objects.filter(workspace__program=program)
    assert notes.filter(visibility=Note.Visibility.PRIVATE).exists()
    assert notes.filter(visibility=Note.Visibility.SHARED).exists()
    actions = ActionItem.objects.filter(workspace__program=program)
    assert actions.filter(status=ActionItem.Status.OPEN).exists()
    done = actions.filter(status=ActionItem.Status.DONE)
    assert done.count() > actions.count() / 2
    assert not done.filter(done_at__gt=now).exists()


def test_the_demo_mentor_and_mentee_have_relationships_in_two_programs(program):
    mentee = User.objects.get(email=demo.MENTEE_EMAIL)
    sky = constellation.constellation(mentee)
    assert sky.program_count == 2
    kinds = {g.kind.key: g.relationships for g in sky.groups}
    [reverse] = kinds["reverse"]
    assert reverse.program == program
    assert not reverse.completed
    [peer] = kinds["peers_outside"]
    assert peer.program == program
    assert peer.completed
    partner = User.objects.get(email=demo_history.PARTNER_EMAIL)
    assert partner.organisation != mentee.organisation
    assert partner.check_password(demo.DEMO_PASSWORD)
    assert kinds["mentors"][0].program.slug == demo.DEMO_SLUG

    mentor = User.objects.get(email=demo.MENTOR_EMAIL)
    sky = constellation.constellation(mentor)
    assert sky.program_count == 2
    mine = [r for g in sky.groups if g.kind.key == "mentees" for r in g.relationships]
    assert Counter(r.program.slug for r in mine) == {demo.DEMO_SLUG: 1, demo_history.SLUG: 2}


def test_every_timestamp_is_timezone_aware(program):
    rows = {
        Program: Program.objects.filter(pk=program.pk),
        Membership: program.memberships.all(),
        Pairing: program.pairings.all(),
        Workspace: Workspace.objects.filter(program=program),
        Agreement: Agreement.objects.filter(workspace__program=program),
        Goal: Goal.objects.filter(workspace__program=program),
        GoalUpdate: GoalUpdate.objects.filter(goal__workspace__program=program),
        Meeting: Meeting.objects.filter(workspace__program=program),
        Agenda: Agenda.objects.filter(meeting__workspace__program=program),
        CheckIn: CheckIn.objects.filter(meeting__workspace__program=program),
        ActionItem: ActionItem.objects.filter(workspace__program=program),
        Note: Note.objects.filter(workspace__program=program),
        Review: Review.objects.filter(workspace__program=program),
    }
    checked = 0
    for model, queryset in rows.items():
        names = [f.name for f in model._meta.fields if isinstance(f, models.DateTimeField)]
        for values in queryset.values_list(*names):
            for value in values:
                if value is not None:
                    assert timezone.is_aware(value), model.__name__
                    checked += 1
    assert checked > 1000
