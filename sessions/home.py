"""The workspace parts of a person's home page.

- "What needs you now" items (``mentoring.home.register_needs``): terms to draft or
  accept, a meeting to mark held or missed, a check-in to file, agendas to file (a
  mentee's: the next meeting's, and any later one started as a draft), the next meeting
  itself with the state of its agenda, reviews open, and the person's own action items.
- "Waiting on others": the other side's action items due soon or overdue, and a
  mentee's own requests for a mentor still waiting for an answer.
- "Your relationships": each running relationship with its health, the last and the
  next meeting and, for the next one, the state of its agenda.
- "Goals and progress": the goals of those relationships.

Everything comes from three reads (``sessions.selectors_home``) made once per request
and shared by the parts above, so the page costs the same number of queries for one
relationship or fifty, with ten meetings each or a thousand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from matching import home as matching_home
from mentoring.home import (
    BADGE_CLASSES,
    Need,
    SectionResult,
    fast_reverse,
    register_needs,
    register_section,
    when,
)
from mentoring.types import AuthenticatedHttpRequest
from programs.home import membership_ids, my_memberships
from programs.models import Membership, Program
from sessions import selectors_home
from sessions.models import Goal
from sessions.selectors import AGREEMENT_GRACE, REVIEW_GRACE, Facts, Health, derive_health
from sessions.selectors_home import Action, GoalBrief, MeetingBrief, Running
from sessions.selectors_reviews import CLOSURE_PROMPT_DAYS

MENTOR = "mentor"
MENTEE = "mentee"
MEMBER = "member"  # a mentee in a circle

# The other side's open action items are worth knowing about once due within this.
OTHERS_SOON = dt.timedelta(days=7)
MINE_SHOWN = 8
OTHERS_SHOWN = 3
GOALS_SHOWN = 5
# An achieved goal stays on the page this long: a win is worth seeing again.
ACHIEVED_SHOWN = dt.timedelta(days=30)

HEALTH_TONES = {"on_track": "success", "needs_check_in": "warning"}

_CACHE = "_constellation_home_relationships"


def _end_of(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The first moment after ``day`` in ``tz``: when something due that day is late."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)


@dataclass
class Relationship:
    """One running relationship as the viewer sees it on their home page."""

    w: Running
    role: str  # MENTOR, MENTEE or MEMBER
    health: Health
    today: dt.date  # on the program's clock

    @property
    def program(self) -> Program:
        return self.w.program

    @property
    def next(self) -> MeetingBrief | None:
        return self.w.next

    @property
    def with_whom(self) -> str:
        """Who the relationship is with, in a few words: "Ann Lee" or "the circle Leading"."""
        if self.w.is_circle:
            return f"the circle {self.w.circle_name}"
        partner = self.w.partner
        return partner.display_name if partner is not None else ""

    @property
    def is_pair_mentee(self) -> bool:
        return self.role == MENTEE and not self.w.is_circle

    @property
    def reason(self) -> str:
        return "".join(f"{r}. " for r in self.health.reasons).strip()

    @property
    def where(self) -> str:
        """With whom, in which program: the detail line of most of its needs."""
        return f"with {self.with_whom} · {self.w.program.name}"

    def url(self, name: str, **more: int) -> str:
        """A page of this relationship's workspace."""
        return fast_reverse(name, slug=self.w.slug, pk=self.w.pk, **more)

    @property
    def title(self) -> str:
        """The relationship from the viewer's side: the words of its link."""
        w = self.w
        if w.is_circle:
            return f"Circle: {w.circle_name}"
        if self.role == MENTOR:
            return f"You mentor {self.with_whom}"
        if w.is_flash:
            return f"Flash session with {self.with_whom}"
        return f"{self.with_whom} is your mentor"

    @property
    def detail_url(self) -> str:
        return self.url("workspace:detail")

    @property
    def schedule_url(self) -> str:
        return self.url("workspace:meeting_create")

    @property
    def next_url(self) -> str:
        return self.url("workspace:meeting", mid=self.w.next.pk) if self.w.next else ""

    @property
    def next_words(self) -> str:
        return when(self.w.next.starts_at) if self.w.next else ""

    @property
    def last_met_words(self) -> str:
        return when(self.w.last_met_at, "D j M") if self.w.last_met_at else ""

    @property
    def until(self) -> str:
        return when(self.w.end_date, "j M Y")

    @property
    def role_label(self) -> str:
        if self.w.is_circle:
            return "Circle mentor" if self.role == MENTOR else "Circle member"
        return "Mentor" if self.role == MENTOR else "Mentee"

    @property
    def health_class(self) -> str:
        return BADGE_CLASSES[HEALTH_TONES.get(self.health.status, "light")]

    def card(self) -> dict[str, str]:
        """What the relationships section shows of it, in words (a dict: the template
        reads each with one lookup)."""
        w = self.w
        return {
            "title": self.title,
            "url": self.detail_url,
            "role": self.role_label,
            "health": str(self.health.label),
            "health_class": self.health_class,
            "reason": self.reason,
            "where": f"{w.program.name} · until {self.until}",
            "last_met": self.last_met_words or "none held yet",
            "next": self.next_words,
            "next_url": self.next_url,
            "agenda": self.agenda_words,
            "schedule_url": "" if w.next else self.schedule_url,
            "with_whom": self.with_whom,
        }

    @property
    def agenda_words(self) -> str:
        """The state of the next meeting's agenda, from the viewer's side."""
        m = self.w.next
        if m is None:
            return ""
        if self.w.is_circle:
            return "agenda items added" if m.agenda_in else "no agenda items yet"
        late = " (late)" if m.agenda_state == "late" else ""
        at = when(m.agenda_submitted_at, "j M, H:i") if m.agenda_submitted_at else ""
        if self.role == MENTOR:
            return f"agenda arrived {at}{late}" if m.agenda_in else "agenda not in yet"
        if m.agenda_in:
            return f"your agenda is filed ({at}){late}"
        if m.agenda_state == "draft":
            return "your agenda: draft saved, not sent yet"
        return "your agenda: not started"


