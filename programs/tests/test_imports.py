"""CSV import of participants: every bad row reported, all or nothing, idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import Personas
from mentoring.models import User
from mentoring.tests.factories import PASSWORD, UserFactory
from programs.imports import participant_import_create, participant_import_valid_rows
from programs.models import Invitation, Membership, ParticipantImport, Topic
from programs.tests.factories import InvitationFactory, MembershipFactory, TopicFactory

pytestmark = pytest.mark.django_db

Status = ParticipantImport.Status
HEADER = "email,name,role,department,manager_email,topics,capacity"
GOOD_ROW = "good@example.org,Good Person,mentee,Finance,,Leadership,"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def topics(personas: Personas) -> dict[str, Topic]:
    names = ("Leadership", "Public speaking", "Data")
    return {n: TopicFactory.create(program=personas.program, name=n) for n in names}


def run_import(personas: Personas, raw: bytes, **kwargs) -> ParticipantImport:
    return participant_import_create(
        program=personas.program,
        actor=personas.admin,
        filename="people.csv",
        raw=raw,
        **kwargs,
    )


@dataclass(frozen=True)
class Counts:
    users: int
    memberships: int
    topic_links: int
    invitations: int


def counts() -> Counts:
    return Counts(
        users=User.objects.count(),
        memberships=Membership.objects.count(),
        topic_links=Membership.topics.through.objects.count(),
        invitations=Invitation.objects.count(),
    )


def participant(personas: Personas, email: str, role: str = "mentee") -> Membership:
    return Membership.objects.get(program=personas.program, user__email=email, role=role)


def imported_emails(personas: Personas) -> set[str]:
    return set(
        Membership.objects.filter(program=personas.program)
        .exclude(user__in=[personas.admin, personas.mentor, personas.mentee])
        .values_list("user__email", flat=True)
    )


def rejected_row(personas: Personas, row: str, *, header: str = HEADER) -> list[dict]:
    """Import a good row (line 2) and ``row`` (line 3); the file must be rejected
    for line 3 alone and write nothing. Returns line 3's errors."""
    before = counts()
    record = run_import(personas, csv_bytes(GOOD_ROW, row, header=header))
    assert record.status == Status.REJECTED
    assert record.pk is not None
    assert record.rows_total == 2
    assert record.rows_valid == 1
    assert {e["line"] for e in record.errors} == {3}
    assert counts() == before
    return record.errors


def only_reason(errors: list[dict]) -> str:
    assert len(errors) == 1, errors
    return errors[0]["reason"]


# --- One test per kind of bad row ----------------------------------------------------------


def test_bad_email_is_reported_with_its_line(personas, topics):
    errors = rejected_row(personas, "not-an-email,Bad,mentee,,,,")
    assert errors == [{"line": 3, "email": "not-an-email", "reason": "bad e-mail “not-an-email”"}]


def test_missing_email_is_reported(personas, topics):
    assert only_reason(rejected_row(personas, ",No Mail,mentee,,,,")) == "e-mail is missing"


def test_email_longer_than_the_database_allows_is_reported(personas, topics):
    # Valid by RFC (320 characters allowed) but longer than the 254 the column holds.
    email = "a" * 60 + "." + "b" * 60 + "." + "c" * 60 + "@" + "d" * 60 + ".example.org"
    assert 254 < len(email) <= 320
    reason = only_reason(rejected_row(personas, f"{email},Long,mentee,,,,"))
    assert "longer than 254" in reason


def test_unknown_role_is_reported(personas, topics):
    reason = only_reason(rejected_row(personas, "x@example.org,X,mentoor,,,,"))
    assert reason == "unknown role “mentoor” (use mentor or mentee)"


def test_missing_role_is_reported(personas, topics):
    reason = only_reason(rejected_row(personas, "x@example.org,X,,,,,"))
    assert reason.startswith("role is missing")


def test_admin_role_cannot_be_imported(personas, topics):
    reason = only_reason(rejected_row(personas, "x@example.org,X,Admin,,,,"))
    assert "role “admin” cannot be imported" in reason


def test_unknown_topic_is_reported_by_name(personas, topics):
    reason = only_reason(rejected_row(personas, "x@example.org,X,mentee,,,Leadership;Astrology,"))
    assert reason == "unknown topic “Astrology”"


def test_topic_of_another_program_is_unknown(personas, topics):
    TopicFactory.create(program=personas.other_program, name="Astrology")
    reason = only_reason(rejected_row(personas, "x@example.org,X,mentee,,,Astrology,"))
    assert reason == "unknown topic “Astrology”"


