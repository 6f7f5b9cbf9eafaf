"""Matching: runs and their suggestions, preferences, requests, pairings, circles, flash.

Every write goes through ``matching.services``; the models hold fields,
constraints and small predicates only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from programs.models import Membership, Program, Topic

WEIGHT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]


class MatchingSettings(models.Model):
    """How matching weighs each criterion in one program, and its hard rules."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="matching_settings"
    )
    weight_topics = models.PositiveSmallIntegerField(
        "topic fit", default=5, validators=WEIGHT_VALIDATORS
    )
    weight_questions = models.PositiveSmallIntegerField(
        "answers to matching questions", default=3, validators=WEIGHT_VALIDATORS
    )
    weight_mentee_preference = models.PositiveSmallIntegerField(
        "mentee's ranked preferences", default=4, validators=WEIGHT_VALIDATORS
    )
    weight_mentor_preference = models.PositiveSmallIntegerField(
        "mentor's preferences", default=2, validators=WEIGHT_VALIDATORS
    )
    weight_seniority = models.PositiveSmallIntegerField(
        "seniority gap", default=2, validators=WEIGHT_VALIDATORS
    )
    weight_timezone = models.PositiveSmallIntegerField(
        "time-zone distance", default=1, validators=WEIGHT_VALIDATORS
    )
    ideal_seniority_gap = models.PositiveSmallIntegerField(
        "ideal seniority gap",
        default=2,
        validators=[MaxValueValidator(5)],
        help_text="How many levels above the mentee the mentor ideally is.",
    )
    avoid_same_department = models.BooleanField(
        "never match people from the same department", default=False
    )
    max_open_requests = models.PositiveSmallIntegerField(
        "open requests per mentee",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="In mentee-choice and hybrid mode: how many mentors a mentee may ask at once.",
    )
    response_days = models.PositiveSmallIntegerField(
        "days to answer",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How long a mentor has to accept or decline a proposal or request.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    WEIGHT_FIELDS: ClassVar = (
        "weight_topics",
        "weight_questions",
        "weight_mentee_preference",
        "weight_mentor_preference",
        "weight_seniority",
        "weight_timezone",
    )

    CRITERIA: ClassVar = tuple(name.removeprefix("weight_") for name in WEIGHT_FIELDS)

    class Meta:
        verbose_name_plural = "matching settings"

    def __str__(self) -> str:
        return f"Matching settings of {self.program}"

    @classmethod
    def for_program(cls, program: Program) -> MatchingSettings:
        """The program's settings, or the defaults (unsaved) if the admin never set any."""
        try:
            return cls.objects.get(program=program)
        except cls.DoesNotExist:
            return cls(program=program)

    def weights(self) -> dict[str, int]:
        return {name.removeprefix("weight_"): getattr(self, name) for name in self.WEIGHT_FIELDS}


class MatchingPreference(models.Model):
    """A participant's ranked wish to be matched with someone (1 = first choice)."""

    MAX_RANK: ClassVar = 5

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    chooser = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="preferences_given"
    )
    chosen = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="preferences_received"
    )
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        ordering: ClassVar = ["chooser", "rank"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["chooser", "rank"], name="preference_rank_unique"),
            models.UniqueConstraint(fields=["chooser", "chosen"], name="preference_pair_unique"),
            models.CheckConstraint(
                condition=Q(rank__gte=1) & Q(rank__lte=5), name="preference_rank_range"
            ),
            models.CheckConstraint(
                condition=~Q(chooser=models.F("chosen")), name="preference_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chooser_id} ranks {self.chosen_id} #{self.rank}"


class MatchConstraint(models.Model):
    """An admin's lock (this pair must be matched) or forbid (never this pair)."""

    class Kind(models.TextChoices):
        LOCK = "lock", "Locked"
        FORBID = "forbid", "Forbidden"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["created_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["mentee", "mentor"], name="match_constraint_pair"),
            models.UniqueConstraint(
                fields=["mentee"], condition=Q(kind="lock"), name="match_constraint_one_lock"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.mentee_id} / {self.mentor_id}"


class MatchRun(models.Model):
    """One run of the optimiser over a program: a draft until it is published."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUPERSEDED = "superseded", "Superseded by a later run"
        PUBLISHED = "published", "Published"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="match_runs")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    weights = models.JSONField(default=dict)
    mentee_count = models.PositiveIntegerField(default=0)
    mentor_count = models.PositiveIntegerField(default=0)
    capacity_total = models.PositiveIntegerField(default=0)
    matched_count = models.PositiveIntegerField(default=0)
    total_score = models.FloatField(default=0)
    average_score = models.FloatField(null=True, blank=True)
    lowest_score = models.FloatField(null=True, blank=True)
    greedy_total = models.FloatField(null=True, blank=True)
    greedy_matched = models.PositiveIntegerField(default=0)
    solve_seconds = models.FloatField(default=0)
    edited = models.BooleanField(default=False, help_text="Changed by hand after the run.")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["program"], condition=Q(status="draft"), name="match_run_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.program}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def max_score(self) -> float:
        """The best score a pair could get with this run's weights."""
        return float(sum(v for k, v in self.weights.items() if k in MatchingSettings.CRITERIA))

    def fit_pct(self, score: float | None) -> int | None:
        if score is None or self.max_score <= 0:
            return None
        return round(100 * score / self.max_score)

    @property
    def gain_over_greedy_pct(self) -> float | None:
        """How much better the optimum is than first-come-first-served, in percent."""
        if self.greedy_total is None or self.greedy_total <= 0:
            return None
        return 100.0 * (self.total_score - self.greedy_total) / self.greedy_total


class MatchSuggestion(models.Model):
    """The run's suggested mentor for one mentee (none if the mentee could not be placed)."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="suggestions")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    locked = models.BooleanField(default=False)
    picked_by_hand = models.BooleanField(default=False)
    unmatched_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar = ["id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["run", "mentee"], name="suggestion_one_per_mentee"),
        ]
        indexes: ClassVar = [models.Index(fields=["run", "score"], name="suggestion_run_score")]

    def __str__(self) -> str:
        return f"{self.mentee_id} -> {self.mentor_id}"


class PairingQuerySet(models.QuerySet["Pairing"]):
    def open(self) -> PairingQuerySet:
        """Proposed or active: the pairings that hold a mentor's place."""
        return self.filter(status__in=Pairing.OPEN_STATUSES)


class Pairing(models.Model):
    """A mentoring relationship between one mentor and one mentee in a program."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        ENDED_EARLY = "ended_early", "Ended early"

    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "One-to-one"
        FLASH = "flash", "Flash"

    class RelationshipType(models.TextChoices):
        CLASSIC = "classic", "Classic"
        PEER = "peer", "Peer"
        REVERSE = "reverse", "Reverse (the mentee is the senior person)"

    class Source(models.TextChoices):
        MATCHING = "matching", "Matched by the program"
        REQUEST = "request", "Requested by the mentee"
        FLASH = "flash", "Flash booking"

    OPEN_STATUSES: ClassVar = (Status.PROPOSED, Status.ACTIVE)
    ENDED_STATUSES: ClassVar = (
        Status.COMPLETED,
        Status.DECLINED,
        Status.EXPIRED,
        Status.ENDED_EARLY,
    )

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pairings")
    mentor = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="pairings_as_mentor"
    )
    mentee = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="pairings_as_mentee"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ONE_TO_ONE)
    relationship_type = models.CharField(
        max_length=10, choices=RelationshipType.choices, default=RelationshipType.CLASSIC
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MATCHING)
    match_run = models.ForeignKey(
        MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="pairings"
    )
    score = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    respond_by = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, max_length=1000)
    started_at = models.DateTimeField(null=True, blank=True)
    planned_end_date = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    end_reason = models.TextField(blank=True, max_length=1000)

    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["program", "mentor", "mentee"],
                condition=Q(status__in=["proposed", "active"]),
                name="pairing_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")), name="pairing_two_people"
            ),
            models.CheckConstraint(
                condition=~Q(status="ended_early") | ~Q(end_reason=""),
                name="pairing_ended_early_has_reason",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["program", "status"], name="pairing_program_status"),
            models.Index(fields=["status", "respond_by"], name="pairing_status_respond_by"),
            models.Index(fields=["mentor", "status"], name="pairing_mentor_status"),
            models.Index(fields=["mentee", "status"], name="pairing_mentee_status"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.user} mentoring {self.mentee.user} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("matching:pairing", kwargs={"slug": self.program.slug, "pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.status == self.Status.PROPOSED
            and self.respond_by
            and self.respond_by <= timezone.now()
        )


class MentorRequest(models.Model):
    """A mentee asking a mentor (mentee-choice), or asking the admins for a mentor (hybrid)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentor_requests")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="requests_sent")
    mentor = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="requests_received"
    )
    note = models.TextField(blank=True, max_length=2000)
    decided_by_admin = models.BooleanField(
        default=False, help_text="Hybrid mode: the program's admins decide, not the mentor."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    respond_by = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.TextField(blank=True, max_length=1000)
    pairing = models.ForeignKey(
        Pairing, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=list, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["mentee", "mentor"],
                condition=Q(status="pending"),
                name="request_one_pending_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")), name="request_not_to_self"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["status", "respond_by"], name="request_status_respond_by"),
        ]

    def __str__(self) -> str:
        return f"{self.mentee_id} asks {self.mentor_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class Circle(models.Model):
    """A group mentoring circle: one mentor, one topic, a few mentees."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        ENDED_EARLY = "ended_early", "Ended early"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="circles")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=3000)
    mentor = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="circles_led")
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="circles"
    )
    max_mentees = models.PositiveSmallIntegerField(
        "places for mentees", default=6, validators=[MinValueValidator(2), MaxValueValidator(30)]
    )
    open_to_requests = models.BooleanField(
        "mentees may ask to join",
        default=True,
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    end_reason = models.TextField(blank=True, max_length=1000)

    class Meta:
        ordering: ClassVar = ["name", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(max_mentees__gte=2) & Q(max_mentees__lte=30),
                name="circle_size_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("matching:circle", kwargs={"slug": self.program.slug, "pk": self.pk})


class CircleMember(models.Model):
    """A mentee in a circle, or asking to join one."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Asked to join"
        MEMBER = "member", "Member"
        DECLINED = "declined", "Request declined"
        LEFT = "left", "Left"

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="members")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="circle_seats")
    status = models.CharField(max_length=10, choices=Status.choices)
    note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["circle", "mentee"], name="circle_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.mentee_id} in {self.circle_id} ({self.status})"


