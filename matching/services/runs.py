"""The admin's matching board: run the optimiser, adjust its draft, publish it as proposals."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from matching import engine, notify, scoring
from matching.models import (
    MatchConstraint,
    MatchingSettings,
    MatchRun,
    MatchSuggestion,
    Pairing,
)
from matching.services._common import check_admin, mentor_loads, respond_by
from matching.services.pairings import pairing_create
from mentoring.models import User
from programs.audit import services as audit
from programs.models import Membership, Program

__all__ = [
    "MATCHABLE_STATUSES",
    "constraint_remove",
    "run_create",
    "run_publish",
    "suggestion_forbid",
    "suggestion_lock",
    "suggestion_pick",
    "suggestion_unlock",
]

Role = Membership.Role
MATCHABLE_STATUSES = (Program.Status.ENROLLING, Program.Status.MATCHING, Program.Status.RUNNING)


def _check_matchable(program: Program) -> None:
    if program.status not in MATCHABLE_STATUSES:
        raise ValidationError(
            f"The program is {program.get_status_display().lower()}; matching runs while it is "
            "enrolling, matching or running."
        )
    if not program.allow_one_to_one:
        raise ValidationError("This program does not have one-to-one mentoring to match.")


def _capacities(pool: scoring.Pool) -> list[int]:
    """Places left per mentor: capacity minus open pairings; none if they closed themselves."""
    loads = mentor_loads(pool.program)
    return [
        max(0, m.effective_capacity - loads.get(m.pk, 0)) if m.accepting_mentees else 0
        for m in pool.mentors
    ]


def _first_come_order(pool: scoring.Pool) -> scoring.Pool:
    # Mentees in enrolment order, so the greedy baseline is first-come-first-served.
    far = timezone.now()
    mentees = sorted(pool.mentees, key=lambda m: (m.enrolled_at or far, m.pk))
    return replace(pool, mentees=mentees)


def _locks(program: Program, scored: scoring.Scored, capacity: list[int]) -> list[tuple[int, int]]:
    """The admins' locks as (mentee, mentor) indices, refusing, by name, any that cannot hold."""
    mentee_at = {m.pk: i for i, m in enumerate(scored.pool.mentees)}
    mentor_at = {m.pk: j for j, m in enumerate(scored.pool.mentors)}
    locks = []
    used = [0] * len(capacity)
    constraints = MatchConstraint.objects.filter(
        program=program, kind=MatchConstraint.Kind.LOCK
    ).select_related("mentee__user", "mentor__user")
    for c in constraints:
        if c.mentee_id not in mentee_at:
            continue  # the mentee has been matched since: the lock has done its work
        problem = ""
        j = mentor_at.get(c.mentor_id)
        if j is None:
            problem = f"{c.mentor.user} is no longer an enrolled mentor"
        else:
            reason = scored.forbidden_reason(mentee_at[c.mentee_id], j)
            if reason:
                problem = f"the pair is not allowed ({reason})"
            elif used[j] >= capacity[j]:
                problem = f"{c.mentor.user} has no place left for it"
        if problem or j is None:
            raise ValidationError(
                f"The lock of {c.mentee.user} with {c.mentor.user} cannot hold: {problem}. "
                "Remove the lock and run again."
            )
        used[j] += 1
        locks.append((mentee_at[c.mentee_id], j))
    return locks


def _stats(run: MatchRun, scores: list[float]) -> None:
    run.matched_count = len(scores)
    run.total_score = float(sum(scores))
    run.average_score = float(np.mean(scores)) if scores else None
    run.lowest_score = float(min(scores)) if scores else None


