"""Notifications: recorded once, shown in the app, e-mailed as each person prefers.

The life of a notification:

1. ``record(notices)`` writes each notice not recorded yet (its ``key`` is unique),
   with its e-mail state from the recipient's preference for its category: to send,
   wait for the daily digest, or in-app only. An e-mail due in the recipient's quiet
   hours waits (``send_after``) until their contact hours begin, in their time zone.
2. Once the transaction commits, the ids of the e-mails due now go to the broker.
3. ``deliver(ids)`` sends each one under its row lock and marks it sent in the same
   transaction, so two workers, a retry or a second sweep never send it twice.
4. ``deliver_due()`` (a periodic sweep) sends whatever is due and was not sent: the
   broker was down, a worker died, or quiet hours ended. Nothing is lost.
5. ``send_digests()`` sends each digest reader one e-mail a day with what waited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from mentoring import emails
from mentoring.models import Category, ContactChannel, Notification, NotificationPreference, User

logger = logging.getLogger(__name__)

State = Notification.EmailState
Mode = NotificationPreference.Mode

# How many notifications one delivery task sends (small: a lost task costs little).
BATCH = 50
UNSUBSCRIBE_SALT = "constellation.unsubscribe"


@dataclass(frozen=True)
class Notice:
    """One notification to one person, before it is recorded."""

    user: User
    kind: str
    key: str
    title: str
    category: str = Category.RELATIONSHIP
    lines: Sequence[str] = field(default_factory=tuple)
    url: str = ""
    action: str = "Open in Constellation"
    attachment: str = ""  # "<builder>:<argument>", built when the e-mail is sent
    expires_at: dt.datetime | None = None  # an e-mail still unsent then is not sent


# --- Attachments --------------------------------------------------------------------------

Attachment = tuple[str, bytes, str]  # filename, content, MIME type
AttachmentBuilder = Callable[[str], Attachment | None]
_ATTACHMENTS: dict[str, AttachmentBuilder] = {}


def attachment_builder(name: str) -> Callable[[AttachmentBuilder], AttachmentBuilder]:
    """Register how to build the attachment ``name:<argument>`` (apps above the core do)."""

    def register(builder: AttachmentBuilder) -> AttachmentBuilder:
        _ATTACHMENTS[name] = builder
        return builder

    return register


def _attachments(spec: str) -> list[Attachment]:
    if not spec:
        return []
    name, _, argument = spec.partition(":")
    builder = _ATTACHMENTS.get(name)
    built = builder(argument) if builder else None
    return [built] if built else []


# --- Quiet hours --------------------------------------------------------------------------


def next_contact_time(user: User, at: dt.datetime) -> dt.datetime:
    """The first moment at or after ``at`` inside ``user``'s contact days and hours."""
    if user.may_be_contacted_at(at):
        return at
    tz = user.tzinfo
    local = at.astimezone(tz)
    start, end = user.contact_hours_start, user.contact_hours_end
    for offset in range(8):
        day = local.date() + dt.timedelta(days=offset)
        opening = dt.datetime.combine(day, start, tzinfo=tz).astimezone(dt.UTC)
        if opening >= at and user.may_be_contacted_at(opening):
            return opening
        if start > end:
            # Hours that wrap past midnight also open at midnight, until ``end``.
            midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz).astimezone(dt.UTC)
            if midnight >= at and user.may_be_contacted_at(midnight):
                return midnight
    # No contact day at all (an empty window): do not hold the message forever.
    return at


# --- Recording ----------------------------------------------------------------------------


def _modes(users: Iterable[User]) -> dict[tuple[int, str], str]:
    ids = {u.pk for u in users}
    return {
        (p.user_id, p.category): p.mode
        for p in NotificationPreference.objects.filter(user_id__in=ids)
    }


def _email_state(user: User, mode: str) -> str:
    if not user.is_active or not user.email:
        return State.NONE
    # Someone whose contact channels leave out e-mail hears from us in the app only.
    if user.contact_channels and ContactChannel.EMAIL not in user.contact_channels:
        return State.NONE
    if mode == Mode.EMAIL:
        return State.PENDING
    return State.DIGEST if mode == Mode.DIGEST else State.NONE


