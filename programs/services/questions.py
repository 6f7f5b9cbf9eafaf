"""Writes of a program's enrolment questions and their options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from mentoring.models import User
from programs.models import Choice, Program, Question
from programs.services._common import check_fields


def _clean_labels(labels: Sequence[str]) -> list[str]:
    cleaned, seen = [], set()
    for raw in labels:
        label = " ".join(raw.split())
        if label and label.lower() not in seen:
            seen.add(label.lower())
            cleaned.append(label)
    return cleaned


def _sync_choices(question: Question, labels: Sequence[str]) -> None:
    labels = _clean_labels(labels)
    if question.kind in Question.CHOICE_KINDS:
        if len(labels) < 2:
            raise ValidationError({"choices": "Give at least two options, one per line."})
        if any(len(label) > 200 for label in labels):
            raise ValidationError({"choices": "Keep each option under 200 characters."})
    else:
        labels = []
    old = list(question.choices.all())
    by_label = {c.label.lower(): c for c in old}
    matched = {by_label[label.lower()].pk for label in labels if label.lower() in by_label}
    # An option whose label is gone but whose place in the list has a new label
    # was renamed: it keeps its id, so the answers that chose it still do.
    renamed = {
        position: choice
        for position, choice in enumerate(old)
        if choice.pk not in matched
        and position < len(labels)
        and labels[position].lower() not in by_label
    }
    keep = []
    for position, label in enumerate(labels):
        choice = by_label.get(label.lower()) or renamed.get(position)
        if choice is None:
            choice = Choice(question=question, label=label, position=position)
        else:
            choice.label, choice.position = label, position
        choice.save()
        keep.append(choice.pk)
    question.choices.exclude(pk__in=keep).delete()


QUESTION_FIELDS = (
    "text",
    "help_text",
    "kind",
    "audience",
    "required",
    "used_for_matching",
    "matching_rule",
)


@transaction.atomic
def question_create(
    *, program: Program, actor: User, choices: Sequence[str] = (), **fields: Any
) -> Question:
    """Add an enrolment question at the end of the program's list."""
    check_fields(fields, QUESTION_FIELDS)
    last = program.questions.aggregate(m=Max("position"))["m"]
    question = Question(program=program, position=(last or 0) + 1, **fields)
    question.full_clean()
    question.save()
    _sync_choices(question, choices)
    return question


@transaction.atomic
def question_update(
    *, question: Question, actor: User, choices: Sequence[str] = (), **fields: Any
) -> Question:
    """Change a question; its kind is fixed once someone has answered it."""
    check_fields(fields, QUESTION_FIELDS)
    if "kind" in fields and fields["kind"] != question.kind and question.answers.exists():
        raise ValidationError(
            {"kind": "People have answered this question; its kind can no longer change."}
        )
    for name, value in fields.items():
        setattr(question, name, value)
    question.full_clean()
    question.save()
    _sync_choices(question, choices)
    return question


@transaction.atomic
def question_delete(*, question: Question, actor: User) -> None:
    """Delete a question and its answers."""
    question.delete()


@transaction.atomic
def question_move(*, question: Question, actor: User, up: bool) -> bool:
    """Move a question one place up or down in its program's list (False: it is already
    first or last, and nothing moved)."""
    siblings = list(
        Question.objects.select_for_update()
        .filter(program_id=question.program_id)
        .order_by("position", "id")
    )
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, q in enumerate(siblings, start=1):
        if q.position != position:
            q.position = position
            q.save(update_fields=["position"])
    return True
