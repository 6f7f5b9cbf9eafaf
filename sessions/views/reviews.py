"""Reviews and closure: the mid-point review, the closing checklist with the final review,
completing, extending and ending a relationship early."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from mentoring.forms import add_service_errors
from mentoring.types import AuthenticatedHttpRequest
from sessions import selectors_reviews as selectors
from sessions.access import WorkspaceAccess, get_review, get_workspace
from sessions.forms.closure import EndEarlyForm, ExtensionForm
from sessions.forms.reviews import FinalReviewForm, MidpointReviewForm, initial_from
from sessions.models import Review
from sessions.services import closure, reviews
from sessions.services._common import NOT_IN_IT
from sessions.views._common import render_workspace, to_workspace

Kind = Review.Kind
ENDED = "This relationship has ended; its workspace is read-only now."


def _check_participant(wa: WorkspaceAccess) -> None:
    if not wa.is_participant:
        raise PermissionDenied(NOT_IN_IT)


def _my_review(wa: WorkspaceAccess, kind: str) -> Review | None:
    if not wa.is_participant:
        return None
    return Review.objects.filter(workspace=wa.workspace, author=wa.user, kind=kind).first()


def _may_answer(wa: WorkspaceAccess, mine: Review | None) -> bool:
    return wa.can_write and (mine is None or mine.is_open_for_resubmission)


# --- The mid-point review -----------------------------------------------------------------


@login_required
def review_list(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    state = selectors.review_state(wa)
    midpoint: dict[str, Any] = {"mine": None, "others": []}
    if state["has_midpoint"]:
        midpoint = selectors.reviews_shown(wa, Kind.MIDPOINT, state["midpoint"]["all_in"])
    form = None
    if state["midpoint_open"] and _may_answer(wa, midpoint["mine"]):
        form = MidpointReviewForm(initial=initial_from(midpoint["mine"]))
    return render_workspace(
        request,
        "sessions/review_list.html",
        wa,
        "reviews",
        {"state": state, "midpoint": midpoint, "form": form},
    )


@login_required
def review_midpoint(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    _check_participant(wa)
    if wa.workspace.is_flash:
        messages.info(request, reviews.NO_MIDPOINT_FOR_FLASH)
        return to_workspace(wa, "workspace:reviews")
    if not wa.workspace.is_open:
        messages.error(request, ENDED)
        return to_workspace(wa, "workspace:reviews")
    mine = _my_review(wa, Kind.MIDPOINT)
    if not _may_answer(wa, mine):
        if request.method == "POST":
            messages.error(request, reviews.LOCKED[Kind.MIDPOINT])
        else:
            messages.info(request, "You have submitted your mid-point review; it is locked.")
        return to_workspace(wa, "workspace:reviews")
    if request.method == "GET" and not reviews.midpoint_is_open(wa):
        return to_workspace(wa, "workspace:reviews")  # the page says when it opens
    form = MidpointReviewForm(request.POST or None, initial=initial_from(mine))
    if request.method == "POST" and form.is_valid():
        try:
            review = reviews.review_submit(wa=wa, kind=Kind.MIDPOINT, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if review.decision != Review.Decision.END:
                messages.success(request, "Your mid-point review is in, and now locked.")
                return to_workspace(wa, "workspace:reviews")
            if closure.may_close(wa):
                messages.success(
                    request,
                    "Your mid-point review is in. You chose to end the relationship: say why "
                    "below. The others in it and the program's admins have been told.",
                )
                return to_workspace(wa, "workspace:end_early")
            messages.success(
                request,
                "Your mid-point review is in. The circle's mentor and the program's admins "
                "have been told you would end it.",
            )
            return to_workspace(wa, "workspace:reviews")
    return render_workspace(
        request,
        "sessions/review_midpoint.html",
        wa,
        "reviews",
        {"form": form, "mine": mine},
    )


@login_required
@require_POST
def review_reopen(request: AuthenticatedHttpRequest, slug: str, pk: int, rid: int) -> HttpResponse:
    wa, review = get_review(request.user, slug, pk, rid)
    try:
        review = reviews.review_reopen(wa=wa, review=review)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{review.author.display_name} may submit their {review.get_kind_display().lower()} "
            "once more; they have been told.",
        )
    return to_workspace(
        wa, "workspace:reviews" if review.kind == Kind.MIDPOINT else "workspace:closure"
    )


# --- Closure ------------------------------------------------------------------------------


@login_required
def closure_page(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    mine = _my_review(wa, Kind.FINAL)
    form = None
    if _may_answer(wa, mine):
        form = FinalReviewForm(request.POST or None, initial=initial_from(mine))
    if request.method == "POST":
        _check_participant(wa)
        if form is None:
            messages.error(request, reviews.LOCKED[Kind.FINAL] if mine else ENDED)
            return to_workspace(wa, "workspace:closure")
        if form.is_valid():
            try:
                reviews.review_submit(wa=wa, kind=Kind.FINAL, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Your final review is in, and now locked.")
                return to_workspace(wa, "workspace:closure")
    state = selectors.review_state(wa)
    final = selectors.reviews_shown(wa, Kind.FINAL, state["final"]["all_in"])
    waiting = [u for u in wa.participants if u.pk not in state["final"]["submitted"]] + [
        u for u in wa.participants if u.pk in state["final"]["reopened"]
    ]
    may_close = closure.may_close(wa)
    opens = closure.completion_opens(wa)
    return render_workspace(
        request,
        "sessions/closure.html",
        wa,
        "reviews",
        {
            "state": state,
            "final": final,
            "form": form,
            "checklist": selectors.closure_checklist(wa),
            "date_changes": selectors.date_changes(wa),
            "may_close": may_close,
            "waiting": waiting,
            "completion_opens": opens,
            "can_complete": wa.workspace.is_open
            and may_close
            and opens is None
            and (wa.is_program_admin or wa.workspace.is_flash or not waiting),
        },
    )


@login_required
@require_POST
def complete(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    try:
        closure.workspace_complete(wa=wa)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, "The relationship is completed. Thank you, and well done on what you achieved."
        )
    return to_workspace(wa, "workspace:closure")


@login_required
def extend(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    if not (wa.is_participant or wa.is_program_admin):
        raise PermissionDenied(NOT_IN_IT)
    form = ExtensionForm(request.POST or None) if wa.workspace.is_open else None
    if request.method == "POST":
        if form is None:
            messages.error(request, closure.ENDED)
            return to_workspace(wa, "workspace:closure")
        if form.is_valid():
            try:
                change = closure.workspace_extend(wa=wa, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                end = change.new_end_date
                messages.success(
                    request,
                    f"Extended: the relationship now ends on {end.day} {end:%B %Y}. "
                    "The others have been told.",
                )
                return to_workspace(wa, "workspace:closure")
    return render_workspace(
        request,
        "sessions/extension_form.html",
        wa,
        "reviews",
        {"form": form, "date_changes": selectors.date_changes(wa)},
    )


@login_required
def end_early(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    closure.check_may_close(wa, "end")
    form = None
    if wa.workspace.is_open:
        form = EndEarlyForm(request.POST or None, initial=_reason_from_review(wa))
    if request.method == "POST":
        if form is None:
            messages.error(request, closure.ENDED)
            return to_workspace(wa, "workspace:closure")
        if form.is_valid():
            try:
                closure.workspace_end_early(wa=wa, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    "The relationship has ended early; your reason is recorded. "
                    "The others and the program's admins are told.",
                )
                return to_workspace(wa, "workspace:closure")
    return render_workspace(request, "sessions/end_early_form.html", wa, "reviews", {"form": form})


def _reason_from_review(wa: WorkspaceAccess) -> dict[str, str]:
    """Start from what I wrote in a mid-point review that chose to end."""
    review = _my_review(wa, Kind.MIDPOINT)
    if review is None or review.decision != Review.Decision.END:
        return {}
    return {"reason": (review.change or review.working)[: closure.REASON_MAX]}


urlpatterns: list[URLPattern] = [
    path("<int:pk>/reviews/", review_list, name="reviews"),
    path("<int:pk>/reviews/mid-point/", review_midpoint, name="review_midpoint"),
    path("<int:pk>/reviews/<int:rid>/reopen/", review_reopen, name="review_reopen"),
    path("<int:pk>/closure/", closure_page, name="closure"),
    path("<int:pk>/complete/", complete, name="complete"),
    path("<int:pk>/extend/", extend, name="extend"),
    path("<int:pk>/end-early/", end_early, name="end_early"),
]
