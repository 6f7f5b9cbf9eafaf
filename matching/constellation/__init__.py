"""The constellation: one person's mentoring relationships across all their programs,
drawn as a diagram, and the search that answers "who can help you with that?".

Reads only, always for the acting user, each in a fixed number of queries however many
relationships, programs or matches there are. Split by area; import from here
(``from matching import constellation``):

- ``kinds``: the kinds of relationship, how each is drawn, and the records shared by the
  list and the diagram (``Relationship``, ``Group``);
- ``relationships``: reading a person's running and completed relationships and grouping
  them (``constellation``);
- ``diagram``: the SVG geometry (``layout``), me in the centre and each kind of
  relationship in its own sector; the template only writes it out;
- ``search``: "who can help" (``who_can_help``) and the actions allowed on each result.
"""

from matching.constellation.diagram import (
    MAX_LABEL,
    MAX_NODES_PER_GROUP,
    ME_R,
    ellipsis,
    initials,
    label_lines,
    layout,
)
from matching.constellation.kinds import KINDS, Group, Relationship
from matching.constellation.relationships import constellation
from matching.constellation.search import MAX_QUERY, MIN_QUERY, Helper, clean_query, who_can_help

__all__ = [
    "KINDS",
    "MAX_LABEL",
    "MAX_NODES_PER_GROUP",
    "MAX_QUERY",
    "ME_R",
    "MIN_QUERY",
    "Group",
    "Helper",
    "Relationship",
    "clean_query",
    "constellation",
    "ellipsis",
    "initials",
    "label_lines",
    "layout",
    "who_can_help",
]
