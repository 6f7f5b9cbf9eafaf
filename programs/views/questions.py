"""Enrolment questions of a program (admins only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from mentoring.forms import add_service_errors
from mentoring.types import AuthenticatedHttpRequest
from programs import selectors, services
from programs.access import get_program_access, get_question_for_admin
from programs.forms import QuestionForm


@login_required
def question_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    return render(
        request,
        "programs/question_list.html",
        {
            "access": access,
            "program": access.program,
            "questions": selectors.questions_for(access.program),
        },
    )


@login_required
def question_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.question_create(
                program=access.program, actor=request.user, choices=data.pop("choices"), **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Question added.")
            return redirect("programs:questions", slug=slug)
    return render(
        request,
        "programs/question_form.html",
        {"access": access, "program": access.program, "form": form},
    )


@login_required
def question_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, question = get_question_for_admin(request.user, slug, pk)
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.question_update(
                question=question, actor=request.user, choices=data.pop("choices"), **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Question saved.")
            return redirect("programs:questions", slug=slug)
    return render(
        request,
        "programs/question_form.html",
        {"access": access, "program": access.program, "form": form, "question": question},
    )


@login_required
def question_delete(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, question = get_question_for_admin(request.user, slug, pk)
    if request.method == "POST":
        services.question_delete(question=question, actor=request.user)
        messages.success(request, "Question deleted, with its answers.")
        return redirect("programs:questions", slug=slug)
    return render(
        request,
        "programs/question_confirm_delete.html",
        {
            "access": access,
            "program": access.program,
            "question": question,
            "answer_count": question.answers.count(),
        },
    )


@login_required
@require_POST
def question_move(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, question = get_question_for_admin(request.user, slug, pk)
    up = request.POST.get("to") == "up"
    if not services.question_move(question=question, actor=request.user, up=up):
        messages.info(request, f"That question is already {'first' if up else 'last'}.")
    return redirect("programs:questions", slug=slug)
