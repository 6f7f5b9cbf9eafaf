"""The mentoring section of a person's home page: proposals to answer, current pairings."""

from django.db.models import Q

from matching.models import Pairing
from mentoring.home import SectionResult, register_section
from mentoring.types import AuthenticatedHttpRequest


@register_section("mentoring", order=50)
def my_mentoring(request: AuthenticatedHttpRequest) -> SectionResult:
    user = request.user
    pairings = list(
        Pairing.objects.filter(
            Q(mentor__user=user, status__in=Pairing.OPEN_STATUSES)
            | Q(mentee__user=user, status=Pairing.Status.ACTIVE)
        ).select_related("program", "mentor__user", "mentee__user", "topic")[:50]
    )
    if not pairings:
        return None
    return "matching/partials/_home_mentoring.html", {
        "proposals": [p for p in pairings if p.status == Pairing.Status.PROPOSED],
        "active": [p for p in pairings if p.status == Pairing.Status.ACTIVE],
    }
