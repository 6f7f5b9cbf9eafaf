"""Reads for a participant's home page, in a fixed number of queries whatever they hold.

However many relationships, meetings, agendas, check-ins, action items or goals a
person has, and however big their programs are, the page reads:

1. their running relationships (:func:`running_workspaces`, three queries): the ids,
   then each relationship with what the page says about it (its people, the agreement
   and whether they accepted it, their own reviews, the meetings to look at and the
   facts its health is derived from, as correlated subqueries), then those meetings
   with their agendas;
2. open action items of those relationships, theirs first (:func:`open_actions`);
3. their goals with their progress (:func:`goals_of`).

Each starts from the person's own memberships and relationships and follows indexes
(the pairing by mentor or mentee, the workspace by pairing or circle, the meetings by
workspace and start); nothing reads a whole program. What is shown is theirs alone:
every read starts from the relationships they take part in.

The reads are written in SQL (see ``mentoring.home`` for why, and how they run).
"""

# The SQL here is assembled from constants only (table names from the models, stored
# status words); every value comes in as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from matching.models import Circle, CircleMember, Pairing
from mentoring.home import as_date, as_datetime, db_date, db_datetime, fetch, is_in
from mentoring.models import User
from programs.models import Membership, Program
from sessions.models import (
    ActionItem,
    Agenda,
    Agreement,
    AgreementAcceptance,
    CheckIn,
    Goal,
    Medium,
    Meeting,
    Review,
    Workspace,
)

__all__ = [
    "CHECKIN_WINDOW",
    "MAX_RELATIONSHIPS",
    "Action",
    "GoalBrief",
    "MeetingBrief",
    "Person",
    "Running",
    "goals_of",
    "open_actions",
    "running_workspaces",
]

# More relationships than this at once is not a person, it is a program: the rest are
# on the program's pages.
MAX_RELATIONSHIPS = 50
# A held meeting asks for its participants' check-ins this long after it began; a
# meeting never marked held or missed asks to be marked for as long.
CHECKIN_WINDOW = dt.timedelta(days=14)
# How many check-in ratings the health of a relationship looks at (as workspace_facts).
RATINGS = 6

Status = Meeting.Status


def _t(model: type[Any]) -> str:
    return f'"{model._meta.db_table}"'


T = {
    "ws": _t(Workspace),
    "program": _t(Program),
    "pairing": _t(Pairing),
    "circle": _t(Circle),
    "seat": _t(CircleMember),
    "membership": _t(Membership),
    "user": _t(User),
    "agreement": _t(Agreement),
    "acceptance": _t(AgreementAcceptance),
    "review": _t(Review),
    "meeting": _t(Meeting),
    "agenda": _t(Agenda),
    "checkin": _t(CheckIn),
    "action": _t(ActionItem),
    "goal": _t(Goal),
}
# The words the queries compare with, as stored.
W = {
    "active": Pairing.Status.ACTIVE.value,
    "circle_active": Circle.Status.ACTIVE.value,
    "seated": CircleMember.Status.MEMBER.value,
    "scheduled": Status.SCHEDULED.value,
    "held": Status.HELD.value,
    "cancelled": Status.CANCELLED.value,
    "midpoint": Review.Kind.MIDPOINT.value,
    "final": Review.Kind.FINAL.value,
    "end": Review.Decision.END.value,
    "draft": Agenda.Status.DRAFT.value,
    "missed": Status.MISSED.value,
    "submitted": Agenda.Status.SUBMITTED.value,
    "open": ActionItem.Status.OPEN.value,
    "goal_open": Goal.Status.OPEN.value,
    "achieved": Goal.Status.ACHIEVED.value,
}


_MEDIUMS = {value: str(label) for value, label in Medium.choices}
_ACTION_KINDS = {value: str(label) for value, label in ActionItem.Kind.choices}
_GOAL_STATUSES = {value: str(label) for value, label in Goal.Status.choices}


