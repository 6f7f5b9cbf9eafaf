"""Workspace pages: meetings (with their .ics file), agendas and check-ins.

Participants schedule, move, cancel and mark meetings, file agendas and
check-ins. Program admins see the same pages; where the program's privacy
policy keeps content from them, the words of agendas, check-ins and action
items are neither queried nor shown: only states, ratings and counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from mentoring.forms import add_service_errors
from mentoring.types import AuthenticatedHttpRequest
from sessions.access import WorkspaceAccess, get_meeting, get_workspace, visible_notes
from sessions.forms.agendas import AgendaForm, AgendaItemForm
from sessions.forms.meetings import CheckInForm, MeetingCancelForm, MeetingForm
from sessions.ics import meeting_calendar
from sessions.models import ActionItem, Agenda, Agreement, CheckIn, Medium, Meeting
from sessions.selectors_meetings import agenda_state, with_states
from sessions.services import agendas, checkins, meetings
from sessions.services._common import NOT_IN_IT
from sessions.services.agendas import agenda_refusal, need_labels
from sessions.services.checkins import checkin_refusal
from sessions.views._common import render_workspace, to_workspace

Status = Meeting.Status


def _participant(wa: WorkspaceAccess) -> None:
    """Pages that only write (forms) are for the people in the relationship."""
    if not wa.is_participant:
        raise PermissionDenied(NOT_IN_IT)


def _error(request: AuthenticatedHttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _to_meeting(wa: WorkspaceAccess, meeting: Meeting) -> HttpResponse:
    response: HttpResponse = to_workspace(wa, "workspace:meeting", mid=meeting.pk)
    return response


def _agreement(wa: WorkspaceAccess) -> Agreement | None:
    return Agreement.objects.filter(workspace=wa.workspace).first()


# --- Meetings ---------------------------------------------------------------------------------


@login_required
def meeting_list(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    rows = list(
        with_states(
            wa.workspace.meetings.all(), user=request.user if wa.is_participant else None
        ).order_by("starts_at", "pk")
    )
    now = timezone.now()
    upcoming = [m for m in rows if m.status == Status.SCHEDULED and m.starts_at >= now]
    earlier = [
        m for m in reversed(rows) if not (m.status == Status.SCHEDULED and m.starts_at >= now)
    ]
    return render_workspace(
        request,
        "sessions/meeting_list.html",
        wa,
        "meetings",
        {"upcoming": upcoming, "earlier": earlier, "now": now},
    )


def _meeting_form_page(
    request: AuthenticatedHttpRequest,
    wa: WorkspaceAccess,
    form: MeetingForm,
    *,
    log: bool = False,
    meeting: Meeting | None = None,
) -> HttpResponse:
    overlap = form["schedule_anyway"]
    return render_workspace(
        request,
        "sessions/meeting_form.html",
        wa,
        "meetings",
        {
            "form": form,
            "log": log,
            "meeting": meeting,
            "agreement": _agreement(wa),
            "show_overlap": bool(overlap.errors) or bool(overlap.value()),
        },
    )


@login_required
def meeting_create(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    _participant(wa)
    log = request.GET.get("log") == "1"
    agreement = _agreement(wa)
    initial = {"medium": agreement.medium if agreement else "video"}
    form = MeetingForm(request.POST or None, tz=request.user.tzinfo, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = meetings.meeting_create(
                wa=wa,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                medium=data["medium"],
                location=data["location"],
                held=log,
                allow_overlap=data["schedule_anyway"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if log:
                messages.success(request, "The meeting is logged as held.")
            else:
                messages.success(request, "The meeting is scheduled; everyone in it is told.")
            return _to_meeting(wa, meeting)
    return _meeting_form_page(request, wa, form, log=log)


@login_required
def meeting_edit(request: AuthenticatedHttpRequest, slug: str, pk: int, mid: int) -> HttpResponse:
    wa, meeting = get_meeting(request.user, slug, pk, mid)
    _participant(wa)
    local = timezone.localtime(meeting.starts_at, request.user.tzinfo)
    end = timezone.localtime(meeting.ends_at, request.user.tzinfo)
    initial = {
        "date": local.date(),
        "start_time": local.time(),
        "end_time": end.time(),
        "medium": meeting.medium,
        "location": meeting.location,
    }
    form = MeetingForm(request.POST or None, tz=request.user.tzinfo, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meetings.meeting_reschedule(
                wa=wa,
                meeting=meeting,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                medium=data["medium"],
                location=data["location"],
                allow_overlap=data["schedule_anyway"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The meeting is moved; everyone in it is told.")
            return _to_meeting(wa, meeting)
    return _meeting_form_page(request, wa, form, meeting=meeting)


@login_required
def meeting_cancel(request: AuthenticatedHttpRequest, slug: str, pk: int, mid: int) -> HttpResponse:
    wa, meeting = get_meeting(request.user, slug, pk, mid)
    _participant(wa)
    form = MeetingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meetings.meeting_cancel(wa=wa, meeting=meeting, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The meeting is cancelled; everyone in it is told.")
            return _to_meeting(wa, meeting)
    return render_workspace(
        request,
        "sessions/meeting_cancel.html",
        wa,
        "meetings",
        {"form": form, "meeting": meeting, "now": timezone.now()},
    )


@login_required
@require_POST
def meeting_held(request: AuthenticatedHttpRequest, slug: str, pk: int, mid: int) -> HttpResponse:
    wa, meeting = get_meeting(request.user, slug, pk, mid)
    try:
        meetings.meeting_mark_held(wa=wa, meeting=meeting)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(
            request, "The meeting is marked held. File your check-in while it is fresh."
        )
    return _to_meeting(wa, meeting)


@login_required
@require_POST
def meeting_missed(request: AuthenticatedHttpRequest, slug: str, pk: int, mid: int) -> HttpResponse:
    wa, meeting = get_meeting(request.user, slug, pk, mid)
    try:
        meetings.meeting_mark_missed(wa=wa, meeting=meeting)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "The meeting is marked missed.")
    return _to_meeting(wa, meeting)


@login_required
def meeting_ics(request: AuthenticatedHttpRequest, slug: str, pk: int, mid: int) -> HttpResponse:
    _, meeting = get_meeting(request.user, slug, pk, mid)
    url = request.build_absolute_uri(
        reverse("workspace:meeting", kwargs={"slug": slug, "pk": pk, "mid": mid})
    )
    response = HttpResponse(
        meeting_calendar(meeting, url=url), content_type="text/calendar; charset=utf-8"
    )
    local = timezone.localtime(meeting.starts_at, request.user.tzinfo)
    response["Content-Disposition"] = f'attachment; filename="meeting-{local:%Y-%m-%d-%H%M}.ics"'
    return response


def _agenda_context(wa: WorkspaceAccess, meeting: Meeting) -> dict[str, Any]:
    """The agenda as this viewer may see it: words only where content is readable."""
    if not wa.can_read_content:
        state_only = (
            Agenda.objects.filter(meeting=meeting)
            .only("pk", "meeting_id", "status", "late", "submitted_at")
            .annotate(revision_count=Count("revisions", distinct=True))
            .annotate(item_count=Count("items", distinct=True))
            .first()
        )
        return {"agenda": state_only, "agenda_state": agenda_state(state_only)}
    agenda = Agenda.objects.filter(meeting=meeting).select_related("author").first()
    context: dict[str, Any] = {"agenda": agenda, "agenda_state": agenda_state(agenda)}
    if agenda is not None:
        revisions = list(agenda.revisions.select_related("edited_by"))
        for revision in revisions:
            revision.need_labels = need_labels(revision.content.get("needs"))  # type: ignore[attr-defined]
        context.update(
            revisions=revisions,
            needs=need_labels(agenda.needs),
            items=list(agenda.items.select_related("author")) if wa.workspace.is_circle else [],
        )
    return context


def _meeting_page(
    request: AuthenticatedHttpRequest,
    wa: WorkspaceAccess,
    meeting: Meeting,
    item_form: AgendaItemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    context: dict[str, Any] = {"meeting": meeting, "now": now, **_agenda_context(wa, meeting)}
    started = meeting.starts_at <= now
    can_write = wa.can_write
    open_for_agenda = not agenda_refusal(meeting)
    if wa.can_read_content:
        context["checkins"] = list(meeting.checkins.select_related("author"))
        context["actions"] = list(meeting.actions.select_related("owner"))
        context["topics"] = list(meeting.topics_covered.all())
        # The notes about this meeting that I may read: mine, and shared ones.
        context["notes"] = list(visible_notes(wa).filter(meeting=meeting))
    else:
        context["checkins"] = list(
            meeting.checkins.select_related("author").only(
                "pk", "meeting_id", "rating", "created_at", "author"
            )
        )
        context["action_counts"] = ActionItem.objects.filter(meeting=meeting).aggregate(
            open=Count("pk", filter=Q(status=ActionItem.Status.OPEN)),
            done=Count("pk", filter=Q(status=ActionItem.Status.DONE)),
            dropped=Count("pk", filter=Q(status=ActionItem.Status.DROPPED)),
        )
        context["topic_count"] = meeting.topics_covered.count()
    ratings = [c.rating for c in context["checkins"]]
    link = meeting.location if meeting.location.lower().startswith(("https://", "http://")) else ""
    context.update(
        location_link=link if meeting.medium == Medium.VIDEO else "",
        started=started,
        can_move=can_write and meeting.status == Status.SCHEDULED and not started,
        can_mark=can_write and started and meeting.status in (Status.SCHEDULED, Status.MISSED),
        can_mark_missed=can_write and started and meeting.status == Status.SCHEDULED,
        can_agenda=can_write and wa.is_mentee and not wa.workspace.is_circle and open_for_agenda,
        can_add_item=can_write and wa.workspace.is_circle and open_for_agenda,
        can_checkin=can_write and meeting.status == Status.HELD,
        can_follow_up=can_write and meeting.status == Status.HELD,
        my_checkin=next((c for c in context["checkins"] if c.author_id == wa.user.pk), None),
        average_rating=sum(ratings) / len(ratings) if ratings else None,
        item_form=item_form or (AgendaItemForm() if wa.workspace.is_circle else None),
    )
    return render_workspace(
        request, "sessions/meeting_detail.html", wa, "meetings", context, status=status
    )


@login_required
def meeting_detail(request: AuthenticatedHttpRequest, slug: str, pk: int, mid: int) -> HttpResponse:
    wa, meeting = get_meeting(request.user, slug, pk, mid)
    return _meeting_page(request, wa, meeting)


# --- Agendas ----------------------------------------------------------------------------------


@login_required
def agenda_edit(request: AuthenticatedHttpRequest, slug: str, pk: int, mid: int) -> HttpResponse:
    wa, meeting = get_meeting(request.user, slug, pk, mid)
    _participant(wa)
    if wa.workspace.is_circle:
        # A circle's agenda is a shared list of items, added on the meeting page.
        return _to_meeting(wa, meeting)
    if not wa.is_mentee:
        raise PermissionDenied("Only the mentee can write the agenda.")
    agenda = Agenda.objects.filter(meeting=meeting).first()
    initial = {name: getattr(agenda, name) for name in agendas.CONTENT_FIELDS} if agenda else {}
    form = AgendaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        was_submitted = agenda is not None and agenda.is_submitted
        try:
            agenda = agendas.agenda_save(wa=wa, meeting=meeting, submit=submit, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if was_submitted:
                messages.success(request, "Your changes are saved; the earlier version is kept.")
            elif agenda.is_submitted:
                late = (
                    " It arrived later than the program asks, so it is marked late."
                    if agenda.late
                    else ""
                )
                messages.success(request, f"The agenda is submitted; your mentor is told.{late}")
            else:
                messages.success(request, "Your draft is saved. Submit it when it is ready.")
            return _to_meeting(wa, meeting)
    due = meeting.starts_at - dt.timedelta(hours=wa.program.agenda_lead_hours)
    return render_workspace(
        request,
        "sessions/agenda_edit.html",
        wa,
        "meetings",
        {
            "form": form,
            "meeting": meeting,
            "agenda": agenda,
            "refusal": agenda_refusal(meeting),
            "due": due,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def agenda_item_add(
    request: AuthenticatedHttpRequest, slug: str, pk: int, mid: int
) -> HttpResponse:
    wa, meeting = get_meeting(request.user, slug, pk, mid)
    _participant(wa)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            agendas.agenda_item_add(wa=wa, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your item is on the agenda.")
            return _to_meeting(wa, meeting)
    return _meeting_page(request, wa, meeting, item_form=form)


# --- Check-ins --------------------------------------------------------------------------------


@login_required
def checkin_edit(request: AuthenticatedHttpRequest, slug: str, pk: int, mid: int) -> HttpResponse:
    wa, meeting = get_meeting(request.user, slug, pk, mid)
    _participant(wa)
    mine = CheckIn.objects.filter(meeting=meeting, author=request.user).first()
    initial: dict[str, Any] = {}
    if mine is not None:
        initial = {
            name: getattr(mine, name)
            for name in ("useful", "next_steps", "before_next", "change", "rating")
        }
    form = CheckInForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            checkins.checkin_save(wa=wa, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, "Your check-in is saved." if mine else "Thank you: your check-in is filed."
            )
            return _to_meeting(wa, meeting)
    return render_workspace(
        request,
        "sessions/checkin_form.html",
        wa,
        "meetings",
        {"form": form, "meeting": meeting, "mine": mine, "refusal": checkin_refusal(meeting)},
    )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/meetings/", meeting_list, name="meetings"),
    path("<int:pk>/meetings/new/", meeting_create, name="meeting_create"),
    path("<int:pk>/meetings/<int:mid>/", meeting_detail, name="meeting"),
    path("<int:pk>/meetings/<int:mid>/edit/", meeting_edit, name="meeting_edit"),
    path("<int:pk>/meetings/<int:mid>/cancel/", meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/meetings/<int:mid>/held/", meeting_held, name="meeting_held"),
    path("<int:pk>/meetings/<int:mid>/missed/", meeting_missed, name="meeting_missed"),
    path("<int:pk>/meetings/<int:mid>/meeting.ics", meeting_ics, name="meeting_ics"),
    path("<int:pk>/meetings/<int:mid>/agenda/", agenda_edit, name="agenda_edit"),
    path("<int:pk>/meetings/<int:mid>/agenda/items/", agenda_item_add, name="agenda_item_add"),
    path("<int:pk>/meetings/<int:mid>/check-in/", checkin_edit, name="checkin"),
]