def test_duplicate_email_in_file_is_reported_on_the_later_line(personas, topics):
    reason = only_reason(rejected_row(personas, "GOOD@example.org,Again,mentee,,,,"))
    assert reason == "duplicate: good@example.org is already on line 2"


def test_manager_neither_in_file_nor_in_program_is_reported(personas, topics):
    reason = only_reason(rejected_row(personas, "x@example.org,X,mentee,,boss@example.org,,"))
    assert reason == "manager boss@example.org is neither in this file nor in the program"


def test_manager_in_another_program_only_is_not_enough(personas, topics):
    reason = only_reason(
        rejected_row(personas, f"x@example.org,X,mentee,,{personas.outsider.email},,")
    )
    assert "neither in this file nor in the program" in reason


def test_bad_manager_email_is_reported(personas, topics):
    reason = only_reason(rejected_row(personas, "x@example.org,X,mentee,,boss-at-example,,"))
    assert reason == "bad manager e-mail “boss-at-example”"


def test_manager_who_is_the_person_themselves_is_reported(personas, topics):
    reason = only_reason(rejected_row(personas, "x@example.org,X,mentee,,X@Example.org,,"))
    assert reason == "manager is the person themselves"


def test_manager_on_an_invalid_row_invalidates_the_rows_they_manage(personas, topics):
    before = counts()
    record = run_import(
        personas,
        csv_bytes(
            "staff1@example.org,Staff 1,mentee,,lead@example.org,,",  # line 2
            "lead@example.org,Lead,mentee,,head@example.org,,",  # line 3
            "head@example.org,Head,mentoor,,,,",  # line 4: the actual mistake
            "staff2@example.org,Staff 2,mentee,,lead@example.org,,",  # line 5
            "fine@example.org,Fine,mentee,,,,",  # line 6
        ),
        only_valid=True,
    )
    assert record.status == Status.PARTIAL
    by_line = {e["line"]: e["reason"] for e in record.errors}
    assert by_line == {
        2: "manager lead@example.org is on line 3, which has errors",
        3: "manager head@example.org is on line 4, which has errors",
        4: "unknown role “mentoor” (use mentor or mentee)",
        5: "manager lead@example.org is on line 3, which has errors",
    }
    assert imported_emails(personas) == {"fine@example.org"}
    assert counts().memberships == before.memberships + 1


def test_a_long_chain_of_managers_is_invalidated_whatever_the_order(personas, topics):
    # Each person is managed by the next one in the file; the last row is bad,
    # so every row is invalid. Then the same with the file reversed.
    n = 60
    rows = [f"p{i}@example.org,P {i},mentee,,p{i + 1}@example.org,," for i in range(n)]
    rows.append(f"p{n}@example.org,P {n},mentoor,,,,")
    for ordered in (rows, rows[::-1]):
        record = run_import(personas, csv_bytes(*ordered), only_valid=True)
        assert record.status == Status.REJECTED
        assert record.rows_valid == 0
        assert record.rows_invalid == n + 1
    assert imported_emails(personas) == set()


def test_manager_later_in_the_file_or_already_in_the_program_is_accepted(personas, topics):
    record = run_import(
        personas,
        csv_bytes(
            "staff@example.org,Staff,mentee,,lead@example.org,,",
            f"lead@example.org,Lead,mentor,,{personas.mentor.email.upper()},,",
        ),
    )
    assert record.status == Status.IMPORTED, record.errors
    assert participant(personas, "staff@example.org").manager_email == "lead@example.org"
    lead = participant(personas, "lead@example.org", "mentor")
    assert lead.manager_email == personas.mentor.email.lower()


@pytest.mark.parametrize("capacity", ["two", "2.5", "-1", "+2", "²", "1 0", "9" * 5000])
def test_capacity_that_is_not_a_whole_number_is_reported(personas, topics, capacity):
    reason = only_reason(rejected_row(personas, f"x@example.org,X,mentor,,,,{capacity}"))
    assert reason == "capacity must be a whole number from 1 to 20"


@pytest.mark.parametrize("capacity", ["0", "21", "100"])
def test_capacity_out_of_range_is_reported(personas, topics, capacity):
    reason = only_reason(rejected_row(personas, f"x@example.org,X,mentor,,,,{capacity}"))
    assert reason == "capacity must be a whole number from 1 to 20"


def test_capacity_given_for_a_mentee_is_reported(personas, topics):
    reason = only_reason(rejected_row(personas, "x@example.org,X,mentee,,,,2"))
    assert reason == "capacity applies to mentors only"


