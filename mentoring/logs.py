"""Structured logs: one JSON object a line, each carrying the id of the request it is about.

``RequestIdMiddleware`` takes a sane ``X-Request-ID`` from the proxy (or makes one), puts
it on ``request.request_id``, in a context variable for the logs, and on the response.
``RequestIdFilter`` copies that variable onto every log record (``-`` outside a request),
and ``JsonFormatter`` writes the record as one line of JSON. Settings choose the format
(``LOG_FORMAT``: json, or plain text in debug); gunicorn's access log and Celery's logs
go through the same formatter in the production stack (scripts/gunicorn.conf.py,
``CELERY_WORKER_HIJACK_ROOT_LOGGER``).

Only the standard library at import time: gunicorn's master reads this before Django.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

__all__ = ["JsonFormatter", "RequestIdFilter", "RequestIdMiddleware", "current_request_id"]

NO_REQUEST = "-"
HEADER = "X-Request-ID"
# What a proxy may hand us: short, and nothing that could forge a log line or a header.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)


def current_request_id() -> str:
    """The id of the request being served in this context, or ``-``."""
    return _request_id.get()


class RequestIdMiddleware:
    """Give every request an id: the proxy's ``X-Request-ID`` if sane, else a new uuid4."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.core.signals import request_finished

        self.get_response = get_response
        # The id stays set until the response is closed, not just until it leaves this
        # middleware: Django logs 4xx answers ("Not Found: ...") after the middleware.
        request_finished.connect(_forget_request_id, dispatch_uid="mentoring.logs.forget")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        _request_id.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _forget_request_id(**kwargs: Any) -> None:
    _request_id.set(NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Put the current request's id on each record (``record.request_id``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


# gunicorn's access-log atoms worth a field of their own (see scripts/gunicorn.conf.py).
_ACCESS_FIELDS = {
    "m": "method",
    "U": "path",
    "s": "status",
    "B": "bytes",
    "D": "duration_us",
    "h": "remote_addr",
    "{x-request-id}o": "request_id",
}


# Line breaks json.dumps(ensure_ascii=False) leaves as they are: only ever inside strings,
# where their \u escapes mean the same.
_LINE_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"}

# Paths that carry a secret (a bearer token in the URL): gunicorn's access log writes
# "<redacted>" in its place. allauth: password reset keys, e-mail confirmation keys. Only
# at the start of a path (programs' /<slug>/invitations/<pk>/ lists carry no secret).
_SECRET_IN_PATH = re.compile(
    r"(?P<prefix>(?:^|(?<=\s)|://[^/\s]*)/(?:invitations|notifications/unsubscribe|accounts/password/reset/key"
    r"|accounts/confirm-email)/)(?P<secret>[^/?#\s]+)"
)
REDACTED = "<redacted>"


def redact_path(text: str) -> str:
    """``text`` (a path, a URL or a request line) with the secrets in its path redacted."""
    return _SECRET_IN_PATH.sub(lambda m: m["prefix"] + REDACTED, text)


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: timestamp (ISO 8601, UTC), level, logger, message,
    request_id, and exc_info when there is an exception. Non-ASCII is kept as is."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or _request_id.get(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            for atom, field in _ACCESS_FIELDS.items():
                # gunicorn's atoms answer "-" for what is missing, through [] only.
                try:
                    value = atoms[atom]
                except KeyError:
                    continue
                if value not in (None, "-"):
                    entry[field] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        # json.dumps escapes newlines and the other control characters inside strings;
        # the line breaks above ASCII it keeps are escaped here, so an entry is always one
        # line, whatever splits it (str.splitlines() breaks at U+0085, U+2028, U+2029).
        line = json.dumps(entry, ensure_ascii=False, default=str)
        return line.translate(_LINE_BREAKS)
