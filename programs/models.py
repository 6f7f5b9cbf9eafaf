"""Programs, who is in them, and what they told us when they enrolled."""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Weekday, validate_timezone

# Program dates outside these years are typing mistakes, not plans.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def default_meeting_reminder_hours() -> list[int]:
    return [24, 1]


class Program(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ENROLLING = "enrolling", "Enrolling"
        MATCHING = "matching", "Matching"
        RUNNING = "running", "Running"
        CLOSED = "closed", "Closed"

    class MatchingMode(models.TextChoices):
        ADMIN = "admin", "Admins match mentors and mentees"
        MENTEE_CHOICE = "mentee_choice", "Mentees choose and request a mentor"
        HYBRID = "hybrid", "Mentees request, admins decide"

    class PrivacyPolicy(models.TextChoices):
        METADATA = "metadata", "Admins see engagement figures, not what pairs write"
        CONTENT = "content", "Admins may also read agendas, check-ins and shared notes"

    class Cadence(models.IntegerChoices):
        WEEKLY = 7, "Weekly"
        FORTNIGHTLY = 14, "Every two weeks"
        THREE_WEEKLY = 21, "Every three weeks"
        MONTHLY = 30, "Monthly"

    # Participants may change their enrolment answers until matching starts.
    ENROLMENT_OPEN_STATUSES: ClassVar = (Status.DRAFT, Status.ENROLLING)

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True, max_length=5000)
    start_date = models.DateField()
    end_date = models.DateField()
    midpoint_date = models.DateField(
        "mid-point",
        null=True,
        blank=True,
        help_text="Leave empty to use the day halfway between start and end.",
    )
    cadence_days = models.PositiveSmallIntegerField(
        "meeting cadence", choices=Cadence.choices, default=Cadence.FORTNIGHTLY
    )
    timezone = models.CharField(
        "time zone", max_length=64, default="UTC", validators=[validate_timezone]
    )
    matching_mode = models.CharField(
        max_length=20, choices=MatchingMode.choices, default=MatchingMode.ADMIN
    )
    default_mentor_capacity = models.PositiveSmallIntegerField(
        "default mentor capacity",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many mentees a mentor takes unless they say otherwise.",
    )
    allow_one_to_one = models.BooleanField("one-to-one mentoring", default=True)
    allow_circles = models.BooleanField("mentoring circles", default=False)
    allow_flash = models.BooleanField("flash mentoring", default=False)
    privacy_policy = models.CharField(
        max_length=20, choices=PrivacyPolicy.choices, default=PrivacyPolicy.METADATA
    )
    agenda_lead_hours = models.PositiveSmallIntegerField(
        "agenda due (hours before a meeting)",
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(336)],
    )
    meeting_reminder_hours = models.JSONField(
        "meeting reminders (hours before)", default=default_meeting_reminder_hours, blank=True
    )
    digest_weekday = models.PositiveSmallIntegerField(
        "admins' weekly digest on",
        choices=Weekday.choices,
        default=Weekday.MONDAY,
        help_text="The day, in the program's time zone, its admins hear what needs them.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-start_date", "name"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="program_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(midpoint_date__isnull=True)
                | (
                    Q(midpoint_date__gt=models.F("start_date"))
                    & Q(midpoint_date__lt=models.F("end_date"))
                ),
                name="program_midpoint_inside",
            ),
            models.CheckConstraint(
                condition=Q(allow_one_to_one=True) | Q(allow_circles=True) | Q(allow_flash=True),
                name="program_allows_some_kind",
            ),
            models.CheckConstraint(
                condition=Q(default_mentor_capacity__gte=1),
                name="program_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programs:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name in ("start_date", "end_date", "midpoint_date"):
            value = getattr(self, name)
            if value and not (EARLIEST_YEAR <= value.year <= LATEST_YEAR):
                errors[name] = f"Choose a date between {EARLIEST_YEAR} and {LATEST_YEAR}."
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            errors["end_date"] = "The program must end after it starts."
        if (
            self.midpoint_date
            and self.start_date
            and self.end_date
            and not (self.start_date < self.midpoint_date < self.end_date)
        ):
            errors["midpoint_date"] = "The mid-point must fall between the start and end dates."
        if not (self.allow_one_to_one or self.allow_circles or self.allow_flash):
            errors["allow_one_to_one"] = "Allow at least one kind of relationship."
        hours = self.meeting_reminder_hours
        if not isinstance(hours, list) or not all(
            isinstance(h, int) and not isinstance(h, bool) and 1 <= h <= 336 for h in hours
        ):
            errors["meeting_reminder_hours"] = "Give whole hours between 1 and 336."
        if errors:
            raise ValidationError(errors)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        """The program's time zone (UTC if the stored name is not one we know)."""
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def local_date(self, moment: dt.datetime | None = None) -> dt.date:
        """The date it is (or was at ``moment``) on the program's clock."""
        return timezone.localdate(moment or timezone.now(), self.tzinfo)

    @property
    def midpoint(self) -> dt.date:
        """The mid-point: the admin's override, else halfway between start and end."""
        if self.midpoint_date:
            return self.midpoint_date
        return self.start_date + (self.end_date - self.start_date) / 2

    @property
    def enrolment_open(self) -> bool:
        return self.status in self.ENROLMENT_OPEN_STATUSES

    @property
    def allowed_kinds_display(self) -> list[str]:
        kinds = []
        if self.allow_one_to_one:
            kinds.append("One-to-one")
        if self.allow_circles:
            kinds.append("Circles")
        if self.allow_flash:
            kinds.append("Flash")
        return kinds

    @property
    def admins_see_content(self) -> bool:
        return self.privacy_policy == self.PrivacyPolicy.CONTENT


class Topic(models.Model):
    """Something a mentee may want to learn and a mentor may offer."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(max_length=80)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint("program", Lower("name"), name="topic_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in a program, with their enrolment profile."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Program admin"
        MENTOR = "mentor", "Mentor"
        MENTEE = "mentee", "Mentee"

    class Medium(models.TextChoices):
        ANY = "any", "No preference"
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video call"
        PHONE = "phone", "Phone"

    class Seniority(models.IntegerChoices):
        EARLY = 1, "Early career"
        EXPERIENCED = 2, "Experienced"
        SENIOR = 3, "Senior"
        LEAD = 4, "Lead or manager"
        SENIOR_LEADER = 5, "Senior leader"
        EXECUTIVE = 6, "Executive"

    PARTICIPANT_ROLES: ClassVar = (Role.MENTOR, Role.MENTEE)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    enrolled_at = models.DateTimeField(
        null=True, blank=True, help_text="When the participant completed enrolment."
    )
    # The enrolment profile (participants only).
    goals_statement = models.TextField(
        "what I want to get out of this", blank=True, max_length=3000
    )
    what_i_bring = models.TextField(
        "what I bring (skills, stories, connections)", blank=True, max_length=3000
    )
    expectations = models.TextField("my expectations", blank=True, max_length=3000)
    goals = models.TextField("my goals", blank=True, max_length=3000)
    strengths = models.TextField("strengths and expertise", blank=True, max_length=3000)
    topics = models.ManyToManyField(Topic, blank=True, related_name="memberships")
    seniority = models.PositiveSmallIntegerField(choices=Seniority.choices, null=True, blank=True)
    department = models.CharField(max_length=100, blank=True)
    cohort = models.CharField(
        max_length=60,
        blank=True,
        help_text='The intake this person joined with, e.g. "Spring 2026".',
    )
    capacity = models.PositiveSmallIntegerField(
        "mentee capacity",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many mentees you can take on at once.",
    )
    availability = models.TextField(blank=True, max_length=1000)
    accepting_mentees = models.BooleanField(
        "open to new mentees",
        default=True,
        help_text="Mentors only: when off, mentees cannot send you requests.",
    )
    preferred_medium = models.CharField(
        "preferred meeting medium", max_length=10, choices=Medium.choices, default=Medium.ANY
    )
    manager_email = models.EmailField(
        "manager's e-mail",
        blank=True,
        help_text="So that you are never matched with your own manager.",
    )
    privacy_acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["program", "role", "user__name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["program", "user", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="membership_capacity_positive",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["program", "role"], name="membership_program_role"),
            models.Index(fields=["program", "department"], name="membership_program_dept"),
            models.Index(fields=["program", "cohort"], name="membership_program_cohort"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.program})"

    @property
    def is_participant(self) -> bool:
        return self.role in self.PARTICIPANT_ROLES

    @property
    def is_enrolled(self) -> bool:
        return self.enrolled_at is not None

    @property
    def effective_capacity(self) -> int:
        if self.role != self.Role.MENTOR:
            return 0
        return self.capacity or self.program.default_mentor_capacity


class Question(models.Model):
    """An enrolment question of a program, optionally used by matching."""

    class Kind(models.TextChoices):
        TEXT = "text", "Free text"
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        SCALE = "scale", "Scale from 1 to 5"

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Mentors and mentees"
        MENTORS = "mentors", "Mentors only"
        MENTEES = "mentees", "Mentees only"

    class MatchingRule(models.TextChoices):
        SAME = "same", "Same answer is a better match"
        DIFFERENT = "different", "Different answer is a better match"
        OFFERS_NEEDS = "offers_needs", "Mentor offers what the mentee needs"

    CHOICE_KINDS: ClassVar = (Kind.SINGLE, Kind.MULTIPLE)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField("question", max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    required = models.BooleanField(default=False)
    used_for_matching = models.BooleanField(default=False)
    matching_rule = models.CharField(max_length=20, choices=MatchingRule.choices, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["position", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(used_for_matching=False, matching_rule="")
                | (Q(used_for_matching=True) & ~Q(matching_rule="") & ~Q(kind="text")),
                name="question_matching_rule_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.used_for_matching:
            if self.kind == self.Kind.TEXT:
                raise ValidationError(
                    {"used_for_matching": "Free-text answers cannot be compared for matching."}
                )
            if not self.matching_rule:
                raise ValidationError({"matching_rule": "Choose how matching uses the answers."})
            if self.audience != self.Audience.EVERYONE:
                raise ValidationError(
                    {"audience": "A matching question must be asked of mentors and mentees."}
                )
            if (
                self.matching_rule == self.MatchingRule.OFFERS_NEEDS
                and self.kind not in self.CHOICE_KINDS
            ):
                raise ValidationError(
                    {"matching_rule": "Offers/needs works with single or multiple choice."}
                )
        else:
            self.matching_rule = ""

    def asked_of(self, role: str) -> bool:
        if self.audience == self.Audience.EVERYONE:
            return True
        return (self.audience == self.Audience.MENTORS and role == Membership.Role.MENTOR) or (
            self.audience == self.Audience.MENTEES and role == Membership.Role.MENTEE
        )


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["position", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint("question", Lower("label"), name="choice_label_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.label


class Answer(models.Model):
    """A participant's answer. ``value`` is text, a 1-5 int, or a list of choice ids."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["membership", "question"], name="answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.question_id}"

    def display(self, choices_by_id: dict[int, str] | None = None) -> str:
        """The answer in words; choice ids become their labels."""
        value: Any = self.value
        if self.question.kind in Question.CHOICE_KINDS:
            if choices_by_id is None:
                choices_by_id = {c.id: c.label for c in self.question.choices.all()}
            ids = value if isinstance(value, list) else [value]
            return ", ".join(choices_by_id[i] for i in ids if i in choices_by_id)
        return "" if value is None else str(value)


def new_invitation_nonce() -> str:
    return secrets.token_urlsafe(24)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    """The states of ``Invitation.state``, as filters."""

    def open(self) -> InvitationQuerySet:
        """Neither accepted nor withdrawn (it may have expired)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def in_state(self, state: str) -> InvitationQuerySet:
        """Those in ``state`` (a key of ``Invitation.STATE_LABELS``); all for ""."""
        now = timezone.now()
        if state == "pending":
            return self.open().filter(expires_at__gt=now)
        if state == "expired":
            return self.open().filter(expires_at__lte=now)
        if state == "accepted":
            return self.filter(accepted_at__isnull=False)
        if state == "revoked":
            return self.filter(revoked_at__isnull=False)
        return self.all()


class Invitation(models.Model):
    """An invitation by e-mail to join a program in a role."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.Role.choices)
    message = models.TextField("personal message", blank=True, max_length=2000)
    nonce = models.CharField(max_length=64, default=new_invitation_nonce, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # Each send (first or again) is requested before it is queued and claimed
    # by the task with a conditional update, so a task run twice sends once.
    sends_requested = models.PositiveIntegerField(default=0)
    send_count = models.PositiveIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_invitations",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-created_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                "program",
                Lower("email"),
                "role",
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} as {self.get_role_display()} in {self.program}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    STATE_LABELS: ClassVar = {
        "pending": "Pending",
        "accepted": "Accepted",
        "expired": "Expired",
        "revoked": "Withdrawn",
    }

    @property
    def state_label(self) -> str:
        return self.STATE_LABELS[self.state]

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.is_expired:
            return "expired"
        return "pending"


class ParticipantImport(models.Model):
    """One CSV upload of participants: what was sent and what became of each row."""

    class Status(models.TextChoices):
        REJECTED = "rejected", "Rejected: nothing imported"
        IMPORTED = "imported", "Imported"
        PARTIAL = "partial", "Valid rows imported"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    content = models.TextField(blank=True)
    send_invitations = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices)
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    valid_rows_import = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rejected_upload",
        help_text="The later import of this rejected upload's valid rows.",
    )

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename or 'import'} ({self.get_status_display()})"

    @property
    def rows_invalid(self) -> int:
        return len({e["line"] for e in self.errors if e.get("line")})

    @property
    def can_import_valid_rows(self) -> bool:
        """Rejected for bad rows only, with some good ones, and not imported since."""
        file_error = any(e.get("line") is None for e in self.errors)
        return (
            self.status == self.Status.REJECTED
            and not file_error
            and self.rows_valid > 0
            and self.valid_rows_import_id is None
        )