def test_capacity_at_the_limits_is_imported(personas, topics):
    record = run_import(
        personas, csv_bytes("one@example.org,One,mentor,,,,1", "max@example.org,Max,mentor,,,,20")
    )
    assert record.status == Status.IMPORTED, record.errors
    assert participant(personas, "one@example.org", "mentor").capacity == 1
    assert participant(personas, "max@example.org", "mentor").capacity == 20


def test_name_longer_than_150_characters_is_reported(personas, topics):
    reason = only_reason(rejected_row(personas, f"x@example.org,{'N' * 151},mentee,,,,"))
    assert reason == "name is longer than 150 characters"


def test_department_longer_than_100_characters_is_reported(personas, topics):
    reason = only_reason(rejected_row(personas, f"x@example.org,X,mentee,{'D' * 101},,,"))
    assert reason == "department is longer than 100 characters"


COHORT_HEADER = "email,name,role,cohort"


def test_a_cohort_column_sets_and_updates_each_persons_cohort(personas, topics):
    first = run_import(
        personas, csv_bytes("c@example.org,C,mentee,Spring 2026", header=COHORT_HEADER)
    )
    assert first.status == Status.IMPORTED, first.errors
    assert participant(personas, "c@example.org").cohort == "Spring 2026"
    again = run_import(
        personas, csv_bytes("c@example.org,C,mentee,Autumn 2026", header="email,name,role,intake")
    )
    assert again.status == Status.IMPORTED, again.errors
    assert participant(personas, "c@example.org").cohort == "Autumn 2026"
    # A file without the column leaves the cohort alone.
    run_import(personas, csv_bytes("c@example.org,C,mentee", header="email,name,role"))
    assert participant(personas, "c@example.org").cohort == "Autumn 2026"


def test_cohort_longer_than_60_characters_is_reported(personas, topics):
    before = counts()
    record = run_import(
        personas,
        csv_bytes(
            "ok@example.org,OK,mentee,Spring",
            f"x@example.org,X,mentee,{'C' * 61}",
            header=COHORT_HEADER,
        ),
    )
    assert record.status == Status.REJECTED
    assert [(e["line"], e["reason"]) for e in record.errors] == [
        (3, "cohort is longer than 60 characters")
    ]
    assert counts() == before


def test_row_with_more_fields_than_the_header_is_reported(personas, topics):
    reason = only_reason(rejected_row(personas, "x@example.org,X,mentee,,,,,surplus"))
    assert reason == "has 8 fields but the header names 7"


def test_row_with_fewer_fields_than_the_header_is_fine(personas, topics):
    record = run_import(personas, csv_bytes("short@example.org,Short,mentee"))
    assert record.status == Status.IMPORTED, record.errors
    assert participant(personas, "short@example.org").department == ""


def test_existing_mentor_cannot_be_imported_as_mentee(personas, topics):
    reason = only_reason(rejected_row(personas, f"{personas.mentor.email},M,mentee,,,,"))
    assert reason == "already a mentor in this program"


def test_existing_mentee_cannot_be_imported_as_mentor(personas, topics):
    reason = only_reason(rejected_row(personas, f"{personas.mentee.email.upper()},M,mentor,,,,"))
    assert reason == "already a mentee in this program"


def test_every_problem_of_a_row_is_reported(personas, topics):
    errors = rejected_row(personas, "bad-mail,X,mentee,,,Astrology,3")
    assert [e["reason"] for e in errors] == [
        "bad e-mail “bad-mail”",
        "unknown topic “Astrology”",
        "capacity applies to mentors only",
    ]


def test_line_numbers_count_physical_lines(personas, topics):
    # A quoted field spanning two lines and a blank line move the later rows down.
    raw = (
        (
            HEADER + "\n"
            'a@example.org,"Two\nLines",mentee,,,,\n'  # lines 2-3
            "\n"  # line 4, skipped
            "bad-mail,X,mentee,,,,\r\n"  # line 5
            "c@example.org,C,mentee,,,,\n"  # line 6
            "bad2,X,mentee,,,,\n"  # line 7
        ).encode()
    )
    record = run_import(personas, raw)
    assert record.status == Status.REJECTED
    assert [(e["line"], e["email"]) for e in record.errors] == [(5, "bad-mail"), (7, "bad2")]
    assert record.rows_total == 4


# --- Problems with the file as a whole -----------------------------------------------------


def rejected_file(personas: Personas, raw: bytes) -> str:
    """Import ``raw``; it must be rejected as a whole with one file error, writing nothing."""
    before = counts()
    record = run_import(personas, raw, only_valid=True)
    assert record.status == Status.REJECTED
    assert ParticipantImport.objects.filter(pk=record.pk).exists()
    assert record.rows_valid == 0
    assert len(record.errors) == 1, record.errors
    assert record.errors[0]["line"] is None
    assert record.errors[0]["email"] == ""
    assert counts() == before
    return record.errors[0]["reason"]


