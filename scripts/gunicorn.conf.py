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
"""

import os

bind = os.environ.get(
    "GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
accesslog = "-"
errorlog = "-"
# The request id is the one RequestIdMiddleware answered with (X-Request-ID).
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
