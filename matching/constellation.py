"""The constellation: one person's mentoring relationships across all their programs,
drawn as a diagram, and the search that answers "who can help you with that?".

Reads only, always for the acting user, each in a fixed number of queries however many
relationships, programs or matches there are. The diagram's geometry is computed here
(me in the centre, each kind of relationship in its own sector); the template only
writes it out as SVG.

What a relationship shows follows ``matching.access``: only running (active) and
completed pairings and circles, so a mentee never learns of a proposal, a decline or an
expiry through this page. Search results show what ``mentor_browse`` shows of a mentor
(name, title, organisation, topics, strengths, whether they take mentees).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, F, IntegerField, Min, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from matching.models import (
    Circle,
    CircleMember,
    FlashOffer,
    MatchConstraint,
    MatchingSettings,
    MentorRequest,
    Pairing,
)
from matching.services.flash import flash_offered
from matching.services.requests import program_requests_problem
from mentoring.models import User
from programs.models import Membership, Program, Topic

Role = Membership.Role
Type = Pairing.RelationshipType

# --- The kinds of relationship, and how each is drawn -------------------------------------


@dataclass(frozen=True)
class Kind:
    """A group of the constellation: its words, and a colour *and* a line style of its own
    (so that the diagram never relies on colour alone). Colours keep 4.5:1 on white."""

    key: str
    title: str  # heading of the group in the list
    short: str  # label of its sector in the diagram
    colour: str
    dash: str  # stroke-dasharray; "" draws a solid line
    line: str  # the line style in words, for the legend
    shape: str  # "person", "circle" or "flash"
    angle: float  # preferred direction, degrees clockwise from east (SVG's y points down)


MENTORS = Kind("mentors", "My mentors", "Mentors", "#2f4ac0", "", "solid", "person", -90)
REVERSE = Kind(
    "reverse",
    "Reverse mentoring",
    "Reverse",
    "#a34a00",
    "12 4 2 4 2 4",
    "dash-dot-dot",
    "person",
    -35,
)
PEERS_OUTSIDE = Kind(
    "peers_outside",
    "Peer mentors outside my organisation",
    "Peers outside",
    "#0b6e80",
    "10 5 2 5",
    "dash-dot",
    "person",
    10,
)
FLASH = Kind("flash", "Flash sessions", "Flash", "#4a5563", "4 4", "short dashes", "flash", 50)
MENTEES = Kind("mentees", "People I mentor", "I mentor", "#1e7b46", "10 6", "dashed", "person", 90)
CIRCLES = Kind(
    "circles", "Mentoring circles", "Circles", "#a3245f", "16 4", "long dashes", "circle", 140
)
PEERS_INSIDE = Kind(
    "peers_inside",
    "Peer mentors in my organisation",
    "Peers inside",
    "#7b3fa8",
    "2 5",
    "dotted",
    "person",
    190,
)

KINDS: tuple[Kind, ...] = (MENTORS, REVERSE, PEERS_OUTSIDE, FLASH, MENTEES, CIRCLES, PEERS_INSIDE)

SHOWN_PAIRINGS = (Pairing.Status.ACTIVE, Pairing.Status.COMPLETED)
SHOWN_CIRCLES = (Circle.Status.ACTIVE, Circle.Status.COMPLETED)


# --- The relationships ----------------------------------------------------------------------


@dataclass
class Relationship:
    """One relationship as its member sees it: who, where, which side, since when."""

    kind: Kind
    key: str  # the same person (or circle) in the same group is drawn once
    name: str
    program: Program
    completed: bool
    side: str  # in words, from my side: "mentors you", "you lead it" ...
    started: dt.date | None
    ended: dt.date | None
    url: str
    format: str  # "One-to-one", "Flash session", "Circle"

    @property
    def status_label(self) -> str:
        return "Completed" if self.completed else "Running"


@dataclass
class Group:
    kind: Kind
    relationships: list[Relationship]


@dataclass
class Constellation:
    user: User
    groups: list[Group]
    diagram: Diagram

    @property
    def count(self) -> int:
        return sum(len(g.relationships) for g in self.groups)

    @property
    def program_count(self) -> int:
        return len({r.program.pk for g in self.groups for r in g.relationships})


def _same_organisation(a: User, b: User) -> bool:
    """Both name the same organisation (an empty one matches nobody)."""
    mine, theirs = a.organisation.strip().casefold(), b.organisation.strip().casefold()
    return bool(mine) and mine == theirs


def _day(moment: dt.datetime | None, user: User) -> dt.date | None:
    return timezone.localdate(moment, user.tzinfo) if moment else None


def _workspace_url(slug: str, pk: int | None, fallback: str) -> str:
    if pk is None:
        return fallback
    return reverse("workspace:detail", kwargs={"slug": slug, "pk": pk})


def _pairing_relationship(p: Pairing, user: User) -> Relationship:
    i_mentor = p.mentor.user_id == user.pk
    other = p.mentee.user if i_mentor else p.mentor.user
    if p.kind == Pairing.Kind.FLASH:
        kind = FLASH
        side = "they booked your flash session" if i_mentor else "you booked their flash session"
    elif p.relationship_type == Type.REVERSE:
        kind = REVERSE
        side = (
            "you mentor them; they are more senior"
            if i_mentor
            else "they mentor you; you are more senior"
        )
    elif p.relationship_type == Type.PEER:
        kind = PEERS_INSIDE if _same_organisation(user, other) else PEERS_OUTSIDE
        side = "you mentor them (peer)" if i_mentor else "they mentor you (peer)"
    elif i_mentor:
        kind, side = MENTEES, "you mentor them"
    else:
        kind, side = MENTORS, "mentors you"
    return Relationship(
        kind=kind,
        key=f"user-{other.pk}",
        name=other.display_name,
        program=p.program,
        completed=p.status == Pairing.Status.COMPLETED,
        side=side,
        started=_day(p.started_at or p.created_at, user),
        ended=_day(p.ended_at, user),
        url=_workspace_url(p.program.slug, p.workspace_pk, p.get_absolute_url()),  # type: ignore[attr-defined]
        format="Flash session" if p.kind == Pairing.Kind.FLASH else "One-to-one",
    )


def _circle_relationship(c: Circle, user: User) -> Relationship:
    members = c.member_count  # type: ignore[attr-defined]
    people = f"{members} member{'s' if members != 1 else ''}"
    if c.mentor.user_id == user.pk:
        side = f"you lead it; {people}"
    else:
        side = f"led by {c.mentor.user.display_name}; {people}"
    return Relationship(
        kind=CIRCLES,
        key=f"circle-{c.pk}",
        name=c.name,
        program=c.program,
        completed=c.status == Circle.Status.COMPLETED,
        side=side,
        started=_day(c.created_at, user),
        ended=_day(c.ended_at, user),
        url=_workspace_url(c.program.slug, c.workspace_pk, c.get_absolute_url()),  # type: ignore[attr-defined]
        format="Circle",
    )


def relationships(user: User) -> list[Relationship]:
    """Every running or completed relationship of ``user``, in every program (two queries)."""
    pairings = (
        Pairing.objects.filter(Q(mentor__user=user) | Q(mentee__user=user))
        .filter(status__in=SHOWN_PAIRINGS)
        .exclude(mentor__user=F("mentee__user"))
        .select_related("program", "mentor__user", "mentee__user")
        # The workspace is the upper layer's; naming the relation spares an import.
        .annotate(workspace_pk=F("workspace__id"))
    )
    seat = CircleMember.objects.filter(
        circle=OuterRef("pk"), mentee__user=user, status=CircleMember.Status.MEMBER
    )
    circles = (
        Circle.objects.filter(Q(mentor__user=user) | Q(Exists(seat)))
        .filter(status__in=SHOWN_CIRCLES)
        .select_related("program", "mentor__user")
        .annotate(
            workspace_pk=F("workspace__id"),
            member_count=Count(
                "members", filter=Q(members__status=CircleMember.Status.MEMBER), distinct=True
            ),
        )
    )
    found = [_pairing_relationship(p, user) for p in pairings]
    found += [_circle_relationship(c, user) for c in circles]
    # Running before completed, then by name and program: a stable order for the page.
    found.sort(key=lambda r: (r.completed, r.name.casefold(), r.program.name, r.url))
    return found


def constellation(user: User) -> Constellation:
    """``user``'s constellation: their relationships in groups, and the diagram of them."""
    by_kind: dict[str, list[Relationship]] = {}
    for r in relationships(user):
        by_kind.setdefault(r.kind.key, []).append(r)
    groups = [Group(k, by_kind[k.key]) for k in KINDS if k.key in by_kind]
    return Constellation(user=user, groups=groups, diagram=layout(groups))