@dataclass(frozen=True)
class Person:
    """Someone named on the page; ``pk`` is their membership's (of a relationship) or their
    own (the owner of an action item), as the read that found them says."""

    pk: int
    name: str
    email: str

    @property
    def display_name(self) -> str:
        return self.name or self.email


@dataclass(frozen=True)
class MeetingBrief:
    """A meeting as the home page names it, with the state of its agenda in one word
    (``none``, ``draft``, ``submitted`` or ``late``, as ``AGENDA_STATE``)."""

    pk: int
    starts_at: dt.datetime
    duration_minutes: int = 0
    medium: str = ""
    agenda_state: str = "none"
    agenda_submitted_at: dt.datetime | None = None

    @property
    def medium_display(self) -> str:
        return _MEDIUMS.get(self.medium, "")

    @property
    def agenda_in(self) -> bool:
        return self.agenda_state in ("submitted", "late")


@dataclass(frozen=True)
class Running:
    """A running relationship with what the home page shows about it."""

    pk: int
    program: Program
    start_date: dt.date
    end_date: dt.date
    midpoint_date: dt.date
    last_met_at: dt.datetime | None
    pairing_pk: int | None
    circle_pk: int | None
    kind: str  # the pairing's (one-to-one or flash); "" for a circle
    circle_name: str
    i_mentor: bool  # the viewer is its mentor
    partner: Person | None  # the other of a pair; a circle's mentor for its members
    agreement_pk: int | None
    agreement_version: int | None
    agreement_accepted_at: dt.datetime | None
    cadence: int  # the agreement's, else the program's
    i_accepted: bool  # the current version, by the viewer
    my_midpoint: bool  # the viewer filed their mid-point review
    my_final: bool
    midpoint_reviews: int  # everyone's
    wants_to_end: bool  # someone asked to end it at the mid-point review
    held: int
    last_two_missed: bool  # of the meetings that were due (cancelled ones aside)
    members: int  # a circle's mentees
    ratings: tuple[int, ...]  # as many as the latest check-in ratings, the same sum
    next: MeetingBrief | None  # the next scheduled meeting
    unmarked: MeetingBrief | None  # a recent meeting still marked scheduled
    to_check_in: MeetingBrief | None  # a recent held one the viewer did not check in on
    later_draft: MeetingBrief | None  # a later meeting whose agenda is a draft

    @property
    def is_flash(self) -> bool:
        return self.kind == Pairing.Kind.FLASH

    @property
    def is_circle(self) -> bool:
        return self.circle_pk is not None

    @property
    def slug(self) -> str:
        return str(self.program.slug)


def _ids_sql(mentor_ids: list[int], mentee_ids: list[int], params: dict[str, Any]) -> str:
    """The newest running relationships of these memberships, one index range per branch."""
    pairs = (
        f"SELECT w.id, w.start_date FROM {T['ws']} w JOIN {T['pairing']} p ON p.id = w.pairing_id"
    )
    circles = (
        f"SELECT w.id, w.start_date FROM {T['ws']} w JOIN {T['circle']} c ON c.id = w.circle_id"
    )
    branches = []
    if mentor_ids:
        branches += [
            f"{pairs} WHERE {is_in('p.mentor_id', 'mentors', mentor_ids, params)}"
            f" AND p.status = '{W['active']}'",
            f"{circles} WHERE {is_in('c.mentor_id', 'mentors', mentor_ids, params)}"
            f" AND c.status = '{W['circle_active']}'",
        ]
    if mentee_ids:
        branches += [
            f"{pairs} WHERE {is_in('p.mentee_id', 'mentees', mentee_ids, params)}"
            f" AND p.status = '{W['active']}'",
            f"{circles} JOIN {T['seat']} s ON s.circle_id = c.id"
            f" WHERE {is_in('s.mentee_id', 'mentees', mentee_ids, params)}"
            f" AND s.status = '{W['seated']}' AND c.status = '{W['circle_active']}'",
        ]
    if not branches:
        return ""
    return (
        f"SELECT u.id AS id FROM ({' UNION ALL '.join(branches)}) u"
        f" ORDER BY u.start_date DESC, u.id DESC LIMIT {MAX_RELATIONSHIPS}"
    )


