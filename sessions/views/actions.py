"""Workspace pages: action items (including the mentor's follow-ups after a meeting).

Action items belong to the whole relationship. Their descriptions are content:
admins whose program keeps content from them see counts only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from mentoring.forms import add_service_errors
from mentoring.types import AuthenticatedHttpRequest
from sessions.access import WorkspaceAccess, get_action, get_workspace
from sessions.forms.actions import ActionForm, ActionStatusForm
from sessions.models import ActionItem, Meeting
from sessions.selectors_meetings import action_counts
from sessions.services import actions
from sessions.services._common import NOT_IN_IT
from sessions.views._common import render_workspace, to_workspace

Status = ActionItem.Status


def _participant(wa: WorkspaceAccess) -> None:
    if not wa.is_participant:
        raise PermissionDenied(NOT_IN_IT)


def _back(request: AuthenticatedHttpRequest, wa: WorkspaceAccess) -> HttpResponse:
    """Back where the form or button was (a page of this site), else to the list."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path, never handed to redirect(): it would take "nul byte" for a view name (500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    response: HttpResponse = to_workspace(wa, "workspace:actions")
    return response


@login_required
def action_list(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    counts = action_counts(wa.workspace)
    context: dict[str, object] = {"counts": counts}
    if wa.can_read_content:
        mine = request.GET.get("show") == "mine" and wa.is_participant
        items = wa.workspace.actions.select_related("owner", "meeting").order_by(
            "due_date", "created_at", "pk"
        )
        if mine:
            items = items.filter(owner=request.user)
        rows = list(items)
        context.update(
            mine=mine,
            open_items=[a for a in rows if a.status == Status.OPEN],
            closed_items=sorted(
                (a for a in rows if a.status != Status.OPEN),
                key=lambda a: a.done_at or a.updated_at,
                reverse=True,
            ),
        )
    return render_workspace(request, "sessions/action_list.html", wa, "actions", context)


@login_required
def action_create(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    _participant(wa)
    meeting: Meeting | None = None
    mid = request.GET.get("meeting", "")
    if mid:
        if not (mid.isascii() and mid.isdigit()):
            raise Http404
        meeting = wa.workspace.meetings.filter(pk=int(mid)).first()
        if meeting is None:
            raise Http404
        meeting.workspace = wa.workspace
    # The mentor's follow-ups are usually theirs to do; a mentee's next steps theirs.
    form = ActionForm(
        request.POST or None,
        people=wa.participants,
        me=request.user,
        initial={"owner": request.user.pk, "kind": ActionItem.Kind.TASK},
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = actions.action_create(wa=wa, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            whose = "" if action.owner_id == request.user.pk else f" {action.owner} is told."
            messages.success(request, f"The action item is added.{whose}")
            if "add_another" in request.POST:
                return redirect(request.get_full_path())
            response: HttpResponse = (
                to_workspace(wa, "workspace:meeting", mid=meeting.pk)
                if meeting is not None
                else to_workspace(wa, "workspace:actions")
            )
            return response
    return render_workspace(
        request,
        "sessions/action_form.html",
        wa,
        "actions",
        {"form": form, "meeting": meeting, "action": None},
    )


@login_required
def action_edit(request: AuthenticatedHttpRequest, slug: str, pk: int, aid: int) -> HttpResponse:
    wa, action = get_action(request.user, slug, pk, aid)
    _participant(wa)
    if request.user.pk not in (action.created_by_id, action.owner_id):
        raise PermissionDenied(
            "Only the person who added this action item or its owner can edit it."
        )
    form = ActionForm(
        request.POST or None,
        people=wa.participants,
        me=request.user,
        initial={
            "owner": action.owner_id,
            "kind": action.kind,
            "description": action.description,
            "due_date": action.due_date,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.action_update(wa=wa, action=action, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The action item is saved.")
            return _back(request, wa)
    return render_workspace(
        request,
        "sessions/action_form.html",
        wa,
        "actions",
        {"form": form, "meeting": None, "action": action},
    )


STATUS_DONE_MESSAGES = {
    Status.DONE: "Marked done. Well done!",
    Status.DROPPED: "The action item is dropped.",
    Status.OPEN: "The action item is open again.",
}


@login_required
@require_POST
def action_status(request: AuthenticatedHttpRequest, slug: str, pk: int, aid: int) -> HttpResponse:
    wa, action = get_action(request.user, slug, pk, aid)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose done, dropped or open.")
        return _back(request, wa)
    status = form.cleaned_data["status"]
    try:
        actions.action_set_status(wa=wa, action=action, status=status)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, STATUS_DONE_MESSAGES[Status(status)])
    return _back(request, wa)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/actions/", action_list, name="actions"),
    path("<int:pk>/actions/new/", action_create, name="action_create"),
    path("<int:pk>/actions/<int:aid>/edit/", action_edit, name="action_edit"),
    path("<int:pk>/actions/<int:aid>/status/", action_status, name="action_status"),
]
