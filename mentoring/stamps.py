"""Change stamps: what the database has committed, per scope, for caches to key on.

Every table of the apps gets triggers (installed after each ``migrate``, so new tables
and rebuilt ones are covered) that add to ``mentoring_pagestamp`` the scopes the written
rows belong to, in the same transaction:

* ``u<id>``: a person's own rows (the user, notifications, e-mail addresses, ...);
* ``<prefix><id>`` for each registered root: ``p<program id>`` for everything that
  reaches a program through its foreign keys (a check-in, through its meeting and its
  workspace), and a person's row also stamps every program they belong to (their name is
  on its pages).

Because the triggers are in the database, every write counts: ``save()``, ``update()``,
``bulk_create()``, a cascade, raw SQL, a migration or the admin. ``read()`` returns the
committed count of each scope a viewer depends on; a cache key built from it changes
whenever anything the viewer may see does.

PostgreSQL: statement-level triggers (one insert per statement, however many rows) add a
row per scope and writing transaction, so no two writers ever wait on the same row or
deadlock on stamps; ``compact()`` folds each scope's rows into one every few minutes and
keeps the sum. SQLite, with its one writer at a time, keeps one row per scope (``tx=0``).
"""

# SQL here is built from model metadata (table and column names), never from input.
# ruff: noqa: S608
from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connections, models, transaction

from mentoring.sweeps import chore

TABLE = "mentoring_pagestamp"
# The apps whose tables are stamped: ours, and allauth's rows about a person.
STAMPED_APPS = ("mentoring", "programs", "matching", "mentoring_sessions", "account", "mfa")
PREFIX = "pagestamp"


@dataclass(frozen=True)
class Root:
    """Rows that reach ``model`` belong to scope ``prefix<its id>``; a person belongs to
    the roots that ``through`` links them to (``through.user_field`` ->
    ``through.root_field``)."""

    prefix: str
    model: type[models.Model]
    through: type[models.Model]
    user_field: str
    root_field: str
    url_field: str


_roots: list[Root] = []


def register_root(
    prefix: str,
    model: type[models.Model],
    *,
    through: type[models.Model],
    user_field: str,
    root_field: str,
    url_field: str,
) -> None:
    """Make ``model`` a scope (called from the owning app's ``ready()``); ``url_field``
    is how URLs name one (pages under it depend on it alone)."""
    if any(r.prefix == prefix for r in _roots) or prefix == "u":
        raise ValueError(f"scope prefix {prefix!r} is taken")
    _roots.append(Root(prefix, model, through, user_field, root_field, url_field))


def _user_model() -> type[models.Model]:
    return apps.get_model(settings.AUTH_USER_MODEL)


def _fks(model: type[models.Model]) -> list[models.ForeignKey[models.Model, models.Model]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is not None
    ]


def _related(fk: models.ForeignKey[models.Model, models.Model]) -> type[models.Model]:
    related = fk.related_model
    if not isinstance(related, type):  # a lazy "app.Model" reference, unresolved
        raise TypeError(f"{fk} points at {related!r}")
    return related


def _path(
    model: type[models.Model], target: type[models.Model]
) -> list[models.ForeignKey[models.Model, models.Model]] | None:
    """The shortest chain of foreign keys from ``model`` to ``target`` (non-null ones
    first at equal length), or None."""
    queue: deque[tuple[type[models.Model], list[models.ForeignKey[models.Model, models.Model]]]]
    queue = deque([(model, [])])
    seen = {model}
    while queue:
        current, path = queue.popleft()
        fks = sorted(_fks(current), key=lambda f: (f.null, f.name))
        for fk in fks:
            if _related(fk) is target:
                return [*path, fk]
        for fk in fks:
            related = _related(fk)
            if related not in seen and len(path) < 4:
                seen.add(related)
                queue.append((related, [*path, fk]))
    return None


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise TypeError(f"{model.__name__}.{name} has no column")
    return column


def _q(name: str) -> str:
    return f'"{name}"'


def _walk(path: list[models.ForeignKey[models.Model, models.Model]]) -> tuple[str, str]:
    """``(joins, value)``: the joins from rows ``r`` along ``path`` and the column that
    holds the root's id."""
    joins, alias = [], "r"
    for i, fk in enumerate(path[:-1]):
        related = _related(fk)
        nxt = f"j{i}"
        joins.append(
            f"JOIN {_q(related._meta.db_table)} {nxt} "
            f"ON {nxt}.{_q(fk.target_field.column)} = {alias}.{_q(fk.column)}"
        )
        alias = nxt
    return " ".join(joins), f"{alias}.{_q(path[-1].column)}"


