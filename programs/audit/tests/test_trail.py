"""The audit trail's table and ``record()``: append-only, and never in the caller's way."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from mentoring.tests.factories import UserFactory
from programs.audit import services
from programs.audit.models import AppendOnlyError, Event
from programs.models import Program
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

Action = Event.Action


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the database trigger is installed on PostgreSQL only (CI runs this there)")


@pytest.fixture
def event() -> Event:
    recorded = services.record(Action.ROLE_GRANTED, target="programs.Membership#1")
    assert recorded is not None
    return recorded


def test_an_event_cannot_be_saved_again(event):
    event.target = "programs.Membership#2"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert Event.objects.get().target == "programs.Membership#1"


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert Event.objects.count() == 1


def test_the_manager_refuses_update_and_delete(event):
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(target="x")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    # bulk_update() works inside a transaction that its failure breaks: give it its own.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        Event.objects.bulk_update([event], ["target"])
    assert Event.objects.get().target == "programs.Membership#1"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_event SET target = 'forged'",
        "DELETE FROM audit_event",
    ],
)
def test_the_database_refuses_raw_update_and_delete(postgres, event, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert Event.objects.get().target == "programs.Membership#1"


def test_the_database_refuses_truncate_unless_the_session_allows_it(postgres, event):
    with connection.cursor() as cursor:
        # The suite's own connections allow it, for the flush between transactional tests.
        cursor.execute("SHOW audit.allow_truncate")
        assert cursor.fetchone() == ("on",)
        # Refused when the session has not allowed it, alone or among other tables.
        for refused, sql in (
            ("off", "TRUNCATE audit_event"),
            ("", "TRUNCATE programs_program, audit_event CASCADE"),
        ):
            with transaction.atomic():
                cursor.execute("SET LOCAL audit.allow_truncate = %s", [refused])
                with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                    cursor.execute(sql)
            assert Event.objects.count() == 1
        # Allowed (again: SET LOCAL lasts to the end of this test's transaction): the table
        # is emptied, and this test's transaction then rolled back.
        cursor.execute("SET LOCAL audit.allow_truncate = on")
        cursor.execute("TRUNCATE audit_event")
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_flush_after_a_transactional_test_still_empties_the_trail(postgres, event):
    # The flush after this test truncates audit_event: it must not be refused.
    assert Event.objects.count() == 1


def test_events_outlive_the_program_and_the_person_they_name():
    program = ProgramFactory.create()
    person = UserFactory.create()
    ids = (person.pk, program.pk)
    services.record(Action.ROLE_REVOKED, actor=person, program=program)
    Program.objects.filter(pk=program.pk).delete()
    person.delete()
    event = Event.objects.select_related("actor", "program").get(action=Action.ROLE_REVOKED)
    assert (event.actor_id, event.program_id) == ids
    assert event.actor is None
    assert event.program is None
    assert event.actor_gone


def test_record_fills_in_where_from_the_request(rf, settings):
    settings.BEHIND_TLS_PROXY = False
    request = rf.get("/programs/x/", HTTP_USER_AGENT="A" * 400, HTTP_X_FORWARDED_FOR="203.0.113.9")
    request.request_id = "req-123"
    request.user = UserFactory.create()
    event = services.record(Action.EXPORT_DOWNLOADED, request=request)
    assert event is not None
    event.refresh_from_db()
    assert event.actor_id == request.user.pk
    assert event.ip == "127.0.0.1"  # a forwarded address is not trusted without a proxy
    assert event.user_agent == "A" * 300
    assert (event.request_id, event.path) == ("req-123", "/programs/x/")


def test_behind_the_proxy_the_address_it_added_is_taken(rf, settings):
    settings.BEHIND_TLS_PROXY = True
    request = rf.get("/", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7", REMOTE_ADDR="10.0.0.2")
    assert services.client_ip(request) == "198.51.100.7"
    request = rf.get("/", HTTP_X_FORWARDED_FOR="not an address", REMOTE_ADDR="10.0.0.2")
    assert services.client_ip(request) == "10.0.0.2"


def test_the_typed_label_is_kept_for_failed_sign_ins_only():
    failed = services.record(Action.LOGIN_FAILED, actor_label="x" * 300)
    other = services.record(Action.LOGIN_SUCCEEDED, actor_label="someone@example.org")
    assert failed is not None
    assert other is not None
    assert failed.actor_label == "x" * 254
    assert other.actor_label == ""


def test_record_never_raises_and_leaves_the_callers_transaction_usable(caplog):
    program = ProgramFactory.create()
    with transaction.atomic():
        # An unknown action is refused; a detail that is not JSON fails to save.
        assert services.record("no.such.action") is None
        assert services.record(Action.ROLE_GRANTED, detail={"x": object()}) is None
        program.name = "Still writable"
        program.save()
    assert Program.objects.get(pk=program.pk).name == "Still writable"
    assert "Could not record the audit event" in caplog.text
    assert not Event.objects.exists()


def test_an_event_is_rolled_back_with_the_work_it_describes():
    with pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012
        services.record(Action.MATCHING_PUBLISHED)
        raise RuntimeError("the publish failed")
    assert not Event.objects.exists()


def test_record_change_records_only_a_change():
    assert services.record_change(Action.PRIVACY_POLICY_CHANGED, before="a", after="a") is None
    event = services.record_change(Action.PRIVACY_POLICY_CHANGED, before="a", after="b")
    assert event is not None
    assert event.detail == {"old": "a", "new": "b"}
