"""The beat schedule and the registered sweeps agree, and every entry is safe to repeat."""

from mentoring import sweeps
from mentoring.celery import app


def _tasks() -> dict:
    app.loader.import_default_modules()  # what a worker imports when it starts
    return dict(app.tasks)


def test_every_registered_sweep_is_on_the_beat_schedule_and_vice_versa():
    scheduled = {
        entry["args"][0]
        for entry in app.conf.beat_schedule.values()
        if entry["task"] == "mentoring.run_sweep"
    }
    assert scheduled == set(sweeps.names())


def test_every_scheduled_task_exists():
    tasks = _tasks()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in tasks, name


def test_no_retry_waits_longer_than_the_brokers_visibility_timeout(settings):
    # A task whose countdown outlives the visibility timeout is redelivered meanwhile.
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout > settings.CELERY_TASK_TIME_LIMIT
    for name, task in _tasks().items():
        if getattr(task, "autoretry_for", None):
            assert getattr(task, "retry_backoff_max", 0) < timeout, name