def record(
    notices: Iterable[Notice], *, at: dt.datetime | None = None, enqueue: bool = True
) -> int:
    """Record the notices not recorded yet; their e-mails go out after the commit.

    Returns how many were new. Safe to call twice with the same notices, also at once
    from two processes: the unique key lets each in once. With ``enqueue=False`` the
    e-mails wait for ``deliver_due`` (the caller sends them itself).
    """
    at = at or timezone.now()
    fresh: dict[str, Notice] = {}
    for notice in notices:
        fresh.setdefault(notice.key, notice)
    if not fresh:
        return 0
    keys = list(fresh)
    known: set[str] = set()
    for i in range(0, len(keys), 500):
        known.update(
            Notification.objects.filter(key__in=keys[i : i + 500]).values_list("key", flat=True)
        )
    todo = [n for k, n in fresh.items() if k not in known]
    if not todo:
        return 0
    modes = _modes(n.user for n in todo)
    rows = []
    for n in todo:
        state = _email_state(n.user, modes.get((n.user.pk, n.category), Mode.EMAIL))
        rows.append(
            Notification(
                user=n.user,
                kind=n.kind,
                category=n.category,
                key=n.key[:200],
                title=n.title[:300],
                lines=list(n.lines),
                url=n.url[:500],
                action=n.action[:80],
                attachment=n.attachment[:100],
                expires_at=n.expires_at,
                created_at=at,
                email_state=state,
                send_after=next_contact_time(n.user, at) if state == State.PENDING else at,
            )
        )
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    due = [r.key for r in rows if r.email_state == State.PENDING and r.send_after <= at]
    if due and enqueue:
        ids: list[int] = []
        for i in range(0, len(due), 500):
            ids.extend(
                Notification.objects.filter(
                    key__in=due[i : i + 500], email_state=State.PENDING
                ).values_list("pk", flat=True)
            )
        _enqueue(ids)
    return len(rows)


def _enqueue(ids: list[int]) -> None:
    from mentoring import tasks  # the task module imports this one
    from mentoring.queue import enqueue_on_commit

    for i in range(0, len(ids), BATCH):
        enqueue_on_commit(tasks.deliver_notifications, ids[i : i + BATCH])


def notification_record(
    *,
    user: User,
    kind: str,
    key: str,
    title: str,
    url: str = "",
    body: str = "",
    category: str = Category.RELATIONSHIP,
    lines: Sequence[str] = (),
) -> Notification | None:
    """Record one notification for ``user`` unless ``key`` exists; None if it did."""
    notice = Notice(
        user=user, kind=kind, key=key, title=title, category=category, lines=lines, url=url
    )
    try:
        created = record([notice])
    except IntegrityError:
        return None
    if not created:
        return None
    note = Notification.objects.get(key=key[:200])
    if body and not note.body:
        Notification.objects.filter(pk=note.pk).update(body=body[:2000])
        note.body = body[:2000]
    return note


# --- Sending --------------------------------------------------------------------------------