@pytest.mark.parametrize("raw", [b"", b"\n\n", b"\xef\xbb\xbf", b" , ,\r\n"])
def test_empty_file_is_rejected(personas, raw):
    assert rejected_file(personas, raw).startswith("The file is empty.")


def test_file_that_is_not_utf8_is_rejected(personas):
    raw = csv_bytes("rene@example.org,René,mentee,,,,").decode().encode("latin-1")
    reason = rejected_file(personas, raw)
    assert reason.startswith("The file is not UTF-8 text")
    assert "CSV UTF-8" in reason


def test_file_with_nul_bytes_is_rejected(personas):
    reason = rejected_file(personas, csv_bytes("x@example.org,X\x00,mentee,,,,"))
    assert "NUL bytes" in reason


def test_unknown_column_is_rejected(personas):
    reason = rejected_file(personas, csv_bytes("x@example.org,mentee,A", header="email,role,team"))
    assert reason.startswith("Unknown column(s): “team”.")


@pytest.mark.parametrize(("header", "missing"), [("name,role", "email"), ("email,name", "role")])
def test_missing_required_column_is_rejected(personas, header, missing):
    assert rejected_file(personas, csv_bytes("a,b", header=header)) == (
        f"Missing column(s): {missing}."
    )


def test_column_named_twice_is_rejected(personas):
    # "E-mail" is another name for "email".
    reason = rejected_file(
        personas, csv_bytes("x@example.org,mentee,y@example.org", header="email,role,E-mail")
    )
    assert reason == "Column(s) named twice: email."