# --- The diagram ----------------------------------------------------------------------------

MAX_NODES_PER_GROUP = 8  # beyond it, the last node says "+n more"; the list has everyone
MAX_LINE = 16  # characters on a line of a level label; the rest becomes an ellipsis
MAX_LABEL = 20  # characters of a radial (one-line) label
GAP = 14.0  # degrees between two groups
MAX_STEP = 40.0  # degrees between two neighbours when there is room
MIN_RADIUS = 150.0
MAX_LEVEL_RADIUS = 240.0  # past this, the ring would be too wide: labels turn radial
LEVEL_ARC = 110.0  # px between neighbours that level labels need
RADIAL_ARC = 26.0  # px between neighbours that radial labels need
NODE_R, ME_R = 20.0, 36.0
FONT, LINE = 14.0, 16.0
MARGIN = 12.0


def _text_width(text: str, size: float = FONT, bold: bool = False) -> float:
    """A generous estimate of the width of ``text`` in a sans-serif font."""
    return len(text) * size * (0.62 if bold else 0.58)


def ellipsis(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def label_lines(name: str) -> list[str]:
    """A name on one line, or two (first word, then the rest) when it is long."""
    name = " ".join(name.split())
    if len(name) <= 12 or " " not in name:
        return [ellipsis(name, MAX_LINE)]
    first, rest = name.split(" ", 1)
    return [ellipsis(first, MAX_LINE), ellipsis(rest, MAX_LINE)]


def initials(name: str) -> str:
    """The first letters of the first and last words (punctuation skipped)."""
    letters = [next((ch for ch in w if ch.isalnum()), "") for w in name.split()]
    letters = [ch for ch in letters if ch]
    if not letters:
        return "?"
    return (letters[0] + (letters[-1] if len(letters) > 1 else "")).upper()


@dataclass
class Node:
    kind: Kind
    name: str
    initials: str
    tooltip: str
    completed: bool
    more: bool = False
    r: float = NODE_R
    x: float = 0.0
    y: float = 0.0
    edge: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # from me to the node
    lines: list[tuple[str, float]] = field(default_factory=list)  # (text, baseline y)
    label_x: float = 0.0
    anchor: str = "middle"
    transform: str = ""  # the rotation of a radial label

    @property
    def show_initials(self) -> bool:
        return self.r >= 15

    @property
    def diamond(self) -> str:
        """The points of a flash node's diamond."""
        r, x, y = self.r * 1.15, self.x, self.y
        return f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"

    @property
    def square(self) -> tuple[float, float, float]:
        """x, y and size of a circle's rounded square."""
        return round(self.x - self.r * 0.9, 1), round(self.y - self.r * 0.9, 1), self.r * 1.8


@dataclass
class SectorLabel:
    kind: Kind
    text: str
    path_id: str
    path: str  # the arc the text follows


@dataclass
class Diagram:
    view_box: str
    width: float
    height: float
    radius: float
    nodes: list[Node]
    sectors: list[SectorLabel]
    description: str
    kinds: list[Kind]
    any_completed: bool
    me_r: float = ME_R


def _nodes_of(group: Group) -> list[Node]:
    """One node per person (or circle) in the group, running first; "+n more" past the cap."""
    merged: dict[str, list[Relationship]] = {}
    for r in group.relationships:
        merged.setdefault(r.key, []).append(r)
    nodes = []
    for rels in merged.values():
        name = rels[0].name
        where = "; ".join(f"{r.program.name} ({r.status_label.lower()}, {r.side})" for r in rels)
        nodes.append(
            Node(
                kind=group.kind,
                name=name,
                initials=initials(name),
                tooltip=f"{name}, {group.kind.title.lower()}: {where}",
                completed=all(r.completed for r in rels),
            )
        )
    nodes.sort(key=lambda n: n.completed)  # stable: keeps the list's name order
    if len(nodes) > MAX_NODES_PER_GROUP:
        rest = len(nodes) - (MAX_NODES_PER_GROUP - 1)
        nodes = nodes[: MAX_NODES_PER_GROUP - 1]
        more = f"{rest} more"
        tip = f"{more} in {group.kind.title.lower()}: see the list"
        nodes.append(Node(group.kind, more, f"+{rest}", tip, completed=False, more=True))
    return nodes


def _spread(centres: list[float], spans: list[float]) -> list[float]:
    """The groups' centres, as near their own directions as the sectors let them be.

    Sectors that overlap push each other apart; when they fill most of the circle, they
    are simply packed in order, turned so that on average each is nearest its direction.
    """
    n = len(centres)
    slack = 360 - sum(spans) - GAP * n
    if n > 1 and slack < 60:
        offsets = [0.0]
        for i in range(1, n):
            offsets.append(offsets[-1] + (spans[i - 1] + spans[i]) / 2 + GAP + slack / n)
        turn = sum(complex(math.cos(math.radians(p - o)), math.sin(math.radians(p - o)))
                   for p, o in zip(centres, offsets, strict=True))  # fmt: skip
        start = math.degrees(math.atan2(turn.imag, turn.real))
        return [start + o for o in offsets]
    c = list(centres)
    for _ in range(1000 if n > 1 else 0):
        moved = False
        for i in range(n):
            j = (i + 1) % n
            need = (spans[i] + spans[j]) / 2 + GAP
            gap = (c[j] - c[i]) % 360
            if gap < need - 1e-6:
                c[i] -= (need - gap) / 2
                c[j] += (need - gap) / 2
                moved = True
        if not moved:
            break
    return c


def _arc(radius: float, start: float, end: float, clockwise: bool) -> str:
    a, b = math.radians(start), math.radians(end)
    return (
        f"M {radius * math.cos(a):.1f} {radius * math.sin(a):.1f} "
        f"A {radius:.1f} {radius:.1f} 0 {int(abs(end - start) > 180)} {int(clockwise)} "
        f"{radius * math.cos(b):.1f} {radius * math.sin(b):.1f}"
    )


Box = list[float]  # x0, y0, x1, y1


def _place_label(node: Node, angle: float, radius: float, level: bool, box: Box) -> None:
    """Write the node's name beside it, away from me, and grow ``box`` to hold it."""
    a = math.radians(angle)
    cos, sin = math.cos(a), math.sin(a)
    out = radius + node.r + 8

    def include(x0: float, y0: float, x1: float, y1: float) -> None:
        box[:] = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]

    if not level:  # along the radius, read from the inside out (turned on the left half)
        text = ellipsis(node.name)
        node.label_x, y = round(out * cos, 1), round(out * sin, 1)
        node.lines = [(text, y)]
        node.anchor = "start" if cos >= 0 else "end"
        turn = angle if cos >= 0 else angle + 180
        node.transform = f"rotate({turn:.1f} {node.label_x:.1f} {y:.1f})"
        far = out + _text_width(text)
        include(min(out * cos, far * cos) - FONT, min(out * sin, far * sin) - FONT,
                max(out * cos, far * cos) + FONT, max(out * sin, far * sin) + FONT)  # fmt: skip
        return
    texts = label_lines(node.name)
    width = max(_text_width(t) for t in texts)
    height = LINE * len(texts)
    if abs(cos) > 0.35:  # beside the node, centred on it
        node.anchor = "start" if cos > 0 else "end"
        node.label_x = round(node.x + math.copysign(node.r * 1.2 + 6, cos), 1)
        first = node.y + 4.5 - LINE * (len(texts) - 1) / 2
        x0 = node.label_x if cos > 0 else node.label_x - width
    else:  # above the node at the top, below it at the bottom
        node.anchor, node.label_x = "middle", node.x
        first = node.y - node.r - 8 - height + LINE if sin < 0 else node.y + node.r + FONT + 6
        x0 = node.x - width / 2
    node.lines = [(t, round(first + LINE * i, 1)) for i, t in enumerate(texts)]
    include(x0, first - FONT, x0 + width, first - FONT + height + 4)