@dataclass(frozen=True)
class ActionRow:
    """An open action item, with the relationship it belongs to."""

    row: Relationship
    action: Action
    today: dt.date  # the viewer's, as the dates of action items are read everywhere

    @property
    def url(self) -> str:
        return self.row.url("workspace:actions")

    @property
    def late(self) -> bool:
        return self.action.due_date is not None and self.action.due_date < self.today

    @property
    def due_words(self) -> str:
        due = self.action.due_date
        if due is None:
            return "no due date"
        return f"{'was due' if self.late else 'due'} {when(due, 'D j M')}"

    def card(self) -> dict[str, object]:
        """What "Waiting on others" shows of it."""
        a = self.action
        text = a.description if len(a.description) <= 120 else a.description[:119] + "…"
        return {
            "text": f"{a.owner.display_name}: {text}",
            "url": self.url,
            "detail": f"{a.kind_display} · with {self.row.with_whom} · {self.due_words}",
            "late": self.late,
        }


@dataclass(frozen=True)
class GoalRow:
    """A goal, with the relationship it belongs to."""

    row: Relationship
    goal: GoalBrief

    @property
    def url(self) -> str:
        return self.row.url("workspace:goal", gid=self.goal.pk)

    @property
    def target(self) -> str:
        return when(self.goal.target_date, "j M Y")

    def card(self, today: dt.date) -> dict[str, object]:
        """What "Goals and progress" shows of it."""
        g = self.goal
        achieved = g.status == Goal.Status.ACHIEVED
        return {
            "title": g.title,
            "url": self.url,
            "status": g.status_display,
            "status_class": BADGE_CLASSES["success" if achieved else "light"],
            "late": g.status == Goal.Status.OPEN and g.target_date < today,
            "detail": f"with {self.row.with_whom} · target {self.target}",
            "progress": g.progress,
        }


@dataclass
class HomeData:
    rows: list[Relationship] = field(default_factory=list)
    mine: list[ActionRow] = field(default_factory=list)
    others: list[ActionRow] = field(default_factory=list)
    goals: list[GoalRow] = field(default_factory=list)
    full: bool = False  # as many relationships as the page lists


def _role(w: Running) -> str:
    if w.i_mentor:
        return MENTOR
    return MEMBER if w.is_circle else MENTEE


def _health(w: Running, today: dt.date) -> Health:
    """As the workspace's own page derives it (``workspace_facts``), from bulk-read facts."""
    tz = w.program.tzinfo
    facts = Facts(
        open=True,
        start=w.start_date,
        midpoint=w.midpoint_date,
        cadence_days=w.cadence,
        participants=1 + w.members if w.is_circle else 2,
        held=w.held,
        last_held=timezone.localdate(w.last_met_at, tz) if w.last_met_at else None,
        next_scheduled=timezone.localdate(w.next.starts_at, tz) if w.next else None,
        last_two_missed=w.last_two_missed,
        recent_ratings=w.ratings,
        midpoint_reviews=w.midpoint_reviews,
        wants_to_end=w.wants_to_end,
        agreed=w.agreement_accepted_at is not None,
        is_flash=w.is_flash,
    )
    return derive_health(facts, today)


