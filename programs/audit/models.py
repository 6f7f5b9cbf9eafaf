"""The audit trail's one table: events, written once and never changed.

Append-only three times over: ``Event.save()`` refuses to update a row, the manager's
``update()`` and ``delete()`` refuse, and on PostgreSQL triggers refuse ``UPDATE`` and
``DELETE`` of any row (migration 0002), whoever sends them, and ``TRUNCATE`` (0003) unless
the session set ``audit.allow_truncate`` to ``on`` (the test suite does, for its flush).
The application's database role should not own the table (docs/deploy.md).

The foreign keys have no database constraint and are never followed on delete: an event
outlives the person and the program it names (a user deleted in the Django admin leaves
events whose actor is gone; the page says "Deleted user").
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    """The audit trail is append-only: rows are never changed or deleted."""


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")

    # bulk_update() goes through update(); _raw_delete() is what a cascade would use.
    def _raw_delete(self, using: Any) -> int:
        raise AppendOnlyError("Audit events cannot be deleted.")


class Event(models.Model):
    """One thing that happened: who did what, when, from where."""

    class Action(models.TextChoices):
        LOGIN_SUCCEEDED = "login.succeeded", "Signed in"
        LOGIN_FAILED = "login.failed", "Failed sign-in"
        MFA_ACTIVATED = "mfa.activated", "Two-factor authentication turned on"
        MFA_DEACTIVATED = "mfa.deactivated", "Two-factor authentication turned off"
        MFA_RECOVERY_CODES_GENERATED = (
            "mfa.recovery_codes_generated",
            "Recovery codes generated",
        )
        ROLE_GRANTED = "role.granted", "Role granted"
        ROLE_REVOKED = "role.revoked", "Role revoked"
        STAFF_CHANGED = "staff.changed", "Staff, superuser or active status changed"
        IMPORT_COMPLETED = "import.completed", "Participants imported"
        IMPORT_FAILED = "import.failed", "Participant import refused"
        MATCHING_PUBLISHED = "matching.published", "Matches published"
        PRIVACY_POLICY_CHANGED = "privacy_policy.changed", "Privacy policy changed"
        REVIEW_REOPENED = "review.reopened", "Review reopened"
        EXPORT_DOWNLOADED = "export.downloaded", "Export downloaded"
        DATA_EXPORT_DOWNLOADED = "data_export.downloaded", "Personal data downloaded"
        ACCOUNT_DELETED = "account.deleted", "Account deleted"
        ACCESS_DENIED = "access.denied", "Access refused (403)"
        ACCESS_NOT_FOUND = "access.not_found", "Not found (404)"

    when = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the (actor, when) index below serves
        related_name="+",
    )
    # What was typed at a failed sign-in (the attempted e-mail address); blank otherwise.
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    program = models.ForeignKey(
        "programs.Program",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the (program, when) index below serves
        related_name="+",
    )
    # "<app label>.<Model>#<pk>", e.g. "mentoring_sessions.Review#12".
    target = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=500, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-when", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["program", "-when"], name="audit_event_program_when"),
            models.Index(fields=["actor", "-when"], name="audit_event_actor_when"),
            models.Index(fields=["action", "-when"], name="audit_event_action_when"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.when:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")

    @property
    def actor_gone(self) -> bool:
        """The event names a person whose row was deleted since."""
        if self.actor_id is None:
            return False
        try:
            return self.actor is None
        except ObjectDoesNotExist:
            return True
