"""The admin's matching board: run, review, adjust and publish."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from matching import scoring, selectors, services
from matching.access import get_constraint_for_admin, get_run_for_admin, get_suggestion_for_admin
from matching.models import MatchConstraint, MatchingSettings
from matching.selectors import SUGGESTION_FILTERS, SUGGESTION_SORTS
from mentoring.pagecache import cached_page
from mentoring.types import AuthenticatedHttpRequest
from programs.access import get_program_access
from programs.models import Membership

PAGE_SIZE = 50


def _error(request: AuthenticatedHttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _url_for_pk(name: str, slug: str) -> Callable[[int], str]:
    """``pk -> reverse(name, slug, pk)``, reversed once instead of once per row."""
    head, _, tail = reverse(name, kwargs={"slug": slug, "pk": _PK_MARK}).rpartition(str(_PK_MARK))
    return lambda pk: f"{head}{pk}{tail}"


_PK_MARK = 987654321987


def _explanation_html(lines: list[selectors.ExplanationLine]) -> SafeString:
    """``_explanation.html`` as the admin reads it, built in Python: the board shows 50 of them.

    Every stored value goes through ``html.escape``; the markup is the partial's.
    """
    if not lines:
        return mark_safe('<p class="text-muted small mb-0">No explanation recorded.</p>')
    parts = ['<ul class="list-unstyled mb-0 explanation">']
    for line in lines:
        label, text = escape(line["label"]), escape(line["text"])
        if line["forbidden"]:
            parts.append(
                '<li class="text-danger"><i class="bi bi-slash-circle" aria-hidden="true"></i> '
                f"<strong>{label}:</strong> {text}</li>"
            )
        else:
            parts.append(
                f'<li class="mb-1"><strong>{label}</strong> '
                '<span class="badge rounded-pill text-bg-light border">'
                f'{escape(line["points"])}<span class="visually-hidden"> points</span> / '
                f'{escape(line["max_points"])}<span class="visually-hidden"> possible</span>'
                "</span> "
                f'<span class="d-block small">{text}</span></li>'
            )
    parts.append("</ul>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@login_required
@cached_page
def board(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    slug = access.program.slug
    run = selectors.current_run(access)
    sort = request.GET.get("sort", "-score")
    sort = sort if sort in SUGGESTION_SORTS else "-score"
    show = request.GET.get("show", "all")
    show = show if show in SUGGESTION_FILTERS else "all"
    page = None
    rows: list[dict[str, Any]] = []
    forbidden_count = 0
    if run is not None:
        page = Paginator(selectors.suggestions(run, sort=sort, show=show), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        forbidden = selectors.forbidden_pairs(run)
        forbidden_count = len(forbidden)
        participant = _url_for_pk("programs:participant", slug)
        lock = _url_for_pk("matching:suggestion_lock", slug)
        unlock = _url_for_pk("matching:suggestion_unlock", slug)
        forbid = _url_for_pk("matching:suggestion_forbid", slug)
        pick = _url_for_pk("matching:suggestion_pick", slug)
        for row in selectors.board_rows(run, list(page.object_list), forbidden):
            pk, mentor_id = row["pk"], row["mentor_id"]
            rows.append(
                {
                    **row,
                    "mentee_url": participant(row["mentee_id"]),
                    "mentor_url": participant(mentor_id) if mentor_id else "",
                    "lock_url": unlock(pk) if row["locked"] else lock(pk),
                    "forbid_url": forbid(pk),
                    "pick_url": pick(pk),
                    "explanation_html": _explanation_html(row["explanation"]),
                }
            )
    return render(
        request,
        "matching/board.html",
        {
            "access": access,
            "program": access.program,
            "run": run,
            "page": page,
            "rows": rows,
            "forbidden_count": forbidden_count,
            "sort": sort,
            "show": show,
            "filters": [
                ("all", "All"),
                ("matched", "Matched"),
                ("unmatched", "Unmatched"),
                ("locked", "Locked"),
                ("by_hand", "Picked by hand"),
            ],
            "counts": selectors.pairing_counts(access),
            "constraint_count": selectors.constraints(access).count(),
            "settings": MatchingSettings.for_program(access.program),
        },
    )


@login_required
@require_POST
def run_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    try:
        run = services.run_create(program=access.program, actor=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(
            request,
            f"Matching found mentors for {run.matched_count} of {run.mentee_count} mentees. "
            "Review the draft, then publish it.",
        )
    return redirect("matching:board", slug=slug)


@login_required
@require_POST
def run_publish(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, run = get_run_for_admin(request.user, slug, pk)
    try:
        pairings = services.run_publish(run=run, actor=request.user)
    except ValidationError as exc:
        _error(request, exc)
        return redirect("matching:board", slug=slug)
    messages.success(
        request,
        f"{len(pairings)} proposals are on their way to the mentors. Each mentee sees their "
        "match once the mentor accepts.",
    )
    return redirect("matching:pairings", slug=slug)


def _suggestion_action(
    request: AuthenticatedHttpRequest, slug: str, pk: int, action: str
) -> HttpResponse:
    _, suggestion = get_suggestion_for_admin(request.user, slug, pk)
    service = {
        "lock": services.suggestion_lock,
        "unlock": services.suggestion_unlock,
        "forbid": services.suggestion_forbid,
    }[action]
    try:
        service(suggestion=suggestion, actor=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        mentor = suggestion.mentor.user if suggestion.mentor else "no mentor"
        text = {
            "lock": f"{suggestion.mentee.user} stays with {mentor} in every run.",
            "unlock": f"The pair {suggestion.mentee.user} – {mentor} is no longer locked.",
            "forbid": f"{suggestion.mentee.user} and {mentor} will never be suggested "
            "together. Run matching again to find another mentor.",
        }[action]
        messages.success(request, text)
    return _back(request, slug)


def _back(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Back to the board page the admin came from (its sort, filter and page), never elsewhere."""
    board_url = reverse("matching:board", kwargs={"slug": slug})
    target = request.POST.get("next", "")
    if target.startswith(board_url) and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect(board_url)


