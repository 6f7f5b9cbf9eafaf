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

# Periodic sweeps, by task name (the core app does not import the apps above it).
app.conf.beat_schedule = {
    # Invitation e-mails are recorded before they are queued; if the broker was
    # down or a worker was lost, this sends what never went out. Every five
    # minutes: late enough not to race the normal path, soon enough to matter.
    "send-pending-invitations": {
        "task": "programs.send_pending_invitations",
        "schedule": 300.0,
    },
    # Proposals and mentor requests past their deadline expire and the people
    # concerned are told. Each is claimed with a conditional update, so
    # overlapping runs expire it once. Every ten minutes: deadlines are in days.
    # E-mails of notifications that are due and not sent: the broker was down when
    # they were recorded, a worker died, or the recipient's quiet hours just ended.
    # Each is sent under its row lock and marked sent in the same transaction, so this
    # never repeats one. Every minute: "nothing lost" should also mean "not late".
    "deliver-due-notifications": {
        "task": "mentoring.deliver_due",
        "schedule": 60.0,
    },
    # Daily digests go out when each reader's contact hours begin; a reader gets at
    # most one a day. Every fifteen minutes, so nobody waits long past their start.
    "send-digests": {
        "task": "mentoring.send_digests",
        "schedule": 900.0,
    },
    "expire-overdue-matching": {
        "task": "matching.expire_overdue",
        "schedule": 600.0,
    },
}
