"""The program admins' exports page and its CSV downloads (streamed, filtered).

The downloads answer GET only, not HEAD: a long export is not worked out to be thrown away.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_safe

from mentoring.csvutil import csv_response
from mentoring.types import AuthenticatedHttpRequest
from programs.access import get_program_access
from programs.audit import services as audit
from sessions import exports, health


@login_required
@require_safe
def export_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    form = health.read_filters(access.program, request.GET)
    filters = form.filters()
    return render(
        request,
        "sessions/health/exports.html",
        {
            "access": access,
            "program": access.program,
            "form": form,
            "filters": filters,
            "ignored": form.ignored(),
            "query": filters.query(),
            "columns": {
                "participants": exports.PARTICIPANT_COLUMNS,
                "pairings": exports.PAIRING_COLUMNS,
                "engagement": exports.ENGAGEMENT_COLUMNS,
            },
        },
    )


def _download(request: AuthenticatedHttpRequest, slug: str, name: str) -> StreamingHttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    program = access.program
    filters = health.read_filters(program, request.GET).filters()
    stamp = program.local_date().isoformat()
    audit.record(
        audit.Action.EXPORT_DOWNLOADED,
        program=program,
        detail={"export": name, "filters": filters.query()},
    )
    return csv_response(
        exports.EXPORTS[name](access, filters), f"{program.slug}-{name}-{stamp}.csv"
    )


@login_required
@require_GET
def participants_csv(request: AuthenticatedHttpRequest, slug: str) -> StreamingHttpResponse:
    return _download(request, slug, "participants")


@login_required
@require_GET
def pairings_csv(request: AuthenticatedHttpRequest, slug: str) -> StreamingHttpResponse:
    return _download(request, slug, "pairings")


@login_required
@require_GET
def engagement_csv(request: AuthenticatedHttpRequest, slug: str) -> StreamingHttpResponse:
    return _download(request, slug, "engagement")


urlpatterns: list[URLPattern] = [
    path("", export_list, name="index"),
    path("participants.csv", participants_csv, name="participants"),
    path("pairings.csv", pairings_csv, name="pairings"),
    path("engagement.csv", engagement_csv, name="engagement"),
]
