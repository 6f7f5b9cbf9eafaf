"""Run every sweep once, now or as of another time, and send what is due.

First the chores that change state on a timer (expiring overdue proposals and requests,
whose services tell people), a line each; then one line per sweep with how many
notifications it recorded (each is shown in the app and e-mailed as its recipient
prefers), then the e-mails sent. Run it twice in a row: the second run changes,
records and sends nothing.

``--at`` a moment still to come previews what the sweeps would send then, but skips the
chores: expiring a proposal because of a deadline that has not passed yet could not be
undone when the clock catches up.
"""

from __future__ import annotations

import datetime as dt
import time
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from mentoring import notifications, sweeps


def _moment(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(
            f"--at wants an ISO date and time such as 2026-11-24T09:00+00:00, not {value!r}."
        ) from None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)


class Command(BaseCommand):
    help = "Run every reminder sweep once, synchronously, and send the e-mails due."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--at",
            type=_moment,
            default=None,
            help="Run as of this moment (ISO 8601; UTC when no offset is given).",
        )
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, once every SECONDS (the demo's stand-in for Celery beat).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every <= 0:
            self.run_once(options["at"] or timezone.now())
            return
        while True:  # until interrupted (Ctrl-C stops the demo and this with it)
            self.run_once(timezone.now())
            time.sleep(every)

    def run_once(self, at: dt.datetime) -> None:
        future = at > timezone.now()
        for name in sweeps.chores():
            if future:
                self.stdout.write(f"chore={name} skipped=at_is_in_the_future")
                continue
            changed = sweeps.run_chore(name, at)
            self.stdout.write(f"chore={name} changed={changed}")
        for name in sweeps.names():
            count = sweeps.run(name, at, enqueue=False)
            self.stdout.write(f"sweep={name} sent={count}")
        emailed = notifications.deliver_due(at=at)
        digests = notifications.send_digests(at=at)
        self.stdout.write(f"delivery emails={emailed} digests={digests}")
