"""Program health for its admins: figures over every pair, each pair's label, the pairs
behind a figure, and the rows the exports stream.

- ``filters``: the cohort, department, kind and relationship filters;
- ``rows``: one row of figures per pairing, read in bulk (``pair_rows``);
- ``figures``: the dashboard summed from those rows, monthly trends, the brief cache;
- ``pairs``: which rows stand behind each figure of the dashboard.

Nothing here reads the words of an agenda, a check-in, a note or a review: only
states, counts, ratings, dates and names, whatever the program's privacy policy.
"""

from sessions.health.figures import Dashboard, Snapshot, compute, program_dashboard, program_pairs
from sessions.health.filters import FilterForm, Filters, filter_choices, read_filters
from sessions.health.pairs import FIGURES, Selection, read_selection, select
from sessions.health.rows import REASONS, PairRow, pair_rows

__all__ = [
    "FIGURES",
    "REASONS",
    "Dashboard",
    "FilterForm",
    "Filters",
    "PairRow",
    "Selection",
    "Snapshot",
    "compute",
    "filter_choices",
    "pair_rows",
    "program_dashboard",
    "program_pairs",
    "read_filters",
    "read_selection",
    "select",
]
