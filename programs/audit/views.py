"""The audit trail's pages: everything for staff, one program's events for its admins."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_safe

from mentoring.csvutil import csv_response
from mentoring.security import require_staff
from mentoring.types import AuthenticatedHttpRequest
from programs.access import get_program_access
from programs.audit import selectors, services
from programs.audit.forms import EventFilterForm
from programs.audit.models import Event
from programs.models import Program

PAGE_SIZE = 50


def _staff_only(request: AuthenticatedHttpRequest) -> None:
    # Like any page a person may not know about: not found, rather than forbidden; and
    # staff without two-factor are sent to set it up (the whole trail is an admin page).
    require_staff(request)


def _form(request: AuthenticatedHttpRequest, *, all_programs: bool) -> EventFilterForm:
    form = EventFilterForm(request.GET or None, all_programs=all_programs)
    if form.is_bound:
        form.is_valid()
    return form


def _page(
    request: AuthenticatedHttpRequest,
    template: str,
    events: QuerySet[Event],
    form: EventFilterForm,
    context: dict[str, Any],
) -> HttpResponse:
    page = Paginator(selectors.filtered(events, form.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.with_subjects(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {**context, "form": form, "page": page, "query": query.urlencode()},
    )


def _csv(
    request: AuthenticatedHttpRequest,
    events: QuerySet[Event],
    form: EventFilterForm,
    name: str,
    program: Program | None,
) -> StreamingHttpResponse:
    filters = form.filters()
    services.record(
        services.Action.EXPORT_DOWNLOADED,
        request=request,
        program=program,
        target="audit.Event",
        detail={"export": "audit", "filters": {k: str(v) for k, v in filters.items()}},
    )
    stamp = timezone.localdate().isoformat()
    return csv_response(
        # A program's admins are not told where people connected from; staff are.
        selectors.csv_rows(
            selectors.filtered(events, filters), request.user.tzinfo, client=program is None
        ),
        f"{name}-audit-{stamp}.csv",
    )


@login_required
@require_safe
def event_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff_only(request)
    form = _form(request, all_programs=True)
    return _page(
        request, "audit/event_list.html", selectors.events_for_staff(request.user), form, {}
    )


@login_required
@require_GET
def event_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    _staff_only(request)
    form = _form(request, all_programs=True)
    return _csv(request, selectors.events_for_staff(request.user), form, "constellation", None)


@login_required
@require_safe
def program_event_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    form = _form(request, all_programs=False)
    return _page(
        request,
        "audit/program_event_list.html",
        selectors.events_for_program(access),
        form,
        {"access": access, "program": access.program},
    )


@login_required
@require_GET
def program_event_csv(request: AuthenticatedHttpRequest, slug: str) -> StreamingHttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    form = _form(request, all_programs=False)
    return _csv(
        request, selectors.events_for_program(access), form, access.program.slug, access.program
    )
