"""Pairings: the admin's list, a participant's mentoring, and each pairing's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from matching import selectors, services
from matching.access import get_pairing
from matching.forms import ReasonForm
from matching.models import Pairing
from mentoring.forms import add_service_errors
from mentoring.types import AuthenticatedHttpRequest
from programs.access import get_program_access

Status = Pairing.Status


@login_required
def pairing_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    page = Paginator(selectors.pairings(access, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "matching/pairing_list.html",
        {
            "access": access,
            "program": access.program,
            "page": page,
            "status": status,
            "statuses": Status.choices,
            "counts": selectors.pairing_counts(access),
        },
    )


@login_required
def my_mentoring(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug)
    return render(
        request,
        "matching/my_mentoring.html",
        {"access": access, "program": access.program, **selectors.my_pairings(access)},
    )


@login_required
def pairing_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, pairing = get_pairing(request.user, slug, pk)
    me = request.user.pk
    viewer = (
        "mentor"
        if pairing.mentor.user_id == me
        else "mentee"
        if pairing.mentee.user_id == me
        else "admin"
    )
    partner = pairing.mentee if viewer == "mentor" else pairing.mentor
    return render(
        request,
        "matching/pairing_detail.html",
        {
            "access": access,
            "program": access.program,
            "pairing": pairing,
            "viewer": viewer,
            "partner": partner,
            "can_answer": viewer == "mentor" and pairing.status == Status.PROPOSED,
            "can_end": pairing.status == Status.ACTIVE,
            "decline_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def pairing_accept(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, pairing = get_pairing(request.user, slug, pk)
    try:
        services.pairing_accept(pairing=pairing, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"You are now {pairing.mentee.user}'s mentor. They have been told and can see you "
            "as their match.",
        )
    return redirect(pairing)


def _reason_page(
    request: AuthenticatedHttpRequest, slug: str, pk: int, action: str
) -> HttpResponse:
    access, pairing = get_pairing(request.user, slug, pk)
    if action == "decline" and pairing.mentor.user_id != request.user.pk:
        raise PermissionDenied("Only the proposed mentor can decline this proposal.")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if action == "decline":
                services.pairing_decline(
                    pairing=pairing, actor=request.user, reason=form.cleaned_data["reason"]
                )
            else:
                services.pairing_end_early(
                    pairing=pairing, actor=request.user, reason=form.cleaned_data["reason"]
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "You declined the proposal; the program's admins have been told."
                if action == "decline"
                else "The pairing has ended early. Everyone concerned has been told.",
            )
            return redirect(pairing)
    return render(
        request,
        "matching/pairing_reason.html",
        {
            "access": access,
            "program": access.program,
            "pairing": pairing,
            "form": form,
            "action": action,
        },
    )


@login_required
def pairing_decline(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    return _reason_page(request, slug, pk, "decline")


@login_required
def pairing_end(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    return _reason_page(request, slug, pk, "end")


@login_required
@require_POST
def pairing_complete(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, pairing = get_pairing(request.user, slug, pk)
    try:
        services.pairing_complete(pairing=pairing, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The pairing is marked completed. Congratulations to both!")
    return redirect(pairing)


urlpatterns: list[URLPattern] = [
    path("pairings/", pairing_list, name="pairings"),
    path("mentoring/", my_mentoring, name="mine"),
    path("pairings/<int:pk>/", pairing_detail, name="pairing"),
    path("pairings/<int:pk>/accept/", pairing_accept, name="pairing_accept"),
    path("pairings/<int:pk>/decline/", pairing_decline, name="pairing_decline"),
    path("pairings/<int:pk>/complete/", pairing_complete, name="pairing_complete"),
    path("pairings/<int:pk>/end/", pairing_end, name="pairing_end"),
]
