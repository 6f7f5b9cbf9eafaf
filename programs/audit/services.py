"""Recording audit events: ``record()``, callable from any layer.

This module imports nothing of the other apps, so the services of every layer may call
it (it is a sink, like logging): ``from programs.audit import services as audit`` and then
``audit.record(audit.Action.ROLE_REVOKED, actor=..., program=..., target=membership)``.

Transactions: an event is written on the caller's connection, inside the caller's
transaction if there is one. So an event says what happened: if the caller's work is
rolled back, its event goes with it (nothing was done, nothing is claimed). Inside an
atomic block the insert runs in its own savepoint, so an insert that fails rolls back
alone and leaves the caller's transaction usable. ``record()`` never raises: a failure
to record is logged (``audit`` logger, ERROR) and the caller carries on, so recording a
404 never turns it into a 500.

Where the request is not passed, the one being served (``audit.middleware``) gives the
IP address, user agent, request id and path; a Celery task or a command has none.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest

from programs.audit.models import Event

logger = logging.getLogger("audit")

Action = Event.Action

# The request being served, set by audit.middleware.AuditMiddleware.
current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)
# The actions the service now running records itself (see ``records()``).
_recorded_by_caller: ContextVar[frozenset[str]] = ContextVar(
    "audit_recorded_by_caller", default=frozenset()
)

P = ParamSpec("P")
R = TypeVar("R")

USER_AGENT_MAX = Event._meta.get_field("user_agent").max_length or 300
PATH_MAX = Event._meta.get_field("path").max_length or 500
LABEL_MAX = Event._meta.get_field("actor_label").max_length or 254
TARGET_MAX = Event._meta.get_field("target").max_length or 200
REQUEST_ID_MAX = Event._meta.get_field("request_id").max_length or 64
# Longer text in ``detail`` is cut to this: the trail says what changed, it is no archive.
DETAIL_TEXT_MAX = 500


def target_label(obj: models.Model | str | None) -> str:
    """``"<app label>.<Model>#<pk>"`` for a model instance; text as given."""
    if obj is None:
        return ""
    if isinstance(obj, models.Model):
        # A deleted row has lost its primary key: name its model only.
        return obj._meta.label if obj.pk is None else f"{obj._meta.label}#{obj.pk}"
    return str(obj)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind our TLS proxy (DJANGO_BEHIND_TLS_PROXY)
    the last X-Forwarded-For hop, the one that proxy added. Earlier hops are whatever the
    client sent and could be forged."""
    candidates = []
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            candidates.append(hops[-1])
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        # PostgreSQL's text and jsonb cannot hold NUL.
        return value.replace("\x00", "")[:DETAIL_TEXT_MAX]
    if isinstance(value, dict):
        return {str(k)[:100]: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _text(value: str, limit: int) -> str:
    return value.replace("\x00", "")[:limit]


def build(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    program: Any = None,
    target: models.Model | str | None = None,
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
) -> Event:
    """The unsaved event ``record()`` would write."""
    if action not in Action.values:
        raise ValueError(f"Unknown audit action {action!r}")
    request = request if request is not None else current_request.get()
    event = Event(
        action=action,
        target=_text(target_label(target), TARGET_MAX),
        detail=_clean(detail or {}),
        # Only a failed sign-in says who it claimed to be.
        actor_label=_text(actor_label, LABEL_MAX) if action == Action.LOGIN_FAILED else "",
    )
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if actor is not None:
        event.actor_id = actor if isinstance(actor, int) else actor.pk
    if program is not None:
        event.program_id = program if isinstance(program, int) else program.pk
    if request is not None:
        event.ip = client_ip(request)
        event.user_agent = _text(request.META.get("HTTP_USER_AGENT", ""), USER_AGENT_MAX)
        event.request_id = _text(str(getattr(request, "request_id", "") or ""), REQUEST_ID_MAX)
        event.path = _text(request.path, PATH_MAX)
    return event


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    program: Any = None,
    target: models.Model | str | None = None,
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
) -> Event | None:
    """Write an audit event; never raises (a failure is logged). See the module's notes.

    ``actor`` and ``program`` take an instance or a primary key; ``actor`` defaults to the
    request's signed-in user. ``actor_label`` is kept for failed sign-ins only. Name the
    person an event is about as ``detail["user"]`` = their id, never their e-mail: the
    pages show them as they are now (after an anonymisation, anonymised).
    """
    try:
        event = build(
            action,
            request=request,
            actor=actor,
            program=program,
            target=target,
            detail=detail,
            actor_label=actor_label,
        )
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                event.save()
        else:
            event.save()
    except Exception:
        logger.exception("Could not record the audit event %r", action)
        return None
    return event


def records(*actions: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a service that records ``actions`` itself (with its own actor and detail):
    while it runs, the model signals that record them for every other writer (the Django
    admin, a shell) stay quiet, so each change is recorded once."""
    unknown = set(actions) - set(Action.values)
    if unknown:
        raise ValueError(f"Unknown audit actions {sorted(unknown)!r}")

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            token = _recorded_by_caller.set(_recorded_by_caller.get() | set(actions))
            try:
                return func(*args, **kwargs)
            finally:
                _recorded_by_caller.reset(token)

        return wrapper

    return decorate


def recorded_by_caller(action: str) -> bool:
    """A service running now records ``action`` itself (it is decorated with ``records``)."""
    return action in _recorded_by_caller.get()


def record_change(
    action: str,
    *,
    before: Any,
    after: Any,
    actor: Any = None,
    program: Any = None,
    target: models.Model | str | None = None,
    request: HttpRequest | None = None,
) -> Event | None:
    """Record ``action`` with ``{"old": before, "new": after}`` if the value changed."""
    if before == after:
        return None
    return record(
        action,
        request=request,
        actor=actor,
        program=program,
        target=target,
        detail={"old": before, "new": after},
    )