def test_file_with_too_many_rows_is_rejected(personas, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [f"p{i}@example.org,P,mentee,,,," for i in range(4)]
    assert run_import(personas, csv_bytes(*rows[:3])).status == Status.IMPORTED
    reason = rejected_file(personas, csv_bytes(*rows))
    assert reason == "The file has more than 3 rows; split it in parts."


def test_file_that_is_too_large_is_rejected(personas, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    raw = csv_bytes(*(f"p{i}@example.org,{'N' * 100},mentee,,,," for i in range(9000)))
    assert len(raw) > settings.IMPORT_MAX_BYTES
    reason = rejected_file(personas, raw)
    assert reason == "The file is larger than 1.0\xa0MB; split it in parts."


def test_upload_view_reads_no_more_than_the_limit(personas, settings, monkeypatch):
    settings.IMPORT_MAX_BYTES = 2048
    from programs import imports

    received = []
    real = imports.participant_import_create

    def spy(**kwargs):
        received.append(len(kwargs["raw"]))
        return real(**kwargs)

    monkeypatch.setattr(imports, "participant_import_create", spy)
    big = SimpleUploadedFile("big.csv", b"email,role\n" + b"x@example.org,mentee\n" * 5000)
    url = reverse("programs:import", args=[personas.program.slug])
    response = personas.client("admin").post(url, {"file": big})
    assert response.status_code == 302
    assert received == [2049]  # the limit and one byte to tell it was exceeded
    record = ParticipantImport.objects.get()
    assert record.status == Status.REJECTED
    assert "larger than" in record.errors[0]["reason"]


def test_header_without_rows_is_a_problem_not_an_empty_success(personas):
    reason = rejected_file(personas, b"email,name,role\n\n")
    assert reason == "The file names the columns but has no participant rows."


def test_semicolon_separated_file_from_a_european_spreadsheet_imports(personas, topics):
    raw = (
        b"email;name;role;department;manager_email;topics;capacity\n"
        b"ana@example.org;Ana Diaz;mentee;Sales;;Leadership, Public speaking;\n"
        b"lee@example.org;Lee Park;mentor;Sales;;Leadership;2\n"
    )
    record = run_import(personas, raw)
    assert record.status == Status.IMPORTED, record.errors
    ana = Membership.objects.get(program=personas.program, user__email="ana@example.org")
    assert sorted(t.name for t in ana.topics.all()) == ["Leadership", "Public speaking"]


@pytest.mark.parametrize(
    "raw",
    [
        csv_bytes('x@example.org,"Unterminated,mentee,,,,'),
        csv_bytes('x@example.org,"Quoted"junk,mentee,,,,'),
    ],
)
def test_malformed_csv_is_rejected(personas, raw):
    assert rejected_file(personas, raw).startswith("The file is not valid CSV:")


def test_field_larger_than_the_csv_limit_is_rejected_cleanly(personas):
    raw = csv_bytes(f"x@example.org,{'N' * 200_000},mentee,,,,")
    assert rejected_file(personas, raw).startswith("The file is not valid CSV:")


# --- What a good file may look like --------------------------------------------------------


def test_header_aliases_and_a_utf8_bom_are_understood(personas, topics):
    header = "\ufeffE-mail Address,Full Name,ROLE,Dept,Manager E-mail,Topic,Mentee Capacity"
    raw = csv_bytes(
        "Ana@Example.org,Ana Ávila,Mentor,Finance,,Data,3",
        "ben@example.org,Ben,mentee,Legal,ana@example.org,,",
        header=header,
    )
    record = run_import(personas, raw)
    assert record.status == Status.IMPORTED, record.errors
    ana = participant(personas, "ana@example.org", "mentor")
    assert (ana.user.name, ana.department, ana.capacity) == ("Ana Ávila", "Finance", 3)
    assert participant(personas, "ben@example.org").manager_email == "ana@example.org"


def test_only_the_required_columns_are_needed_in_any_order(personas):
    record = run_import(personas, csv_bytes("mentee,x@example.org", header="Role,Email"))
    assert record.status == Status.IMPORTED, record.errors
    assert record.created_count == 1


def test_topics_separated_by_semicolon_or_bar_match_case_insensitively(personas, topics):
    record = run_import(
        personas,
        csv_bytes(
            'a@example.org,A,mentee,,,"leadership; DATA",',
            'b@example.org,B,mentee,,,"Public   speaking|data | Data",',
            "c@example.org,C,mentee,,,;|;,",
        ),
    )
    assert record.status == Status.IMPORTED, record.errors

    def names(email: str) -> list[str]:
        return sorted(t.name for t in participant(personas, email).topics.all())

    assert names("a@example.org") == ["Data", "Leadership"]
    assert names("b@example.org") == ["Data", "Public speaking"]
    assert names("c@example.org") == []


# --- All or nothing --------------------------------------------------------------------------


def test_one_bad_row_means_nothing_is_written(personas, topics):
    before = counts()
    rows = [
        f"p{i}@example.org,P {i},{'mentor' if i % 2 else 'mentee'},Dept,,Leadership;Data,"
        for i in range(50)
    ]
    rows[25] = "p25@example.org,P,mentee,,,Astrology,"
    record = run_import(personas, csv_bytes(*rows), send_invitations=True)
    assert record.status == Status.REJECTED
    assert [e["line"] for e in record.errors] == [27]
    assert record.created_count == 0
    assert record.imported_at is None
    assert counts() == before
    assert not User.objects.filter(email__startswith="p1@").exists()


def test_only_valid_rows_imports_exactly_the_valid_rows(personas, topics):
    before = counts()
    record = run_import(
        personas,
        csv_bytes(
            "ok1@example.org,Ok 1,mentor,,,Data,2",
            "bad-mail,Bad,mentee,,,,",
            "ok2@example.org,Ok 2,mentee,,ok1@example.org,Leadership,",
            "ok3@example.org,Ok 3,mentee,,,Astrology,",
        ),
        only_valid=True,
        send_invitations=True,
    )
    assert record.status == Status.PARTIAL
    assert [e["line"] for e in record.errors] == [3, 5]
    assert (record.rows_total, record.rows_valid, record.rows_invalid) == (4, 2, 2)
    assert record.created_count == 2
    assert record.imported_at is not None
    assert imported_emails(personas) == {"ok1@example.org", "ok2@example.org"}
    after = counts()
    assert after.users == before.users + 2
    assert after.memberships == before.memberships + 2
    assert after.topic_links == before.topic_links + 2
    assert after.invitations == before.invitations + 2


def test_only_valid_rows_with_no_valid_row_imports_nothing(personas, topics):
    record = run_import(personas, csv_bytes("bad-mail,X,mentee,,,,"), only_valid=True)
    assert record.status == Status.REJECTED
    assert imported_emails(personas) == set()


def test_valid_rows_of_a_rejected_upload_can_be_imported_later(personas, topics):
    client = personas.client("admin")
    raw = csv_bytes(GOOD_ROW, "bad-mail,Bad,mentee,,,,", "ok@example.org,Ok,mentor,,,Data,2")
    response = client.post(
        reverse("programs:import", args=[personas.program.slug]),
        {"file": SimpleUploadedFile("people.csv", raw, content_type="text/csv")},
    )
    rejected = ParticipantImport.objects.get(program=personas.program)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "programs:import_detail", args=[personas.program.slug, rejected.pk]
    )
    assert rejected.status == Status.REJECTED
    page = client.get(response["Location"])
    assert b"Import the 2 valid rows only" in page.content

    url = reverse("programs:import_valid_rows", args=[personas.program.slug, rejected.pk])
    response = client.post(url)
    again = ParticipantImport.objects.exclude(pk=rejected.pk).get(program=personas.program)
    assert response["Location"] == reverse(
        "programs:import_detail", args=[personas.program.slug, again.pk]
    )
    assert again.status == Status.PARTIAL
    assert again.created_count == 2
    assert [e["line"] for e in again.errors] == [3]
    assert imported_emails(personas) == {"good@example.org", "ok@example.org"}
    page = client.get(response["Location"])
    assert b"The valid rows were imported." in page.content


def test_valid_rows_of_an_imported_upload_cannot_be_imported_again(personas, topics):
    client = personas.client("admin")
    record = run_import(personas, csv_bytes(GOOD_ROW))
    before = counts()
    url = reverse("programs:import_valid_rows", args=[personas.program.slug, record.pk])
    response = client.post(url, follow=True)
    assert b"The valid rows of this upload were already imported." in response.content
    assert counts() == before
    assert ParticipantImport.objects.count() == 1


def test_valid_rows_of_a_rejected_upload_are_imported_once(personas, topics):
    client = personas.client("admin")
    rejected = run_import(personas, csv_bytes(GOOD_ROW, "bad-mail,Bad,mentee,,,,"))
    assert rejected.status == Status.REJECTED
    url = reverse("programs:import_valid_rows", args=[personas.program.slug, rejected.pk])
    client.post(url)
    after_first = counts()
    response = client.post(url, follow=True)
    assert b"The valid rows of this upload were already imported." in response.content
    assert counts() == after_first
    assert ParticipantImport.objects.count() == 2
    rejected.refresh_from_db()
    assert rejected.valid_rows_import is not None
    assert rejected.valid_rows_import.status == Status.PARTIAL


def test_an_upload_keeps_the_file_only_while_its_valid_rows_can_still_be_imported(personas, topics):
    imported = run_import(personas, csv_bytes(GOOD_ROW))
    unreadable = run_import(personas, b"email,role\n" + b"\xff\xfe")
    all_bad = run_import(personas, csv_bytes("bad-mail,Bad,mentee,,,,"))
    some_bad = run_import(personas, csv_bytes(GOOD_ROW, "bad-mail,Bad,mentee,,,,"))
    assert (imported.content, unreadable.content, all_bad.content) == ("", "", "")
    assert some_bad.content
    participant_import_valid_rows(record=some_bad, actor=personas.admin)
    some_bad.refresh_from_db()
    assert some_bad.content == ""


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("mentor", 403), ("mentee", 403)])
def test_only_the_programs_admins_may_import_valid_rows(personas, topics, who, status):
    record = run_import(personas, csv_bytes(GOOD_ROW, "bad-mail,Bad,mentee,,,,"))
    before = counts()
    url = reverse("programs:import_valid_rows", args=[personas.program.slug, record.pk])
    assert personas.client(who).post(url).status_code == status
    assert counts() == before