def _meeting_ref(where: str, order: str, offset: int = 0) -> str:
    """The id of one meeting of the outer workspace, as a correlated subquery."""
    return (
        f"(SELECT m.id FROM {T['meeting']} m WHERE m.workspace_id = w.id AND {where}"
        f" ORDER BY {order} LIMIT 1 OFFSET {offset})"
    )


def _person(column: str, membership: str) -> str:
    """A column of the user of a membership, as a subquery."""
    return (
        f"(SELECT u.{column} FROM {T['membership']} mm JOIN {T['user']} u"
        f" ON u.id = mm.user_id WHERE mm.id = {membership})"
    )


_LATEST_FIRST = "m.starts_at DESC, m.id DESC"
_SOONEST_FIRST = "m.starts_at, m.id"
_RECENT = "m.starts_at <= %(now)s AND m.starts_at >= %(since)s"
_AHEAD = f"m.status = '{W['scheduled']}' AND m.starts_at > %(now)s"
# The latest check-in ratings (as workspace_facts reads them), and of the last two
# meetings that were due (cancelled ones aside) how many were missed.
_LATEST_RATINGS = (
    f"SELECT ci.rating AS v FROM {T['checkin']} ci JOIN {T['meeting']} m ON m.id = ci.meeting_id"
    f" WHERE m.workspace_id = w.id ORDER BY m.starts_at DESC, ci.id DESC LIMIT {RATINGS}"
)
_LAST_TWO_DUE = (
    f"SELECT m.status AS v FROM {T['meeting']} m WHERE m.workspace_id = w.id"
    f" AND m.starts_at <= %(now)s AND m.status <> '{W['cancelled']}'"
    " ORDER BY m.starts_at DESC, m.id DESC LIMIT 2"
)
_REVIEW = f"SELECT 1 FROM {T['review']} r WHERE r.workspace_id = w.id AND r.kind = "
_DRAFT = (
    f"{_AHEAD} AND EXISTS (SELECT 1 FROM {T['agenda']} g WHERE g.meeting_id = m.id"
    f" AND g.status = '{W['draft']}')"
)

