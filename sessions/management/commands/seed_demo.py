"""Seed the demo: a program with known accounts, ready to explore.

It lives in the top layer so that each issue can add its own part of the demo
(matching, the workspace, reminders) below the program seeding.
"""

from typing import Any

from django.core.management.base import BaseCommand

from programs import demo as programs_demo


class Command(BaseCommand):
    help = "Create the demo program and accounts (safe to run again: it reuses what exists)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = programs_demo.seed()
        verb = "Created" if result.created else "Found"
        self.stdout.write(
            f"{verb} the demo program “{result.program.name}” with "
            f"{len(result.mentors)} mentors and {len(result.mentees)} mentees."
        )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {programs_demo.DEMO_PASSWORD})")
        for label, email in (
            ("program admin (staff)", programs_demo.ADMIN_EMAIL),
            ("mentor", programs_demo.MENTOR_EMAIL),
            ("mentee", programs_demo.MENTEE_EMAIL),
        ):
            self.stdout.write(f"  {label:<22} {email}")
