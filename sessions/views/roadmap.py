"""The roadmap page: topics planned for the coming meetings, reordered, edited, covered."""

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
from sessions.access import WorkspaceAccess, get_roadmap_topic, get_workspace
from sessions.forms.roadmap import (
    RoadmapCoverForm,
    RoadmapMoveForm,
    RoadmapTopicForm,
    cover_choices,
)
from sessions.models import Meeting, RoadmapTopic
from sessions.selectors_plan import held_count, planned_topics
from sessions.services import roadmap as services
from sessions.services._common import NOT_IN_IT, TransitionError
from sessions.views._common import render_workspace, to_workspace


def _check_participant(wa: WorkspaceAccess) -> None:
    if not wa.is_participant:
        raise PermissionDenied(NOT_IN_IT)


def _error(request: AuthenticatedHttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _render_roadmap(
    request: AuthenticatedHttpRequest,
    wa: WorkspaceAccess,
    form: RoadmapTopicForm | None = None,
) -> HttpResponse:
    workspace = wa.workspace
    if not wa.can_read_content:
        context: dict[str, Any] = {
            "topic_count": workspace.roadmap.count(),
            "covered_count": workspace.roadmap.filter(covered_in__isnull=False).count(),
        }
        return render_workspace(request, "sessions/roadmap_list.html", wa, "roadmap", context)
    topics = list(workspace.roadmap.select_related("covered_in").order_by("position", "pk"))
    covered = []
    for topic in topics:
        meeting = topic.covered_in
        if meeting is not None:
            meeting.workspace = workspace  # get_absolute_url without a query each
            covered.append((meeting.starts_at, topic.position, topic))
    covered.sort(key=lambda row: row[:2])
    covers: dict[int, RoadmapCoverForm] = {}
    if wa.can_write:
        choices = cover_choices(services.coverable_meetings(workspace))
        covers = {
            t.pk: RoadmapCoverForm(
                choices=choices, initial={"meeting": t.covered_in_id}, auto_id=f"id_t{t.pk}_%s"
            )
            for t in topics
        }
    context = {
        "planned": [
            {"number": p.number, "topic": p.topic, "cover": covers.get(p.topic.pk)}
            for p in planned_topics(topics, held_count(workspace))
        ],
        "covered": [{"topic": t, "cover": covers.get(t.pk)} for *_, t in covered],
        "topic_count": len(topics),
    }
    if wa.can_write:
        context["form"] = form or RoadmapTopicForm()
    return render_workspace(request, "sessions/roadmap_list.html", wa, "roadmap", context)


@login_required
def roadmap_list(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    if request.method != "POST":
        return _render_roadmap(request, wa)
    _check_participant(wa)
    form = RoadmapTopicForm(request.POST, instance=RoadmapTopic(workspace=wa.workspace))
    if form.is_valid():
        try:
            topic = services.roadmap_add(wa=wa, **form.cleaned_data)
        except TransitionError as exc:
            _error(request, exc)
            return to_workspace(wa, "workspace:roadmap")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{topic.title}” is on the roadmap.")
            return to_workspace(wa, "workspace:roadmap")
    return _render_roadmap(request, wa, form)


@login_required
def roadmap_edit(request: AuthenticatedHttpRequest, slug: str, pk: int, tid: int) -> HttpResponse:
    wa, topic = get_roadmap_topic(request.user, slug, pk, tid)
    _check_participant(wa)
    context: dict[str, Any] = {"topic": topic}
    if wa.workspace.is_open:
        form = RoadmapTopicForm(request.POST or None, instance=topic)
        if request.method == "POST" and form.is_valid():
            try:
                services.roadmap_update(wa=wa, topic=topic, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "The topic is saved.")
                return to_workspace(wa, "workspace:roadmap")
        context["form"] = form
    return render_workspace(request, "sessions/roadmap_form.html", wa, "roadmap", context)


@login_required
@require_POST
def roadmap_move(request: AuthenticatedHttpRequest, slug: str, pk: int, tid: int) -> HttpResponse:
    wa, topic = get_roadmap_topic(request.user, slug, pk, tid)
    _check_participant(wa)
    form = RoadmapMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Move a topic up or down.")
        return to_workspace(wa, "workspace:roadmap")
    try:
        services.roadmap_move(wa=wa, topic=topic, direction=form.cleaned_data["direction"])
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"“{topic.title}” moved {form.cleaned_data['direction']}.")
    return to_workspace(wa, "workspace:roadmap")


@login_required
@require_POST
def roadmap_delete(request: AuthenticatedHttpRequest, slug: str, pk: int, tid: int) -> HttpResponse:
    wa, topic = get_roadmap_topic(request.user, slug, pk, tid)
    _check_participant(wa)
    try:
        services.roadmap_delete(wa=wa, topic=topic)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"“{topic.title}” is off the roadmap.")
    return to_workspace(wa, "workspace:roadmap")


@login_required
@require_POST
def roadmap_cover(request: AuthenticatedHttpRequest, slug: str, pk: int, tid: int) -> HttpResponse:
    wa, topic = get_roadmap_topic(request.user, slug, pk, tid)
    _check_participant(wa)
    meetings = {m.pk: m for m in services.coverable_meetings(wa.workspace)}
    form = RoadmapCoverForm(request.POST, choices=cover_choices(meetings.values()))
    if not form.is_valid():
        messages.error(request, "Choose a meeting of this relationship that was not cancelled.")
        return to_workspace(wa, "workspace:roadmap")
    chosen: int | None = form.cleaned_data["meeting"]
    meeting: Meeting | None = meetings.get(chosen) if chosen is not None else None
    try:
        services.roadmap_cover(wa=wa, topic=topic, meeting=meeting)
    except ValidationError as exc:
        _error(request, exc)
    else:
        if meeting is None:
            messages.success(request, f"“{topic.title}” is planned again, not covered yet.")
        else:
            messages.success(request, f"“{topic.title}” is marked as covered.")
    return to_workspace(wa, "workspace:roadmap")


urlpatterns: list[URLPattern] = [
    path("<int:pk>/roadmap/", roadmap_list, name="roadmap"),
    path("<int:pk>/roadmap/<int:tid>/edit/", roadmap_edit, name="roadmap_edit"),
    path("<int:pk>/roadmap/<int:tid>/move/", roadmap_move, name="roadmap_move"),
    path("<int:pk>/roadmap/<int:tid>/delete/", roadmap_delete, name="roadmap_delete"),
    path("<int:pk>/roadmap/<int:tid>/cover/", roadmap_cover, name="roadmap_cover"),
]