# Each relationship with its one-to-one rows and, as correlated subqueries, what it
# counts or finds among its meetings, check-ins and reviews (the meetings found are read
# by _MEETINGS). It is driven by the list of relationship ids (_IDS, read first): with
# the ids as constants PostgreSQL runs every subquery as a few index lookups per row;
# driven by a subquery, it estimated thousands of rows and read whole tables instead.
_WORKSPACES = f"""
SELECT
  w.id AS pk, w.program_id AS program_pk, w.start_date AS start_date,
  w.end_date AS end_date, w.midpoint_date AS midpoint_date, w.last_met_at AS last_met_at,
  w.pairing_id AS pairing_pk, w.circle_id AS circle_pk, p.kind AS kind, c.name AS circle_name,
  COALESCE(p.mentor_id, c.mentor_id) AS mentor_mid, p.mentee_id AS mentee_mid,
  {_person("name", "COALESCE(p.mentor_id, c.mentor_id)")} AS mentor_name,
  {_person("email", "COALESCE(p.mentor_id, c.mentor_id)")} AS mentor_email,
  {_person("name", "p.mentee_id")} AS mentee_name,
  {_person("email", "p.mentee_id")} AS mentee_email,
  a.id AS agreement_pk, a.version AS agreement_version,
  a.accepted_at AS agreement_accepted_at, a.cadence_days AS agreement_cadence,
  EXISTS (SELECT 1 FROM {T["acceptance"]} x WHERE x.agreement_id = a.id
          AND x.version = a.version AND x.user_id = %(user)s) AS i_accepted,
  EXISTS ({_REVIEW}'{W["midpoint"]}' AND r.author_id = %(user)s) AS my_midpoint,
  EXISTS ({_REVIEW}'{W["final"]}' AND r.author_id = %(user)s) AS my_final,
  (SELECT COUNT(*) FROM {T["review"]} r WHERE r.workspace_id = w.id
   AND r.kind = '{W["midpoint"]}') AS midpoint_reviews,
  EXISTS ({_REVIEW}'{W["midpoint"]}' AND r.decision = '{W["end"]}') AS wants_to_end,
  (SELECT COUNT(*) FROM {T["meeting"]} m WHERE m.workspace_id = w.id
   AND m.status = '{W["held"]}') AS held,
  (SELECT COUNT(*) FROM ({_LAST_TWO_DUE}) t WHERE t.v = '{W["missed"]}') AS missed_of_two,
  (SELECT COUNT(*) FROM ({_LATEST_RATINGS}) t) AS ratings_n,
  (SELECT SUM(t.v) FROM ({_LATEST_RATINGS}) t) AS ratings_sum,
  (SELECT COUNT(*) FROM {T["seat"]} s WHERE s.circle_id = w.circle_id
   AND s.status = '{W["seated"]}') AS members,
  {_meeting_ref(_AHEAD, _SOONEST_FIRST)} AS next_pk,
  {_meeting_ref(f"m.status = '{W['scheduled']}' AND {_RECENT}", _LATEST_FIRST)} AS unmarked_pk,
  {
    _meeting_ref(
        f"m.status = '{W['held']}' AND {_RECENT} AND NOT EXISTS (SELECT 1 FROM "
        f"{T['checkin']} ci WHERE ci.meeting_id = m.id AND ci.author_id = %(user)s)",
        _LATEST_FIRST,
    )
} AS checkin_pk,
  {_meeting_ref(_DRAFT, _SOONEST_FIRST)} AS draft_pk,
  {_meeting_ref(_DRAFT, _SOONEST_FIRST, offset=1)} AS draft2_pk
FROM {T["ws"]} w
LEFT JOIN {T["pairing"]} p ON p.id = w.pairing_id
LEFT JOIN {T["circle"]} c ON c.id = w.circle_id
LEFT JOIN {T["agreement"]} a ON a.workspace_id = w.id
WHERE {{ids}}
"""

# The meetings the relationships point at, with their agendas: primary-key lookups.
_MEETINGS = f"""
SELECT m.id AS pk, m.starts_at AS starts_at, m.duration_minutes AS minutes, m.medium AS medium,
  g.status AS agenda_status, g.late AS agenda_late, g.submitted_at AS agenda_at
FROM {T["meeting"]} m LEFT JOIN {T["agenda"]} g ON g.meeting_id = m.id WHERE {{ids}}
"""


def _ratings(n: int, total: int | None) -> tuple[int, ...]:
    """Ratings with the count and sum of the latest ones: all ``derive_health`` reads of
    them (how many, and their average), without a column per rating."""
    if not n:
        return ()
    q, r = divmod(int(total or 0), n)
    return (q + 1,) * r + (q,) * (n - r)


def _agenda_state(status: str | None, late: Any) -> str:
    if status == W["submitted"]:
        return "late" if late else "submitted"
    return "draft" if status == W["draft"] else "none"


def _meeting(meetings: dict[int, dict[str, Any]], pk: int | None) -> MeetingBrief | None:
    """The meeting ``pk`` (of those read), if there is one."""
    row = meetings.get(pk) if pk is not None else None
    if row is None:
        return None
    return MeetingBrief(
        row["pk"],
        as_datetime(row["starts_at"]),  # type: ignore[arg-type]
        row["minutes"],
        row["medium"],
        _agenda_state(row["agenda_status"], row["agenda_late"]),
        as_datetime(row["agenda_at"]),
    )


