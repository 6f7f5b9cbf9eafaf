"""Core models: the user, who logs in with an e-mail address."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import BaseUserManager as DjangoBaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.timezone import now


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA zone this machine knows, sorted (cached: the set never changes at run time)."""
    return tuple(sorted(zoneinfo.available_timezones() - {"localtime", "Factory"}))


def validate_timezone(value: str) -> None:
    if value not in timezone_names():
        raise ValidationError("%(value)s is not a known time zone.", params={"value": value})


class ContactChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    IN_APP = "in_app", "In-app notifications"
    PHONE = "phone", "Phone"
    CHAT = "chat", "Chat (Teams, Slack ...)"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


WORKING_DAYS = [0, 1, 2, 3, 4]


def default_contact_channels() -> list[str]:
    return [ContactChannel.EMAIL.value, ContactChannel.IN_APP.value]


def default_contact_days() -> list[int]:
    return list(WORKING_DAYS)


class UserManager(DjangoBaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if not extra["is_staff"] or not extra["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in with their e-mail address; has no username."""

    email = models.EmailField("e-mail address", max_length=254, unique=True)
    name = models.CharField("full name", max_length=150, blank=True)
    title = models.CharField("job title", max_length=150, blank=True)
    organisation = models.CharField(max_length=150, blank=True)
    timezone = models.CharField(
        "time zone", max_length=64, default="UTC", validators=[validate_timezone]
    )
    bio = models.TextField(blank=True, max_length=2000)
    contact_channels = models.JSONField(
        "preferred contact channels",
        default=default_contact_channels,
        blank=True,
        help_text="How you are happy to be contacted about mentoring.",
    )
    contact_days = models.JSONField(
        "days you may be contacted", default=default_contact_days, blank=True
    )
    contact_hours_start = models.TimeField(
        "contact hours start", default=dt.time(9, 0), help_text="In your time zone."
    )
    contact_hours_end = models.TimeField(
        "contact hours end", default=dt.time(18, 0), help_text="In your time zone."
    )
    is_staff = models.BooleanField(
        "staff status",
        default=False,
        help_text="Staff can create programs and use the site administration.",
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering: ClassVar = ["name", "email"]
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.contact_hours_start == self.contact_hours_end:
            raise ValidationError(
                {"contact_hours_end": "The end of your contact hours must differ from the start."}
            )

    @property
    def is_unclaimed(self) -> bool:
        """Created for someone (by a CSV import) who has never set up the account.

        The invitation link proves the address, so such an account may be set up
        from it. An account whose password was disabled after use is not one.
        """
        return self.is_active and self.last_login is None and not self.has_usable_password()

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def may_be_contacted_at(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` falls inside this person's contact days and hours."""
        local = moment.astimezone(self.tzinfo)
        if self.contact_days and local.weekday() not in self.contact_days:
            return False
        start, end, now = self.contact_hours_start, self.contact_hours_end, local.time()
        if start < end:
            return start <= now < end
        # Hours that wrap past midnight, e.g. 20:00 to 02:00.
        return now >= start or now < end


class Category(models.TextChoices):
    """What a notification is about: people choose per category how they hear of it."""

    MEETINGS = "meetings", "Meetings and agendas"
    FOLLOW_UPS = "follow_ups", "Check-ins and action items"
    RELATIONSHIP = "relationship", "Agreement, goals, reviews and closure"
    MATCHING = "matching", "Proposals, requests and matches"
    ADMIN = "admin", "Program admin alerts and digests"


class Notification(models.Model):
    """Something a person should know about: shown in the app, and e-mailed as they prefer.

    ``key`` names the event (kind, object, occurrence), unique, so the same notification
    is never recorded twice however often the code that records it runs. It is recorded
    before anything is sent; ``email_state`` then says where its e-mail stands.
    """

    class EmailState(models.TextChoices):
        PENDING = "pending", "To send"
        SENT = "sent", "Sent"
        DIGEST = "digest", "Waiting for the daily digest"
        DIGESTED = "digested", "Sent in a digest"
        NONE = "none", "In the app only"
        EXPIRED = "expired", "Not sent: too late to matter"
        FAILED = "failed", "Not sent: the mail server refused it"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60)
    category = models.CharField(
        max_length=20, choices=Category.choices, default=Category.RELATIONSHIP
    )
    key = models.CharField(max_length=200, unique=True)
    title = models.CharField(max_length=300)
    body = models.TextField(max_length=2000, blank=True)
    # The e-mail's paragraphs, its button label, and an attachment to build when sending
    # ("<builder>:<argument>", e.g. "meeting_ics:42").
    lines = models.JSONField(default=list, blank=True)
    action = models.CharField(max_length=80, blank=True)
    attachment = models.CharField(max_length=100, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(
        max_length=10, choices=EmailState.choices, default=EmailState.PENDING
    )
    # Not before this moment: the end of the recipient's quiet hours.
    send_after = models.DateTimeField(default=now)
    # Not after this one (a meeting reminder held by quiet hours past the meeting).
    expires_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            models.Index(fields=["email_state", "send_after"], name="notification_email_due"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How one person hears of one category: e-mail at once, a daily digest, or in-app only."""

    class Mode(models.TextChoices):
        EMAIL = "email", "E-mail me at once"
        DIGEST = "digest", "One e-mail a day (digest)"
        IN_APP = "in_app", "Only in Constellation"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.EMAIL)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "category"], name="preference_once_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.category}: {self.mode}"


class PageStamp(models.Model):
    """How often each scope's data has changed, as the database sees it: pages cache on it.

    A scope is ``p<program id>`` (everything inside one program) or ``u<user id>`` (a
    person's own rows). Triggers on every table of the apps (``mentoring.stamps``) add to a
    scope's ``weight`` in the transaction that writes, so a count of what is committed is
    ``sum(weight)`` over the scope's rows. PostgreSQL keeps one row per scope and writing
    transaction (no two writers ever wait on the same row), folded together every few
    minutes with the sum kept; SQLite, which has one writer at a time, keeps one row per
    scope.
    """

    scope = models.CharField(max_length=40)
    tx = models.BigIntegerField()
    weight = models.BigIntegerField(default=1)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["scope", "tx"], name="pagestamp_once_per_tx")
        ]

    def __str__(self) -> str:
        return f"{self.scope} +{self.weight}"
