"""Periodic sweeps: each finds what is due with one indexed query and records notices.

A sweep is a function ``(at) -> list[Notice]`` registered with ``@sweep(name)`` by the
app that owns what it looks at (the core cannot import the apps above it). It only
*finds*: ``run(name, at=...)`` records its notices (each under a unique key, so a sweep
run twice, by two beat processes or a retried task, records each notice once) and the
delivery pipeline sends them. Each sweep keys a notice by (kind, object, occurrence).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from mentoring import notifications
from mentoring.notifications import Notice

SweepFunc = Callable[[dt.datetime], list[Notice]]
_SWEEPS: dict[str, SweepFunc] = {}


def sweep(name: str) -> Callable[[SweepFunc], SweepFunc]:
    """Register the sweep ``name`` (run by the task ``mentoring.run_sweep`` and ``run_sweeps``)."""

    def register(func: SweepFunc) -> SweepFunc:
        if name in _SWEEPS and _SWEEPS[name] is not func:
            raise ValueError(f"Two sweeps are called {name!r}.")
        _SWEEPS[name] = func
        return func

    return register


ChoreFunc = Callable[[dt.datetime], int]
_CHORES: dict[str, ChoreFunc] = {}


def chore(name: str) -> Callable[[ChoreFunc], ChoreFunc]:
    """Register a periodic change of state that comes before the sweeps, such as
    expiring what is past its deadline (the service that changes a row records its
    notices itself). Beat runs it as its app's task; ``run_sweeps`` runs it first."""

    def register(func: ChoreFunc) -> ChoreFunc:
        if name in _CHORES and _CHORES[name] is not func:
            raise ValueError(f"Two chores are called {name!r}.")
        _CHORES[name] = func
        return func

    return register


def chores() -> list[str]:
    return sorted(_CHORES)


def run_chore(name: str, at: dt.datetime | None = None) -> int:
    """Do chore ``name`` as of ``at``; returns how many rows it changed."""
    return _CHORES[name](at or timezone.now())


def names() -> list[str]:
    """Every registered sweep, in a stable order."""
    return sorted(_SWEEPS)


def find(name: str, at: dt.datetime | None = None) -> list[Notice]:
    """What sweep ``name`` finds due at ``at`` (nothing is recorded)."""
    return _SWEEPS[name](at or timezone.now())


def run(name: str, at: dt.datetime | None = None, *, enqueue: bool = True) -> int:
    """Run sweep ``name`` as of ``at``: record what is due; returns how many were new."""
    at = at or timezone.now()
    return notifications.record(find(name, at), at=at, enqueue=enqueue)