# --- Importing again -------------------------------------------------------------------------

PEOPLE = (
    "ana@example.org,Ana,mentor,Finance,,Data;Leadership,3",
    "ben@example.org,Ben,mentee,Legal,ana@example.org,Public speaking,",
    "cat@example.org,Cat,mentee,,,,",
)


def test_importing_the_same_file_again_changes_nothing(personas, topics):
    first = run_import(personas, csv_bytes(*PEOPLE), send_invitations=True)
    assert (first.created_count, first.updated_count, first.unchanged_count) == (3, 0, 0)
    before = counts()
    again = run_import(personas, csv_bytes(*PEOPLE), send_invitations=True)
    assert again.status == Status.IMPORTED
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert counts() == before


def test_a_changed_file_updates_department_topics_capacity_and_manager(personas, topics):
    run_import(personas, csv_bytes(*PEOPLE))
    changed = (
        "ana@example.org,Ana,mentor,Finance,,Data;Leadership,5",  # capacity
        "ben@example.org,Ben,mentee,Legal,,Data,",  # manager and topics
        "cat@example.org,Cat,mentee,People,,,",  # department
        "dan@example.org,Dan,mentee,,,,",  # new
    )
    record = run_import(personas, csv_bytes(*changed))
    assert (record.created_count, record.updated_count, record.unchanged_count) == (1, 3, 0)
    assert participant(personas, "ana@example.org", "mentor").capacity == 5
    ben = participant(personas, "ben@example.org")
    assert ben.manager_email == ""
    assert [t.name for t in ben.topics.all()] == ["Data"]
    assert participant(personas, "cat@example.org").department == "People"
    again = run_import(personas, csv_bytes(*changed))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 4)


