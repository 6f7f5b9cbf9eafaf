"""The goal pages: the list, a goal with its history, setting and editing goals, progress."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from mentoring.forms import add_service_errors
from mentoring.types import AuthenticatedHttpRequest
from sessions.access import WorkspaceAccess, get_goal, get_workspace
from sessions.forms.goals import GoalForm, GoalProgressForm, GoalStatusForm
from sessions.models import Goal
from sessions.selectors_plan import goal_summary
from sessions.services import goals as services
from sessions.services._common import NOT_IN_IT
from sessions.views._common import render_workspace, to_workspace

FIELDS = ["title", "specific", "measurable", "achievable", "relevant", "target_date"]


def _check_participant(wa: WorkspaceAccess) -> None:
    if not wa.is_participant:
        raise PermissionDenied(NOT_IN_IT)


@login_required
def goal_list(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    context: dict[str, Any] = {"summary": goal_summary(wa.workspace)}
    if wa.can_read_content:
        goals = list(wa.workspace.goals.all())
        context["open_goals"] = [g for g in goals if g.status == Goal.Status.OPEN]
        context["closed_goals"] = [g for g in goals if g.status != Goal.Status.OPEN]
    return render_workspace(request, "sessions/goal_list.html", wa, "goals", context)


@login_required
def goal_create(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    _check_participant(wa)
    context: dict[str, Any] = {}
    if wa.workspace.is_open:
        form = GoalForm(request.POST or None, instance=Goal(workspace=wa.workspace))
        if request.method == "POST" and form.is_valid():
            try:
                goal = services.goal_create(
                    wa=wa, **{name: form.cleaned_data[name] for name in FIELDS}
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"The goal “{goal.title}” is set.")
                return to_workspace(wa, "workspace:goal", gid=goal.pk)
        context["form"] = form
    return render_workspace(request, "sessions/goal_form.html", wa, "goals", context)


def _render_goal(
    request: AuthenticatedHttpRequest,
    wa: WorkspaceAccess,
    goal: Goal,
    *,
    progress_form: GoalProgressForm | None = None,
    status_form: GoalStatusForm | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "goal": goal,
        "updates": list(goal.updates.select_related("author")),
    }
    if wa.can_write:
        if goal.status == Goal.Status.OPEN:
            context["progress_form"] = progress_form or GoalProgressForm(
                initial={"progress": goal.progress}
            )
        context["status_form"] = status_form or GoalStatusForm(current=goal.status)
    return render_workspace(request, "sessions/goal_detail.html", wa, "goals", context)


@login_required
def goal_detail(request: AuthenticatedHttpRequest, slug: str, pk: int, gid: int) -> HttpResponse:
    wa, goal = get_goal(request.user, slug, pk, gid)
    return _render_goal(request, wa, goal)


@login_required
def goal_edit(request: AuthenticatedHttpRequest, slug: str, pk: int, gid: int) -> HttpResponse:
    wa, goal = get_goal(request.user, slug, pk, gid)
    _check_participant(wa)
    context: dict[str, Any] = {"goal": goal}
    if wa.workspace.is_open:
        form = GoalForm(request.POST or None, instance=goal, initial=model_to_dict(goal, FIELDS))
        if request.method == "POST" and form.is_valid():
            try:
                services.goal_update(
                    wa=wa, goal=goal, **{name: form.cleaned_data[name] for name in FIELDS}
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "The goal is saved.")
                return to_workspace(wa, "workspace:goal", gid=goal.pk)
        context["form"] = form
    return render_workspace(request, "sessions/goal_form.html", wa, "goals", context)


@login_required
@require_POST
def goal_progress(request: AuthenticatedHttpRequest, slug: str, pk: int, gid: int) -> HttpResponse:
    wa, goal = get_goal(request.user, slug, pk, gid)
    _check_participant(wa)
    form = GoalProgressForm(request.POST)
    if form.is_valid():
        try:
            services.goal_progress(wa=wa, goal=goal, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Progress recorded: {form.cleaned_data['progress']}%.")
            return to_workspace(wa, "workspace:goal", gid=goal.pk)
    return _render_goal(request, wa, goal, progress_form=form)


@login_required
@require_POST
def goal_status(request: AuthenticatedHttpRequest, slug: str, pk: int, gid: int) -> HttpResponse:
    wa, goal = get_goal(request.user, slug, pk, gid)
    _check_participant(wa)
    form = GoalStatusForm(request.POST, current=goal.status)
    if form.is_valid():
        try:
            goal = services.goal_set_status(wa=wa, goal=goal, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            done = {
                Goal.Status.ACHIEVED: "The goal is achieved: well done!",
                Goal.Status.DROPPED: "The goal is dropped.",
                Goal.Status.OPEN: "The goal is open again.",
            }
            messages.success(request, done[Goal.Status(goal.status)])
            return to_workspace(wa, "workspace:goal", gid=goal.pk)
    return _render_goal(request, wa, goal, status_form=form)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/goals/", goal_list, name="goals"),
    path("<int:pk>/goals/new/", goal_create, name="goal_create"),
    path("<int:pk>/goals/<int:gid>/", goal_detail, name="goal"),
    path("<int:pk>/goals/<int:gid>/edit/", goal_edit, name="goal_edit"),
    path("<int:pk>/goals/<int:gid>/progress/", goal_progress, name="goal_progress"),
    path("<int:pk>/goals/<int:gid>/status/", goal_status, name="goal_status"),
]
