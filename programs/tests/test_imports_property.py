"""Whatever bytes an admin uploads, the importer answers with a clean report."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mentoring.models import User
from programs.imports import COLUMNS, participant_import_create
from programs.models import Invitation, Membership, ParticipantImport
from programs.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

Status = ParticipantImport.Status
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Pieces a CSV file is made of, and pieces that have broken CSV importers before.
STRUCTURE = [",", '"', '""', "\n", "\r", "\r\n", "\x00", ";", "|", " ", "\t", "\ufeff", "\u2028"]
EMAILS = ["a@example.org", "B@Example.org", "c@example.org", "d@example.org", "e@example.org"]
WORDS = [
    *COLUMNS,
    *EMAILS,
    "E-mail",
    "Full Name",
    "Manager",
    "mentor",
    "mentee",
    "admin",
    "not-an-email",
    "x@",
    "Leadership",
    "data",
    "²",
    "20",
]
HEADER = ",".join(COLUMNS)


def cell(*good: str, bad: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """Mostly a good value, sometimes a known bad one, now and then anything."""
    return st.tuples(
        st.integers(0, 99), st.sampled_from(good), st.sampled_from((*bad, "")), st.text(max_size=4)
    ).map(lambda t: t[1] if t[0] < 85 else t[2] if t[0] < 95 else t[3])


def quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value


# A row of the real columns: most rows are valid, so that files get imported
# and re-imported, and the rest carry the mistakes admins make.
record = st.tuples(
    cell(*EMAILS, bad=("not-an-email", "a" * 250 + "@example.org", " @ ")),
    cell("Ann", "Bo Li", bad=("N" * 151,)),
    cell("mentor", "mentee", "Mentee", bad=("admin", "boss")),
    cell("Finance", "", bad=("D" * 101,)),
    cell("", "", *EMAILS, bad=("boss@example.org", "x@")),
    cell("", "Leadership", "data|leadership", "Leadership; Data", bad=("Astrology",)),
    cell("", "", "2", "20", bad=("0", "21", "²", "9" * 5000, "-1", "1.5")),
    st.sampled_from([()] * 9 + [("surplus",)]),
).map(lambda r: ",".join(quote(c) for c in [*r[:7], *r[7]]))
csv_text = st.lists(
    st.one_of(st.sampled_from(STRUCTURE + WORDS), st.text(max_size=5)), max_size=60
).map("".join)
csv_like_files = st.one_of(csv_text, csv_text.map(lambda body: HEADER + "\n" + body))
files_of_rows = st.tuples(st.lists(record, max_size=8), st.sampled_from(["\r\n", "\n"])).map(
    lambda t: t[1].join([HEADER, *t[0]]) + t[1]
)


def participant_counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Membership.objects.count(),
        Membership.topics.through.objects.count(),
        Invitation.objects.count(),
    )


def assert_clean_report(personas, raw: bytes, *, only_valid: bool) -> ParticipantImport:
    before = participant_counts()
    record = participant_import_create(
        program=personas.program,
        actor=personas.admin,
        filename="fuzz.csv",
        raw=raw,
        only_valid=only_valid,
        send_invitations=True,
    )
    assert record.pk is not None
    saved = ParticipantImport.objects.get(pk=record.pk)
    assert saved.status in Status.values
    event(f"status: {saved.status}")
    assert isinstance(saved.errors, list)
    for error in saved.errors:
        assert set(error) == {"line", "email", "reason"}
        assert error["line"] is None or (isinstance(error["line"], int) and error["line"] >= 2)
        assert isinstance(error["email"], str)
        assert isinstance(error["reason"], str)
        assert error["reason"]
    file_errors = [e for e in saved.errors if e["line"] is None]
    if not file_errors:
        # Every row is either valid or reported, never both.
        assert saved.rows_valid + saved.rows_invalid == saved.rows_total
    if saved.status == Status.REJECTED:
        assert saved.errors
        assert participant_counts() == before
        assert saved.created_count == saved.updated_count == saved.unchanged_count == 0
    else:
        assert saved.created_count + saved.updated_count + saved.unchanged_count == (
            saved.rows_valid
        )
        assert (saved.status == Status.IMPORTED) == (not saved.errors)
        users, memberships, _, invitations = participant_counts()
        assert memberships == before[1] + saved.created_count
        assert invitations == before[3] + saved.created_count
        assert users <= before[0] + saved.created_count
    return saved


def import_twice(personas, text: str, *, only_valid: bool) -> None:
    """Import ``text``; when something was imported, import it again and check
    that the same rows are valid and nobody is created twice."""
    raw = text.encode("utf-8", errors="surrogatepass")
    # Each example starts from the same program, whatever the previous one did.
    with transaction.atomic():
        first = assert_clean_report(personas, raw, only_valid=only_valid)
        if first.status != Status.REJECTED:
            again = assert_clean_report(personas, raw, only_valid=only_valid)
            # A row may gain a reason (a duplicate of someone now imported in
            # another role), but the same rows are valid.
            assert again.status == first.status
            assert {e["line"] for e in again.errors} == {e["line"] for e in first.errors}
            assert again.rows_valid == first.rows_valid
            assert again.created_count == 0
            assert again.updated_count == 0
            assert again.unchanged_count == first.rows_valid
        transaction.set_rollback(True)


@pytest.fixture
def fuzz_personas(personas):
    TopicFactory.create(program=personas.program, name="Leadership")
    TopicFactory.create(program=personas.program, name="Data")
    return personas


@PROPERTY_SETTINGS
@given(raw=st.binary(max_size=600), only_valid=st.booleans())
def test_arbitrary_bytes_get_a_clean_report(fuzz_personas, raw, only_valid):
    with transaction.atomic():
        assert_clean_report(fuzz_personas, raw, only_valid=only_valid)
        transaction.set_rollback(True)


@PROPERTY_SETTINGS
@given(text=csv_like_files, only_valid=st.booleans())
def test_csv_like_text_gets_a_clean_report(fuzz_personas, text, only_valid):
    import_twice(fuzz_personas, text, only_valid=only_valid)


@PROPERTY_SETTINGS
@given(text=files_of_rows, only_valid=st.booleans())
def test_rows_good_and_bad_get_a_clean_report_and_import_once(fuzz_personas, text, only_valid):
    import_twice(fuzz_personas, text, only_valid=only_valid)
