"""The audit pages' filters (GET)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from programs.audit.models import Event
from programs.models import Program

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EventFilterForm(forms.Form):
    action = forms.ChoiceField(
        label="What", required=False, choices=[("", "Anything"), *Event.Action.choices]
    )
    actor = forms.CharField(
        label="Who (e-mail contains)", required=False, max_length=254, strip=True
    )
    date_from = forms.DateField(label="From", required=False, widget=DATE)
    date_to = forms.DateField(label="To (inclusive)", required=False, widget=DATE)
    program = forms.ModelChoiceField(
        label="Program",
        required=False,
        queryset=Program.objects.none(),
        to_field_name="slug",
        empty_label="Any program",
    )
    q = forms.CharField(label="Target or page contains", required=False, max_length=200)

    def __init__(self, *args: Any, all_programs: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if all_programs:
            programs = cast(forms.ModelChoiceField, self.fields["program"])
            programs.queryset = Program.objects.order_by("name").only("pk", "name", "slug")
        else:
            del self.fields["program"]
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            if name in ("actor", "q"):
                field.widget.attrs.setdefault("autocomplete", "off")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        # Null characters are refused by the fields themselves (Django's validator).
        return data

    def filters(self) -> dict[str, Any]:
        """What was understood (fields with errors are left out)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return {k: v for k, v in data.items() if k not in self.errors and v not in ("", None)}


def day_start(day: dt.date) -> dt.datetime | None:
    """Midnight starting ``day`` in the viewer's time zone, or None if out of range."""
    try:
        moment = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
        return moment.astimezone(dt.UTC)
    except OverflowError:
        return None


def day_after(day: dt.date) -> dt.datetime | None:
    try:
        return day_start(day + dt.timedelta(days=1))
    except OverflowError:
        return None