def layout(groups: list[Group]) -> Diagram:
    """Place me in the centre and each group's nodes in a sector of one ring around me:
    level names when there is room, names along the radius when the ring is crowded."""
    per_group = [_nodes_of(g) for g in groups]
    total = sum(len(n) for n in per_group)
    step = min(MAX_STEP, (360 - len(groups) * GAP) / total) if total else MAX_STEP
    level = LEVEL_ARC / math.radians(step) <= MAX_LEVEL_RADIUS
    radius = max(MIN_RADIUS, (LEVEL_ARC if level else RADIAL_ARC) / math.radians(step))
    spans = [len(n) * step for n in per_group]
    # A group's sector is wide enough for its nodes and, when the names are level, for its
    # name written on an arc between me and them: the ring grows until all names fit.
    titles = [g.kind.short for g in groups]
    needed = spans
    for _ in range(12 if level else 0):
        room = radius - NODE_R - 20
        widths = [math.degrees((_text_width(t, 12, bold=True) + 20) / room) for t in titles]
        if sum(map(max, spans, widths)) + GAP * len(groups) <= 360:
            needed = list(map(max, spans, widths))
            break
        radius += 10
    centres = _spread([g.kind.angle for g in groups], needed)
    band = radius - NODE_R - 20
    box: Box = [-ME_R, -ME_R, ME_R, ME_R]
    nodes: list[Node] = []
    sectors: list[SectorLabel] = []
    for group, group_nodes, centre, span, text in zip(
        groups, per_group, centres, spans, titles, strict=True
    ):
        for k, node in enumerate(group_nodes):
            # In a crowded ring the nodes shrink to keep clear of each other.
            node.r = min(NODE_R, max(9.0, radius * math.radians(step) / 2 - 2))
            angle = centre - span / 2 + step * (k + 0.5)
            cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            node.x, node.y = round(radius * cos, 1), round(radius * sin, 1)
            inner, outer = ME_R + 3, radius - node.r - 3
            x1, y1, x2, y2 = (
                round(v, 1) for v in (inner * cos, inner * sin, outer * cos, outer * sin)
            )
            node.edge = (x1, y1, x2, y2)
            _place_label(node, angle, radius, level, box)
            box[:] = [
                min(box[0], node.x - 1.2 * node.r), min(box[1], node.y - 1.2 * node.r),
                max(box[2], node.x + 1.2 * node.r), max(box[3], node.y + 1.2 * node.r),
            ]  # fmt: skip
            nodes.append(node)
        # The group's name follows an arc between me and its nodes, centred on the sector.
        half = max(span, math.degrees((_text_width(text, 12, bold=True) + 24) / band)) / 2
        if math.sin(math.radians(centre)) > 0.2:  # right to left: the words stay upright
            path = _arc(band + 10, centre + half, centre - half, clockwise=False)
        else:
            path = _arc(band, centre - half, centre + half, clockwise=True)
        sectors.append(SectorLabel(group.kind, text, f"constellation-arc-{group.kind.key}", path))
    # Framed around me, so that I stay in the middle whichever side the people are on.
    half_w = max(-box[0], box[2], radius + NODE_R) + MARGIN
    half_h = max(-box[1], box[3], radius + NODE_R) + MARGIN
    return Diagram(
        view_box=f"{-half_w:.1f} {-half_h:.1f} {2 * half_w:.1f} {2 * half_h:.1f}",
        width=round(2 * half_w, 1),
        height=round(2 * half_h, 1),
        radius=round(radius, 1),
        nodes=nodes,
        sectors=sectors,
        description=_describe(groups),
        kinds=[g.kind for g in groups],
        any_completed=any(r.completed for g in groups for r in g.relationships),
    )


