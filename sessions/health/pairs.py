"""The pairs behind a figure: which rows of the dashboard a link on it stands for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matching.models import Pairing
from sessions.health.figures import MATCHED
from sessions.health.rows import REASONS, PairRow
from sessions.selectors import LABELS, NEEDS_CHECK_IN, ON_TRACK, TOO_EARLY

LABEL_CHOICES = (NEEDS_CHECK_IN, TOO_EARLY, ON_TRACK)
SEVERITY = {NEEDS_CHECK_IN: 0, TOO_EARLY: 1, ON_TRACK: 2}

LAST = float("inf")


def _lowest(value: Callable[[PairRow], float | None]) -> Callable[[PairRow], Any]:
    """Sort key: the lowest value first, rows without one last."""

    def key(row: PairRow) -> Any:
        v = value(row)
        return (LAST if v is None else v, row.name.lower())

    return key


@dataclass(frozen=True)
class FigureView:
    """The pairs behind one figure of the dashboard, in the order worth reading them."""

    title: str
    keeps: Callable[[PairRow], bool]
    order: Callable[[PairRow], Any]


FIGURES: dict[str, FigureView] = {
    "matched": FigureView(
        "Pairs that are running or completed",
        lambda r: r.status in MATCHED,
        lambda r: (r.status, r.name.lower()),
    ),
    "meetings": FigureView(
        "Running one-to-one pairs, fewest meetings per month first",
        lambda r: r.counts_rhythm,
        _lowest(lambda r: r.per_month),
    ),
    "agendas": FigureView(
        "Pairs that held meetings, lowest share of agendas on time first",
        lambda r: r.held > 0,
        _lowest(lambda r: r.agenda_share),
    ),
    "ratings": FigureView(
        "Pairs with check-ins, lowest average rating first",
        lambda r: r.checkins > 0,
        _lowest(lambda r: r.rating),
    ),
    "actions": FigureView(
        "Pairs with action items due, lowest share done on time first",
        lambda r: r.actions_counted > 0,
        _lowest(lambda r: r.action_share),
    ),
    "reviews": FigureView(
        "Pairs past their mid-point, those with a review missing first",
        lambda r: r.midpoint_due,
        lambda r: (r.reviews_complete, r.midpoint_reviews, r.name.lower()),
    ),
    "values": FigureView(
        "Pairs with mid-point reviews, lowest value received first",
        lambda r: r.midpoint_reviews > 0,
        _lowest(lambda r: r.value_received),
    ),
}


@dataclass(frozen=True)
class Selection:
    """What the pair list was asked for (each empty when not asked)."""

    status: str = ""
    label: str = ""
    reason: str = ""
    figure: str = ""

    def params(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}

    def describe(self) -> list[str]:
        """The selection in words, one phrase per part."""
        words = []
        if self.figure:
            words.append(FIGURES[self.figure].title)
        if self.status:
            words.append(f"Status: {dict(Pairing.Status.choices)[self.status]}")
        if self.label:
            words.append(f"Open pairs labelled “{LABELS[self.label]}”")
        if self.reason:
            words.append(f"Needing a check-in because: {REASONS[self.reason]}")
        return words


def read_selection(data: Any) -> tuple[Selection, list[str]]:
    """The selection in the query string, and the names of the parts not understood."""
    allowed = {
        "status": set(Pairing.Status.values),
        "label": set(LABEL_CHOICES),
        "reason": set(REASONS),
        "figure": set(FIGURES),
    }
    values: dict[str, str] = {}
    ignored = []
    for name, known in allowed.items():
        value = data.get(name, "")
        if value in known:
            values[name] = value
        elif value:
            ignored.append(name)
    return Selection(**values), ignored


def _default_order(row: PairRow) -> Any:
    return (SEVERITY.get(row.health, 3), row.name.lower(), row.pk)


def select(rows: list[PairRow], selection: Selection) -> list[PairRow]:
    """The rows ``selection`` asks for, in the order worth reading them."""
    chosen = rows
    if selection.status:
        chosen = [r for r in chosen if r.status == selection.status]
    if selection.label:
        chosen = [r for r in chosen if r.is_open and r.health == selection.label]
    if selection.reason:
        chosen = [r for r in chosen if r.is_open and selection.reason in r.codes]
    if selection.figure:
        view = FIGURES[selection.figure]
        return sorted((r for r in chosen if view.keeps(r)), key=view.order)
    return sorted(chosen, key=_default_order)
