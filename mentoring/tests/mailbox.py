"""An e-mail backend for the fault tests: each message becomes a row of ``fault_mailbox``.

The row is written on Django's default connection, so it belongs to the transaction that
is open while the message is sent. ``notifications.deliver`` sends inside the row-locked
transaction that marks the notification sent: a worker killed between "sent" and
"commit" loses both, and the next worker sends that message again. Counting rows per
subject therefore counts the e-mails that really went out.

``FAULT_MAILBOX_DELAY`` (seconds, default 0) makes each message slow, after its row is
written and before the commit, so a kill lands while a batch is in flight.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.db import connection

TABLE = "fault_mailbox"
DELAY_ENV = "FAULT_MAILBOX_DELAY"

CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id bigserial PRIMARY KEY,
    recipients text NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    pid integer NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT clock_timestamp()
)
"""
DROP_TABLE = f"DROP TABLE IF EXISTS {TABLE}"
INSERT = f"INSERT INTO {TABLE} (recipients, subject, body, pid) VALUES (%s, %s, %s, %s)"  # noqa: S608


class MailboxBackend(BaseEmailBackend):
    """Write each message to ``fault_mailbox`` in the current transaction."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        delay = float(os.environ.get(DELAY_ENV, "0") or 0)
        with connection.cursor() as cursor:
            for message in email_messages:
                row: list[str | int] = [
                    ",".join(message.to),
                    str(message.subject),
                    str(message.body),
                    os.getpid(),
                ]
                cursor.execute(INSERT, row)
                if delay:
                    time.sleep(delay)
        return len(email_messages)
