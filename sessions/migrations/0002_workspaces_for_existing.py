"""Give every pairing that has started, and every circle, its workspace."""

import datetime as dt
import zoneinfo

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Pairing = apps.get_model("matching", "Pairing")
    Circle = apps.get_model("matching", "Circle")
    Workspace = apps.get_model("mentoring_sessions", "Workspace")

    def dates(start: dt.date, end: dt.date | None) -> dict[str, dt.date]:
        end = max(end or start, start)
        return {"start_date": start, "end_date": end, "midpoint_date": start + (end - start) / 2}

    started = Pairing.objects.filter(
        status__in=["active", "completed", "ended_early"], workspace__isnull=True
    ).select_related("program")
    for pairing in started:
        when = pairing.started_at or pairing.created_at
        start = timezone.localdate(when, zoneinfo.ZoneInfo(pairing.program.timezone))
        end = pairing.planned_end_date or pairing.program.end_date
        Workspace.objects.create(program=pairing.program, pairing=pairing, **dates(start, end))
    for circle in Circle.objects.filter(workspace__isnull=True).select_related("program"):
        start = timezone.localdate(circle.created_at, zoneinfo.ZoneInfo(circle.program.timezone))
        Workspace.objects.create(
            program=circle.program, circle=circle, **dates(start, circle.program.end_date)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring_sessions", "0001_initial"),
        ("matching", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