def _describe(groups: list[Group]) -> str:
    if not groups:
        return "Only you, in the centre: no running or completed mentoring relationships yet."
    parts = [
        f"{g.kind.title}: {', '.join(sorted({r.name for r in g.relationships}, key=str.casefold))}"
        for g in groups
    ]
    return (
        "You are in the centre; each kind of relationship has its own sector, line style "
        f"and colour. {'. '.join(parts)}. Completed relationships are drawn hollow. The list "
        "“Your relationships” on this page says the same in words."
    )


# --- Who can help you with that? ------------------------------------------------------------

SEARCH_STATUSES = (Program.Status.ENROLLING, Program.Status.MATCHING, Program.Status.RUNNING)
MIN_QUERY, MAX_QUERY = 2, 100
RESULTS_PER_PAGE = 10
SNIPPET = 180  # characters of strengths shown around the first match


def clean_query(raw: str | None) -> str:
    """The query as searched: spaces collapsed, at most MAX_QUERY characters."""
    return " ".join((raw or "").split())[:MAX_QUERY]


def highlight(text: str, query: str) -> list[tuple[str, bool]]:
    """``text`` cut into (part, is_a_match) pieces, matching ``query`` ignoring case."""
    if not query:
        return [(text, False)] if text else []
    pieces: list[tuple[str, bool]] = []
    at = 0
    for m in re.finditer(re.escape(query), text, flags=re.IGNORECASE):
        if m.start() > at:
            pieces.append((text[at : m.start()], False))
        pieces.append((m.group(0), True))
        at = m.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def snippet(text: str, query: str, size: int = SNIPPET) -> str:
    """Up to ``size`` characters of ``text``, around the first match if there is one."""
    text = " ".join(text.split())
    if len(text) <= size:
        return text
    found = text.casefold().find(query.casefold()) if query else -1
    start = 0 if found < size // 3 else found - size // 3
    cut = text[start : start + size]
    return ("…" if start else "") + cut + ("…" if start + size < len(text) else "")


