"""The kinds of relationship a constellation groups, and the records the list and the
diagram share.

Each ``Kind`` carries its words and how it is drawn: a colour *and* a line style of its
own, so that the diagram never relies on colour alone. ``Relationship`` and ``Group`` are
plain records: ``relationships`` fills them from the database, ``diagram`` draws them.
Nothing here queries the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from programs.models import Program

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


# --- One relationship, and a group of them --------------------------------------------------


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
