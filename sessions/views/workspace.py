"""The overview of a relationship: who, when, how it is going, and each section in brief."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import URLPattern, path

from mentoring.types import AuthenticatedHttpRequest
from sessions import selectors, selectors_meetings, selectors_reviews
from sessions.access import get_workspace
from sessions.models import ActionItem
from sessions.services import agreements, goals, roadmap
from sessions.views._common import render_workspace


@login_required
def workspace_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    workspace = wa.workspace
    today = selectors.today_in(workspace)
    health = selectors.derive_health(
        selectors.workspace_facts(workspace, len(wa.participants)), today
    )
    open_actions = (
        list(
            workspace.actions.filter(status=ActionItem.Status.OPEN)
            .select_related("owner")
            .order_by("due_date", "pk")[:8]
        )
        if wa.can_read_content
        else []
    )
    # Mine first: what I have to do comes before what my partner has to do.
    open_actions.sort(key=lambda a: a.owner_id != wa.user.pk)
    context = {
        "health": health,
        "today": today,
        "agreement": agreements.agreement_state(wa),
        "goals": goals.goal_summary(workspace),
        "topics": roadmap.upcoming_topics(workspace, limit=3) if wa.can_read_content else [],
        "next_meeting": selectors_meetings.next_meeting(workspace),
        "meetings": selectors_meetings.meeting_stats(workspace),
        "actions": selectors_meetings.action_counts(workspace),
        "open_actions": open_actions,
        "reviews": selectors_reviews.review_state(wa),
        "notes_count": selectors_reviews.notes_count(wa),
    }
    return render_workspace(request, "sessions/workspace_detail.html", wa, "overview", context)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/", workspace_detail, name="detail"),
]
