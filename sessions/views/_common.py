"""What every workspace view shares: rendering inside the workspace frame."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render

from mentoring.types import AuthenticatedHttpRequest
from sessions.access import WorkspaceAccess

TABS = (
    ("overview", "Overview", "workspace:detail"),
    ("agreement", "Agreement", "workspace:agreement"),
    ("goals", "Goals", "workspace:goals"),
    ("roadmap", "Roadmap", "workspace:roadmap"),
    ("meetings", "Meetings", "workspace:meetings"),
    ("actions", "Action items", "workspace:actions"),
    ("notes", "Notes", "workspace:notes"),
    ("reviews", "Reviews", "workspace:reviews"),
)


def render_workspace(
    request: AuthenticatedHttpRequest,
    template: str,
    wa: WorkspaceAccess,
    tab: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render ``template`` (which extends ``sessions/workspace_base.html``) for ``wa``."""
    return render(
        request,
        template,
        {
            "wa": wa,
            "workspace": wa.workspace,
            "program": wa.program,
            "access": wa.access,
            "tab": tab,
            "workspace_tabs": TABS,
            **(context or {}),
        },
        status=status,
    )


def to_workspace(wa: WorkspaceAccess, url_name: str = "workspace:detail", **kwargs: Any) -> Any:
    """Redirect to a page of this workspace (post/redirect/get)."""
    return redirect(url_name, slug=wa.program.slug, pk=wa.workspace.pk, **kwargs)
