"""Celery application.

With ``REDIS_URL`` set, Redis is the broker and a worker plus exactly one beat
process run the tasks. Without it (the embedded demo and the default test
run) tasks run eagerly, in-process, inside the request that enqueued them.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")

app = Celery("constellation")
# All Celery settings live in Django settings under the CELERY_ prefix.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def every(seconds: float) -> float:
    """A beat interval; CONSTELLATION_BEAT_SCALE shrinks all of them (fault tests use it)."""
    return seconds * float(os.environ.get("CONSTELLATION_BEAT_SCALE", "1"))


def sweep(name: str, seconds: float) -> dict[str, object]:
    """A beat entry that runs the registered sweep ``name`` (see ``mentoring.sweeps``)."""
    return {"task": "mentoring.run_sweep", "schedule": every(seconds), "args": (name,)}


# Periodic work, by task name (the core app does not import the apps above it). Every
# task here is safe to run twice or at once in two processes: sweeps record each notice
# under a unique key, and e-mails are sent under their row's lock.
app.conf.beat_schedule = {
    # Invitation e-mails are recorded before they are queued; if the broker was
    # down or a worker was lost, this sends what never went out. Every five
    # minutes: late enough not to race the normal path, soon enough to matter.
    "send-pending-invitations": {
        "task": "programs.send_pending_invitations",
        "schedule": every(300),
    },
    # Proposals and mentor requests past their deadline expire and the people
    # concerned are told. Each is claimed with a conditional update, so
    # overlapping runs expire it once. Every ten minutes: deadlines are in days.
    "expire-overdue-matching": {
        "task": "matching.expire_overdue",
        "schedule": every(600),
    },
    # E-mails of notifications that are due and not sent: the broker was down when
    # they were recorded, a worker died, or the recipient's quiet hours just ended.
    # Every minute: "nothing lost" should also mean "not late".
    "deliver-due-notifications": {"task": "mentoring.deliver_due", "schedule": every(60)},
    # Daily digests go out when each reader's contact hours begin; at most one a day.
    "send-digests": {"task": "mentoring.send_digests", "schedule": every(900)},
    # Meeting reminders (24 h and 1 h before, per program): every five minutes, so the
    # one-hour reminder is never more than five minutes late.
    "sweep-meeting-reminders": sweep("meeting_reminders", 300),
    # The mentee's agenda is due (lead time reached), then a final nudge.
    "sweep-agenda-due": sweep("agenda_due", 300),
    # After a meeting: check-in prompts, and the mentor's prompt to log follow-ups.
    "sweep-after-meeting": sweep("after_meeting", 600),
    # Action items due tomorrow, and overdue ones; dates move once a day.
    "sweep-action-items": sweep("action_items", 3600),
    # Mid-point reviews open, a reminder a week later, the admins after two weeks.
    "sweep-midpoint-reviews": sweep("midpoint_reviews", 3600),
    # Closing prompts three weeks before the end date, and overdue closures.
    "sweep-closure": sweep("closure", 3600),
    # Pairs that stopped meeting: a nudge to both and a flag for the admins.
    "sweep-fading-pairs": sweep("fading_pairs", 3600),
    # Proposals and mentor requests that expire within a day: a reminder to answer.
    "sweep-proposals-expiring": sweep("proposals_expiring", 900),
    "sweep-requests-expiring": sweep("requests_expiring", 900),
    # The program admins' weekly digest (sent on Mondays, in each program's time zone).
    "sweep-admin-digest": sweep("admin_digest", 3600),
    # The page cache's change stamps (PostgreSQL): one row per scope and writing
    # transaction, folded into one per scope, so reading them stays a few rows.
    "compact-page-stamps": {"task": "mentoring.compact_page_stamps", "schedule": every(300)},
}