@dataclass
class Helper:
    """One mentor, in one of my programs, who matches what I typed; and what I may do."""

    mentor: Membership
    topics: list[tuple[str, bool]]  # (name, matches), matching topics first
    strengths: list[tuple[str, bool]]
    matched_in: str  # "topics", "strengths" or "what they bring"
    flash_url: str = ""
    request_url: str = ""
    pending_url: str = ""  # my request to them, waiting for an answer
    relation: str = ""  # e.g. "Your mentor in this program"
    note: str = ""  # why I cannot request them here, in a few words

    @property
    def person(self) -> User:
        return self.mentor.user


@dataclass
class HelpSearch:
    query: str
    searched: bool  # a query long enough was given
    page: Page[Any] | None
    helpers: list[Helper]
    program_count: int  # programs searched

    @property
    def count(self) -> int:
        return self.page.paginator.count if self.page is not None else 0


def _forbidden(mentee: Membership, mentor: Membership, avoid_department: bool) -> bool:
    """The pairs scoring forbids: own manager either way, same department if the program
    says so (an admin's forbid is checked by the caller)."""
    me, them = mentee.user.email.casefold(), mentor.user.email.casefold()
    if mentee.manager_email and mentee.manager_email.casefold() == them:
        return True
    if mentor.manager_email and mentor.manager_email.casefold() == me:
        return True
    mine, theirs = mentee.department.strip().casefold(), mentor.department.strip().casefold()
    return avoid_department and bool(mine) and mine == theirs


