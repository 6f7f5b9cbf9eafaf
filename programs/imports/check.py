"""Reading and checking a CSV of participants: every problem, with its line, nothing written."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower

from mentoring.models import User
from programs.models import Membership, Program, Topic

Role = Membership.Role

COLUMNS = (
    "email",
    "name",
    "role",
    "department",
    "cohort",
    "manager_email",
    "topics",
    "capacity",
)
REQUIRED_COLUMNS = ("email", "role")
HEADER_ALIASES = {
    "e-mail": "email",
    "email address": "email",
    "e-mail address": "email",
    "full name": "name",
    "manager": "manager_email",
    "manager email": "manager_email",
    "manager e-mail": "manager_email",
    "manager_e-mail": "manager_email",
    "dept": "department",
    "intake": "cohort",
    "topic": "topics",
    "mentee capacity": "capacity",
}
TOPIC_SEPARATORS = (";", "|")
COHORT_MAX = Membership._meta.get_field("cohort").max_length or 60
MAX_CAPACITY = 20
# The e-mail columns hold 254 characters, fewer than validate_email() accepts (320).
MAX_EMAIL = 254
# ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
CHUNK = 1000
# The Membership fields a column sets; a column missing from the file leaves its field alone.
UPDATABLE = ("department", "cohort", "manager_email", "capacity")


@dataclass
class RowError:
    line: int | None
    email: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "email": self.email, "reason": self.reason}


@dataclass
class Row:
    line: int
    email: str
    name: str
    role: str
    department: str
    manager_email: str
    topic_ids: list[int]
    capacity: int | None
    cohort: str = ""


@dataclass
class Report:
    """What ``check()`` found: the valid rows and every error, in line order."""

    rows_total: int = 0
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: tuple[str, ...] = ()
    owner_of: dict[str, int] = field(default_factory=dict)

    @property
    def file_errors(self) -> list[RowError]:
        return [e for e in self.errors if e.line is None]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def can_import_valid_rows(self) -> bool:
        return not self.file_errors and bool(self.rows)


def decode(raw: bytes) -> str:
    """The file's text; raises ValidationError when it is not UTF-8 (a BOM is fine)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "The file is not UTF-8 text (byte %(pos)s). In Excel choose "
            "“CSV UTF-8” when you save it, then upload it again.",
            params={"pos": exc.start + 1},
        ) from None
    if "\x00" in text:
        raise ValidationError("The file contains NUL bytes; it does not look like a CSV file.")
    return text


def _norm_header(name: str) -> str:
    key = " ".join(name.strip().lower().replace("_", " ").split())
    key = HEADER_ALIASES.get(key, key)
    return key.replace(" ", "_")


