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

# The periodic sweeps are added here by the reminders work; each entry says
# what it sends and why it runs at that interval.
app.conf.beat_schedule = {}