def _request_state(
    helper: Helper,
    mentee: Membership,
    *,
    load: int,
    requests: dict[tuple[int, int], MentorRequest],
    pending_count: int,
    limit: int,
    open_with: dict[int, tuple[int, str]],
    forbidden: bool,
) -> None:
    """Fill in the helper's request link, or the reason there is none: the rules of
    ``request_create``, read from what the search already loaded."""
    mentor, program = helper.mentor, helper.mentor.program
    slug = program.slug
    mentor_now, status_now = open_with.get(mentee.pk, (None, ""))
    # A proposal is the mentor's to answer: the mentee does not learn of it here.
    if mentor_now == mentor.pk and status_now == Pairing.Status.ACTIVE:
        helper.relation = "Your mentor in this program"
        return
    latest = requests.get((mentee.pk, mentor.pk))
    if latest is not None and latest.status == MentorRequest.Status.PENDING:
        helper.pending_url = reverse("matching:request", kwargs={"slug": slug, "pk": latest.pk})
        return
    if program_requests_problem(program):
        if program.matching_mode == Program.MatchingMode.ADMIN:
            helper.note = "In this program the admins match mentors and mentees."
        else:
            helper.note = "Requests are not open in this program now."
    elif not mentee.is_enrolled:
        helper.note = "Finish your enrolment to request a mentor here."
    elif mentee.pk in open_with:
        helper.note = "You already have a mentor (or a proposal) in this program."
    elif latest is not None and latest.status == MentorRequest.Status.DECLINED:
        helper.note = "They declined your earlier request."
    elif forbidden:
        helper.note = "The program does not pair you with this mentor."
    elif not mentor.accepting_mentees:
        helper.note = "Not taking new mentees at the moment."
    elif load >= mentor.effective_capacity:
        helper.note = "No place left."
    elif pending_count >= limit:
        helper.note = f"You have {limit} open request{'s' if limit != 1 else ''}, the most allowed."
    else:
        helper.request_url = reverse(
            "matching:request_create", kwargs={"slug": slug, "pk": mentor.pk}
        )