def running_workspaces(
    user: User,
    mentor_ids: list[int],
    mentee_ids: list[int],
    programs: dict[int, Program],
    now: dt.datetime,
) -> list[Running]:
    """``user``'s running relationships (as the holder of these memberships), newest first.

    Three queries, each a handful of index lookups per relationship: their ids, then
    what the page says about each, then the meetings those point at. ``programs`` are the
    programs of those memberships, already read.
    """
    params: dict[str, Any] = {}
    ids_sql = _ids_sql(mentor_ids, mentee_ids, params)
    ids = [row["id"] for row in fetch(ids_sql, params)] if ids_sql else []
    if not ids:
        return []
    params = {"user": user.pk, "now": db_datetime(now), "since": db_datetime(now - CHECKIN_WINDOW)}
    rows = fetch(_WORKSPACES.replace("{ids}", is_in("w.id", "ids", ids, params)), params)
    wanted = [
        row[key]
        for row in rows
        for key in ("next_pk", "unmarked_pk", "checkin_pk", "draft_pk", "draft2_pk")
        if row[key] is not None
    ]
    meetings: dict[int, dict[str, Any]] = {}
    if wanted:
        found_params: dict[str, Any] = {}
        sql = _MEETINGS.replace("{ids}", is_in("m.id", "ids", sorted(set(wanted)), found_params))
        meetings = {row["pk"]: row for row in fetch(sql, found_params)}
    mentors = set(mentor_ids)
    found = []
    for row in sorted(rows, key=lambda r: (as_date(r["start_date"]), r["pk"]), reverse=True):
        program = programs[row["program_pk"]]
        mentor = Person(row["mentor_mid"], row["mentor_name"], row["mentor_email"])
        i_mentor = mentor.pk in mentors
        partner: Person | None = mentor
        if row["mentee_mid"] is not None and i_mentor:
            partner = Person(row["mentee_mid"], row["mentee_name"], row["mentee_email"])
        elif i_mentor:  # the circle's mentor: many partners, named by the circle
            partner = None
        next_meeting = _meeting(meetings, row["next_pk"])
        # A later meeting whose agenda is a draft: the first one that is not the next.
        later = row["draft2_pk"] if row["draft_pk"] == row["next_pk"] else row["draft_pk"]
        later_draft = _meeting(meetings, later)
        found.append(
            Running(
                pk=row["pk"],
                program=program,
                start_date=as_date(row["start_date"]),  # type: ignore[arg-type]
                end_date=as_date(row["end_date"]),  # type: ignore[arg-type]
                midpoint_date=as_date(row["midpoint_date"]),  # type: ignore[arg-type]
                last_met_at=as_datetime(row["last_met_at"]),
                pairing_pk=row["pairing_pk"],
                circle_pk=row["circle_pk"],
                kind=row["kind"] or "",
                circle_name=row["circle_name"] or "",
                i_mentor=i_mentor,
                partner=partner,
                agreement_pk=row["agreement_pk"],
                agreement_version=row["agreement_version"],
                agreement_accepted_at=as_datetime(row["agreement_accepted_at"]),
                cadence=row["agreement_cadence"] or program.cadence_days,
                i_accepted=bool(row["i_accepted"]),
                my_midpoint=bool(row["my_midpoint"]),
                my_final=bool(row["my_final"]),
                midpoint_reviews=row["midpoint_reviews"],
                wants_to_end=bool(row["wants_to_end"]),
                held=row["held"],
                last_two_missed=row["missed_of_two"] == 2,
                members=row["members"],
                ratings=_ratings(row["ratings_n"], row["ratings_sum"]),
                next=next_meeting,
                unmarked=_meeting(meetings, row["unmarked_pk"]),
                to_check_in=_meeting(meetings, row["checkin_pk"]),
                later_draft=later_draft,
            )
        )
    return found


