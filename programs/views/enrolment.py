"""A participant's own enrolment form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from mentoring.forms import add_service_errors
from mentoring.types import AuthenticatedHttpRequest
from programs import selectors, services
from programs.access import get_participant_membership
from programs.forms import EnrolmentForm


@login_required
def enrolment_edit(request: AuthenticatedHttpRequest, slug: str, role: str) -> HttpResponse:
    access, membership = get_participant_membership(request.user, slug, role)
    program = access.program
    questions = selectors.questions_for(program, membership.role)
    context = {"access": access, "program": program, "membership": membership}
    if not program.enrolment_open:
        context["answers"] = selectors.participant_answers(membership)
        context["topics"] = membership.topics.all()
        return render(request, "programs/enrolment_locked.html", context)
    form = EnrolmentForm(request.POST or None, instance=membership, questions=questions)
    if request.method == "POST" and form.is_valid():
        first_time = not membership.is_enrolled
        try:
            services.enrolment_submit(
                membership=membership,
                actor=request.user,
                topics=form.cleaned_data.get("topics") or [],
                answers=form.answers(),
                **form.profile(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "Thank you: you are enrolled."
                if first_time
                else "Your enrolment answers are saved.",
            )
            return redirect(program)
    context["form"] = form
    return render(request, "programs/enrolment_form.html", context)
