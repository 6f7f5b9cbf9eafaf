"""Hand work to Celery once the transaction commits, without failing the request.

If the broker is down (or, in the embedded mode, the task itself fails) the
error is logged and the page still answers: the work is recorded in the
database first, and a periodic sweep picks up whatever was not sent.
"""

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, *args: Any) -> None:
    """Queue ``task(*args)`` after the current transaction commits."""

    def send() -> None:
        try:
            task.apply_async(args=args)
        except Exception:
            logger.exception("Could not queue %s%r; a sweep will retry it.", task.name, args)

    transaction.on_commit(send)
