"""The home page is assembled from sections that each app registers.

The core app sits at the bottom layer and cannot import the apps above it,
so each of them registers what it wants to show on a person's home page in
its ``AppConfig.ready()``. A section is a callable that takes the request and
returns ``(template_name, context)`` or ``None`` when it has nothing to show.

"What needs you now" is one list fed by every app: each registers a *needs*
provider returning :class:`Need` items, and the core's own section sorts them
all by urgency (see ``mentoring.home_sections``).

Sections and providers run once per request, in order; two of them that read the
same rows share them through a cache on the request (see each app's ``home.py``),
so the page costs a fixed, small number of queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import BooleanField, DateField, DateTimeField, Model
from django.urls import get_script_prefix, reverse
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_date, parse_datetime

from mentoring.types import AuthenticatedHttpRequest

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)

SectionResult = tuple[str, dict[str, Any]] | None
SectionFunc = Callable[[AuthenticatedHttpRequest], SectionResult]


@dataclass(frozen=True)
class Section:
    order: int
    name: str
    render: SectionFunc


_sections: dict[str, Section] = {}


def register_section(name: str, order: int) -> Callable[[SectionFunc], SectionFunc]:
    """Register a home-page section under ``name``; lower ``order`` comes first."""

    def decorator(func: SectionFunc) -> SectionFunc:
        _sections[name] = Section(order=order, name=name, render=func)
        return func

    return decorator


def sections_for(request: AuthenticatedHttpRequest) -> list[tuple[str, dict[str, Any]]]:
    """Render-ready sections for this request, in order, skipping empty ones."""
    out = []
    for section in sorted(_sections.values(), key=lambda s: s.order):
        result = section.render(request)
        if result is not None:
            out.append(result)
    return out


# --- What needs you now ------------------------------------------------------------------------


BADGE_CLASSES = {
    "danger": "text-bg-danger",
    "warning": "text-bg-warning",
    "success": "text-bg-success",
    "light": "text-bg-light border",
}


@dataclass(frozen=True)
class Need:
    """One thing a person should do (or know) now, as "What needs you now" lists it.

    A link (``text`` to ``url``) with a line of detail under it; ``hidden`` adds words
    for screen readers where the link's own words would repeat. ``due`` is when it
    becomes late (``None``: no deadline, listed after the dated ones); ``overdue`` puts
    it first. Among equally urgent needs, lower ``weight`` comes first. A ``badge`` says
    in words what its colour (``tone``, a key of ``BADGE_CLASSES``) shows.

    Providers build the words: the list is rendered in one loop, no template per item,
    on the page everyone opens most.
    """

    text: str
    url: str
    due: dt.datetime | None = None
    overdue: bool = False
    weight: int = 50
    icon: str = "bi-dot"
    detail: str = ""
    hidden: str = ""
    badge: str = ""
    tone: str = "light"

    @property
    def badge_class(self) -> str:
        return BADGE_CLASSES.get(self.tone, BADGE_CLASSES["light"])

    def sort_key(self) -> tuple[bool, bool, dt.datetime, int]:
        return (
            not self.overdue,
            self.due is None,
            self.due or dt.datetime.max.replace(tzinfo=dt.UTC),
            self.weight,
        )


NeedsFunc = Callable[[AuthenticatedHttpRequest], list[Need]]

_needs: dict[str, NeedsFunc] = {}


def register_needs(name: str) -> Callable[[NeedsFunc], NeedsFunc]:
    """Register a provider of "What needs you now" items under ``name``."""

    def decorator(func: NeedsFunc) -> NeedsFunc:
        _needs[name] = func
        return func

    return decorator


def needs_for(request: AuthenticatedHttpRequest) -> list[Need]:
    """Every provider's needs for this request, most urgent first."""
    found = [need for provider in _needs.values() for need in provider(request)]
    return sorted(found, key=Need.sort_key)


