"""The overview of a relationship: who, when, how it is going, and each section in brief."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import URLPattern, path

from mentoring.pagecache import cached_page
from mentoring.types import AuthenticatedHttpRequest
from sessions import selectors, selectors_meetings, selectors_plan, selectors_reviews
from sessions.access import get_workspace
from sessions.models import ActionItem
from sessions.views._common import render_workspace


@login_required
@cached_page
def workspace_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    wa = get_workspace(request.user, slug, pk)
    workspace = wa.workspace
    pairing = workspace.pairing
    if pairing is not None and pairing.program_id == wa.program.pk:
        pairing.program = wa.program  # for the match's URL without another query
    today = selectors.today_in(workspace)
    # One read of the meetings, check-ins, reviews and agreement feeds the health, the
    # figures and the plan alike.
    reads = selectors.read_workspace(workspace, len(wa.participants))
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
        "health": selectors.derive_health(reads.facts, today),
        "today": today,
        "agreement": selectors_plan.agreement_state_of(wa, reads.agreement),
        "goals": selectors_plan.goal_summary(workspace),
        "topics": selectors_plan.upcoming_topics(workspace, limit=3, held=reads.facts.held)
        if wa.can_read_content
        else [],
        "next_meeting": selectors_meetings.next_meeting(workspace, counts=False),
        "meetings": reads.meetings,
        "actions": selectors_meetings.action_counts(workspace),
        "open_actions": open_actions,
        "reviews": selectors_reviews.review_state(wa, reads.reviews),
        "notes_count": selectors_reviews.notes_count(wa),
    }
    return render_workspace(request, "sessions/workspace_detail.html", wa, "overview", context)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/", workspace_detail, name="detail"),
]
