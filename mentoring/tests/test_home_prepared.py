"""The home page's prepared reads survive a server that forgets them (PostgreSQL only).

A pooler that moves a client to another server session, or ``DISCARD ALL``, drops every
prepared statement while this process still believes them prepared.
"""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from mentoring import home
from sessions.tests.conftest import make_world


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("prepared reads are used on PostgreSQL only (CI runs this there)")


def forget_everything() -> None:
    with connection.connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")


@pytest.mark.django_db
def test_inside_a_transaction_one_request_fails_and_the_next_prepares_again(postgres):
    client = make_world().client("mentor")
    assert client.get(reverse("home")).status_code == 200
    forget_everything()
    with pytest.raises(DatabaseError), transaction.atomic():
        client.get(reverse("home"))
    for _ in range(2):
        with transaction.atomic():
            assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_reads_are_prepared_again_and_stay_prepared(
    postgres, monkeypatch
):
    monkeypatch.setattr(home, "_prepared_ok", True)
    client = make_world().client("mentor")
    assert client.get(reverse("home")).status_code == 200
    forget_everything()
    assert client.get(reverse("home")).status_code == 200
    assert home._prepared_ok  # one forgetting server session is no reason to give up


@pytest.mark.django_db(transaction=True)
def test_an_error_that_is_not_about_prepared_statements_is_not_hidden(postgres, monkeypatch):
    monkeypatch.setattr(home, "_prepared_ok", True)

    def broken(*args, **kwargs):
        raise DatabaseError("canceling statement due to statement timeout")

    monkeypatch.setattr(home, "_execute_prepared", broken)
    with pytest.raises(DatabaseError):
        home.fetch("SELECT 1 AS one", {})
    assert home._prepared_ok


@pytest.mark.django_db(transaction=True)
def test_an_error_elsewhere_does_not_turn_prepared_reads_off(postgres, monkeypatch):
    # After any error the process forgets what it prepared, though the server still holds
    # it: the next read asks the server and goes on with the statement it has.
    monkeypatch.setattr(home, "_prepared_ok", True)
    home.fetch("SELECT 1 AS one", {})
    home._forget_prepared()
    for _ in range(2):
        assert home.fetch("SELECT 1 AS one", {}) == [{"one": 1}]
    assert home._prepared_ok


@pytest.mark.django_db(transaction=True)
def test_a_read_whose_columns_changed_type_is_prepared_again(postgres, monkeypatch):
    monkeypatch.setattr(home, "_prepared_ok", True)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE reshaped (x integer)")
        cursor.execute("INSERT INTO reshaped VALUES (7)")
    try:
        assert home.fetch("SELECT x FROM reshaped", {}) == [{"x": 7}]
        with connection.cursor() as cursor:  # as a migration run by another process would
            cursor.execute("ALTER TABLE reshaped ALTER COLUMN x TYPE text")
        assert home.fetch("SELECT x FROM reshaped", {}) == [{"x": "7"}]
        assert home._prepared_ok
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE reshaped")
