"""A participant's enrolment: their profile and their answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from mentoring.models import User
from programs.models import Answer, Membership, Question, Topic
from programs.services._common import check_fields

Role = Membership.Role

PROFILE_FIELDS = (
    "goals_statement",
    "what_i_bring",
    "expectations",
    "goals",
    "strengths",
    "seniority",
    "department",
    "capacity",
    "availability",
    "preferred_medium",
    "manager_email",
)


@transaction.atomic
def enrolment_submit(
    *,
    membership: Membership,
    actor: User,
    topics: Iterable[Topic],
    answers: dict[int, Any],
    **profile: Any,
) -> Membership:
    """Save a participant's enrolment profile and answers while enrolment is open."""
    check_fields(profile, PROFILE_FIELDS)
    membership = (
        Membership.objects.select_for_update().select_related("program").get(pk=membership.pk)
    )
    if membership.user_id != actor.pk:
        raise PermissionDenied("Only the participant can change their enrolment.")
    if not membership.program.enrolment_open:
        raise ValidationError(
            "Matching has started, so enrolment answers are locked. "
            "Ask a program admin if something must change."
        )
    for name, value in profile.items():
        setattr(membership, name, value)
    membership.manager_email = (membership.manager_email or "").strip().lower()
    if membership.manager_email and membership.manager_email == actor.email.lower():
        raise ValidationError({"manager_email": "Your manager cannot be yourself."})
    if membership.role != Role.MENTOR:
        membership.capacity = None
    now = timezone.now()
    membership.enrolled_at = membership.enrolled_at or now
    membership.privacy_acknowledged_at = membership.privacy_acknowledged_at or now
    membership.full_clean()
    membership.save()
    topic_list = [t for t in topics if t.program_id == membership.program_id]
    membership.topics.set(topic_list)
    questions = {
        q.pk: q
        for q in Question.objects.filter(program_id=membership.program_id)
        if q.asked_of(membership.role)
    }
    existing = {a.question_id: a for a in membership.answers.all()}
    for question_id, value in answers.items():
        if question_id not in questions:
            continue
        empty = value in (None, "", [])
        answer = existing.get(question_id)
        if empty:
            if answer:
                answer.delete()
        elif answer is None:
            Answer.objects.create(membership=membership, question_id=question_id, value=value)
        elif answer.value != value:
            answer.value = value
            answer.save(update_fields=["value", "updated_at"])
    return membership