def _delimiter(text: str) -> str:
    """Comma, or semicolon: spreadsheets in locales with a decimal comma save CSV with ";"."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


def _records(text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) for every record, blank lines skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        if not record or all(not cell.strip() for cell in record):
            continue
        yield start, record


def check(program: Program, text: str) -> Report:
    """Check every row of ``text`` against the program; write nothing."""
    report = Report()

    def file_error(reason: str) -> Report:
        report.errors.append(RowError(None, "", reason))
        return report

    delimiter = _delimiter(text)
    records = _records(text, delimiter)
    try:
        first = next(records, None)
        if first is None:
            return file_error("The file is empty. The first line must name the columns.")
        _, header = first
        columns = [_norm_header(h) for h in header]
        unknown = [h for h, c in zip(header, columns, strict=True) if c not in COLUMNS]
        if unknown:
            return file_error(
                "Unknown column(s): "
                + ", ".join(f"“{h.strip()[:40]}”" for h in unknown[:10])
                + ". The columns are: "
                + ", ".join(COLUMNS)
                + "."
            )
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            return file_error(f"Missing column(s): {', '.join(missing)}.")
        repeated = sorted({c for c in columns if columns.count(c) > 1})
        if repeated:
            return file_error(f"Column(s) named twice: {', '.join(repeated)}.")
        report.columns = tuple(columns)
        raw_rows = []
        for line, record in records:
            report.rows_total += 1
            if report.rows_total > settings.IMPORT_MAX_ROWS:
                report.rows = []
                return file_error(
                    f"The file has more than {settings.IMPORT_MAX_ROWS} rows; split it in parts."
                )
            raw_rows.append((line, record))
        if not raw_rows:
            return file_error("The file names the columns but has no participant rows.")
    except csv.Error as exc:
        report.rows = []
        return file_error(f"The file is not valid CSV: {exc}.")

    topics = {t.name.lower(): t.pk for t in Topic.objects.filter(program=program)}
    members = _member_roles_by_address(program)
    email_at = columns.index("email")
    report.owner_of = _owners(
        {r[email_at].strip().lower() for _, r in raw_rows if len(r) > email_at}
    )

    parsed: list[Row] = []
    row_errors: dict[int, list[str]] = {}
    first_line_of: dict[str, int] = {}
    first_line_of_person: dict[int, int] = {}

    for line, record in raw_rows:
        reasons: list[str] = []
        if len(record) > len(columns):
            reasons.append(f"has {len(record)} fields but the header names {len(columns)}")
        values = dict(zip(columns, (c.strip() for c in record), strict=False))
        if delimiter == ";" and "topics" in values:
            # With ";" between columns, topics are separated by "," (or "|").
            values["topics"] = values["topics"].replace(",", ";")
        email = values.get("email", "").lower()
        row = Row(
            line=line,
            email=email,
            name=values.get("name", ""),
            role=values.get("role", "").lower(),
            department=values.get("department", ""),
            cohort=values.get("cohort", ""),
            manager_email=values.get("manager_email", "").lower(),
            topic_ids=[],
            capacity=None,
        )
        reasons += _check_row(row, values, topics, members)
        owner = report.owner_of.get(email)
        if email and email in first_line_of:
            reasons.append(f"duplicate: {email} is already on line {first_line_of[email]}")
        elif owner is not None and owner in first_line_of_person:
            reasons.append(
                f"duplicate: the same person as line {first_line_of_person[owner]} "
                "(another of their e-mail addresses)"
            )
        elif email:
            first_line_of[email] = line
            if owner is not None:
                first_line_of_person[owner] = line
        if reasons:
            row_errors[line] = reasons
        parsed.append(row)

    _check_managers(parsed, row_errors, first_line_of, members)

    for row in parsed:
        if row.line in row_errors:
            for reason in row_errors[row.line]:
                report.errors.append(RowError(row.line, row.email[:254], reason))
        else:
            report.rows.append(row)
    return report


def _member_roles_by_address(program: Program) -> dict[str, set[str]]:
    """The roles of the program's members under every address that is theirs."""
    roles_of: dict[int, set[str]] = {}
    for user_id, role in Membership.objects.filter(program=program).values_list("user_id", "role"):
        roles_of.setdefault(user_id, set()).add(role)
    by_address: dict[str, set[str]] = {}
    for chunk in chunks(list(roles_of)):
        addresses = [
            *User.objects.filter(pk__in=chunk).values_list("email", "pk"),
            *EmailAddress.objects.filter(user_id__in=chunk, verified=True).values_list(
                "email", "user_id"
            ),
        ]
        for address, user_id in addresses:
            by_address.setdefault(address.lower(), set()).update(roles_of[user_id])
    return by_address


def _owners(emails: set[str]) -> dict[str, int]:
    """The account each address belongs to: its login address, or a verified second one."""
    owner_of: dict[str, int] = {}
    for chunk in chunks(sorted(e for e in emails if e)):
        owner_of.update(
            EmailAddress.objects.filter(verified=True)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
            .values_list("email_lower", "user_id")
        )
        # The login address wins over anyone else's verified copy of it.
        owner_of.update(
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
            .values_list("email_lower", "pk")
        )
    return owner_of