def home_data(request: AuthenticatedHttpRequest) -> HomeData:
    """Everything the workspace parts of the home page show, read once per request."""
    cached: HomeData | None = getattr(request, _CACHE, None)
    if cached is not None:
        return cached
    user = request.user
    now = timezone.now()
    running = selectors_home.running_workspaces(
        user,
        membership_ids(request, Membership.Role.MENTOR),
        membership_ids(request, Membership.Role.MENTEE),
        {m.program_id: m.program for m in my_memberships(request)},
        now,
    )
    data = HomeData(full=len(running) >= selectors_home.MAX_RELATIONSHIPS)
    if running:
        todays: dict[int, dt.date] = {}
        by_pk: dict[int, Relationship] = {}
        for w in running:
            if w.program.pk not in todays:
                todays[w.program.pk] = w.program.local_date()
            today = todays[w.program.pk]
            row = Relationship(w, _role(w), _health(w, today), today)
            data.rows.append(row)
            by_pk[w.pk] = row
        ids = list(by_pk)
        viewers_today = timezone.localdate()
        mine, others = selectors_home.open_actions(
            user, ids, soon=viewers_today + OTHERS_SOON, mine=MINE_SHOWN, others=OTHERS_SHOWN
        )
        goals = selectors_home.goals_of(ids, since=now - ACHIEVED_SHOWN, limit=GOALS_SHOWN)
        data.mine = [ActionRow(by_pk[a.workspace_pk], a, viewers_today) for a in mine]
        data.others = [ActionRow(by_pk[a.workspace_pk], a, viewers_today) for a in others]
        data.goals = [GoalRow(by_pk[g.workspace_pk], g) for g in goals]
    setattr(request, _CACHE, data)
    return data


# --- What needs you now ------------------------------------------------------------------------


def _agreement_need(row: Relationship) -> Need | None:
    w = row.w
    due_day = w.start_date + AGREEMENT_GRACE
    late = row.today > due_day

    def need(text: str, url: str) -> Need:
        return Need(
            text=text,
            url=url,
            due=_end_of(due_day, w.program.tzinfo),
            overdue=late,
            weight=30,
            icon="bi-file-earmark-check",
            detail=row.where,
            hidden=f"(with {row.with_whom})",
            badge="Overdue" if late else "",
            tone="danger",
        )

    if w.agreement_pk is None:
        # A flash session needs no terms; a circle's are drafted by its mentor.
        if w.is_flash or row.role == MEMBER:
            return None
        return need(
            "Agree the terms of your relationship: nothing is drafted yet",
            row.url("workspace:agreement_edit"),
        )
    if w.agreement_accepted_at is None and not w.i_accepted:
        version = w.agreement_version or 1
        changed = f" (changed: version {version})" if version > 1 else ""
        return need(
            f"Read and accept the terms of your relationship{changed}",
            row.url("workspace:agreement"),
        )
    return None


def _review_needs(row: Relationship) -> list[Need]:
    w = row.w
    if w.is_flash:
        return []
    tz = w.program.tzinfo
    needs = []
    if row.today >= w.midpoint_date and not w.my_midpoint:
        due_day = w.midpoint_date + REVIEW_GRACE
        late = row.today > due_day
        needs.append(
            Need(
                text="Your mid-point review is open",
                url=row.url("workspace:reviews"),
                due=_end_of(due_day, tz),
                overdue=late,
                weight=35,
                icon="bi-clipboard-data",
                detail=f"{row.where} · please file it by {when(due_day, 'j M')}",
                hidden=f"(with {row.with_whom})",
                badge="Overdue" if late else "",
                tone="danger",
            )
        )
    if (w.end_date - row.today).days <= CLOSURE_PROMPT_DAYS and not w.my_final:
        late = row.today > w.end_date
        needs.append(
            Need(
                text="Your final review is open",
                url=row.url("workspace:closure"),
                due=_end_of(w.end_date, tz),
                overdue=late,
                weight=35,
                icon="bi-clipboard-data",
                detail=f"{row.where} · the relationship ends on {when(w.end_date, 'j M Y')}",
                hidden=f"(with {row.with_whom})",
                badge="Overdue" if late else "",
                tone="danger",
            )
        )
    return needs


