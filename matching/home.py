"""Matching on a person's home page: proposals and requests waiting for their answer.

A mentor is asked in two ways: the program proposes a mentee (a ``PROPOSED`` pairing),
or a mentee requests them (a ``PENDING`` request, in mentee-choice mode; in hybrid mode
the program's admins answer instead). Both are "What needs you now" items, due by
their answer-by date. A mentee's own requests still waiting for an answer are shown
with their relationships (``sessions.home`` reads them from here).

All of them are read in one query (a ``UNION ALL`` over the person's own memberships,
each branch an index range), shared by everything on the page through the request. It
is written in SQL, as the other reads of the home page (see ``mentoring.home``).
"""

# The SQL here is assembled from constants only (table names from the models, stored
# status words); every value comes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from matching.models import MentorRequest, Pairing
from matching.services.requests import program_requests_problem
from mentoring.home import Need, as_datetime, fetch, is_in, register_needs, when
from mentoring.models import User
from mentoring.types import AuthenticatedHttpRequest
from programs.home import membership_ids, my_memberships
from programs.models import Membership, Program

PROPOSAL = "proposal"  # the program proposes a mentee to me, a mentor
REQUEST_IN = "request_in"  # a mentee asks me to mentor them
REQUEST_OUT = "request_out"  # I, a mentee, asked a mentor
MY_MENTOR = "my_mentor"  # I, a mentee, have a mentor (or one proposed): not an ask, a fact
# Enough for any one person; a mentor cannot take on more than 20 mentees anyway.
LIMIT = 30
_CACHE = "_constellation_asks"


@dataclass(frozen=True)
class Ask:
    """A proposal or request between the viewer and someone else, waiting for an answer."""

    kind: str
    pk: int
    program: Program
    who_name: str
    who_email: str
    respond_by: dt.datetime | None
    admins_decide: bool

    @property
    def who(self) -> str:
        """The other person's name as ``User.display_name`` gives it."""
        return self.who_name or self.who_email

    @property
    def url(self) -> str:
        name = "matching:pairing" if self.kind == PROPOSAL else "matching:request"
        return reverse(name, kwargs={"slug": self.program.slug, "pk": self.pk})

    @property
    def is_overdue(self) -> bool:
        return self.respond_by is not None and self.respond_by <= timezone.now()


def _t(model: type[Model]) -> str:
    return f'"{model._meta.db_table}"'


# One branch per kind of ask: (its word, its table, the other person's side, my side,
# what else it must be). The other person's name comes through their membership.
_BRANCHES = {
    PROPOSAL: (Pairing, "mentee", "mentor", f"t.status = '{Pairing.Status.PROPOSED}'"),
    REQUEST_IN: (
        MentorRequest,
        "mentee",
        "mentor",
        f"t.status = '{MentorRequest.Status.PENDING}' AND t.decided_by_admin = FALSE",
    ),
    REQUEST_OUT: (
        MentorRequest,
        "mentor",
        "mentee",
        f"t.status = '{MentorRequest.Status.PENDING}'",
    ),
    MY_MENTOR: (
        Pairing,
        "mentor",
        "mentee",
        f"t.kind = '{Pairing.Kind.ONE_TO_ONE}'"
        f" AND t.status IN ('{Pairing.Status.PROPOSED}', '{Pairing.Status.ACTIVE}')",
    ),
}


def _branch(ask: str, ids: list[int], params: dict[str, Any]) -> str:
    model, theirs, side, where = _BRANCHES[ask]
    decided = "t.decided_by_admin" if model is MentorRequest else "FALSE"
    mine = is_in(f"t.{side}_id", side, ids, params)
    return (
        f"SELECT '{ask}' AS ask, t.id AS pk, t.program_id AS program_pk, u.name AS who_name,"
        f" u.email AS who_email, t.respond_by AS respond_by, t.created_at AS created_at,"
        f" {decided} AS admins_decide FROM {_t(model)} t"
        f" JOIN {_t(Membership)} m ON m.id = t.{theirs}_id JOIN {_t(User)} u ON u.id = m.user_id"
        f" WHERE {mine} AND {where}"
    )


