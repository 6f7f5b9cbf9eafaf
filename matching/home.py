"""The matching section of a person's home page: proposals waiting for their answer.

Running relationships are listed by the workspace's own section, which links to
each relationship's workspace.
"""

from matching.models import Pairing
from mentoring.home import SectionResult, register_section
from mentoring.types import AuthenticatedHttpRequest


@register_section("mentoring", order=15)
def proposals_to_answer(request: AuthenticatedHttpRequest) -> SectionResult:
    proposals = list(
        Pairing.objects.filter(
            mentor__user=request.user, status=Pairing.Status.PROPOSED
        ).select_related("program", "mentee__user")[:50]
    )
    if not proposals:
        return None
    return "matching/partials/_home_mentoring.html", {"proposals": proposals}
