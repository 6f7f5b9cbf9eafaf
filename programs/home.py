"""The programs section of a person's home page, and the memberships every section starts from.

A person's memberships (with their programs) are read once per request and shared:
the sections above ours use them to skip what cannot concern this person (no
proposals for someone who mentors nowhere, no relationships for an admin only), and
to name the programs of what they show without reading them again.
"""

# The SQL here is assembled from constants only (table and column names from the
# models); every value comes in as a query parameter.
# ruff: noqa: S608

from mentoring.home import SectionResult, build, columns, fetch, register_section
from mentoring.types import AuthenticatedHttpRequest
from programs import selectors
from programs.models import Membership, Program

_CACHE = "_constellation_memberships"

# What the home page reads of each (the rest loads if anything ever asks for it).
MEMBERSHIP_FIELDS = ("id", "program", "user", "role", "enrolled_at", "created_at", "cohort")
PROGRAM_FIELDS = (
    "id",
    "name",
    "slug",
    "start_date",
    "end_date",
    "midpoint_date",
    "cadence_days",
    "timezone",
    "matching_mode",
    "default_mentor_capacity",
    "allow_one_to_one",
    "allow_circles",
    "allow_flash",
    "privacy_policy",
    "agenda_lead_hours",
    "status",
)
# As selectors.memberships_of: newest program first. One query, written in SQL (see
# mentoring.home): built with the ORM it cost the page more than it took to run.
_MEMBERSHIPS = (
    f"SELECT {columns(Membership, 'm', MEMBERSHIP_FIELDS)}, {columns(Program, 'p', PROGRAM_FIELDS)}"
    f' FROM "{Membership._meta.db_table}" m JOIN "{Program._meta.db_table}" p'
    " ON p.id = m.program_id WHERE m.user_id = %(user)s"
    " ORDER BY p.start_date DESC, p.name, m.role, m.id"
)


def my_memberships(request: AuthenticatedHttpRequest) -> list[Membership]:
    """The viewer's memberships with their programs, read once per request."""
    cached: list[Membership] | None = getattr(request, _CACHE, None)
    if cached is None:
        programs: dict[int, Program] = {}
        cached = []
        for row in fetch(_MEMBERSHIPS, {"user": request.user.pk}):
            membership = build(Membership, row, "m", MEMBERSHIP_FIELDS)
            pk = row["p__id"]
            if pk not in programs:
                programs[pk] = build(Program, row, "p", PROGRAM_FIELDS)
            membership.program = programs[pk]
            cached.append(membership)
        setattr(request, _CACHE, cached)
    return cached


def membership_ids(request: AuthenticatedHttpRequest, role: str) -> list[int]:
    """The viewer's membership ids in ``role`` (in every program)."""
    return [m.pk for m in my_memberships(request) if m.role == role]


def _summaries(memberships: list[Membership]) -> list[selectors.ProgramSummary]:
    # As selectors.programs_of, from the rows this request already read.
    summaries: dict[int, selectors.ProgramSummary] = {}
    for m in memberships:
        summary = summaries.setdefault(m.program_id, selectors.ProgramSummary(m.program, []))
        summary.memberships.append(m)
    return list(summaries.values())


@register_section("programs", order=100)
def my_programs(request: AuthenticatedHttpRequest) -> SectionResult:
    summaries = _summaries(my_memberships(request))
    to_enrol = [m for s in summaries for m in s.to_enrol]
    return "programs/partials/_home_programs.html", {
        "summaries": summaries,
        "to_enrol": to_enrol,
    }