def test_a_file_without_a_column_leaves_that_field_alone(personas, topics):
    run_import(personas, csv_bytes(*PEOPLE))
    record = run_import(
        personas,
        csv_bytes(
            "ana@example.org,mentor",
            "ben@example.org,mentee",
            "cat@example.org,mentee",
            header="email,role",
        ),
    )
    assert (record.created_count, record.updated_count, record.unchanged_count) == (0, 0, 3)
    ana = participant(personas, "ana@example.org", "mentor")
    assert (ana.department, ana.capacity) == ("Finance", 3)
    assert sorted(t.name for t in ana.topics.all()) == ["Data", "Leadership"]
    assert participant(personas, "ben@example.org").manager_email == "ana@example.org"


def test_enrolment_answers_survive_a_reimport(personas, topics):
    run_import(personas, csv_bytes(*PEOPLE))
    ben = participant(personas, "ben@example.org")
    Membership.objects.filter(pk=ben.pk).update(goals="Speak at a conference", seniority=2)
    run_import(personas, csv_bytes(*PEOPLE))
    ben.refresh_from_db()
    assert (ben.goals, ben.seniority) == ("Speak at a conference", 2)


def test_existing_user_with_an_account_is_reused(personas, topics):
    # Stored with capitals, as an older sign-up might have left it.
    user = UserFactory.create(email="Zoe.Ortiz@Example.org", name="Zoë Ortiz")
    MembershipFactory.create(program=personas.other_program, user=user, role="mentor")
    record = run_import(personas, csv_bytes("zoe.ortiz@example.org,Zoe O,mentor,,,,"))
    assert record.status == Status.IMPORTED, record.errors
    assert User.objects.filter(email__iexact="zoe.ortiz@example.org").count() == 1
    membership = participant(personas, "Zoe.Ortiz@Example.org", "mentor")
    assert membership.user_id == user.pk
    user.refresh_from_db()
    # Their own name and password stay theirs.
    assert user.name == "Zoë Ortiz"
    assert user.check_password(PASSWORD)


def test_existing_member_can_be_imported_in_their_own_role(personas, topics):
    record = run_import(personas, csv_bytes(f"{personas.mentor.email},M,mentor,Sales,,,"))
    assert (record.created_count, record.updated_count) == (0, 1)
    assert personas.membership("mentor").department == "Sales"


def test_new_people_get_an_account_without_a_usable_password(personas, topics):
    run_import(personas, csv_bytes("New.Person@Example.org,New Person,mentee,,,,"))
    user = User.objects.get(email="new.person@example.org")
    assert user.name == "New Person"
    assert not user.has_usable_password()


# --- Invitations ---------------------------------------------------------------------------


def test_send_invitations_invites_each_new_participant_once(
    personas, topics, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = run_import(personas, csv_bytes(*PEOPLE), send_invitations=True)
    assert record.created_count == 3
    invitations = Invitation.objects.filter(program=personas.program)
    assert sorted(invitations.values_list("email", "role")) == [
        ("ana@example.org", "mentor"),
        ("ben@example.org", "mentee"),
        ("cat@example.org", "mentee"),
    ]
    assert all(i.invited_by == personas.admin and i.sent_at for i in invitations)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@example.org",
        "ben@example.org",
        "cat@example.org",
    ]
    assert personas.program.name in mail.outbox[0].subject

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_import(
            personas, csv_bytes(*PEOPLE, "dan@example.org,Dan,mentee,,,,"), send_invitations=True
        )
    assert Invitation.objects.filter(program=personas.program).count() == 4
    assert [m.to for m in mail.outbox] == [["dan@example.org"]]


