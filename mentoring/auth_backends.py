"""The authentication backends: Django's and allauth's, reading the signed-in person once
per request through a statement prepared once per PostgreSQL connection.

Every request of a signed-in person reads their row (``AuthenticationMiddleware``).
Through the ORM, building that query's SQL costs more than running it: on a page served
from the page cache (``mentoring.pagecache``) it was a third of the request. The row is
read here with the same columns and values, and checked the same way
(``user_can_authenticate``); elsewhere than on PostgreSQL, or with prepared reads turned
off (``HOME_PREPARED_READS``), the backends read it as Django's do.

The session keeps the path of the backend that signed a person in, and only paths in
``AUTHENTICATION_BACKENDS`` are honoured: a session signed in under one of the previous
paths (Django's and allauth's own) signs in again once.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.core.exceptions import ValidationError
from django.db import connection

from mentoring.models import User


@cache
def _user_sql() -> str:
    """Every column of the user's row, named by attribute (names from the model only)."""
    q = connection.ops.quote_name
    meta = User._meta
    select = ", ".join(f"{q(f.column)} AS {q(f.attname)}" for f in meta.concrete_fields)
    table, pk = q(meta.db_table), q(meta.pk.column)
    return f"SELECT {select} FROM {table} WHERE {pk} = %(pk)s"  # noqa: S608


def read_user(user_id: Any) -> User | None:
    """The person whose primary key is ``user_id`` (as a session keeps it), or None.
    PostgreSQL only: its driver gives each column the type the model holds but JSON."""
    from mentoring.home import fetch

    if connection.vendor != "postgresql":
        raise NotImplementedError("read_user reads PostgreSQL's rows; use the ORM elsewhere")
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    rows = fetch(_user_sql(), {"pk": pk})
    if not rows:
        return None
    row = rows[0]
    names, values = [], []
    for field in User._meta.concrete_fields:
        value = row[field.attname]
        converter = getattr(field, "from_db_value", None)  # JSON is parsed by its field
        if converter is not None:
            value = converter(value, None, connection)
        names.append(field.attname)
        values.append(value)
    return User.from_db(connection.alias, names, values)


def _prepared() -> bool:
    from mentoring.home import _use_prepared

    return _use_prepared()


class ModelBackend(django_backends.ModelBackend):
    """Django's ``ModelBackend``; the signed-in person read through a prepared statement."""

    def get_user(self, user_id: Any) -> User | None:
        if not _prepared():
            return super().get_user(user_id)
        user = read_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class AuthenticationBackend(allauth_backends.AuthenticationBackend, ModelBackend):
    """allauth's backend (sign-in by e-mail, rate limits), reading the signed-in person
    as :class:`ModelBackend` does (next in line after allauth's class)."""
