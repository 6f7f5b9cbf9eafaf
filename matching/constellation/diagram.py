"""The constellation diagram's geometry: me in the centre, each kind of relationship in a
sector of one ring around me.

Everything the SVG needs is computed here (positions, label lines and their anchors, the
arcs the sector names follow, the view box); the template
``matching/partials/_constellation_svg.html`` only writes it out. Pure computation: no
database, no request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from matching.constellation.kinds import Group, Kind, Relationship

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