def _absolute(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url


def unsubscribe_token(user: User, category: str) -> str:
    return signing.dumps({"u": user.pk, "c": category}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """The (user id, category) a token names, or None if it was not made by us."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") not in Category.values:
        return None
    user_id = data.get("u")
    return (user_id, data["c"]) if isinstance(user_id, int) else None


def _unsubscribe_url(user: User, category: str) -> str:
    token = unsubscribe_token(user, category)
    return _absolute(reverse("notifications_unsubscribe", kwargs={"token": token}))


def message_id(kind: str, identity: str) -> str:
    """A Message-ID that is the same every time this e-mail is sent.

    Sending and marking sent are one transaction, but the mail server's "accepted" and
    our commit are two systems: a worker killed between them leaves the row due, and
    the retry sends the e-mail again. The copy carries the same Message-ID, which mail
    systems that deduplicate by it (most mailbox providers) show once.
    """
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:24]
    return f"<{kind}.{digest}@{domain}>"


def _send(note: Notification) -> None:
    user = note.user
    unsubscribe = _unsubscribe_url(user, note.category)
    emails.send(
        "notice",
        user.email,
        {
            "recipient": user,
            "subject": note.title,
            "lines": note.lines or ([note.body] if note.body else []),
            "url": _absolute(note.url) if note.url else "",
            "action": note.action or "Open in Constellation",
            "unsubscribe_url": unsubscribe,
            "category": Category(note.category).label,
        },
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": message_id("notice", f"{note.pk}:{note.key}"),
        },
        attachments=_attachments(note.attachment),
    )


def deliver(ids: Iterable[int], *, at: dt.datetime | None = None) -> int:
    """Send the e-mails of these notifications that are still due; returns how many."""
    at = at or timezone.now()
    sent = 0
    for pk in ids:
        with transaction.atomic():
            # The row lock makes "not sent yet" and "sent" one step: a second worker
            # skips a row being sent and finds it sent afterwards.
            note = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("user")
                .filter(pk=pk, email_state=State.PENDING, send_after__lte=at)
                .first()
            )
            if note is None:
                continue
            if note.expires_at is not None and note.expires_at <= at:
                note.email_state = State.EXPIRED
            elif _email_state(note.user, Mode.EMAIL) == State.NONE:
                note.email_state = State.NONE  # deactivated, or e-mail dropped since
            else:
                try:
                    _send(note)
                except (
                    smtplib.SMTPRecipientsRefused,
                    smtplib.SMTPSenderRefused,
                    smtplib.SMTPDataError,
                ):
                    # This message will never go (a refused address): note it and go on,
                    # so one bad address cannot hold back everyone's e-mail.
                    logger.exception("The mail server refused notification %s.", note.pk)
                    note.email_state = State.FAILED
                except OSError:
                    raise  # the server is unreachable: the task retries later
                except Exception:
                    logger.exception("Could not build the e-mail of notification %s.", note.pk)
                    note.email_state = State.FAILED
                else:
                    note.email_state = State.SENT
                    note.emailed_at = at
                    sent += 1
            note.save(update_fields=["email_state", "emailed_at"])
    return sent


def deliver_due(*, at: dt.datetime | None = None, limit: int = 5000) -> int:
    """Sweep: send every e-mail that is due and not sent (one indexed query finds them)."""
    at = at or timezone.now()
    ids = list(
        Notification.objects.filter(email_state=State.PENDING, send_after__lte=at)
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return deliver(ids, at=at)


def send_digests(*, at: dt.datetime | None = None) -> int:
    """Sweep: each digest reader whose contact hours have begun today gets one e-mail."""
    at = at or timezone.now()
    waiting = (
        Notification.objects.filter(email_state=State.DIGEST)
        .values_list("user_id", flat=True)
        .distinct()
    )
    sent = 0
    last_digest = dict(
        Notification.objects.filter(email_state=State.DIGESTED, user_id__in=waiting)
        .values("user_id")
        .annotate(last=Max("emailed_at"))
        .values_list("user_id", "last")
    )
    for user in User.objects.filter(pk__in=list(waiting), is_active=True):
        if not user.may_be_contacted_at(at):
            continue
        last = last_digest.get(user.pk)
        today = at.astimezone(user.tzinfo).date()
        if last and last.astimezone(user.tzinfo).date() == today:
            continue  # one digest a day
        with transaction.atomic():
            # Two runs at once (two beats, a slow one and the next): the user's row lock
            # lets one through at a time, and the one after sees the digest just sent.
            User.objects.select_for_update().filter(pk=user.pk).values_list("pk").get()
            latest = Notification.objects.filter(user=user, email_state=State.DIGESTED).aggregate(
                last=Max("emailed_at")
            )["last"]
            if latest and latest.astimezone(user.tzinfo).date() == today:
                continue
            notes = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(user=user, email_state=State.DIGEST, created_at__lte=at)
                .order_by("created_at", "pk")
            )
            if not notes:
                continue
            stops = [
                {"label": Category(c).label, "url": _unsubscribe_url(user, c)}
                for c in sorted({n.category for n in notes})
            ]
            try:
                emails.send(
                    "digest",
                    user.email,
                    {
                        "recipient": user,
                        "notes": [
                            {"title": n.title, "url": _absolute(n.url) if n.url else ""}
                            for n in notes
                        ],
                        "notifications_url": _absolute(reverse("notifications")),
                        "preferences_url": _absolute(reverse("notification_preferences")),
                        "unsubscribe": stops,
                    },
                    headers={
                        "List-Unsubscribe": ", ".join(f"<{stop['url']}>" for stop in stops),
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                        "Message-ID": message_id("digest", f"{user.pk}:{today.isoformat()}"),
                    },
                )
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused):
                # One refused address must not hold back everyone else's digest.
                logger.exception("The mail server refused the digest of user %s.", user.pk)
                Notification.objects.filter(pk__in=[n.pk for n in notes]).update(
                    email_state=State.FAILED
                )
                continue
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(
                email_state=State.DIGESTED, emailed_at=at
            )
            sent += 1
    return sent


# --- Reading and preferences ---------------------------------------------------------------


def notifications_mark_read(*, user: User, pks: list[int] | None = None) -> int:
    """Mark ``user``'s notifications read (all unread ones when ``pks`` is None)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pks is not None:
        unread = unread.filter(pk__in=pks)
    return unread.update(read_at=timezone.now())


def unread_for(user: User, limit: int = 10) -> list[Notification]:
    """The newest unread notifications of ``user``."""
    return list(Notification.objects.filter(user=user, read_at__isnull=True)[:limit])


def preferences_of(user: User) -> dict[str, str]:
    """``user``'s mode per category (e-mail at once where they chose nothing)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("category", "mode"))
    return {c: chosen.get(c, Mode.EMAIL) for c in Category.values}


def preferences_set(*, user: User, modes: dict[str, str]) -> None:
    """Save how ``user`` hears of each category."""
    now = timezone.now()
    with transaction.atomic():
        for category, mode in modes.items():
            if category not in Category.values or mode not in Mode.values:
                raise ValueError(f"Not a category and mode: {category!r}, {mode!r}")
            NotificationPreference.objects.update_or_create(
                user=user, category=category, defaults={"mode": mode, "updated_at": now}
            )
        # What is still waiting follows the new choice.
        for category, mode in modes.items():
            waiting = Notification.objects.filter(user=user, category=category)
            if mode == Mode.IN_APP:
                waiting.filter(email_state__in=[State.DIGEST, State.PENDING]).update(
                    email_state=State.NONE
                )
            elif mode == Mode.DIGEST:
                waiting.filter(email_state=State.PENDING).update(email_state=State.DIGEST)
            else:
                waiting.filter(email_state=State.DIGEST).update(
                    email_state=State.PENDING, send_after=next_contact_time(user, now)
                )