def _check_managers(
    parsed: list[Row],
    row_errors: dict[int, list[str]],
    first_line_of: dict[str, int],
    members: dict[str, set[str]],
) -> None:
    """A manager must be in the program or on a valid row of this file.

    A row made invalid that way in turn invalidates the rows it manages. This
    walks the "is managed by" links once from each invalid manager, so a long
    chain of managers costs O(rows), not O(rows²).
    """
    valid_in_file = {r.email for r in parsed if r.line not in row_errors}
    managed_by: dict[str, list[Row]] = {}
    for row in parsed:
        if row.line not in row_errors and row.manager_email and row.manager_email not in members:
            managed_by.setdefault(row.manager_email, []).append(row)
    pending = [email for email in managed_by if email not in valid_in_file]
    while pending:
        manager = pending.pop()
        for row in managed_by.pop(manager, []):
            if manager in first_line_of:
                reason = f"manager {manager} is on line {first_line_of[manager]}, which has errors"
            else:
                reason = f"manager {manager} is neither in this file nor in the program"
            row_errors[row.line] = [reason]
            # Only the first row of an e-mail can be valid, so this row was that one.
            valid_in_file.discard(row.email)
            if row.email in managed_by:
                pending.append(row.email)


def _check_row(
    row: Row,
    values: dict[str, str],
    topics: dict[str, int],
    members: dict[str, set[str]],
) -> list[str]:
    reasons = []
    if not row.email:
        reasons.append("e-mail is missing")
    elif len(row.email) > MAX_EMAIL:
        reasons.append(f"e-mail is longer than {MAX_EMAIL} characters")
    else:
        try:
            validate_email(row.email)
        except ValidationError:
            reasons.append(f"bad e-mail “{row.email[:80]}”")
    if len(row.name) > 150:
        reasons.append("name is longer than 150 characters")
    if not row.role:
        reasons.append("role is missing (mentor or mentee)")
    elif row.role == Role.ADMIN:
        reasons.append("role “admin” cannot be imported; add admins on the Admins page")
    elif row.role not in Membership.PARTICIPANT_ROLES:
        reasons.append(f"unknown role “{row.role[:40]}” (use mentor or mentee)")
    elif row.email in members:
        other = members[row.email] & ({Role.MENTOR.value, Role.MENTEE.value} - {row.role})
        if other:
            reasons.append(f"already a {other.pop()} in this program")
    if len(row.department) > 100:
        reasons.append("department is longer than 100 characters")
    if len(row.cohort) > COHORT_MAX:
        reasons.append(f"cohort is longer than {COHORT_MAX} characters")
    if len(row.manager_email) > MAX_EMAIL:
        reasons.append(f"manager e-mail is longer than {MAX_EMAIL} characters")
    elif row.manager_email:
        try:
            validate_email(row.manager_email)
        except ValidationError:
            reasons.append(f"bad manager e-mail “{row.manager_email[:80]}”")
        else:
            if row.manager_email == row.email:
                reasons.append("manager is the person themselves")
    raw_topics = values.get("topics", "")
    for sep in TOPIC_SEPARATORS[1:]:
        raw_topics = raw_topics.replace(sep, TOPIC_SEPARATORS[0])
    for name in raw_topics.split(TOPIC_SEPARATORS[0]):
        name = " ".join(name.split())
        if not name:
            continue
        topic_id = topics.get(name.lower())
        if topic_id is None:
            reasons.append(f"unknown topic “{name[:60]}”")
        elif topic_id not in row.topic_ids:
            row.topic_ids.append(topic_id)
    raw_capacity = values.get("capacity", "")
    if raw_capacity:
        if row.role == Role.MENTEE:
            reasons.append("capacity applies to mentors only")
        elif not WHOLE_NUMBER.fullmatch(raw_capacity) or not 1 <= int(raw_capacity) <= MAX_CAPACITY:
            reasons.append(f"capacity must be a whole number from 1 to {MAX_CAPACITY}")
        else:
            row.capacity = int(raw_capacity)
    return reasons


def chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    """``items`` in slices of ``size``: bounded IN (...) lists and insert batches."""
    for i in range(0, len(items), size):
        yield items[i : i + size]
