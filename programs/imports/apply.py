"""Writing the checked rows of a CSV of participants: all of them, the valid ones, or none."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from mentoring.models import User
from programs.audit import services as audit
from programs.imports.check import CHUNK, UPDATABLE, Report, Row, RowError, check, chunks, decode
from programs.models import Invitation, Membership, ParticipantImport, Program


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invitation_ids: list[int] = field(default_factory=list)


def _unusable_password() -> str:
    # What make_password(None) returns, without its per-character secrets.choice(),
    # which took a fifth of a 10,000-row import.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)[:UNUSABLE_PASSWORD_SUFFIX_LENGTH]


def _apply(
    program: Program,
    actor: User,
    report: Report,
    send_invitations: bool,
) -> Counts:
    rows, columns, owner_of = report.rows, report.columns, report.owner_of
    counts = Counts()
    # Accounts found by check(): case-insensitive, as the unique index on
    # LOWER(email) is, and by verified second addresses too.
    user_ids = {r.email: owner_of[r.email] for r in rows if r.email in owner_of}
    new_users = [
        User(email=r.email, name=r.name, password=_unusable_password())
        for r in rows
        if r.email not in user_ids
    ]
    # Both PostgreSQL and SQLite (3.35+) hand back the new primary keys.
    User.objects.bulk_create(new_users, batch_size=CHUNK)
    user_ids.update((u.email, u.pk) for u in new_users)

    fields = [name for name in UPDATABLE if name in columns]
    Through = Membership.topics.through
    existing: dict[tuple[int, str], Membership] = {}
    for chunk in chunks(list(user_ids.values())):
        for m in (
            Membership.objects.filter(program=program, user_id__in=chunk)
            .order_by()
            .only("pk", "user_id", "role", *UPDATABLE)
        ):
            existing[(m.user_id, m.role)] = m
    topics_of: dict[int, list[int]] = {m.pk: [] for m in existing.values()}
    if "topics" in columns:
        for chunk in chunks(list(topics_of)):
            for membership_id, topic_id in Through.objects.filter(
                membership_id__in=chunk
            ).values_list("membership_id", "topic_id"):
                topics_of[membership_id].append(topic_id)

    to_create: list[tuple[Membership, Row]] = []
    to_update: list[Membership] = []
    topic_resets: list[tuple[int, list[int]]] = []
    for row in rows:
        user_id = user_ids[row.email]
        membership = existing.get((user_id, row.role))
        if membership is None:
            membership = Membership(
                program=program,
                user_id=user_id,
                role=row.role,
                department=row.department,
                cohort=row.cohort,
                manager_email=row.manager_email,
                capacity=row.capacity,
            )
            to_create.append((membership, row))
            continue
        changed = False
        for name in fields:
            if getattr(membership, name) != getattr(row, name):
                setattr(membership, name, getattr(row, name))
                changed = True
        if changed:
            to_update.append(membership)
        if "topics" in columns and sorted(topics_of[membership.pk]) != sorted(row.topic_ids):
            topic_resets.append((membership.pk, row.topic_ids))
            changed = True
        if changed:
            counts.updated += 1
        else:
            counts.unchanged += 1

    if to_create:
        Membership.objects.bulk_create([m for m, _ in to_create], batch_size=CHUNK)
        Through.objects.bulk_create(
            [
                Through(membership_id=m.pk, topic_id=t)
                for m, row in to_create
                for t in row.topic_ids
            ],
            batch_size=CHUNK,
        )
        counts.created = len(to_create)
    if to_update:
        Membership.objects.bulk_update(to_update, fields, batch_size=CHUNK)
    for chunk in chunks(topic_resets):
        Through.objects.filter(membership_id__in=[pk for pk, _ in chunk]).delete()
        Through.objects.bulk_create(
            [Through(membership_id=pk, topic_id=t) for pk, ids in chunk for t in ids],
            batch_size=CHUNK,
        )
    if send_invitations and to_create:
        counts.invitation_ids = _invite(program, actor, [(r.email, r.role) for _, r in to_create])
    return counts


def _invite(program: Program, actor: User, people: list[tuple[str, str]]) -> list[int]:
    """Invite each new member (e-mail, role), unless an invitation to them is already open.

    An expired one is withdrawn and replaced, as ``invitation_create`` does; the
    database allows one open invitation per e-mail (any case) and role.
    """
    from programs.services import invitation_expiry

    open_invites = {
        (email.lower(), role): (pk, expires_at)
        for pk, email, role, expires_at in Invitation.objects.open()
        .filter(program=program)
        .values_list("pk", "email", "role", "expires_at")
    }
    now = timezone.now()
    expires = invitation_expiry()
    expired: list[int] = []
    invitations = []
    for email, role in people:
        current = open_invites.get((email, role))
        if current is not None:
            pk, expires_at = current
            if expires_at > now:
                continue
            expired.append(pk)
        # The person is already a member; accepting the invitation lets them set
        # up their account (the link proves the e-mail address is theirs) and enrol.
        invitations.append(
            Invitation(
                program=program, email=email, role=role, invited_by=actor, expires_at=expires
            )
        )
    for chunk in chunks(expired):
        Invitation.objects.filter(pk__in=chunk).update(revoked_at=now)
    Invitation.objects.bulk_create(invitations, batch_size=CHUNK)
    return [i.pk for i in invitations]


def participant_import_create(
    *,
    program: Program,
    actor: User,
    filename: str,
    raw: bytes,
    only_valid: bool = False,
    send_invitations: bool = False,
) -> ParticipantImport:
    """Check an uploaded CSV and import it: all rows, only the valid ones, or none."""
    record = ParticipantImport(
        program=program,
        uploaded_by=actor,
        # PostgreSQL text cannot hold NUL, and a browser sends whatever name it likes.
        filename=filename.replace("\x00", "")[:255],
        send_invitations=send_invitations,
    )
    if len(raw) > settings.IMPORT_MAX_BYTES:
        limit = filesizeformat(settings.IMPORT_MAX_BYTES)
        record.status = ParticipantImport.Status.REJECTED
        record.errors = [
            RowError(None, "", f"The file is larger than {limit}; split it in parts.").as_dict()
        ]
        record.save()
        _record_refusal(record, actor, "too_large", size=len(raw))
        return record
    try:
        text = decode(raw)
    except ValidationError as exc:
        record.status = ParticipantImport.Status.REJECTED
        record.errors = [RowError(None, "", exc.messages[0]).as_dict()]
        record.save()
        _record_refusal(record, actor, "undecodable")
        return record
    record.content = text
    return _run(record, actor=actor, only_valid=only_valid)


def _record_refusal(record: ParticipantImport, actor: User, reason: str, **detail: object) -> None:
    """An upload refused before its rows were read: recorded like any refused import."""
    audit.record(
        audit.Action.IMPORT_FAILED,
        actor=actor,
        program=record.program,
        target=record,
        detail={"status": record.status, "reason": reason, **detail},
    )


@transaction.atomic
def participant_import_valid_rows(*, record: ParticipantImport, actor: User) -> ParticipantImport:
    """Import, once, the valid rows of an upload that was rejected for its bad rows."""
    record = ParticipantImport.objects.select_for_update().get(pk=record.pk)
    if record.status != ParticipantImport.Status.REJECTED or not record.content:
        raise ValidationError("The valid rows of this upload were already imported.")
    again = _run(
        ParticipantImport(
            program=record.program,
            uploaded_by=actor,
            filename=record.filename,
            send_invitations=record.send_invitations,
            content=record.content,
        ),
        actor=actor,
        only_valid=True,
    )
    # The people in the file are in the program now (or in the newer report).
    record.content = ""
    record.valid_rows_import = again
    record.save(update_fields=["content", "valid_rows_import"])
    return again


def _run(record: ParticipantImport, *, actor: User, only_valid: bool) -> ParticipantImport:
    from programs.services import invitations_queue_emails

    program = record.program
    with transaction.atomic():
        # One import per program at a time: concurrent uploads would both see
        # the same people as new.
        Program.objects.select_for_update().filter(pk=program.pk).first()
        report = check(program, record.content)
        record.rows_total = report.rows_total
        record.rows_valid = len(report.rows)
        record.errors = [e.as_dict() for e in report.errors]
        if report.ok or (only_valid and report.can_import_valid_rows):
            counts = _apply(program, actor, report, record.send_invitations)
            record.created_count = counts.created
            record.updated_count = counts.updated
            record.unchanged_count = counts.unchanged
            record.imported_at = timezone.now()
            record.status = (
                ParticipantImport.Status.IMPORTED if report.ok else ParticipantImport.Status.PARTIAL
            )
            invitations_queue_emails(counts.invitation_ids)
        else:
            record.status = ParticipantImport.Status.REJECTED
        # The file holds people's details: keep it only while "import the valid
        # rows" is still on offer.
        if not (
            record.status == ParticipantImport.Status.REJECTED and record.can_import_valid_rows
        ):
            record.content = ""
        record.save()
        audit.record(
            audit.Action.IMPORT_FAILED
            if record.status == ParticipantImport.Status.REJECTED
            else audit.Action.IMPORT_COMPLETED,
            actor=actor,
            program=program,
            target=record,
            detail={
                "status": record.status,
                "rows": record.rows_total,
                "valid": record.rows_valid,
                "created": record.created_count,
                "updated": record.updated_count,
                "unchanged": record.unchanged_count,
            },
        )
    return record