@login_required
@require_POST
def suggestion_lock(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    return _suggestion_action(request, slug, pk, "lock")


@login_required
@require_POST
def suggestion_unlock(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    return _suggestion_action(request, slug, pk, "unlock")


@login_required
@require_POST
def suggestion_forbid(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    return _suggestion_action(request, slug, pk, "forbid")


@login_required
def suggestion_pick(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, suggestion = get_suggestion_for_admin(request.user, slug, pk)
    if request.method == "POST":
        chosen = request.POST.get("mentor", "")
        mentor = (
            Membership.objects.filter(
                program=access.program, role=Membership.Role.MENTOR, pk=int(chosen)
            ).first()
            if chosen.isascii() and chosen.isdigit() and len(chosen) < 19
            else None
        )
        if mentor is None:
            messages.error(request, "Choose one of the mentors listed.")
        else:
            try:
                services.suggestion_pick(suggestion=suggestion, actor=request.user, mentor=mentor)
            except ValidationError as exc:
                _error(request, exc)
            else:
                messages.success(
                    request,
                    f"{suggestion.mentee.user} is now paired with {mentor.user} in the draft, "
                    "and the pair is locked.",
                )
                return redirect("matching:board", slug=slug)
    pool = scoring.load_pool(
        access.program, mentees=Membership.objects.filter(pk=suggestion.mentee_id)
    )
    scored = scoring.score_pool(access.program, pool)
    room = selectors.draft_room(access, suggestion.run)
    candidates = []
    for j, mentor in enumerate(pool.mentors):
        reason = scored.forbidden_reason(0, j)
        current = mentor.pk == suggestion.mentor_id
        candidates.append(
            {
                "mentor": mentor,
                "score": None if reason else float(scored.scores[0, j]),
                "fit": scored.fit_pct(0, j),
                "explanation": [] if reason else scored.explain(0, j),
                "forbidden": reason,
                "room": room.get(mentor.pk, 0) + (1 if current else 0),
                "current": current,
            }
        )
    candidates.sort(key=_best_first)
    page = Paginator(candidates, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "matching/suggestion_pick.html",
        {
            "access": access,
            "program": access.program,
            "suggestion": suggestion,
            "page": page,
            "editable": suggestion.run.is_draft,
        },
    )


def _best_first(candidate: dict[str, Any]) -> tuple[bool, float]:
    score = candidate["score"]
    return candidate["forbidden"] is not None, -(score if score is not None else 0.0)


@login_required
def constraint_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    items = list(selectors.constraints(access))
    return render(
        request,
        "matching/constraint_list.html",
        {
            "access": access,
            "program": access.program,
            "locks": [c for c in items if c.kind == MatchConstraint.Kind.LOCK],
            "forbids": [c for c in items if c.kind == MatchConstraint.Kind.FORBID],
        },
    )


@login_required
@require_POST
def constraint_remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, constraint = get_constraint_for_admin(request.user, slug, pk)
    services.constraint_remove(constraint=constraint, actor=request.user)
    messages.success(
        request,
        f"The {constraint.get_kind_display().lower()} pair {constraint.mentee.user} – "
        f"{constraint.mentor.user} is released.",
    )
    return redirect("matching:constraints", slug=slug)


urlpatterns: list[URLPattern] = [
    path("matching/", board, name="board"),
    path("matching/run/", run_create, name="run"),
    path("matching/runs/<int:pk>/publish/", run_publish, name="publish"),
    path("matching/suggestions/<int:pk>/lock/", suggestion_lock, name="suggestion_lock"),
    path("matching/suggestions/<int:pk>/unlock/", suggestion_unlock, name="suggestion_unlock"),
    path("matching/suggestions/<int:pk>/forbid/", suggestion_forbid, name="suggestion_forbid"),
    path("matching/suggestions/<int:pk>/pick/", suggestion_pick, name="suggestion_pick"),
    path("matching/constraints/", constraint_list, name="constraints"),
    path("matching/constraints/<int:pk>/remove/", constraint_remove, name="constraint_remove"),
]