# --- Hand-written reads ------------------------------------------------------------------------
#
# The home page is the page everyone opens most. Its reads with many correlated
# subqueries are written in SQL that SQLite and PostgreSQL both run: built with the ORM
# they cost more to build than to run. On PostgreSQL they cost more to *plan* than to
# run as well, so there each is prepared once per database connection (PREPARE) and
# then only executed, with a plan PostgreSQL keeps. Lists of ids go in as one array
# parameter (``= ANY``), so each read is one statement whatever the list's length.
#
# A connection pool that hands statements of one client to different server sessions
# (PgBouncer in transaction mode) loses prepared statements: set
# ``HOME_PREPARED_READS = False`` there. Should the server forget one anyway, the reads
# of this process go on unprepared.

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_statements: dict[str, tuple[str, str, tuple[str, ...]]] = {}
_prepared_ok = True


def _prepared(sql: str) -> tuple[str, str, tuple[str, ...]]:
    """(statement name, its text with $n placeholders, the parameter names in order)."""
    found = _statements.get(sql)
    if found is None:
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"

        text = _PLACEHOLDER.sub(number, sql)
        name = "constellation_" + hashlib.sha256(text.encode()).hexdigest()[:24]
        found = (name, text, tuple(names))
        _statements[sql] = found
    return found


def _execute_prepared(cursor: Any, sql: str, params: dict[str, Any]) -> None:
    name, text, names = _prepared(sql)
    raw = connection.connection
    known: tuple[Any, set[str]] | None = getattr(connection, "_constellation_prepared", None)
    if name not in (known[1] if known is not None and known[0] is raw else ()):
        # Once per connection, not once per page: not counted among the page's queries.
        with connection.wrap_database_errors, raw.cursor() as setup:
            if known is None or known[0] is not raw:  # a new server session, or forgotten
                known = (raw, set())
                connection._constellation_prepared = known  # type: ignore[attr-defined]
                # Plan each read once, for any values: its plan is a handful of index
                # lookups whatever the ids. (Only prepared statements follow this.)
                setup.execute("SET plan_cache_mode = force_generic_plan")
                # What the server still holds after we forgot (an error elsewhere):
                # names are digests of the text, so a name held is this very statement.
                setup.execute("SELECT name FROM pg_prepared_statements")
                known[1].update(row[0] for row in setup.fetchall())
            if name not in known[1]:
                setup.execute(f"PREPARE {name} AS {text}")
        known[1].add(name)
    values = [params[n] for n in names]
    arguments = f" ({', '.join(['%s'] * len(values))})" if values else ""
    cursor.execute(f"EXECUTE {name}{arguments}", values)


def _use_prepared() -> bool:
    return _prepared_ok and connection.vendor == "postgresql" and settings.HOME_PREPARED_READS


# SQLSTATEs of a server that forgot our statements (a pooler moved us to another server
# session, or DISCARD ALL) or already has one of that name.
FORGOTTEN = {"26000", "42P05"}
# A statement whose result changed shape under it (a migration altered a column it reads:
# "cached plan must not change result type"): prepared again.
RESHAPED = "0A000"


def _forget_prepared() -> None:
    """Whatever this connection had prepared, prepare it again before the next use."""
    connection._constellation_prepared = None  # type: ignore[attr-defined]


def _deallocate(sql: str) -> None:
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        cursor.execute(f"DEALLOCATE {_prepared(sql)[0]}")