@transaction.atomic
def run_create(*, program: Program, actor: User) -> MatchRun:
    """Run the optimiser over everyone still to be matched and save the result as the draft."""
    check_admin(program, actor)
    program = Program.objects.select_for_update().get(pk=program.pk)
    _check_matchable(program)
    settings = MatchingSettings.for_program(program)
    pool = _first_come_order(scoring.load_pool(program))
    if not pool.mentees:
        raise ValidationError("Every enrolled mentee already has a mentor or a proposal.")
    if not pool.mentors:
        raise ValidationError("No mentor has enrolled yet.")
    scored = scoring.score_pool(program, pool, settings=settings)
    capacity = _capacities(pool)
    locks = _locks(program, scored, capacity)
    started = time.perf_counter()
    try:
        result = engine.solve(scored.scores, capacity, locked=locks)
    except ValueError as exc:  # the checks above name the people; this is a last resort
        raise ValidationError(f"The locks cannot all hold: {exc}") from None
    seconds = time.perf_counter() - started
    baseline = engine.greedy(scored.scores, capacity)

    MatchRun.objects.filter(program=program, status=MatchRun.Status.DRAFT).update(
        status=MatchRun.Status.SUPERSEDED
    )
    run = MatchRun(
        program=program,
        created_by=actor,
        weights={**settings.weights(), "ideal_seniority_gap": settings.ideal_seniority_gap},
        mentee_count=len(pool.mentees),
        mentor_count=len(pool.mentors),
        capacity_total=sum(capacity),
        greedy_total=float(baseline.total),
        greedy_matched=int((baseline.mentor_of >= 0).sum()),
        solve_seconds=seconds,
    )
    locked = set(locks)
    suggestions, chosen = [], []
    any_room = any(c > 0 for c in capacity)
    for i, mentee in enumerate(pool.mentees):
        j = int(result.mentor_of[i])
        if j < 0:
            allowed = np.isfinite(scored.scores[i]) & (np.asarray(capacity) > 0)
            reason = (
                "Every mentor's places are taken."
                if not any_room or allowed.any()
                else "No mentor with a free place is allowed for this mentee."
            )
            suggestions.append(MatchSuggestion(mentee=mentee, unmatched_reason=reason))
            continue
        score = float(scored.scores[i, j])
        chosen.append(score)
        suggestions.append(
            MatchSuggestion(
                mentee=mentee,
                mentor=pool.mentors[j],
                score=score,
                explanation=scored.explain(i, j),
                locked=(i, j) in locked,
            )
        )
    _stats(run, chosen)
    run.save()
    for s in suggestions:
        s.run = run
    MatchSuggestion.objects.bulk_create(suggestions, batch_size=500)
    return run


def _draft_suggestion(suggestion: MatchSuggestion) -> MatchSuggestion:
    s = (
        MatchSuggestion.objects.select_for_update(of=("self",))
        .select_related("run__program", "mentee__user", "mentor__user")
        .get(pk=suggestion.pk)
    )
    if s.run.status != MatchRun.Status.DRAFT:
        raise ValidationError("This run is no longer the draft; open the latest run to change it.")
    return s


@transaction.atomic
def suggestion_lock(*, suggestion: MatchSuggestion, actor: User) -> MatchConstraint:
    """Lock the suggested pair: every later run keeps it."""
    s = _draft_suggestion(suggestion)
    check_admin(s.run.program, actor)
    if s.mentor is None:
        raise ValidationError("There is no suggested mentor to lock; pick one by hand.")
    return _lock(s, actor)


def _lock(s: MatchSuggestion, actor: User) -> MatchConstraint:
    if s.mentor is None:
        raise ValidationError("There is no mentor to lock.")
    MatchConstraint.objects.filter(mentee=s.mentee, kind=MatchConstraint.Kind.LOCK).exclude(
        mentor=s.mentor
    ).delete()
    constraint, _ = MatchConstraint.objects.update_or_create(
        mentee=s.mentee,
        mentor=s.mentor,
        defaults={
            "program": s.run.program,
            "kind": MatchConstraint.Kind.LOCK,
            "created_by": actor,
            "created_at": timezone.now(),
        },
    )
    s.locked = True
    s.save(update_fields=["locked"])
    return constraint


@transaction.atomic
def suggestion_unlock(*, suggestion: MatchSuggestion, actor: User) -> None:
    """Release a locked pair: the next run may change it."""
    s = _draft_suggestion(suggestion)
    check_admin(s.run.program, actor)
    MatchConstraint.objects.filter(mentee=s.mentee, kind=MatchConstraint.Kind.LOCK).delete()
    s.locked = False
    s.save(update_fields=["locked"])


@transaction.atomic
def suggestion_forbid(*, suggestion: MatchSuggestion, actor: User) -> MatchConstraint:
    """Forbid the suggested pair: it leaves the draft and no later run suggests it."""
    s = _draft_suggestion(suggestion)
    check_admin(s.run.program, actor)
    if s.mentor is None:
        raise ValidationError("There is no suggested pair to forbid.")
    constraint, _ = MatchConstraint.objects.update_or_create(
        mentee=s.mentee,
        mentor=s.mentor,
        defaults={
            "program": s.run.program,
            "kind": MatchConstraint.Kind.FORBID,
            "created_by": actor,
            "created_at": timezone.now(),
        },
    )
    # The pair leaves the draft at once, so the mentor's place is free for a pick by hand.
    mentor_name = s.mentor.user
    s.mentor = None
    s.score = None
    s.explanation = []
    s.locked = False
    s.unmatched_reason = (
        f"You forbade the pair with {mentor_name}. Run matching again to find another mentor."
    )
    s.save(update_fields=["mentor", "score", "explanation", "locked", "unmatched_reason"])
    _restat(s.run)
    return constraint


def _restat(run: MatchRun) -> None:
    scores = [
        x
        for x in run.suggestions.exclude(mentor=None).values_list("score", flat=True)
        if x is not None
    ]
    _stats(run, scores)
    run.edited = True
    run.save(
        update_fields=["matched_count", "total_score", "average_score", "lowest_score", "edited"]
    )