def test_without_send_invitations_nobody_is_invited(
    personas, topics, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_import(personas, csv_bytes(*PEOPLE))
    assert not Invitation.objects.filter(program=personas.program).exists()
    assert mail.outbox == []


def test_rejected_import_sends_no_invitation(personas, topics, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run_import(personas, csv_bytes(*PEOPLE, "bad-mail,X,mentee,,,,"), send_invitations=True)
    assert callbacks == []
    assert mail.outbox == []


def test_an_open_invitation_is_not_duplicated(personas, topics, django_capture_on_commit_callbacks):
    InvitationFactory.create(program=personas.program, email="Ben@Example.org", role="mentee")
    with django_capture_on_commit_callbacks(execute=True):
        record = run_import(personas, csv_bytes(*PEOPLE), send_invitations=True)
    assert record.status == Status.IMPORTED
    assert Invitation.objects.filter(email__iexact="ben@example.org").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "cat@example.org"]


def test_an_expired_invitation_is_replaced(personas, topics, django_capture_on_commit_callbacks):
    old = InvitationFactory.create(
        program=personas.program,
        email="ben@example.org",
        role="mentee",
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        run_import(personas, csv_bytes(*PEOPLE), send_invitations=True)
    old.refresh_from_db()
    assert old.revoked_at is not None
    fresh = Invitation.objects.get(email="ben@example.org", revoked_at__isnull=True)
    assert fresh.is_open
    assert "ben@example.org" in [m.to[0] for m in mail.outbox]


# --- No query per row ---------------------------------------------------------------------


def people(prefix: str, n: int, *, department: str = "Finance") -> bytes:
    rows = [
        f"{prefix}{i}@example.org,P {i},{'mentor' if i % 3 == 0 else 'mentee'},{department},"
        f"{'' if i == 0 else prefix + '0@example.org'},Data;Leadership,{'2' if i % 3 == 0 else ''}"
        for i in range(n)
    ]
    return csv_bytes(*rows)


def test_import_queries_do_not_grow_with_the_number_of_rows(personas, topics):
    # 5 and 40 rows stay below SQLite's bulk-insert batch size, so batching
    # does not blur the comparison.
    def queries(raw: bytes) -> int:
        with CaptureQueriesContext(connection) as captured:
            record = run_import(personas, raw, send_invitations=True)
        assert record.status == Status.IMPORTED, record.errors
        return len(captured)

    assert queries(people("a", 5)) == queries(people("b", 40))
    # A re-import that changes every row updates them in bulk too.
    changed_5 = queries(people("a", 5, department="Legal"))
    assert changed_5 == queries(people("b", 40, department="Legal"))
    assert participant(personas, "b38@example.org").department == "Legal"


# --- The acceptance scenario, through the browser's requests --------------------------------


def thousand_people(bad_lines: dict[int, str] | None = None) -> bytes:
    bad_lines = bad_lines or {}
    rows = []
    for i in range(1000):
        line = i + 2
        role = "mentor" if i % 5 == 0 else "mentee"
        manager = "" if i % 10 == 0 else f"person{i - i % 10}@example.com"
        capacity = "2" if role == "mentor" else ""
        rows.append(
            bad_lines.get(
                line,
                f"person{i}@example.com,Person {i},{role},Dept {i % 7},{manager},Data,{capacity}",
            )
        )
    return csv_bytes(*rows)


def upload(client, slug: str, raw: bytes) -> ParticipantImport:
    response = client.post(
        reverse("programs:import", args=[slug]),
        {"file": SimpleUploadedFile("people.csv", raw, content_type="text/csv")},
    )
    assert response.status_code == 302
    return ParticipantImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_thousand_rows_with_three_bad_ones_then_fixed_then_again(personas, topics):
    client = personas.client("admin")
    slug = personas.program.slug
    bad = {
        # Not managers of anyone (i % 10 != 0), so no cascade hides the count.
        17: "person15@example.com,Person 15,mentee,Dept,person10@example.com,Astrology,",
        500: "person498-example.com,Person 498,mentee,Dept,person490@example.com,Data,",
        1001: "person999@example.com,Person 999,manager,Dept,person990@example.com,Data,",
    }
    record = upload(client, slug, thousand_people(bad))
    assert record.status == Status.REJECTED
    assert [e["line"] for e in record.errors] == [17, 500, 1001]
    assert (record.rows_total, record.rows_valid) == (1000, 997)
    assert imported_emails(personas) == set()
    page = client.get(reverse("programs:import_detail", args=[slug, record.pk]))
    html = page.content.decode()
    assert "Nothing was imported." in html
    for line in (17, 500, 1001):
        assert f"<td>{line}</td>" in html
    assert "unknown topic “Astrology”" in html
    assert "bad e-mail “person498-example.com”" in html
    assert "unknown role “manager”" in html

    record = upload(client, slug, thousand_people())
    assert record.status == Status.IMPORTED, record.errors[:3]
    assert (record.created_count, record.updated_count, record.unchanged_count) == (1000, 0, 0)
    assert len(imported_emails(personas)) == 1000
    assert Membership.objects.filter(program=personas.program, role="mentor").count() == 201
    page = client.get(reverse("programs:import_detail", args=[slug, record.pk]))
    assert "1000 added, 0 updated, 0 unchanged" in page.content.decode()

    before = counts()
    record = upload(client, slug, thousand_people())
    assert (record.created_count, record.updated_count, record.unchanged_count) == (0, 0, 1000)
    assert counts() == before
