"""Invitations: the admins' list, and the landing page an invited person opens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from mentoring.accounts import account_for_email
from mentoring.auth_backends import ModelBackend
from mentoring.forms import add_service_errors
from mentoring.types import AuthenticatedHttpRequest
from programs import selectors, services
from programs.access import get_invitation_for_admin, get_program_access
from programs.forms import InvitationForm, JoinForm
from programs.models import Invitation, Membership, Program

PAGE_SIZE = 25


@login_required
def invitation_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    state = request.GET.get("state", "")
    if state not in selectors.INVITATION_STATES:
        state = ""
    page = Paginator(selectors.invitations(access, state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                program=access.program, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("programs:invitations", slug=slug)
    return render(
        request,
        "programs/invitation_list.html",
        {
            "access": access,
            "program": access.program,
            "form": form,
            "page": page,
            "state": state,
            "states": selectors.INVITATION_STATES,
            "query": f"state={state}" if state else "",
        },
    )


@login_required
@require_POST
def invitation_resend(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, invitation = get_invitation_for_admin(request.user, slug, pk)
    try:
        services.invitation_resend(invitation=invitation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Invitation sent again to {invitation.email}.")
    return redirect("programs:invitations", slug=slug)


@login_required
@require_POST
def invitation_revoke(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, invitation = get_invitation_for_admin(request.user, slug, pk)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return redirect("programs:invitations", slug=slug)


def _invitation_or_404(token: str) -> Invitation:
    invitation = services.invitation_from_token(token)
    if invitation is None:
        raise Http404("This invitation link is not valid. Check that you copied all of it.")
    return invitation


def _after_accept(invitation: Invitation) -> str:
    program = invitation.program
    if invitation.role in Membership.PARTICIPANT_ROLES and program.enrolment_open:
        return reverse("programs:enrol", kwargs={"slug": program.slug, "role": invitation.role})
    return program.get_absolute_url()


def invitation_landing(request: HttpRequest, token: str) -> HttpResponse:
    """What an invited person sees: accept, sign in first, or set up an account."""
    invitation = _invitation_or_404(token)
    user = request.user if request.user.is_authenticated else None
    problem = services.invitation_problem(invitation, user)
    context: dict[str, object] = {"invitation": invitation, "program": invitation.program}
    if problem:
        if (
            user is not None
            and invitation.accepted_by_id == user.pk
            and Membership.objects.filter(program=invitation.program, user=user).exists()
        ):
            return redirect(invitation.program)
        context["problem"] = problem
        # Gone for good (withdrawn, used, expired, program closed), or meant for someone else.
        gone = (
            invitation.revoked_at
            or invitation.accepted_at
            or invitation.is_expired
            or invitation.program.status == Program.Status.CLOSED
        )
        return render(
            request, "programs/invitation_landing.html", context, status=410 if gone else 403
        )
    if user is not None:
        return render(request, "programs/invitation_landing.html", context)
    existing = account_for_email(invitation.email)
    if existing is not None and not existing.is_active:
        context["problem"] = (
            "The account for this address is deactivated. Ask the program's admins."
        )
        return render(request, "programs/invitation_landing.html", context, status=403)
    if existing is not None and not existing.is_unclaimed:
        context["login_url"] = (
            reverse("account_login") + "?" + urlencode({"next": request.get_full_path()})
        )
        return render(request, "programs/invitation_landing.html", context)
    form = JoinForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            joined = services.invitation_join(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, joined, backend=f"{ModelBackend.__module__}.{ModelBackend.__qualname__}")
            messages.success(request, f"Welcome to {invitation.program.name}.")
            return redirect(_after_accept(invitation))
    context["form"] = form
    return render(request, "programs/invitation_landing.html", context)


@require_POST
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation_or_404(token)
    if not request.user.is_authenticated:
        # Signed out meanwhile: the landing page says how to go on.
        return redirect("invitations:landing", token=token)
    try:
        services.invitation_accept(invitation=invitation, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("invitations:landing", token=token)
    messages.success(
        request,
        f"You joined {invitation.program.name} as {invitation.get_role_display().lower()}.",
    )
    return redirect(_after_accept(invitation))