def who_can_help(user: User, raw_query: str | None, page_number: str | None = None) -> HelpSearch:
    """Mentors in ``user``'s open programs whose topics, strengths or what they bring match
    the query: topic matches first. A fixed number of queries, however many match."""
    query = clean_query(raw_query)
    if len(query) < MIN_QUERY:
        return HelpSearch(query, False, None, [], 0)
    mine = list(Membership.objects.filter(user=user).select_related("program"))
    for m in mine:
        m.user = user  # spares a query per membership
    program_ids = {m.program_id for m in mine if m.program.status in SEARCH_STATUSES}
    if not program_ids:
        return HelpSearch(query, True, None, [], 0)

    topic_named = Topic.memberships.through.objects.filter(
        membership_id=OuterRef("pk"), topic__name__icontains=query
    )
    mentors = (
        Membership.objects.filter(
            program_id__in=program_ids, role=Role.MENTOR, enrolled_at__isnull=False
        )
        .exclude(user=user)
        .annotate(topic_hit=Exists(topic_named))
        .filter(
            Q(topic_hit=True) | Q(strengths__icontains=query) | Q(what_i_bring__icontains=query)
        )
        .annotate(
            rank=Case(
                When(topic_hit=True, then=Value(0)),
                When(strengths__icontains=query, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .select_related("user", "program")
        .prefetch_related("topics")
        .order_by("rank", "user__name", "program__name", "pk")
    )
    page = Paginator(mentors, RESULTS_PER_PAGE).get_page(page_number)
    found: list[Membership] = list(page.object_list)
    helpers = [_helper(m, query) for m in found]
    if helpers:
        _add_actions(helpers, mine)
    return HelpSearch(query, True, page, helpers, len(program_ids))


def _helper(mentor: Membership, query: str) -> Helper:
    needle = query.casefold()
    topics = sorted(
        ((t.name, needle in t.name.casefold()) for t in mentor.topics.all()),
        key=lambda t: (not t[1], t[0].casefold()),
    )
    if any(hit for _, hit in topics):
        matched_in = "topics"
    elif needle in mentor.strengths.casefold():
        matched_in = "strengths"
    else:
        matched_in = "what they bring"
    return Helper(
        mentor=mentor,
        topics=topics,
        strengths=highlight(snippet(mentor.strengths, query), query),
        matched_in=matched_in,
    )


def _add_actions(helpers: list[Helper], mine: list[Membership]) -> None:
    """Book-a-flash-session and request links, each only where I may use it."""
    as_mentee = {m.program_id: m for m in mine if m.role == Role.MENTEE}
    programs = {h.mentor.program_id for h in helpers} & set(as_mentee)
    if not programs:
        return
    mentor_ids = [h.mentor.pk for h in helpers if h.mentor.program_id in programs]
    mentee_ids = [as_mentee[p].pk for p in programs]
    now = timezone.now()
    free = Q(slots__booked_by__isnull=True, slots__starts_at__gt=now)
    offers: dict[int, FlashOffer] = {}
    for o in (
        FlashOffer.objects.filter(mentor_id__in=mentor_ids, active=True)
        .annotate(next_free=Min("slots__starts_at", filter=free))
        .filter(next_free__isnull=False)
        .order_by("next_free", "pk")
    ):
        offers.setdefault(o.mentor_id, o)
    loads = dict(
        Pairing.objects.filter(
            mentor_id__in=mentor_ids,
            kind=Pairing.Kind.ONE_TO_ONE,
            status__in=Pairing.OPEN_STATUSES,
        )
        .values("mentor_id")
        .annotate(n=Count("id"))
        .values_list("mentor_id", "n")
    )
    requests: dict[tuple[int, int], MentorRequest] = {}
    pending: dict[int, int] = {}
    for r in MentorRequest.objects.filter(mentee_id__in=mentee_ids).order_by("-created_at", "-pk"):
        requests.setdefault((r.mentee_id, r.mentor_id), r)
        if r.status == MentorRequest.Status.PENDING:
            pending[r.mentee_id] = pending.get(r.mentee_id, 0) + 1
    # Each of my mentee memberships with an open one-to-one pairing, and with whom.
    open_with: dict[int, tuple[int, str]] = {}
    for mentee_id, mentor_id, status in Pairing.objects.filter(
        mentee_id__in=mentee_ids, kind=Pairing.Kind.ONE_TO_ONE, status__in=Pairing.OPEN_STATUSES
    ).values_list("mentee_id", "mentor_id", "status"):
        open_with[mentee_id] = (mentor_id, status)
    settings = {s.program_id: s for s in MatchingSettings.objects.filter(program_id__in=programs)}
    forbids = set(
        MatchConstraint.objects.filter(
            mentee_id__in=mentee_ids, kind=MatchConstraint.Kind.FORBID
        ).values_list("mentee_id", "mentor_id")
    )
    for h in helpers:
        program = h.mentor.program
        mentee = as_mentee.get(program.pk)
        if mentee is None:
            continue
        offer = offers.get(h.mentor.pk)
        if offer is not None and flash_offered(program):
            h.flash_url = reverse(
                "matching:flash_offer", kwargs={"slug": program.slug, "pk": offer.pk}
            )
        rules = settings.get(program.pk) or MatchingSettings(program=program)
        _request_state(
            h,
            mentee,
            load=loads.get(h.mentor.pk, 0),
            requests=requests,
            pending_count=pending.get(mentee.pk, 0),
            limit=rules.max_open_requests,
            open_with=open_with,
            forbidden=(mentee.pk, h.mentor.pk) in forbids
            or _forbidden(mentee, h.mentor, rules.avoid_same_department),
        )