def _meeting_needs(row: Relationship, now: dt.datetime) -> list[Need]:
    w = row.w
    needs = []
    if w.unmarked is not None:
        m = w.unmarked
        needs.append(
            Need(
                text=f"Did your meeting on {when(m.starts_at)} happen? Mark it held or missed",
                url=row.url("workspace:meeting", mid=m.pk),
                due=m.starts_at,
                weight=5,
                icon="bi-calendar-check",
                detail=row.where,
            )
        )
    if w.to_check_in is not None:
        m = w.to_check_in
        needs.append(
            Need(
                text=f"File your check-in on the meeting of {when(m.starts_at, 'D j M')}",
                url=row.url("workspace:checkin", mid=m.pk),
                due=m.starts_at,
                weight=6,
                icon="bi-chat-square-text",
                detail=f"with {row.with_whom} · what was useful, your next steps, what to change",
            )
        )
    if row.is_pair_mentee:
        # The next meeting's agenda, and a later one already started as a draft.
        lead = dt.timedelta(hours=w.program.agenda_lead_hours)
        for meeting in (w.next, w.later_draft):
            if meeting is None or meeting.agenda_in:
                continue
            due = meeting.starts_at - lead
            late = now > due
            draft = meeting.agenda_state == "draft"
            state = "draft saved, not sent yet" if draft else "not started"
            needs.append(
                Need(
                    text=f"File your agenda for the meeting on {when(meeting.starts_at)}",
                    url=row.url("workspace:agenda_edit", mid=meeting.pk),
                    due=due,
                    overdue=late,
                    weight=10,
                    icon="bi-journal-text",
                    detail=f"{row.where} · {state}",
                    badge="Late" if late else ("Draft" if draft else ""),
                    tone="danger" if late else "light",
                )
            )
    return needs


def _next_meeting_need(rows: list[Relationship]) -> Need | None:
    """The soonest meeting of all, with its agenda's state, unless an agenda item names it."""
    soonest: Relationship | None = None
    for row in rows:
        if row.next is not None and (
            soonest is None
            or soonest.next is None
            or (row.next.starts_at, row.next.pk) < (soonest.next.starts_at, soonest.next.pk)
        ):
            soonest = row
    if soonest is None or soonest.next is None:
        return None
    m = soonest.next
    if soonest.is_pair_mentee and not m.agenda_in:
        return None  # the agenda item to file names this meeting already
    medium = f", {m.medium_display.lower()}" if m.medium_display else ""
    return Need(
        text=f"Next meeting: {when(m.starts_at)}",
        url=soonest.url("workspace:meeting", mid=m.pk),
        due=m.starts_at,
        weight=40,
        icon="bi-calendar-event",
        detail=f"with {soonest.with_whom} · {m.duration_minutes} minutes{medium}"
        f" · {soonest.agenda_words}",
        hidden=f"(with {soonest.with_whom})",
    )


def _action_need(item: ActionRow, tz: dt.tzinfo) -> Need:
    a = item.action
    late = item.late
    return Need(
        text=a.description if len(a.description) <= 120 else a.description[:119] + "…",
        url=item.url + "?show=mine",
        due=_end_of(a.due_date, tz) if a.due_date else None,
        overdue=late,
        weight=50,
        icon="bi-check2-square",
        detail=f"{a.kind_display} · with {item.row.with_whom} · {item.due_words}",
        badge="Overdue" if late else "",
        tone="danger",
    )


@register_needs("sessions")
def relationship_needs(request: AuthenticatedHttpRequest) -> list[Need]:
    """What the viewer's relationships ask of them now."""
    data = home_data(request)
    if not data.rows:
        return []
    now = timezone.now()
    needs: list[Need] = []
    for row in data.rows:
        agreement = _agreement_need(row)
        if agreement is not None:
            needs.append(agreement)
        needs += _review_needs(row)
        needs += _meeting_needs(row, now)
    next_meeting = _next_meeting_need(data.rows)
    if next_meeting is not None:
        needs.append(next_meeting)
    tz = timezone.get_current_timezone()
    needs += [_action_need(item, tz) for item in data.mine[:MINE_SHOWN]]
    return needs


# --- The sections ------------------------------------------------------------------------------


@register_section("waiting", order=20)
def waiting_on_others(request: AuthenticatedHttpRequest) -> SectionResult:
    requests = matching_home.my_requests(request)
    others = home_data(request).others
    if not (requests or others):
        return None
    return "sessions/partials/_home_waiting.html", {
        "requests": requests,
        "actions": [item.card() for item in others[:OTHERS_SHOWN]],
        "more_actions": len(others) > OTHERS_SHOWN,
    }


@register_section("relationships", order=40)
def my_relationships(request: AuthenticatedHttpRequest) -> SectionResult:
    data = home_data(request)
    if not data.rows:
        return None
    return "sessions/partials/_home_relationships.html", {
        "rows": [row.card() for row in data.rows],
        "full": data.full,
    }


@register_section("goals", order=50)
def my_goals(request: AuthenticatedHttpRequest) -> SectionResult:
    data = home_data(request)
    if not data.goals:
        return None
    today = timezone.localdate()
    return "sessions/partials/_home_goals.html", {
        "goals": [item.card(today) for item in data.goals[:GOALS_SHOWN]],
        "more": len(data.goals) > GOALS_SHOWN,
    }
