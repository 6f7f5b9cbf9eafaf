"""The programs section of a person's home page."""

from mentoring.home import SectionResult, register_section
from mentoring.types import AuthenticatedHttpRequest
from programs import selectors


@register_section("programs", order=100)
def my_programs(request: AuthenticatedHttpRequest) -> SectionResult:
    summaries = selectors.programs_of(request.user)
    to_enrol = [m for s in summaries for m in s.to_enrol]
    return "programs/partials/_home_programs.html", {
        "summaries": summaries,
        "to_enrol": to_enrol,
    }
