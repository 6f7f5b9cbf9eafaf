"""What every workspace view shares: rendering inside the workspace frame."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render

from mentoring.types import AuthenticatedHttpRequest
from sessions.access import MENTEE, MENTOR, WorkspaceAccess

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


def relationship_name(wa: WorkspaceAccess) -> str:
    """The relationship's name from this user's side ("You mentor Ada", "Circle: Data")."""
    workspace = wa.workspace
    if workspace.circle is not None:
        return f"Circle: {workspace.circle.name}"
    mentor = wa.mentor.display_name
    mentee = wa.mentees[0].display_name if wa.mentees else ""
    if wa.role == MENTOR:
        return f"You mentor {mentee}"
    if wa.role == MENTEE:
        if workspace.pairing is not None and workspace.pairing.kind == "flash":
            return f"Flash session with {mentor}"
        return f"Your mentor: {mentor}"
    return f"{mentor} mentoring {mentee}"


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
            "relationship_name": relationship_name(wa),
            **(context or {}),
        },
        status=status,
    )


def to_workspace(wa: WorkspaceAccess, url_name: str = "workspace:detail", **kwargs: Any) -> Any:
    """Redirect to a page of this workspace (post/redirect/get)."""
    return redirect(url_name, slug=wa.program.slug, pk=wa.workspace.pk, **kwargs)
