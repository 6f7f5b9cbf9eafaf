"""Programs: list, create, overview, settings, co-admins and topics."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from mentoring.forms import add_service_errors
from mentoring.security import require_staff
from mentoring.types import AuthenticatedHttpRequest
from programs import selectors, services
from programs.access import get_membership_for_admin, get_program_access, get_topic_for_admin
from programs.forms import AddAdminForm, ProgramForm, TopicForm
from programs.models import Membership


@login_required
def program_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "programs/program_list.html",
        {"summaries": selectors.programs_of(request.user)},
    )


@login_required
def program_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_staff(request, refusal="Only staff can create programs.")
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{program.name}” is created. You are its admin.")
            return redirect(program)
    return render(request, "programs/program_form.html", {"form": form})


@login_required
def program_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug)
    context = {"access": access, "program": access.program}
    if access.is_admin:
        context["counts"] = selectors.program_counts(access)
    return render(request, "programs/program_detail.html", context)


@login_required
def program_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    form = ProgramForm(request.POST or None, instance=access.program)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(program=access.program, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The program's settings are saved.")
            return redirect(access.program)
    return render(
        request,
        "programs/program_form.html",
        {"form": form, "access": access, "program": access.program},
    )


@login_required
def admin_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    form = AddAdminForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.program_add_admin(
                program=access.program, actor=request.user, email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"{invitation.email} is invited to be an admin; they become one when they accept.",
            )
            return redirect("programs:admins", slug=slug)
    return render(
        request,
        "programs/admin_list.html",
        {
            "access": access,
            "program": access.program,
            "admins": selectors.admins(access),
            "pending": selectors.invitations(access, "pending").filter(role=Membership.Role.ADMIN),
            "form": form,
        },
    )


@login_required
@require_POST
def admin_remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, membership = get_membership_for_admin(request.user, slug, pk)
    if membership.role != Membership.Role.ADMIN:
        raise PermissionDenied("That person is not an admin of this program.")
    try:
        services.membership_remove(membership=membership, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("programs:admins", slug=slug)
    messages.success(request, f"{membership.user} is no longer an admin.")
    if membership.user_id == request.user.pk:
        return redirect("programs:list")
    return redirect("programs:admins", slug=slug)


@login_required
def topic_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(
                program=access.program, actor=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Topic “{topic.name}” added.")
            return redirect("programs:topics", slug=slug)
    return render(
        request,
        "programs/topic_list.html",
        {
            "access": access,
            "program": access.program,
            "topics": access.program.topics.all(),
            "form": form,
        },
    )


@login_required
def topic_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, topic = get_topic_for_admin(request.user, slug, pk)
    form = TopicForm(request.POST or None, initial={"name": topic.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_update(topic=topic, actor=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Topic renamed.")
            return redirect("programs:topics", slug=slug)
    return render(
        request,
        "programs/topic_form.html",
        {"access": access, "program": access.program, "topic": topic, "form": form},
    )


@login_required
@require_POST
def topic_delete(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, topic = get_topic_for_admin(request.user, slug, pk)
    services.topic_delete(topic=topic, actor=request.user)
    messages.success(request, f"Topic “{topic.name}” deleted.")
    return redirect("programs:topics", slug=slug)