@dataclass(frozen=True)
class Action:
    """An open action item as the home page lists it."""

    pk: int
    workspace_pk: int
    kind: str
    description: str
    due_date: dt.date | None
    owner: Person

    @property
    def kind_display(self) -> str:
        return _ACTION_KINDS.get(self.kind, "")


_ACTIONS = f"""
SELECT id, workspace_id, kind, description, due_date, owner_id, name, email, grp FROM (
  SELECT ai.id, ai.workspace_id, ai.kind, ai.description, ai.due_date, ai.owner_id,
         u.name, u.email,
         CASE WHEN ai.owner_id = %(user)s THEN 0 ELSE 1 END AS grp,
         ROW_NUMBER() OVER (
           PARTITION BY CASE WHEN ai.owner_id = %(user)s THEN 0 ELSE 1 END
           ORDER BY (ai.due_date IS NULL), ai.due_date, ai.created_at, ai.id
         ) AS n
  FROM {T["action"]} ai JOIN {T["user"]} u ON u.id = ai.owner_id
  WHERE {{ids}} AND ai.status = '{W["open"]}'
    AND (ai.owner_id = %(user)s OR ai.due_date <= %(soon)s)
) t
WHERE (grp = 0 AND n <= %(mine)s) OR (grp = 1 AND n <= %(others)s)
ORDER BY grp, n
"""


def open_actions(
    user: User, workspace_ids: list[int], *, soon: dt.date, mine: int, others: int
) -> tuple[list[Action], list[Action]]:
    """Open action items of these relationships (one query): ``user``'s own, due soonest
    first (at most ``mine``), and the others' due by ``soon`` or overdue (at most
    ``others``). Each list holds one more than asked if there are more."""
    if not workspace_ids:
        return [], []
    params: dict[str, Any] = {
        "user": user.pk,
        "soon": db_date(soon),
        "mine": mine + 1,
        "others": others + 1,
    }
    sql = _ACTIONS.replace("{ids}", is_in("ai.workspace_id", "ids", workspace_ids, params))
    mine_found: list[Action] = []
    others_found: list[Action] = []
    for row in fetch(sql, params):
        action = Action(
            row["id"],
            row["workspace_id"],
            row["kind"],
            row["description"],
            as_date(row["due_date"]),
            Person(row["owner_id"], row["name"], row["email"]),
        )
        (mine_found if row["grp"] == 0 else others_found).append(action)
    return mine_found, others_found


@dataclass(frozen=True)
class GoalBrief:
    pk: int
    workspace_pk: int
    title: str
    target_date: dt.date
    status: str
    progress: int

    @property
    def status_display(self) -> str:
        return _GOAL_STATUSES.get(self.status, "")


_GOALS = f"""
SELECT g.id, g.workspace_id, g.title, g.target_date, g.status, g.progress
FROM {T["goal"]} g
WHERE {{ids}}
  AND (g.status = '{W["goal_open"]}' OR (g.status = '{W["achieved"]}' AND g.closed_at >= %(since)s))
ORDER BY CASE WHEN g.status = '{W["goal_open"]}' THEN 0 ELSE 1 END, g.target_date, g.id
LIMIT %(limit)s
"""


def goals_of(workspace_ids: list[int], *, since: dt.datetime, limit: int) -> list[GoalBrief]:
    """Open goals of these relationships, nearest target first, then goals achieved since
    ``since`` (one query; one more than ``limit`` if there are more)."""
    if not workspace_ids:
        return []
    params: dict[str, Any] = {"since": db_datetime(since), "limit": limit + 1}
    sql = _GOALS.replace("{ids}", is_in("g.workspace_id", "ids", workspace_ids, params))
    return [
        GoalBrief(
            row["id"],
            row["workspace_id"],
            row["title"],
            as_date(row["target_date"]),  # type: ignore[arg-type]
            row["status"],
            row["progress"],
        )
        for row in fetch(sql, params)
    ]