def scope_selects(model: type[models.Model], rows: str) -> list[str]:
    """SELECTs of the scopes (one text column) that rows ``rows`` (aliased ``r``) of
    ``model`` belong to; empty if none."""
    user = _user_model()
    selects = []
    if model is user:
        selects.append(f"SELECT 'u' || r.{_q(user._meta.pk.column)} AS s FROM {rows} r")
        for root in _roots:
            through = root.through._meta
            selects.append(
                f"SELECT '{root.prefix}' || t.{_q(_column(root.through, root.root_field))} "
                f"AS s FROM {rows} r JOIN {_q(through.db_table)} t "
                f"ON t.{_q(_column(root.through, root.user_field))} = "
                f"r.{_q(user._meta.pk.column)}"
            )
        return selects
    for root in _roots:
        if model is root.model:
            return [f"SELECT '{root.prefix}' || r.{_q(model._meta.pk.column)} AS s FROM {rows} r"]
    for root in _roots:
        path = _path(model, root.model)
        if path:
            joins, value = _walk(path)
            selects.append(
                f"SELECT '{root.prefix}' || {value} AS s FROM {rows} r {joins} "
                f"WHERE {value} IS NOT NULL"
            )
    if not selects:
        path = _path(model, user)
        if path:
            joins, value = _walk(path)
            selects.append(
                f"SELECT 'u' || {value} AS s FROM {rows} r {joins} WHERE {value} IS NOT NULL"
            )
    return selects


def stamped_models() -> Iterable[type[models.Model]]:
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in STAMPED_APPS and meta.db_table != TABLE and meta.managed:
            yield model


def _quiet_columns(model: type[models.Model]) -> set[str]:
    """Columns no page shows: an update of only these moves no stamp (signing in sets
    ``last_login``, and may rehash the password)."""
    if model is _user_model():
        return {"last_login", "password"}
    return set()


def _loud_columns(model: type[models.Model]) -> list[str]:
    quiet = _quiet_columns(model)
    return [f.column for f in model._meta.concrete_fields if f.column not in quiet]


