"""The relationship workspace: what a pair (or a circle) does together.

A ``Workspace`` is created for every pairing once it is active and for every
circle (see ``sessions.signals``); everything else here hangs off it, so one
access check on the workspace covers every object in it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from matching.models import Circle, Pairing
from programs.models import Program

TEXT = 4000  # the longest free-text answer we accept anywhere in a workspace
SHORT = 200


class Medium(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    PHONE = "phone", "Phone"


class Workspace(models.Model):
    """The shared space of one relationship: a pairing (one-to-one or flash) or a circle."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="workspaces")
    pairing = models.OneToOneField(
        Pairing, null=True, blank=True, on_delete=models.CASCADE, related_name="workspace"
    )
    circle = models.OneToOneField(
        Circle, null=True, blank=True, on_delete=models.CASCADE, related_name="workspace"
    )
    # The relationship's own dates: an extension moves them, never the program's.
    start_date = models.DateField()
    end_date = models.DateField()
    midpoint_date = models.DateField()
    # When the last meeting marked held began (kept by the meeting services), so that
    # the fading-pair sweep finds silent relationships without reading every meeting.
    last_met_at = models.DateTimeField(null=True, blank=True)
    # Kept by sessions.rhythm while the relationship runs (cleared when it ends), so that
    # the fading-pair sweep and the admins' digest find what they report by an index
    # range, not by reading every pair: when the silence since the last held meeting (or
    # the start) reaches two and four cadences, and whether a mid-point review is missing.
    at_risk_from = models.DateTimeField(null=True, blank=True)
    step_in_from = models.DateTimeField(null=True, blank=True)
    awaiting_midpoint_reviews = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(Q(pairing__isnull=False) & Q(circle__isnull=True))
                | (Q(pairing__isnull=True) & Q(circle__isnull=False)),
                name="workspace_one_relationship",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date"))
                & Q(midpoint_date__gte=models.F("start_date"))
                & Q(midpoint_date__lte=models.F("end_date")),
                name="workspace_dates_in_order",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["midpoint_date"], name="workspace_midpoint"),
            models.Index(fields=["end_date"], name="workspace_end"),
            models.Index(fields=["last_met_at"], name="workspace_last_met"),
            models.Index(fields=["at_risk_from"], name="workspace_at_risk"),
            models.Index(fields=["step_in_from"], name="workspace_step_in"),
            # The admins' digest: each program's pairs at risk, or with a review missing,
            # counted and ranked in index order.
            models.Index(
                fields=["program", "at_risk_from", "id"],
                condition=Q(pairing__isnull=False, at_risk_from__isnull=False),
                name="workspace_pairs_at_risk",
            ),
            models.Index(
                fields=["program", "midpoint_date", "id"],
                condition=Q(pairing__isnull=False, awaiting_midpoint_reviews=True),
                name="workspace_reviews_awaited",
            ),
        ]

    def __str__(self) -> str:
        if self.pairing_id:
            return f"Workspace of pairing {self.pairing_id}"
        return f"Workspace of circle {self.circle_id}"

    def get_absolute_url(self) -> str:
        return reverse("workspace:detail", kwargs={"slug": self.program.slug, "pk": self.pk})

    @property
    def is_circle(self) -> bool:
        return self.circle_id is not None

    @property
    def is_flash(self) -> bool:
        return self.pairing is not None and self.pairing.kind == Pairing.Kind.FLASH

    @property
    def is_open(self) -> bool:
        """Whether the relationship is still running (work can be added to it)."""
        if self.pairing is not None:
            return self.pairing.status == Pairing.Status.ACTIVE
        return self.circle is not None and self.circle.status == Circle.Status.ACTIVE

    @staticmethod
    def midpoint_between(start: dt.date, end: dt.date) -> dt.date:
        return start + (end - start) / 2

    @property
    def latest_end_date(self) -> dt.date:
        """The furthest a relationship's end may be planned or extended to."""
        return self.start_date + MAX_RELATIONSHIP


# Formal mentoring relationships run months, not decades: an end date further out than
# this is a typing slip (9999-12-31), refused next to the field.
MAX_RELATIONSHIP = dt.timedelta(days=3 * 365)


