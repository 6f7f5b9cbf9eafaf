"""The kickoff agreement: drafted by either side, accepted by everyone, versioned, private."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import Pairing
from mentoring.models import Notification
from mentoring.tests.test_templates_a11y import assert_accessible
from programs.models import Membership
from sessions.models import (
    Agreement,
    AgreementAcceptance,
    AgreementRevision,
    DateChange,
    Workspace,
)
from sessions.selectors_plan import agreement_history, agreement_state
from sessions.services._common import TransitionError
from sessions.services.agreements import agreement_accept, agreement_initial, agreement_save
from sessions.services.closure import workspace_extend
from sessions.tests.conftest import NOW, World

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def terms(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "purpose": "Grow into a team lead within a year.",
        "mentee_success": "I run my first planning meeting on my own.",
        "mentor_success": "I see them lead with confidence.",
        "cadence_days": 14,
        "meeting_minutes": 60,
        "medium": "video",
        "scheduler": "mentee",
        "notice_hours": 24,
        "reschedule_rule": "Move within the same week.",
        "contact_channels": "Chat",
        "contact_hours": "Weekdays 9-17",
        "confidentiality": "What we say stays between us.",
        "shareable": "That we meet.",
        "feedback_preference": "Direct and written.",
        "planned_end_date": dt.date(2027, 3, 1),
    }
    values.update(changes)
    return values


def post_data(**changes: Any) -> dict[str, Any]:
    data = terms(**changes)
    return {
        k: ("" if v is None else v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in data.items()
    }


def draft(world: World, who: str = "mentor", **changes: Any) -> Agreement:
    return agreement_save(wa=world.access(who), terms=terms(**changes))


def accept(world: World, who: str, workspace: Workspace | None = None) -> Agreement:
    wa = world.access(who, workspace)
    version = Agreement.objects.get(workspace=wa.workspace).version
    return agreement_accept(wa=wa, version=version)


def end_pairing(world: World) -> None:
    Pairing.objects.filter(pk=world.pairing.pk).update(status=Pairing.Status.COMPLETED)


# --- Drafting ---------------------------------------------------------------------------------


def test_a_new_agreement_is_prefilled_from_the_program_and_the_mentees_preference(world):
    Membership.objects.filter(pk=world.pairing.mentee_id).update(preferred_medium="phone")
    initial = agreement_initial(world.access("mentor"))
    assert initial["cadence_days"] == world.program.cadence_days
    assert initial["meeting_minutes"] == 60
    assert initial["medium"] == "phone"
    assert initial["planned_end_date"] == world.workspace.end_date


def test_a_mentee_without_a_medium_preference_leaves_the_medium_to_the_form(world):
    Membership.objects.filter(pk=world.pairing.mentee_id).update(preferred_medium="any")
    assert "medium" not in agreement_initial(world.access("mentee"))


def test_the_edit_page_of_a_new_agreement_shows_the_prefilled_values(world):
    Membership.objects.filter(pk=world.pairing.mentee_id).update(preferred_medium="in_person")
    response = world.client("mentee").get(world.url("agreement_edit"))
    form = response.context["form"]
    assert form.initial["medium"] == "in_person"
    assert form.initial["planned_end_date"] == dt.date(2027, 3, 1)
    assert_accessible(response)


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_either_side_drafts_and_saving_is_not_accepting(world, who):
    agreement = draft(world, who)
    assert agreement.version == 1
    assert agreement.drafted_by == getattr(world, who)
    assert agreement.accepted_at is None
    assert not AgreementAcceptance.objects.exists()
    revision = AgreementRevision.objects.get(agreement=agreement)
    assert revision.version == 1
    assert revision.terms["purpose"] == "Grow into a team lead within a year."
    assert revision.terms["planned_end_date"] == "2027-03-01"
    assert agreement_state(world.access("mentor"))["pending"] == [world.mentor, world.mentee]


def test_the_partner_is_told_when_terms_are_proposed(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft(world, "mentee")
    [notice] = Notification.objects.filter(user=world.mentor)
    assert "proposed terms: please read and accept" in notice.title
    assert notice.url == world.url("agreement")
    assert not Notification.objects.filter(user=world.mentee).exists()


def test_the_planned_end_must_be_after_the_relationship_started(world):
    with pytest.raises(ValidationError) as excinfo:
        draft(world, planned_end_date=world.workspace.start_date)
    assert "planned_end_date" in excinfo.value.error_dict
    assert not Agreement.objects.exists()


def test_an_admin_cannot_draft_terms(content_world):
    with pytest.raises(PermissionDenied):
        draft(content_world, "admin")


def test_nothing_changes_once_the_relationship_has_ended(world):
    draft(world)
    end_pairing(world)
    with pytest.raises(TransitionError):
        draft(world, purpose="Something else entirely.")
    with pytest.raises(TransitionError):
        accept(world, "mentor")
    assert Agreement.objects.get().purpose == "Grow into a team lead within a year."


# --- Accepting --------------------------------------------------------------------------------


def test_the_terms_are_agreed_only_when_both_have_accepted(world):
    draft(world)
    agreement = accept(world, "mentor")
    assert agreement.accepted_at is None
    assert agreement_state(world.access("mentee"))["mine_pending"] is True
    agreement = accept(world, "mentee")
    assert agreement.accepted_at == NOW
    assert AgreementRevision.objects.get(agreement=agreement, version=1).accepted_at == NOW
    state = agreement_state(world.access("admin"))
    assert state["accepted"] is True
    assert state["pending"] == []


def test_in_a_circle_every_member_accepts(world):
    from matching.tests.factories import CircleMemberFactory, MenteeFactory

    second = MenteeFactory.create(program=world.program)
    CircleMemberFactory.create(circle=world.circle, mentee=second, status="member")
    ws = world.circle_workspace
    agreement_save(wa=world.access("mentor", ws), terms=terms())
    accept(world, "mentor", ws)
    agreement = accept(world, "member", ws)
    assert agreement.accepted_at is None
    assert agreement_state(world.access("mentor", ws))["pending"] == [second.user]
    from sessions.access import get_workspace

    wa = get_workspace(second.user, world.program.slug, ws.pk)
    agreement = agreement_accept(wa=wa, version=1)
    assert agreement.accepted_at is not None


def test_accepting_twice_is_refused(world):
    draft(world)
    accept(world, "mentor")
    with pytest.raises(TransitionError):
        accept(world, "mentor")
    assert AgreementAcceptance.objects.count() == 1


def test_accepting_a_version_that_has_since_changed_is_refused(world):
    draft(world)
    accept(world, "mentor")
    draft(world, "mentor", cadence_days=7)  # version 2
    with pytest.raises(TransitionError) as excinfo:
        agreement_accept(wa=world.access("mentee"), version=1)
    assert "version 2" in str(excinfo.value)
    assert not AgreementAcceptance.objects.filter(user=world.mentee).exists()


def test_an_admin_cannot_accept(content_world):
    draft(content_world)
    with pytest.raises(PermissionDenied):
        accept(content_world, "admin")


def test_everyone_is_told_when_the_terms_are_agreed(world, django_capture_on_commit_callbacks):
    draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        accept(world, "mentor")
    assert (
        Notification.objects.filter(
            user=world.mentee, title__contains="your acceptance is needed"
        ).count()
        == 1
    )
    with django_capture_on_commit_callbacks(execute=True):
        accept(world, "mentee")
    [told] = Notification.objects.filter(user=world.mentor, kind="agreement_accepted")
    assert "accepted the terms" in told.title


# --- Changes and versions ---------------------------------------------------------------------


def test_a_change_before_anyone_accepted_rewrites_the_current_version(world):
    draft(world, "mentor")
    agreement = draft(world, "mentee", cadence_days=7)
    assert agreement.version == 1
    [revision] = AgreementRevision.objects.all()
    assert revision.terms["cadence_days"] == 7
    assert revision.changed_by == world.mentee


def test_a_change_after_an_acceptance_starts_a_new_version_everyone_accepts(world):
    draft(world)
    accept(world, "mentor")
    accept(world, "mentee")
    agreement = draft(world, "mentee", meeting_minutes=45)
    assert agreement.version == 2
    assert agreement.accepted_at is None
    assert list(AgreementRevision.objects.values_list("version", flat=True)) == [2, 1]
    assert AgreementRevision.objects.get(version=1).terms["meeting_minutes"] == 60
    assert AgreementRevision.objects.get(version=2).accepted_at is None
    state = agreement_state(world.access("mentor"))
    assert state["pending"] == [world.mentor, world.mentee]
    accept(world, "mentor")
    agreement = accept(world, "mentee")
    assert agreement.accepted_at is not None
    assert AgreementAcceptance.objects.filter(version=2).count() == 2


def test_one_acceptance_is_enough_to_version_a_change(world):
    draft(world)
    accept(world, "mentee")
    assert draft(world, "mentor", purpose="Become a better listener, together.").version == 2


def test_saving_the_same_terms_again_changes_nothing(world):
    draft(world)
    accept(world, "mentor")
    agreement = draft(world)
    assert agreement.version == 1
    assert AgreementRevision.objects.count() == 1


def test_the_partners_are_told_about_a_change(world, django_capture_on_commit_callbacks):
    draft(world)
    accept(world, "mentee")
    with django_capture_on_commit_callbacks(execute=True):
        draft(world, "mentor", notice_hours=48)
    [notice] = Notification.objects.filter(
        user=world.mentee, kind="agreement_proposed", title__contains="changed the terms"
    )
    assert "please read and accept" in notice.title


def test_the_history_shows_who_changed_what_and_who_accepted(world):
    draft(world, "mentor")
    accept(world, "mentor")
    accept(world, "mentee")
    draft(world, "mentee", cadence_days=7, confidentiality="Nothing leaves this room.")
    accept(world, "mentee")
    agreement = Agreement.objects.get()
    v2, v1 = agreement_history(agreement)
    assert (v2.version, v2.changed_by, v2.accepted_at) == (2, world.mentee, None)
    assert v2.changed == ["Meet every (days)", "What stays between us"]
    assert [a.user for a in v2.acceptances] == [world.mentee]
    assert (v1.version, v1.changed_by, v1.changed) == (1, world.mentor, [])
    assert [a.user for a in v1.acceptances] == [world.mentor, world.mentee]
    html = world.client("mentor").get(world.url("agreement")).content.decode()
    assert "Version 2" in html
    assert "Meet every (days), What stays between us" in html


# --- The end date ------------------------------------------------------------------------------


def test_agreeing_a_later_end_moves_the_relationships_end_and_midpoint(world):
    draft(world, planned_end_date=dt.date(2027, 5, 1))
    accept(world, "mentor")
    assert Workspace.objects.get(pk=world.workspace.pk).end_date == dt.date(2027, 3, 1)
    accept(world, "mentee")
    workspace = Workspace.objects.get(pk=world.workspace.pk)
    assert workspace.end_date == dt.date(2027, 5, 1)
    assert workspace.midpoint_date == Workspace.midpoint_between(
        workspace.start_date, dt.date(2027, 5, 1)
    )
    change = DateChange.objects.get(workspace=workspace)
    assert (change.old_end_date, change.new_end_date) == (dt.date(2027, 3, 1), dt.date(2027, 5, 1))
    assert change.old_midpoint_date == dt.date(2026, 12, 7)
    assert change.reason == "Agreed in the kickoff agreement (version 1)"
    assert change.changed_by == world.mentee
    assert Pairing.objects.get(pk=world.pairing.pk).planned_end_date == dt.date(2027, 5, 1)
    assert world.program.end_date == dt.date(2027, 3, 1)


def test_a_midpoint_that_has_passed_stays_when_the_end_moves(world):
    with time_machine.travel(dt.datetime(2026, 12, 10, 12, 0, tzinfo=dt.UTC), tick=False):
        draft(world, planned_end_date=dt.date(2027, 4, 1))
        accept(world, "mentor")
        accept(world, "mentee")
    workspace = Workspace.objects.get(pk=world.workspace.pk)
    assert (workspace.end_date, workspace.midpoint_date) == (
        dt.date(2027, 4, 1),
        dt.date(2026, 12, 7),
    )
    assert DateChange.objects.get().reason == "Agreed in the kickoff agreement (version 1)"


def test_agreeing_the_same_end_records_no_date_change(world):
    draft(world)
    accept(world, "mentor")
    accept(world, "mentee")
    assert not DateChange.objects.exists()


def test_a_new_version_with_a_new_end_moves_it_again_once_agreed(world):
    draft(world)
    accept(world, "mentor")
    accept(world, "mentee")
    draft(world, planned_end_date=dt.date(2027, 2, 1))
    accept(world, "mentor")
    assert not DateChange.objects.exists()
    accept(world, "mentee")
    change = DateChange.objects.get()
    assert change.reason == "Agreed in the kickoff agreement (version 2)"
    assert Workspace.objects.get(pk=world.workspace.pk).end_date == dt.date(2027, 2, 1)


# --- Selector ---------------------------------------------------------------------------------


def test_agreement_state_without_terms(world, django_assert_num_queries):
    wa = world.access("mentee")
    with django_assert_num_queries(1):
        state = agreement_state(wa)
    assert state["exists"] is False
    assert state["pending"] == []


def test_agreement_state_runs_two_queries_and_reads_no_words(world):
    for _ in range(3):
        draft(world)
        accept(world, "mentor")
        accept(world, "mentee")
        draft(world, cadence_days=Agreement.objects.get().version + 10)
    wa = world.access("admin")
    with CaptureQueriesContext(connection) as queries:
        state = agreement_state(wa)
    assert len(queries) == 2
    assert "purpose" not in " ".join(q["sql"] for q in queries)
    assert state["version"] == 4
    assert state["pending"] == [world.mentor, world.mentee]


# --- Pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mentor", 200),
        ("mentee", 200),
        ("admin", 200),
        ("other_mentor", 404),
        ("other_mentee", 404),
        ("outsider", 404),
    ],
)
@pytest.mark.parametrize("policy", ["world", "content_world"])
def test_who_sees_the_agreement_page(request, policy, who, status):
    world = request.getfixturevalue(policy)
    draft(world)
    response = world.client(who).get(world.url("agreement"))
    assert response.status_code == status
    if status == 200:
        assert_accessible(response)


@pytest.mark.parametrize("name", ["agreement", "agreement_edit"])
def test_anonymous_visitors_are_sent_to_sign_in(world, name):
    response = world.client("anonymous").get(world.url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_anonymous_cannot_accept(world):
    draft(world)
    response = world.client("anonymous").post(world.url("agreement_accept"), {"version": 1})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not AgreementAcceptance.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mentor", 200),
        ("mentee", 200),
        ("admin", 403),
        ("other_mentor", 404),
        ("other_mentee", 404),
        ("outsider", 404),
    ],
)
@pytest.mark.parametrize("policy", ["world", "content_world"])
def test_who_may_draft_the_terms(request, policy, who, status):
    world = request.getfixturevalue(policy)
    assert world.client(who).get(world.url("agreement_edit")).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 403), ("other_mentee", 404), ("other_mentor", 404), ("outsider", 404)],
)
def test_only_the_relationship_accepts(content_world, who, status):
    draft(content_world)
    response = content_world.client(who).post(content_world.url("agreement_accept"), {"version": 1})
    assert response.status_code == status
    assert not AgreementAcceptance.objects.exists()


def test_accepting_is_a_post(world):
    draft(world)
    assert world.client("mentee").get(world.url("agreement_accept")).status_code == 405


def test_an_admin_without_content_rights_sees_only_the_logistics(world):
    draft(world, purpose="Secret purpose of ours", shareable="Only that we meet")
    with CaptureQueriesContext(connection) as queries:
        response = world.client("admin").get(world.url("agreement"))
    html = assert_accessible(response)
    assert "Secret purpose" not in html
    assert "Only that we meet" not in html
    assert "Meet every (days)" in html
    assert "Who schedules" in html
    assert "The mentee schedules" in html
    assert "Mon 1 Mar 2027" in html
    assert "Version 1" not in html  # no history either
    assert not any('"purpose"' in q["sql"] for q in queries)


def test_an_admin_with_content_rights_reads_the_terms_but_cannot_change_them(content_world):
    draft(content_world, purpose="Our shared purpose")
    html = assert_accessible(content_world.client("admin").get(content_world.url("agreement")))
    assert "Our shared purpose" in html
    assert content_world.url("agreement_edit") not in html
    assert content_world.url("agreement_accept") not in html


def test_drafting_through_the_page_proposes_the_terms(world):
    response = world.client("mentee").post(world.url("agreement_edit"), post_data())
    assert response.status_code == 302
    assert response["Location"] == world.url("agreement")
    agreement = Agreement.objects.get()
    assert agreement.drafted_by == world.mentee
    assert agreement.accepted_at is None
    html = world.client("mentee").get(world.url("agreement"), follow=True).content.decode()
    assert "I accept version 1" in html


def test_accepting_through_the_page(world):
    draft(world)
    world.client("mentor").post(world.url("agreement_accept"), {"version": 1})
    response = world.client("mentee").post(
        world.url("agreement_accept"), {"version": 1}, follow=True
    )
    html = assert_accessible(response)
    assert "the terms are agreed" in html
    assert Agreement.objects.get().is_accepted
    assert "I accept version" not in html


def test_accepting_a_stale_version_through_the_page_says_why(world):
    draft(world)
    accept(world, "mentor")
    draft(world, cadence_days=21)
    response = world.client("mentee").post(
        world.url("agreement_accept"), {"version": 1}, follow=True
    )
    assert "read version 2" in response.content.decode()
    assert not AgreementAcceptance.objects.filter(user=world.mentee).exists()


def test_changing_accepted_terms_through_the_page_asks_everyone_again(world):
    draft(world)
    accept(world, "mentor")
    page = world.client("mentee").get(world.url("agreement_edit")).content.decode()
    assert "a change starts version 2" in page
    response = world.client("mentee").post(
        world.url("agreement_edit"), post_data(cadence_days=7), follow=True
    )
    assert "version 2 needs everyone" in response.content.decode()
    assert Agreement.objects.get().version == 2


def test_html_in_the_terms_is_shown_escaped(world):
    draft(world, purpose="<script>alert('x')</script>")
    html = world.client("mentee").get(world.url("agreement")).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("purpose", "x" * 4001),
        ("contact_channels", "x" * 201),
        ("planned_end_date", "2026-09-15"),
        ("planned_end_date", "2026-02-30"),
        ("cadence_days", "0"),
        ("meeting_minutes", "999"),
        ("confidentiality", ""),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_changes_nothing(world, field, value):
    draft(world)
    data = post_data()
    data[field] = value
    response = world.client("mentee").post(world.url("agreement_edit"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert_accessible(response)
    agreement = Agreement.objects.get()
    assert agreement.version == 1
    assert agreement.purpose == "Grow into a team lead within a year."
    assert AgreementRevision.objects.count() == 1


def test_an_ended_relationship_has_no_edit_form(world):
    draft(world)
    end_pairing(world)
    response = world.client("mentor").get(world.url("agreement_edit"))
    html = assert_accessible(response)
    assert "can no longer change" in html
    assert "form" not in response.context
    response = world.client("mentor").post(world.url("agreement_edit"), post_data(cadence_days=7))
    assert Agreement.objects.get().cadence_days == 14


def test_re_accepting_other_terms_never_undoes_an_extension(world):
    draft(world)
    accept(world, "mentor")
    accept(world, "mentee")
    workspace_extend(wa=world.access("admin"), new_end_date=dt.date(2027, 6, 1), reason="More")
    draft(world, cadence_days=7)  # the end date in the terms is still 1 March
    accept(world, "mentor")
    accept(world, "mentee")
    world.workspace.refresh_from_db()
    assert world.workspace.end_date == dt.date(2027, 6, 1)
    # Agreeing a new end date in the terms still moves it.
    draft(world, cadence_days=7, planned_end_date=dt.date(2027, 5, 1))
    accept(world, "mentor")
    accept(world, "mentee")
    world.workspace.refresh_from_db()
    assert world.workspace.end_date == dt.date(2027, 5, 1)