@transaction.atomic
def constraint_remove(*, constraint: MatchConstraint, actor: User) -> None:
    """Remove a lock or a forbid; the next run is free again for that pair."""
    check_admin(constraint.program, actor)
    if constraint.kind == MatchConstraint.Kind.LOCK:
        MatchSuggestion.objects.filter(
            run__program=constraint.program,
            run__status=MatchRun.Status.DRAFT,
            mentee=constraint.mentee,
            mentor=constraint.mentor,
        ).update(locked=False)
    constraint.delete()


@transaction.atomic
def suggestion_pick(
    *, suggestion: MatchSuggestion, actor: User, mentor: Membership
) -> MatchSuggestion:
    """Give the mentee a mentor chosen by hand (locked, so re-runs keep it)."""
    s = _draft_suggestion(suggestion)
    run = s.run
    program = run.program
    check_admin(program, actor)
    if mentor.program_id != program.pk or mentor.role != Role.MENTOR or not mentor.is_enrolled:
        raise ValidationError("Choose an enrolled mentor of this program.")
    pool = scoring.load_pool(
        program,
        mentees=Membership.objects.filter(pk=s.mentee_id),
        mentors=Membership.objects.filter(pk=mentor.pk),
    )
    scored = scoring.score_pool(program, pool)
    reason = scored.forbidden_reason(0, 0)
    if reason:
        raise ValidationError(f"{mentor.user} cannot mentor {s.mentee.user}: {reason}.")
    if s.mentor_id != mentor.pk:
        taken = mentor_loads(program).get(mentor.pk, 0)
        in_draft = run.suggestions.filter(mentor=mentor).exclude(pk=s.pk).count()
        if taken + in_draft >= mentor.effective_capacity or not mentor.accepting_mentees:
            raise ValidationError(
                f"{mentor.user} has no place left in this draft. Move one of their mentees "
                "first, or choose another mentor."
            )
    s.mentor = mentor
    s.score = float(scored.scores[0, 0])
    s.explanation = scored.explain(0, 0)
    s.picked_by_hand = True
    s.unmatched_reason = ""
    s.save(update_fields=["mentor", "score", "explanation", "picked_by_hand", "unmatched_reason"])
    _lock(s, actor)
    _restat(run)
    return s


@transaction.atomic
def run_publish(*, run: MatchRun, actor: User) -> list[Pairing]:
    """Turn the draft into proposals to the mentors, all or nothing."""
    run = MatchRun.objects.select_for_update().select_related("program").get(pk=run.pk)
    program = run.program
    check_admin(program, actor)
    if run.status != MatchRun.Status.DRAFT:
        raise ValidationError("Only the current draft can be published.")
    _check_matchable(program)
    suggestions = list(
        run.suggestions.exclude(mentor=None).select_related(
            "mentee__user", "mentor__user", "mentor__program"
        )
    )
    if not suggestions:
        raise ValidationError("The draft has no suggested pair to publish.")
    forbidden = (
        MatchConstraint.objects.filter(program=program, kind=MatchConstraint.Kind.FORBID)
        .filter(Q(mentee_id__in=[s.mentee_id for s in suggestions]))
        .values_list("mentee_id", "mentor_id")
    )
    bad = set(forbidden) & {(s.mentee_id, s.mentor_id) for s in suggestions}
    if bad:
        raise ValidationError(
            f"{len(bad)} suggested pair(s) have been forbidden since this run. Run matching "
            "again before publishing."
        )
    deadline = respond_by(program)
    pairings = []
    for s in suggestions:
        if s.mentor is None:  # excluded above; keeps the type checker informed
            continue
        try:
            pairings.append(
                pairing_create(
                    program=program,
                    mentor=s.mentor,
                    mentee=s.mentee,
                    source=Pairing.Source.MATCHING,
                    respond_by=deadline,
                    match_run_id=run.pk,
                    score=s.score,
                    explanation=s.explanation,
                )
            )
        except ValidationError as exc:
            raise ValidationError(
                f"Nothing was published: {' '.join(exc.messages)} Run matching again."
            ) from None
    run.status = MatchRun.Status.PUBLISHED
    run.published_at = timezone.now()
    run.published_by = actor
    run.save(update_fields=["status", "published_at", "published_by"])
    audit.record(
        audit.Action.MATCHING_PUBLISHED,
        actor=actor,
        program=program,
        target=run,
        detail={"pairings": len(pairings)},
    )
    # The locks have done their work: those mentees are matched now.
    MatchConstraint.objects.filter(
        program=program,
        kind=MatchConstraint.Kind.LOCK,
        mentee_id__in=[s.mentee_id for s in suggestions],
    ).delete()
    for p in pairings:
        notify.event("pairing_proposed", p.pk)
    return pairings