class DateChange(models.Model):
    """An extension (or shortening) of one relationship's end and mid-point dates."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="date_changes")
    old_end_date = models.DateField()
    new_end_date = models.DateField()
    old_midpoint_date = models.DateField()
    new_midpoint_date = models.DateField()
    reason = models.TextField(max_length=1000)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.old_end_date} -> {self.new_end_date}"


class Agreement(models.Model):
    """The terms a relationship agrees at kickoff; accepted by everyone in it.

    ``version`` goes up whenever the terms change; acceptances are per version, so a
    change after acceptance needs everyone's acceptance again. Each version's terms
    are kept in ``AgreementRevision``.
    """

    class Scheduler(models.TextChoices):
        MENTEE = "mentee", "The mentee schedules"
        MENTOR = "mentor", "The mentor schedules"
        EITHER = "either", "Either of us"

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="agreement")
    version = models.PositiveIntegerField(default=1)
    purpose = models.TextField("purpose of the relationship", max_length=TEXT)
    mentee_success = models.TextField("success, as the mentee defines it", max_length=TEXT)
    mentor_success = models.TextField("success, as the mentor defines it", max_length=TEXT)
    cadence_days = models.PositiveSmallIntegerField(
        "meet every (days)", validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    meeting_minutes = models.PositiveSmallIntegerField(
        "meeting length (minutes)", validators=[MinValueValidator(10), MaxValueValidator(240)]
    )
    medium = models.CharField(max_length=12, choices=Medium.choices, default=Medium.VIDEO)
    scheduler = models.CharField(
        "who schedules", max_length=8, choices=Scheduler.choices, default=Scheduler.MENTEE
    )
    notice_hours = models.PositiveSmallIntegerField(
        "notice to move a meeting (hours)",
        default=24,
        validators=[MaxValueValidator(336)],
    )
    reschedule_rule = models.TextField("when a meeting must move", max_length=TEXT, blank=True)
    contact_channels = models.CharField(
        "how we may contact each other", max_length=SHORT, blank=True
    )
    contact_hours = models.CharField("when we may contact each other", max_length=SHORT, blank=True)
    confidentiality = models.TextField("what stays between us", max_length=TEXT)
    shareable = models.TextField("what may be shared with the program", max_length=TEXT, blank=True)
    feedback_preference = models.TextField(
        "how the mentee wants feedback", max_length=TEXT, blank=True
    )
    planned_end_date = models.DateField("planned end date")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Set when everyone in the relationship has accepted the current version.
    accepted_at = models.DateTimeField(null=True, blank=True)

    # The fields that make up the terms (kept in each revision).
    TERMS: ClassVar = (
        "purpose",
        "mentee_success",
        "mentor_success",
        "cadence_days",
        "meeting_minutes",
        "medium",
        "scheduler",
        "notice_hours",
        "reschedule_rule",
        "contact_channels",
        "contact_hours",
        "confidentiality",
        "shareable",
        "feedback_preference",
        "planned_end_date",
    )

    def __str__(self) -> str:
        return f"Agreement v{self.version} of workspace {self.workspace_id}"

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None


class AgreementRevision(models.Model):
    """One version of an agreement's terms, as drafted or changed."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    terms = models.JSONField(default=dict)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["agreement", "version"], name="agreement_revision_once")
        ]

    def __str__(self) -> str:
        return f"Agreement {self.agreement_id} v{self.version}"


class AgreementAcceptance(models.Model):
    """One person's acceptance of one version of an agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="acceptances")
    version = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["agreement", "version", "user"], name="agreement_accepted_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} accepted agreement {self.agreement_id} v{self.version}"


class Goal(models.Model):
    """A SMART goal of the relationship."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Dropped"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=SHORT)
    specific = models.TextField("specific: what exactly", max_length=TEXT)
    measurable = models.TextField("measurable: how we will know", max_length=TEXT)
    achievable = models.TextField("achievable: why it is within reach", max_length=TEXT)
    relevant = models.TextField("relevant: why it matters", max_length=TEXT)
    target_date = models.DateField("time-bound: target date")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["target_date", "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="goal_progress_percent")
        ]

    def __str__(self) -> str:
        return self.title


class GoalUpdate(models.Model):
    """A line in a goal's history: created, progress, edited, or a status change."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        PROGRESS = "progress", "Progress"
        EDITED = "edited", "Edited"
        STATUS = "status", "Status"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Goal.Status.choices, blank=True)
    note = models.TextField(max_length=TEXT, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} on goal {self.goal_id}"


class Meeting(models.Model):
    """A meeting of the relationship, scheduled ahead or logged after it happened."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"
        MISSED = "missed", "Missed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        "length (minutes)", validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    medium = models.CharField(max_length=12, choices=Medium.choices, default=Medium.VIDEO)
    location = models.CharField("place or video link", max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.TextField(max_length=1000, blank=True)
    # The calendar identity: the UID never changes, SEQUENCE goes up with every change
    # so calendar programs update the event instead of adding a second one.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["starts_at", "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="meeting_cancel_has_reason",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["workspace", "starts_at"], name="meeting_workspace_start"),
            models.Index(fields=["status", "starts_at"], name="meeting_status_start"),
        ]

    def __str__(self) -> str:
        return f"Meeting {self.pk} at {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse(
            "workspace:meeting",
            kwargs={"slug": self.workspace.program.slug, "pk": self.workspace_id, "mid": self.pk},
        )

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_upcoming(self) -> bool:
        return self.status == self.Status.SCHEDULED and self.starts_at > timezone.now()