def _postgres_sql(model: type[models.Model], selects: list[str]) -> list[str]:
    table = model._meta.db_table
    function = _q(f"{PREFIX}_{table}"[:63])

    def insert(rows: str) -> str:
        union = " UNION ".join(selects).replace("{rows}", rows)
        return (
            f"INSERT INTO {TABLE} (scope, tx, weight) "
            f"SELECT DISTINCT s, txid_current(), 1 FROM ({union}) x "
            f"ON CONFLICT (scope, tx) DO UPDATE SET weight = {TABLE}.weight + 1;"
        )

    updated_new, updated_old = "nrows", "orows"
    if _quiet_columns(model):
        pk = _q(model._meta.pk.column)
        loud = _loud_columns(model)
        changed = (
            f"({', '.join(f'n.{_q(c)}' for c in loud)}) IS DISTINCT FROM "
            f"({', '.join(f'o.{_q(c)}' for c in loud)})"
        )
        updated_new = f"(SELECT n.* FROM nrows n JOIN orows o ON o.{pk} = n.{pk} WHERE {changed})"
        updated_old = f"(SELECT o.* FROM orows o JOIN nrows n ON o.{pk} = n.{pk} WHERE {changed})"
    statements = [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $f$ "
        f"BEGIN IF TG_OP = 'INSERT' THEN {insert('nrows')} "
        f"ELSIF TG_OP = 'DELETE' THEN {insert('orows')} "
        f"ELSE {insert(updated_new)} {insert(updated_old)} END IF; RETURN NULL; END $f$"
    ]
    for event, name, referencing in (
        ("INSERT", "ins", "NEW TABLE AS nrows"),
        ("UPDATE", "upd", "OLD TABLE AS orows NEW TABLE AS nrows"),
        ("DELETE", "del", "OLD TABLE AS orows"),
    ):
        trigger = f"{PREFIX}_{name}"
        statements.append(f"DROP TRIGGER IF EXISTS {trigger} ON {_q(table)}")
        statements.append(
            f"CREATE TRIGGER {trigger} AFTER {event} ON {_q(table)} "
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    return statements


def _sqlite_sql(model: type[models.Model], selects: list[str]) -> list[str]:
    table = model._meta.db_table
    columns = [f.column for f in model._meta.concrete_fields]
    statements = []
    for event, name, rows_of in (
        ("INSERT", "ins", ("NEW",)),
        ("UPDATE", "upd", ("OLD", "NEW")),
        ("DELETE", "del", ("OLD",)),
    ):
        trigger = _q(f"{PREFIX}_{table}_{name}")
        when = ""
        if event == "UPDATE" and _quiet_columns(model):
            changed = " OR ".join(f"OLD.{_q(c)} IS NOT NEW.{_q(c)}" for c in _loud_columns(model))
            when = f" WHEN {changed}"
        body = []
        for which in rows_of:
            row = "(SELECT " + ", ".join(f"{which}.{_q(c)} AS {_q(c)}" for c in columns) + ")"
            union = " UNION ".join(selects).replace("{rows}", row)
            body.append(
                f"INSERT INTO {TABLE} (scope, tx, weight) SELECT DISTINCT s, 0, 1 FROM ({union}) x "
                f"WHERE true ON CONFLICT (scope, tx) DO UPDATE SET weight = weight + 1;"
            )
        statements.append(f"DROP TRIGGER IF EXISTS {trigger}")
        statements.append(
            f"CREATE TRIGGER {trigger} AFTER {event} ON {_q(table)}{when} "
            f"BEGIN {' '.join(body)} END"
        )
    return statements


def trigger_sql(vendor: str, tables: set[str] | None = None) -> list[str]:
    """The statements that (re)install the triggers on a ``vendor`` database (of the
    stamped tables among ``tables``, when given)."""
    statements: list[str] = []
    for model in stamped_models():
        if tables is not None and model._meta.db_table not in tables:
            continue
        selects = scope_selects(model, "{rows}")
        if not selects:
            continue
        if vendor == "postgresql":
            statements += _postgres_sql(model, selects)
        elif vendor == "sqlite":
            statements += _sqlite_sql(model, selects)
    return statements


def uninstall(using: str = "default") -> None:
    """Drop every stamp trigger (and PostgreSQL function); run before every ``migrate``
    (pre_migrate). A trigger that reads other tables would stop migrations that rebuild
    or rename them (SQLite checks triggers when a table is renamed) and, with the table
    of stamps rolled back, every write; ``install()`` puts them back afterwards."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE %s",
                [PREFIX + "\\_%"],
            )
            for trigger, table in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {_q(trigger)} ON {_q(table)}")
            cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE %s", [PREFIX + "\\_%"])
            for (function,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {_q(function)}()")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s "
                "ESCAPE '\\'",
                [PREFIX + "\\_%"],
            )
            for (trigger,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {_q(trigger)}")


def install(using: str = "default") -> None:
    """Install (or refresh) the triggers on the stamped tables that exist; run after
    every ``migrate`` (post_migrate). One transaction, which waits at most ten seconds
    for each table's lock."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    tables = set(connection.introspection.table_names())
    if TABLE not in tables:
        uninstall(using)
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL lock_timeout = '10s'")
        for sql in trigger_sql(connection.vendor, tables):
            cursor.execute(sql)


def _scopes_sql(program_key: bool) -> str:
    """The scopes one page depends on (one column, ``scope``): the viewer's own
    (``%(scope)s``) and, with ``program_key``, the root its URL names (``%(key)s``, a
    program's slug), else every root the viewer belongs to (``%(user)s``)."""
    scopes = ["SELECT CAST(%(scope)s AS varchar(40)) AS scope"]
    for root in _roots:
        if program_key:
            scopes.append(
                f"SELECT '{root.prefix}' || {_q(root.model._meta.pk.column)} "
                f"FROM {_q(root.model._meta.db_table)} "
                f"WHERE {_q(_column(root.model, root.url_field))} = %(key)s"
            )
        else:
            through = root.through._meta
            scopes.append(
                f"SELECT '{root.prefix}' || {_q(_column(root.through, root.root_field))} "
                f"FROM {_q(through.db_table)} "
                f"WHERE {_q(_column(root.through, root.user_field))} = %(user)s"
            )
    return " UNION ".join(scopes)


def viewer_sql(program_key: bool = False) -> str:
    """Each scope a page depends on with its count of committed changes (0 for a scope
    never written: leaving or joining a program changes the list itself)."""
    return (
        f"SELECT s.scope, COALESCE(SUM(t.weight), 0) AS total "
        f"FROM ({_scopes_sql(program_key)}) s LEFT JOIN {TABLE} t ON t.scope = s.scope "
        "GROUP BY s.scope ORDER BY s.scope"
    )


def read(user_id: int, key: str | None = None) -> str:
    """The committed stamps of everything ``user_id``'s page depends on, as one string:
    their own scope and the program named ``key`` (a slug), or without ``key`` every
    program they belong to. Read first, before the page's own reads: what they see is at
    least this new. Prepared once per PostgreSQL connection, like the home page's
    reads: planning it costs more than running it."""
    from mentoring.home import fetch

    params: dict[str, object] = {"scope": f"u{user_id}", "user": user_id, "key": key or ""}
    rows = fetch(viewer_sql(key is not None), params)
    return ";".join(f"{row['scope']}={row['total']}" for row in rows)


COMPACT_SQL = f"""
WITH gone AS (
    DELETE FROM {TABLE} WHERE scope IN (
        SELECT scope FROM {TABLE} GROUP BY scope HAVING COUNT(*) > 1
    ) RETURNING scope, weight
)
INSERT INTO {TABLE} (scope, tx, weight)
SELECT scope, txid_current(), SUM(weight) FROM gone GROUP BY scope
ON CONFLICT (scope, tx) DO UPDATE SET weight = {TABLE}.weight + EXCLUDED.weight
"""


@chore("compact_page_stamps")
def compact_chore(at: dt.datetime) -> int:
    """``run_sweeps`` folds the stamps too, where there is no beat."""
    return compact()


def compact(using: str = "default") -> int:
    """Fold each scope's rows into one, keeping their sum (PostgreSQL; returns how many
    rows went). Rows of transactions still open are not visible and stay."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        before = cursor.fetchone()[0]
        cursor.execute(COMPACT_SQL)
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        return int(before - cursor.fetchone()[0])
