"""The workspace sections of a person's home page: what needs me now, my relationships.

Both sections start from the same list of my running relationships, read once per
request; someone with none pays one query for both sections.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone

from mentoring.home import SectionResult, register_section
from mentoring.types import AuthenticatedHttpRequest
from sessions import selectors, selectors_meetings
from sessions.models import Agreement, AgreementAcceptance, Meeting, Review, Workspace

_CACHE = "_constellation_my_workspaces"


def _mine(request: AuthenticatedHttpRequest) -> list[Workspace]:
    if not hasattr(request, _CACHE):
        setattr(request, _CACHE, selectors.my_workspaces(request.user))
    workspaces: list[Workspace] = getattr(request, _CACHE)
    return workspaces


def _agreements_to_accept(
    request: AuthenticatedHttpRequest, workspaces: list[Workspace]
) -> list[Agreement]:
    accepted = AgreementAcceptance.objects.filter(
        agreement=OuterRef("pk"), version=OuterRef("version"), user=request.user
    )
    found = list(
        Agreement.objects.filter(workspace__in=[w.pk for w in workspaces], accepted_at__isnull=True)
        .exclude(Exists(accepted))
        .only("pk", "workspace_id", "version")[:10]
    )
    by_pk = {w.pk: w for w in workspaces}
    for agreement in found:
        agreement.workspace = by_pk[agreement.workspace_id]
    return found


def _reviews_open(
    request: AuthenticatedHttpRequest, workspaces: list[Workspace]
) -> list[Workspace]:
    """Relationships past their own mid-point where I have not filed the mid-point review."""
    due = [w for w in workspaces if not w.is_flash and w.midpoint_date <= w.program.local_date()]
    if not due:
        return []
    reviewed = set(
        Review.objects.filter(
            workspace__in=[w.pk for w in due], author=request.user, kind=Review.Kind.MIDPOINT
        ).values_list("workspace_id", flat=True)
    )
    return [w for w in due if w.pk not in reviewed]


@register_section("needs-you", order=20)
def needs_you_now(request: AuthenticatedHttpRequest) -> SectionResult:
    workspaces = _mine(request)
    if not workspaces:
        return None
    agreements = _agreements_to_accept(request, workspaces)
    agendas = selectors_meetings.agenda_due_for(request.user)
    actions = selectors_meetings.open_actions_for(request.user, limit=10)
    reviews = _reviews_open(request, workspaces)
    if not (agreements or agendas or actions or reviews):
        return None
    return "sessions/partials/_home_needs_you.html", {
        "agreements": agreements,
        "agendas": agendas,
        "actions": actions,
        "reviews": reviews,
        "today": timezone.localdate(),
    }


@register_section("relationships", order=40)
def my_relationships(request: AuthenticatedHttpRequest) -> SectionResult:
    workspaces = _mine(request)
    if not workspaces:
        return None
    upcoming = (
        Meeting.objects.filter(
            workspace__in=[w.pk for w in workspaces],
            status=Meeting.Status.SCHEDULED,
            starts_at__gt=timezone.now(),
        )
        .select_related("agenda")
        .order_by("starts_at")
    )
    next_of: dict[int, Meeting] = {}
    for meeting in upcoming[:200]:
        next_of.setdefault(meeting.workspace_id, meeting)
    rows = [
        {"workspace": w, "next": next_of.get(w.pk), "role": _role(w, request.user.pk)}
        for w in workspaces
    ]
    return "sessions/partials/_home_relationships.html", {"rows": rows}


def _role(workspace: Workspace, user_id: int) -> str:
    if workspace.pairing is not None:
        return "mentor" if workspace.pairing.mentor.user_id == user_id else "mentee"
    if workspace.circle is not None and workspace.circle.mentor.user_id == user_id:
        return "mentor"
    return "member"