class Agenda(models.Model):
    """What the mentee brings to a meeting, filed ahead; in a circle, a shared list of items."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="agenda")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    did = models.TextField("what I did since last time", max_length=TEXT, blank=True)
    learned = models.TextField("what I learned", max_length=TEXT, blank=True)
    topics = models.TextField("topics and questions", max_length=TEXT, blank=True)
    needs = models.JSONField("what I need", default=list, blank=True)
    needs_detail = models.TextField("more about what I need", max_length=TEXT, blank=True)
    links = models.TextField("links to work samples", max_length=TEXT, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Need(models.TextChoices):
        FEEDBACK = "feedback", "Feedback"
        INTRODUCTIONS = "introductions", "Introductions"
        RESOURCES = "resources", "Resources"
        ADVICE = "advice", "Advice on a decision"

    def __str__(self) -> str:
        return f"Agenda of meeting {self.meeting_id}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class AgendaRevision(models.Model):
    """The agenda as it was before an edit made after it was submitted."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="revisions")
    content = models.JSONField(default=dict)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-edited_at", "-pk"]

    def __str__(self) -> str:
        return f"Revision of agenda {self.agenda_id}"


class AgendaItem(models.Model):
    """One member's item on a circle meeting's shared agenda."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", "Progress since last time"
        QUESTION = "question", "Topic or question"
        NEED = "need", "Something I need"
        LINK = "link", "Link to a work sample"

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="items")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.QUESTION)
    text = models.TextField(max_length=TEXT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Item {self.pk} of agenda {self.agenda_id}"


class CheckIn(models.Model):
    """One participant's answers after a meeting: the four end-of-conversation questions."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="checkins")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    useful = models.TextField("what was useful today", max_length=TEXT)
    next_steps = models.TextField("what are your next steps", max_length=TEXT)
    before_next = models.TextField("what will you do or learn before next time", max_length=TEXT)
    change = models.TextField("what should change for next time", max_length=TEXT, blank=True)
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["created_at", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["meeting", "author"], name="checkin_once_per_author"),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="checkin_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in by {self.author_id} on meeting {self.meeting_id}"


class RoadmapTopic(models.Model):
    """A topic planned for an upcoming meeting, in the order the pair wants to take them."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="roadmap")
    title = models.CharField(max_length=SHORT)
    details = models.TextField(max_length=TEXT, blank=True)
    position = models.PositiveIntegerField(default=0)
    covered_in = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="topics_covered"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class ActionItem(models.Model):
    """Something one person will do: a next step, or a follow-up the mentor promised."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    class Kind(models.TextChoices):
        TASK = "task", "Task"
        RESOURCE = "resource", "Resource to share"
        INTRODUCTION = "introduction", "Introduction to make"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=14, choices=Kind.choices, default=Kind.TASK)
    description = models.TextField(max_length=2000)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["status", "due_date", "pk"]
        indexes: ClassVar = [
            models.Index(fields=["owner", "status", "due_date"], name="action_owner_status_due"),
            models.Index(fields=["status", "due_date"], name="action_status_due"),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )


class Note(models.Model):
    """A note: private to its author (always), or shared with the relationship."""

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private: only me"
        SHARED = "shared", "Shared with the relationship"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    body = models.TextField(max_length=10000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [
            models.Index(fields=["workspace", "visibility"], name="note_workspace_visibility")
        ]

    def __str__(self) -> str:
        return f"Note {self.pk} by {self.author_id}"


class Review(models.Model):
    """One participant's mid-point or final review of the relationship.

    Submitted once, then locked; a program admin may reopen it for one more submission
    (the earlier answers are kept in ``previous``).
    """

    class Kind(models.TextChoices):
        MIDPOINT = "midpoint", "Mid-point review"
        FINAL = "final", "Final review"

    class Decision(models.TextChoices):
        CONTINUE = "continue", "Continue as is"
        ADJUST = "adjust", "Continue, with changes"
        END = "end", "End the relationship"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value_received = models.PositiveSmallIntegerField(
        "value I receive", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    value_given = models.PositiveSmallIntegerField(
        "value I give", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    working = models.TextField("what is working", max_length=TEXT)
    change = models.TextField("what should change", max_length=TEXT, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    # Closure (final review) only.
    remains = models.TextField("what remains to do", max_length=TEXT, blank=True)
    differently = models.TextField(
        "what I would do differently next time", max_length=TEXT, blank=True
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    # A reopened review can be submitted once more; ``previous`` keeps earlier answers.
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submissions = models.PositiveSmallIntegerField(default=1)
    previous = models.JSONField(default=list, blank=True)

    class Meta:
        ordering: ClassVar = ["kind", "submitted_at", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["workspace", "author", "kind"], name="review_once_per_author"
            ),
            models.CheckConstraint(
                condition=Q(value_received__gte=1)
                & Q(value_received__lte=5)
                & Q(value_given__gte=1)
                & Q(value_given__lte=5),
                name="review_values_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author_id}"

    @property
    def is_open_for_resubmission(self) -> bool:
        return self.reopened_at is not None
