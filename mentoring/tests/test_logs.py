"""Structured logs: every response names its request id, every log line written while
serving it carries that id, and each line is one valid JSON object (mentoring.logs)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from gunicorn.glogging import SafeAtoms  # type: ignore[import-untyped]

from mentoring import ops
from mentoring.celery import app
from mentoring.logs import (
    JsonFormatter,
    RequestIdFilter,
    RequestIdMiddleware,
    current_request_id,
)

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"[0-9a-f]{32}")


class Collect(logging.Handler):
    """Keep the records a logger emits, after the request-id filter ran on them."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def collect() -> Iterator[Collect]:
    handler = Collect()
    loggers = [logging.getLogger(name) for name in ("mentoring.ops", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


# --- The middleware ---------------------------------------------------------------------


def test_every_response_carries_a_new_request_id(client):
    first = client.get("/healthz")
    second = client.get("/healthz")
    assert GENERATED.fullmatch(first["X-Request-ID"])
    assert GENERATED.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_sane_incoming_request_id_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.2_X")
    assert response["X-Request-ID"] == "lb-7f3a.2_X"


@pytest.mark.parametrize(
    "hostile",
    [
        "a" * 65,
        "two words",
        "line\nbreak",
        "<script>alert(1)</script>",
        "id;DROP TABLE x",
        "ünïcode",
        "../../etc/passwd",
        "{$jndi:ldap://x}",
    ],
)
def test_a_hostile_incoming_request_id_is_replaced(client, hostile):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=hostile)
    assert response["X-Request-ID"] != hostile
    assert GENERATED.fullmatch(response["X-Request-ID"])


def test_the_view_sees_the_id_as_request_request_id():
    seen = {}

    def view(request):
        seen["attribute"] = request.request_id
        seen["context"] = current_request_id()
        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="abc"))
    assert seen == {"attribute": "abc", "context": "abc"}
    assert response["X-Request-ID"] == "abc"


def test_a_log_line_written_during_a_request_carries_its_id(client, collect, monkeypatch):
    def logging_check():
        logging.getLogger("mentoring.ops").warning("checking the database")
        return ops.Check("database", True, "reachable")

    monkeypatch.setattr(ops, "check_database", logging_check)
    response = client.get("/healthz")
    assert response.status_code == 200
    [record] = [r for r in collect.records if r.getMessage() == "checking the database"]
    assert record.request_id == response["X-Request-ID"]


def test_djangos_not_found_warning_carries_the_id_and_the_next_line_none(client, collect):
    response = client.get("/no/such/page/", HTTP_X_REQUEST_ID="req-404")
    assert response.status_code == 404
    [record] = [r for r in collect.records if r.name == "django.request"]
    assert record.request_id == "req-404"
    # Once the response is closed, lines belong to no request.
    logging.getLogger("mentoring.ops").warning("after the request")
    assert collect.records[-1].request_id == "-"


def test_the_console_handler_adds_the_request_id_in_both_formats():
    config: dict[str, Any] = settings.LOGGING
    handler = config["handlers"]["console"]
    assert "request_id" in handler["filters"]
    assert handler["formatter"] in ("json", "plain")
    assert "%(request_id)s" in config["formatters"]["plain"]["format"]


def test_celery_logs_through_the_same_handlers():
    assert app.conf.worker_hijack_root_logger is False


# --- The JSON formatter ----------------------------------------------------------------


def _record(message: str, *args: object, exc_info=None, name: str = "mentoring.test"):
    record = logging.LogRecord(name, logging.ERROR, __file__, 1, message, args, exc_info)
    RequestIdFilter().filter(record)
    return record


def test_the_json_formatter_writes_one_line_of_valid_json():
    line = JsonFormatter().format(_record("Ünïcode ✓ %s\nsecond line", "日本"))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "Ünïcode ✓ 日本\nsecond line"
    assert "✓" in line  # not escaped: readable in any log viewer
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "mentoring.test"
    assert entry["request_id"] == "-"
    assert entry["timestamp"].endswith("+00:00")
    assert "exc_info" not in entry


