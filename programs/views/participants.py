"""Participants: the admins' directory, a participant's profile, export and CSV import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mentoring.csvutil import csv_response
from mentoring.pagecache import cached_page
from mentoring.types import AuthenticatedHttpRequest
from programs import imports, selectors, services
from programs.access import get_import_for_admin, get_membership_for_admin, get_program_access
from programs.audit import services as audit
from programs.forms import DirectoryFilterForm, ImportForm

PAGE_SIZE = 25


@login_required
@cached_page
def participant_directory(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    departments, cohorts = selectors.departments_and_cohorts(access.program)
    form = DirectoryFilterForm(
        request.GET or None, program=access.program, departments=departments, cohorts=cohorts
    )
    # Apply every filter that was understood; the page names the ones that were not.
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    filters = selectors.DirectoryFilters(
        q=data.get("q", "").strip(),
        role=data.get("role", ""),
        topic=data.get("topic"),
        department=data.get("department", ""),
        cohort=data.get("cohort", ""),
        enrolled=data.get("enrolled", ""),
    )
    page = Paginator(selectors.directory(access, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # The rows' links and topics worked out here, once: a {% url %} per row, and the
    # template's walk through each row's topics, cost more than the rest of the row.
    page.object_list = people = selectors.with_users(list(page.object_list))
    link = _participant_link(access.program.slug)
    for m in people:
        m.directory_url = link(m.pk)  # type: ignore[attr-defined]
        m.topic_names = ", ".join(t.name for t in m.topics.all())  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programs/participant_directory.html",
        {
            "access": access,
            "program": access.program,
            "form": form,
            "show_cohort": "cohort" in form.fields,
            "page": page,
            "query": query.urlencode(),
            "ignored": [str(form.fields[name].label).lower() for name in form.errors],
        },
    )


_PK = 918273645


def _participant_link(slug: str) -> Callable[[int], str]:
    """The URL of a participant's page in program ``slug``, from one reverse for them all."""
    head, _, tail = reverse("programs:participant", args=[slug, _PK]).rpartition(str(_PK))
    return lambda pk: f"{head}{pk}{tail}"


@login_required
def participant_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, membership = get_membership_for_admin(request.user, slug, pk)
    if not membership.is_participant:
        raise PermissionDenied("Admins are listed on the Admins page.")
    return render(
        request,
        "programs/participant_detail.html",
        {
            "access": access,
            "program": access.program,
            "membership": membership,
            "answers": selectors.participant_answers(membership),
            "topics": membership.topics.all(),
        },
    )


@login_required
@require_POST
def participant_remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, membership = get_membership_for_admin(request.user, slug, pk)
    if not membership.is_participant:
        raise PermissionDenied("Remove admins on the Admins page.")
    services.membership_remove(membership=membership, actor=request.user)
    messages.success(
        request, f"{membership.user} is no longer a {membership.get_role_display().lower()}."
    )
    return redirect("programs:participants", slug=slug)


@login_required
def participant_export(request: AuthenticatedHttpRequest, slug: str) -> StreamingHttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    stamp = access.program.local_date().isoformat()
    audit.record(
        audit.Action.EXPORT_DOWNLOADED, program=access.program, detail={"export": "participants"}
    )
    return csv_response(
        selectors.export_participants(access), f"{access.program.slug}-participants-{stamp}.csv"
    )


@login_required
def import_upload(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        record = imports.participant_import_create(
            program=access.program,
            actor=request.user,
            filename=upload.name or "",
            # Never more than the limit (+1 byte, to tell that it was exceeded).
            raw=upload.read(settings.IMPORT_MAX_BYTES + 1),
            only_valid=form.cleaned_data["only_valid"],
            send_invitations=form.cleaned_data["send_invitations"],
        )
        return redirect("programs:import_detail", slug=slug, pk=record.pk)
    return render(
        request,
        "programs/import_form.html",
        {
            "access": access,
            "program": access.program,
            "form": form,
            "recent": access.program.imports.select_related("uploaded_by")[:10],
            "columns": imports.COLUMNS,
        },
    )


@login_required
def import_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, record = get_import_for_admin(request.user, slug, pk)
    return render(
        request,
        "programs/import_detail.html",
        {"access": access, "program": access.program, "record": record},
    )


@login_required
@require_POST
def import_valid_rows(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, record = get_import_for_admin(request.user, slug, pk)
    try:
        again = imports.participant_import_valid_rows(record=record, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("programs:import_detail", slug=slug, pk=record.pk)
    return redirect("programs:import_detail", slug=slug, pk=again.pk)
