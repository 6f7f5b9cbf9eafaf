"""Seed the demo: a program with known accounts, ready to explore.

It lives in the top layer so that each issue can add its own part of the demo
(matching, the workspace, reminders) below the program seeding.

The demo accounts include a staff account whose password is published in the
README, so the command refuses to run with debug off unless told explicitly.
"""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from matching import demo as matching_demo
from programs import demo as programs_demo
from sessions import demo as sessions_demo
from sessions import demo_history

REFUSAL = (
    "seed_demo creates the staff account {admin} with the published password "
    "“{password}”, so it runs only with DJANGO_DEBUG=true. To seed a trial "
    "installation with debug off anyway, pass --allow-production, and never do "
    "that on an instance that real people use."
)


class Command(BaseCommand):
    help = "Create the demo program and accounts (safe to run again: it reuses what exists)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even though DEBUG is off (creates accounts with a published password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                REFUSAL.format(
                    admin=programs_demo.ADMIN_EMAIL, password=programs_demo.DEMO_PASSWORD
                )
            )
        result = programs_demo.seed()
        verb = "Created" if result.created else "Found"
        self.stdout.write(
            f"{verb} the demo program “{result.program.name}” with "
            f"{len(result.mentors)} mentors and {len(result.mentees)} mentees."
        )
        matched = matching_demo.seed(
            result.program,
            mentor_email=programs_demo.MENTOR_EMAIL,
            mentee_email=programs_demo.MENTEE_EMAIL,
        )
        pair = matched.pairing
        self.stdout.write(
            f"{pair.mentor.user} mentors {pair.mentee.user}; {matched.to_match} mentees are "
            "ready to match on the matching board."
        )
        space = sessions_demo.seed(pair)
        if space.upcoming is not None:
            self.stdout.write(
                f"Their workspace has an agreement, goals and two meetings held; the next "
                f"meeting is on {space.upcoming.starts_at:%a %d %b %H:%M} UTC and its agenda "
                "is due."
            )
        history = demo_history.seed(result.admin)
        self.stdout.write(history.line())
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {programs_demo.DEMO_PASSWORD})")
        for label, email in (
            ("program admin (staff)", programs_demo.ADMIN_EMAIL),
            ("mentor", programs_demo.MENTOR_EMAIL),
            ("mentee", programs_demo.MENTEE_EMAIL),
        ):
            self.stdout.write(f"  {label:<22} {email}")