def test_the_json_formatter_keeps_an_exception_on_the_same_line():
    try:
        raise ValueError("bad «value»\nwith a newline")
    except ValueError:
        import sys

        record = _record("it failed", exc_info=sys.exc_info())
    line = JsonFormatter().format(record)
    assert len(line.splitlines()) == 1
    entry = json.loads(line)
    assert entry["message"] == "it failed"
    assert "Traceback (most recent call last)" in entry["exc_info"]
    assert "ValueError: bad «value»" in entry["exc_info"]


def test_the_json_formatter_survives_arguments_json_cannot_write():
    record = _record("a request")
    record.request = object()  # what django.request passes in extra
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "a request"


def test_gunicorns_access_line_gets_fields_of_its_own():
    atoms = SafeAtoms(
        {
            "h": "127.0.0.1",
            "r": "GET /healthz HTTP/1.1",
            "m": "GET",
            "U": "/healthz",
            "s": "200",
            "B": "15",
            "D": "812",
            "{x-request-id}o": "abc123",
        }
    )
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s" %(s)s', (atoms,), None
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == '127.0.0.1 "GET /healthz HTTP/1.1" 200'
    assert entry["request_id"] == "abc123"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/healthz", "200")
    assert entry["duration_us"] == "812"


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c"])
def test_no_line_separator_splits_a_json_line(separator):
    line = JsonFormatter().format(_record(f"one{separator}two ✓"))
    assert len(line.splitlines()) == 1
    assert len(line.encode().splitlines()) == 1
    assert json.loads(line)["message"] == f"one{separator}two ✓"
    assert "✓" in line  # the rest stays readable


def _gunicorn_logger_class():
    import runpy

    from django.conf import settings as django_settings

    config = runpy.run_path(str(django_settings.BASE_DIR / "scripts" / "gunicorn.conf.py"))
    return config["logger_class"]


SECRET_PATHS = [
    "/invitations/INVITE-TOKEN-1/",
    "/invitations/INVITE-TOKEN-1/accept/",
    "/notifications/unsubscribe/UNSUB:TOKEN-1/",
    "/accounts/password/reset/key/3x-RESET-KEY-1/",
    "/accounts/confirm-email/CONFIRM-KEY-1/",
]


@pytest.mark.parametrize("path", SECRET_PATHS)
def test_gunicorns_access_log_redacts_secrets_in_paths(path):
    import datetime as dt

    from gunicorn.config import Config  # type: ignore[import-untyped]

    secret = path.rstrip("/").split("/")[-1] if "accept" not in path else "INVITE-TOKEN-1"
    logger = _gunicorn_logger_class()(Config())

    class Response:
        status = "200 OK"
        sent = 15
        headers = (("X-Request-ID", "abc123"),)

    class Request:
        headers = (("HOST", "example.org"), ("REFERER", f"https://example.org{path}"))

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?next=/",
        "PATH_INFO": path,
        "QUERY_STRING": "next=/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://example.org{path}",
    }
    atoms = logger.atoms(Response(), Request(), environ, dt.timedelta(microseconds=812))
    assert secret not in repr(atoms)
    assert atoms["r"] == f"GET {path.replace(secret, '<redacted>')}?next=/ HTTP/1.1"
    assert atoms["U"] == path.replace(secret, "<redacted>")
    assert atoms["{x-request-id}o"] == "abc123"
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s" %(f)s', (atoms,), None
    )
    line = JsonFormatter().format(record)
    assert secret not in line
    assert json.loads(line)["path"] == path.replace(secret, "<redacted>")


def test_paths_without_a_secret_are_logged_as_they_are():
    from mentoring.logs import redact_path

    for path in ("/healthz", "/programs/p/invitations/", "/programs/p/invitations/12/resend/"):
        assert redact_path(f"GET {path} HTTP/1.1") == f"GET {path} HTTP/1.1"