def asks(request: AuthenticatedHttpRequest) -> list[Ask]:
    """The viewer's proposals and requests waiting for an answer, soonest due first."""
    cached: list[Ask] | None = getattr(request, _CACHE, None)
    if cached is not None:
        return cached
    params: dict[str, Any] = {}
    branches = []
    mentor_ids = membership_ids(request, Membership.Role.MENTOR)
    if mentor_ids:
        branches += [_branch(PROPOSAL, mentor_ids, params), _branch(REQUEST_IN, mentor_ids, params)]
    mentee_ids = membership_ids(request, Membership.Role.MENTEE)
    if mentee_ids:
        branches += [
            _branch(REQUEST_OUT, mentee_ids, params),
            _branch(MY_MENTOR, mentee_ids, params),
        ]
    found: list[Ask] = []
    if branches:
        programs = {m.program_id: m.program for m in my_memberships(request)}
        sql = (
            f"SELECT * FROM ({' UNION ALL '.join(branches)}) asks"
            f" ORDER BY (respond_by IS NULL), respond_by, created_at, pk LIMIT {LIMIT}"
        )
        found = [
            Ask(
                kind=row["ask"],
                pk=row["pk"],
                program=programs[row["program_pk"]],
                who_name=row["who_name"],
                who_email=row["who_email"],
                respond_by=as_datetime(row["respond_by"]),
                admins_decide=bool(row["admins_decide"]),
            )
            for row in fetch(sql, params)
        ]
    setattr(request, _CACHE, found)
    return found


def my_requests(request: AuthenticatedHttpRequest) -> list[Ask]:
    """The viewer's own requests for a mentor, still waiting for an answer."""
    return [a for a in asks(request) if a.kind == REQUEST_OUT]


def _without_a_mentor(request: AuthenticatedHttpRequest, found: list[Ask]) -> list[Membership]:
    """Enrolled mentees who may choose a mentor and have neither one nor a request out."""
    taken = {a.program.pk for a in found if a.kind in (MY_MENTOR, REQUEST_OUT)}
    return [
        m
        for m in my_memberships(request)
        if m.role == Membership.Role.MENTEE
        and m.is_enrolled
        and m.program_id not in taken
        and program_requests_problem(m.program) is None
    ]


def _ask_need(a: Ask) -> Need:
    if a.kind == PROPOSAL:
        text, source = f"Would you mentor {a.who}?", "proposed by the program"
    else:
        text, source = f"{a.who} asks you to be their mentor", "a mentee's request"
    detail = f"{a.program.name} · {source}"
    if a.respond_by is not None:
        detail += f" · answer by {when(a.respond_by)}"
    overdue = a.is_overdue
    return Need(
        text=text,
        url=a.url,
        due=a.respond_by,
        overdue=overdue,
        weight=20,
        icon="bi-person-plus",
        detail=detail,
        badge="Answer overdue" if overdue else "",
        tone="danger",
    )


@register_needs("matching")
def answers_waited_for(request: AuthenticatedHttpRequest) -> list[Need]:
    """Proposals and requests the viewer, as a mentor, has to answer; and, for a mentee
    who chooses their own mentor, the choice still to make."""
    found = asks(request)
    needs = [_ask_need(a) for a in found if a.kind in (PROPOSAL, REQUEST_IN)]
    needs += [
        Need(
            text="Choose a mentor",
            url=reverse("matching:mentors", kwargs={"slug": m.program.slug}),
            weight=25,
            icon="bi-search",
            detail=f"{m.program.name} · browse the mentors and ask the one who fits you best",
            hidden=f"in {m.program.name}",
        )
        for m in _without_a_mentor(request, found)
    ]
    return needs
