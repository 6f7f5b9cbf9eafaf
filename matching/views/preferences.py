"""Matching pages: a participant's ranked preferences, and the program's matching settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from matching.forms_preferences import MatchingSettingsForm, PreferencesForm
from matching.models import MatchingPreference, MatchingSettings
from matching.services.preferences import (
    PREFERENCE_OPEN_STATUSES,
    matching_settings_update,
    preference_targets,
    preferences_set,
)
from mentoring.forms import add_service_errors
from mentoring.types import AuthenticatedHttpRequest
from programs.access import get_participant_membership, get_program_access
from programs.models import Membership, Question

Role = Membership.Role


@login_required
def preferences_edit(request: AuthenticatedHttpRequest, slug: str, role: str) -> HttpResponse:
    access, membership = get_participant_membership(request.user, slug, role)
    program = access.program
    ranked = [
        p.chosen
        for p in MatchingPreference.objects.filter(chooser=membership)
        .select_related("chosen__user")
        .order_by("rank")
    ]
    settings = MatchingSettings.for_program(program)
    weights = settings.weights()
    context = {
        "access": access,
        "program": program,
        "membership": membership,
        "ranked": ranked,
        "is_mentee": membership.role == Role.MENTEE,
        "weight": weights["mentee_preference" if role == Role.MENTEE else "mentor_preference"],
        "max_score": sum(weights.values()),
        "is_open": program.status in PREFERENCE_OPEN_STATUSES,
    }
    if not context["is_open"]:
        return render(request, "matching/preferences_edit.html", context)
    options = list(
        preference_targets(membership).prefetch_related("topics").order_by("user__name", "pk")
    )
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, options=options, ranked=ranked
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = preferences_set(membership=membership, actor=request.user, chosen=form.chosen())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if saved:
                messages.success(request, "Your ranking is saved.")
            else:
                messages.success(request, "Your ranking is cleared.")
            return redirect("matching:preferences", slug=slug, role=role)
    context["form"] = form
    context["options_count"] = len(options)
    return render(request, "matching/preferences_edit.html", context)


@login_required
def settings_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    program = access.program
    current = MatchingSettings.for_program(program)
    form = MatchingSettingsForm(
        request.POST if request.method == "POST" else None, instance=current
    )
    if request.method == "POST" and form.is_valid():
        try:
            matching_settings_update(program=program, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, "The matching settings are saved. They apply from the next matching run."
            )
            return redirect("matching:settings", slug=slug)
    return render(
        request,
        "matching/settings_edit.html",
        {
            "access": access,
            "program": program,
            "form": form,
            "max_score": sum(current.weights().values()),
            "matching_questions": Question.objects.filter(
                program=program, used_for_matching=True
            ).count(),
        },
    )


urlpatterns: list[URLPattern] = [
    path("preferences/<str:role>/", preferences_edit, name="preferences"),
    path("matching/settings/", settings_edit, name="settings"),
]