class FlashOffer(models.Model):
    """A mentor's offer of one-off flash sessions on a topic."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="flash_offers")
    mentor = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="flash_offers")
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="flash_offers"
    )
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=2000)
    length_minutes = models.PositiveSmallIntegerField(
        "length (minutes)", default=30, validators=[MinValueValidator(10), MaxValueValidator(240)]
    )
    medium = models.CharField(
        max_length=10, choices=Membership.Medium.choices, default=Membership.Medium.VIDEO
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class FlashSlot(models.Model):
    """A time a flash offer can be booked; booking it creates a flash pairing."""

    offer = models.ForeignKey(FlashOffer, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    booked_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="flash_bookings"
    )
    booked_at = models.DateTimeField(null=True, blank=True)
    booking_note = models.TextField(blank=True, max_length=1000)
    pairing = models.OneToOneField(
        Pairing, null=True, blank=True, on_delete=models.SET_NULL, related_name="flash_slot"
    )

    class Meta:
        ordering: ClassVar = ["starts_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["offer", "starts_at"], name="flash_slot_unique_time"),
        ]
        indexes: ClassVar = [models.Index(fields=["starts_at"], name="flash_slot_starts_at")]

    def __str__(self) -> str:
        return f"{self.offer} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_booked(self) -> bool:
        return self.booked_by_id is not None

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.offer.length_minutes)


def explanation_points(explanation: list[dict[str, Any]]) -> float:
    """The sum of an explanation's contributions (equals the pair's score)."""
    return float(sum(item.get("points", 0) for item in explanation))
