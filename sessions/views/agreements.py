"""The agreement pages: the terms and who accepted them, drafting or changing, accepting."""

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
from sessions.access import get_workspace
from sessions.forms.agreements import AgreementAcceptForm, AgreementForm
from sessions.models import Agreement, AgreementAcceptance
from sessions.selectors_plan import LOGISTICS, agreement_history, agreement_state, term_label
from sessions.services import agreements as services
from sessions.services._common import NOT_IN_IT
from sessions.views._common import render_workspace, to_workspace

TEXT_TERMS = tuple(name for name in Agreement.TERMS if name not in LOGISTICS)


def _rows(agreement: Agreement, names: tuple[str, ...]) -> list[tuple[str, Any, str]]:
    """(label, value, kind) for each term: choices in words; kind is text, date or plain."""
    rows = []
    for name in names:
        display = getattr(agreement, f"get_{name}_display", None)
        value = display() if display else getattr(agreement, name)
        kind = "text" if name in TEXT_TERMS else "date" if name == "planned_end_date" else "plain"
        rows.append((term_label(name), value, kind))
    return rows


@login_required
def agreement_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    state = agreement_state(wa)
    context: dict[str, Any] = {"state": state}
    agreements = Agreement.objects.filter(workspace=wa.workspace)
    if wa.can_read_content:
        agreement = agreements.select_related("drafted_by").first()
        if agreement is not None:
            context["rows"] = _rows(agreement, tuple(Agreement.TERMS))
            context["history"] = agreement_history(agreement)
            if state["mine_pending"] and wa.can_write:
                context["accept_form"] = AgreementAcceptForm(initial={"version": agreement.version})
    else:
        # Logistics only: the free-text terms are not even read.
        agreement = agreements.only(*LOGISTICS).first()
        if agreement is not None:
            logistics = tuple(n for n in Agreement.TERMS if n in LOGISTICS)
            context["rows"] = _rows(agreement, logistics)
    context["agreement"] = agreement
    return render_workspace(request, "sessions/agreement_detail.html", wa, "agreement", context)


@login_required
def agreement_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    if not wa.is_participant:
        raise PermissionDenied(NOT_IN_IT)
    agreement = Agreement.objects.filter(workspace=wa.workspace).first()
    context: dict[str, Any] = {"agreement": agreement}
    if not wa.workspace.is_open:
        return render_workspace(request, "sessions/agreement_form.html", wa, "agreement", context)
    form = AgreementForm(
        request.POST or None,
        instance=agreement,
        initial=None if agreement else services.agreement_initial(wa),
        workspace=wa.workspace,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.agreement_save(wa=wa, terms=form.terms())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if agreement is None:
                messages.success(
                    request, "The terms are proposed: everyone in the relationship now accepts."
                )
            elif saved.version != agreement.version:
                messages.success(
                    request,
                    f"The terms are changed: version {saved.version} needs everyone's "
                    "acceptance again.",
                )
            else:
                messages.success(request, "The terms are saved.")
            return to_workspace(wa, "workspace:agreement")
    if agreement is not None:
        context["reaccept"] = AgreementAcceptance.objects.filter(
            agreement=agreement, version=agreement.version
        ).exists()
    context["form"] = form
    return render_workspace(request, "sessions/agreement_form.html", wa, "agreement", context)


@login_required
@require_POST
def agreement_accept(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    form = AgreementAcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Read the terms on this page, then accept them.")
        return to_workspace(wa, "workspace:agreement")
    try:
        agreement = services.agreement_accept(wa=wa, version=form.cleaned_data["version"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if agreement.is_accepted:
            messages.success(request, "Everyone has accepted: the terms are agreed.")
        else:
            messages.success(request, "You accepted the terms; the others are asked to as well.")
    return to_workspace(wa, "workspace:agreement")


urlpatterns: list[URLPattern] = [
    path("<int:pk>/agreement/", agreement_detail, name="agreement"),
    path("<int:pk>/agreement/edit/", agreement_edit, name="agreement_edit"),
    path("<int:pk>/agreement/accept/", agreement_accept, name="agreement_accept"),
]
