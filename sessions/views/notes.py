"""Notes: my notes and the shared ones I may read, with a form to add one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from mentoring.forms import add_service_errors
from mentoring.types import AuthenticatedHttpRequest
from sessions.access import get_note, get_workspace, visible_notes
from sessions.forms.notes import NoteForm
from sessions.models import Note
from sessions.selectors_reviews import shared_notes_count
from sessions.services import notes as services
from sessions.services._common import NOT_IN_IT
from sessions.views._common import render_workspace, to_workspace


def _initial_meeting(request: AuthenticatedHttpRequest) -> dict[str, object]:
    meeting = request.GET.get("meeting", "")
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    return {"meeting": int(meeting)} if meeting.isascii() and meeting.isdigit() else {}


@login_required
def note_list(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    notes = list(visible_notes(wa).select_related("meeting"))
    return render_workspace(
        request,
        "sessions/note_list.html",
        wa,
        "notes",
        {
            "notes": notes,
            # Admins who may not read words still see how much the relationship writes.
            "shared_count": None if wa.is_participant else shared_notes_count(wa),
            "form": NoteForm(workspace=wa.workspace) if wa.can_write else None,
        },
    )


@login_required
def note_create(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    if not wa.is_participant:
        raise PermissionDenied(NOT_IN_IT)
    form = NoteForm(request.POST or None, workspace=wa.workspace, initial=_initial_meeting(request))
    if request.method == "POST" and form.is_valid():
        try:
            note = services.note_create(
                wa=wa,
                body=form.cleaned_data["body"],
                visibility=form.cleaned_data["visibility"],
                meeting=form.cleaned_data["meeting"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            who = "only you" if note.visibility == Note.Visibility.PRIVATE else "the relationship"
            messages.success(request, f"Note saved; {who} can read it.")
            return to_workspace(wa, "workspace:notes")
    return render_workspace(
        request, "sessions/note_form.html", wa, "notes", {"form": form, "note": None}
    )


@login_required
def note_edit(request: AuthenticatedHttpRequest, slug: str, pk: int, nid: int) -> HttpResponse:
    wa, note = get_note(request.user, slug, pk, nid)
    if request.method == "GET":
        # Refuse a reader who is not the author (403) before showing them a form.
        try:
            services.check_note_editable(wa, note)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return to_workspace(wa, "workspace:notes")
    form = NoteForm(request.POST or None, instance=note, workspace=wa.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_update(
                wa=wa,
                note=note,
                body=form.cleaned_data["body"],
                visibility=form.cleaned_data["visibility"],
                meeting=form.cleaned_data["meeting"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Note updated.")
            return to_workspace(wa, "workspace:notes")
    return render_workspace(
        request, "sessions/note_form.html", wa, "notes", {"form": form, "note": note}
    )


@login_required
@require_POST
def note_delete(request: AuthenticatedHttpRequest, slug: str, pk: int, nid: int) -> HttpResponse:
    wa, note = get_note(request.user, slug, pk, nid)
    try:
        services.note_delete(wa=wa, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Note deleted.")
    return to_workspace(wa, "workspace:notes")


urlpatterns: list[URLPattern] = [
    path("<int:pk>/notes/", note_list, name="notes"),
    path("<int:pk>/notes/new/", note_create, name="note_create"),
    path("<int:pk>/notes/<int:nid>/edit/", note_edit, name="note_edit"),
    path("<int:pk>/notes/<int:nid>/delete/", note_delete, name="note_delete"),
]