def fetch(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Run one hand-written read (``%(name)s`` placeholders); its rows by column name."""
    global _prepared_ok  # off for the process once the server keeps forgetting statements
    with connection.cursor() as cursor:
        if _use_prepared():
            try:
                _execute_prepared(cursor, sql, params)
            except DatabaseError as error:
                _forget_prepared()
                code = getattr(error.__cause__, "pgcode", None)
                if code == RESHAPED and not connection.in_atomic_block:
                    _deallocate(sql)
                # Inside a transaction the error has spoilt it: this request fails, the
                # next one prepares again. Any other error is not ours to hide.
                if connection.in_atomic_block or code not in FORGOTTEN | {RESHAPED}:
                    raise
                try:
                    _execute_prepared(cursor, sql, params)
                except DatabaseError:
                    _forget_prepared()
                    logger.warning("The server forgets prepared reads; reading unprepared now.")
                    _prepared_ok = False
                    cursor.execute(sql, params)
        else:
            cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def is_in(column: str, name: str, values: list[int], params: dict[str, Any]) -> str:
    """SQL: ``column`` is one of ``values`` (which go into ``params`` under ``name``)."""
    if _use_prepared():
        params[name] = list(values)
        return f"{column} = ANY(%({name})s)"
    if not values:
        return "FALSE"
    placeholders = []
    for i, value in enumerate(values):
        params[f"{name}{i}"] = value
        placeholders.append(f"%({name}{i})s")
    return f"{column} IN ({', '.join(placeholders)})"


def columns(model: type[Model], alias: str, fields: tuple[str, ...]) -> str:
    """The select list of these fields of ``model`` (table alias ``alias``), each named
    ``<alias>__<attname>`` for :func:`build`."""
    meta = model._meta
    return ", ".join(
        f"{alias}.{meta.get_field(f).column} AS {alias}__{meta.get_field(f).attname}"  # type: ignore[union-attr]
        for f in fields
    )


def build(model: type[M], row: dict[str, Any], alias: str, fields: tuple[str, ...]) -> M:
    """A ``model`` instance from the columns :func:`columns` selected; the fields not
    read are deferred (loaded on first use, as with ``only()``)."""
    read = {model._meta.get_field(f).attname for f in fields}  # type: ignore[union-attr]
    names, values = [], []
    for field in model._meta.concrete_fields:  # from_db takes them in this order
        if field.attname not in read:
            continue
        value = row[f"{alias}__{field.attname}"]
        if isinstance(field, DateTimeField):
            value = as_datetime(value)
        elif isinstance(field, DateField):
            value = as_date(value)
        elif isinstance(field, BooleanField) and value is not None:
            value = bool(value)
        names.append(field.attname)
        values.append(value)
    return model.from_db(connection.alias, names, values)


def db_datetime(value: dt.datetime) -> Any:
    """A datetime as the database compares it (SQLite keeps naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def db_date(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def as_datetime(value: Any) -> dt.datetime | None:
    """A datetime read back: aware, in UTC when the database gave it without a zone."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    result: dt.datetime = value
    return result


def as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return parse_date(value)


# The formats the home page uses, as the ``date`` filter writes them (English, like the
# rest of the site), without parsing the format on every call.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FORMATS: dict[str, Callable[[dt.date], str]] = {
    "D j M, H:i": lambda v: f"{_DAYS[v.weekday()]} {v.day} {_MONTHS[v.month - 1]}, {v:%H:%M}",
    "D j M": lambda v: f"{_DAYS[v.weekday()]} {v.day} {_MONTHS[v.month - 1]}",
    "j M, H:i": lambda v: f"{v.day} {_MONTHS[v.month - 1]}, {v:%H:%M}",
    "j M": lambda v: f"{v.day} {_MONTHS[v.month - 1]}",
    "j M Y": lambda v: f"{v.day} {_MONTHS[v.month - 1]} {v.year}",
}


def when(value: dt.datetime | dt.date, format_string: str = "D j M, H:i") -> str:
    """A datetime in the viewer's time zone (or a date), as the ``date`` filter shows it."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    fast = _FORMATS.get(format_string)
    return fast(value) if fast is not None else dateformat.format(value, format_string)


_URLS: dict[tuple[str, str, tuple[str, ...]], tuple[str, dict[str, str]]] = {}


def fast_reverse(name: str, **kwargs: int | str) -> str:
    """``reverse(name, kwargs=...)`` for the page's many links, at a fraction of the cost.

    The first call for a name reverses it once with stand-in values; later calls put the
    real values (ints, and slugs, which need no quoting) in their places.
    """
    prefix = get_script_prefix()
    key = (name, prefix, tuple(sorted(kwargs)))
    known = _URLS.get(key)
    if known is None:
        stand_ins = {
            k: (str(900_000_001 + i) if isinstance(v, int) else f"zz{i}standinzz")
            for i, (k, v) in enumerate(sorted(kwargs.items()))
        }
        known = (reverse(name, kwargs=stand_ins), stand_ins)
        _URLS[key] = known
    url, stand_ins = known
    for k, stand_in in stand_ins.items():
        url = url.replace(stand_in, str(kwargs[k]), 1)
    return url
