"""gunicorn's settings in the production stack (Procfile ``web``; read with ``--config``).

Kept out of the project root on purpose: gunicorn reads ``./gunicorn.conf.py`` on its
own, and bench/web_bench.py starts gunicorn there with settings of its own.

| variable           | default                    |
|--------------------|----------------------------|
| GUNICORN_BIND      | ``$HOST:$PORT``            |
| HOST, PORT         | 127.0.0.1, 8000            |
| WEB_CONCURRENCY    | 2 (worker processes)       |
| GUNICORN_TIMEOUT   | 30 (seconds per request)   |
| LOG_FORMAT         | json (or plain)            |
| GUNICORN_PIDFILE   | none (make up: var/gunicorn.pid) |
"""

import os
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

from mentoring.logs import redact_path


class RedactingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, with the secrets some paths carry redacted from every access-log
    atom (request line, path, referer, headers, environ): invitation and unsubscribe
    tokens, password reset and e-mail confirmation keys (``mentoring.logs.redact_path``).
    """

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact_path(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }


logger_class = RedactingLogger
bind = os.environ.get(
    "GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# The master's pid: scripts/stack.sh checks that the server answering is the one it started.
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
accesslog = "-"
errorlog = "-"
# The request id is the one RequestIdMiddleware answered with (X-Request-ID). Secrets in
# paths are redacted (RedactingLogger above).
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus request_id=%({x-request-id}o)s'

_formatter = "json" if os.environ.get("LOG_FORMAT", "json") == "json" else "generic"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "mentoring.logs.JsonFormatter"},
        "generic": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": _formatter,
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
