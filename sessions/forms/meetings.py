"""Meeting forms: schedule, log or move a meeting; cancel it; file a check-in."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms

from sessions.models import TEXT, Medium

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

RATINGS = [
    (1, "1 – Not useful"),
    (2, "2 – A little useful"),
    (3, "3 – Useful"),
    (4, "4 – Very useful"),
    (5, "5 – Extremely useful"),
]


def no_browser_limit(form: forms.BaseForm) -> None:
    """Let oversized text reach the server, which says what is wrong instead of cutting it."""
    for field in form.fields.values():
        field.widget.attrs.pop("maxlength", None)


class MeetingForm(forms.Form):
    """A meeting's time (in the viewer's time zone), medium and place.

    ``cleaned_data`` gains ``starts_at`` (aware) and ``duration_minutes``.
    """

    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label="Starts at", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label="Ends at", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    medium = forms.ChoiceField(label="Medium", choices=Medium.choices, widget=forms.RadioSelect)
    location = forms.CharField(
        label="Place or video link",
        max_length=500,
        required=False,
        help_text="Where you meet, or the video call's link (https://…). Optional.",
    )
    schedule_anyway = forms.BooleanField(
        label="Schedule anyway",
        required=False,
        help_text="Keep this time although it overlaps another meeting.",
    )

    def __init__(self, *args: Any, tz: zoneinfo.ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz
        zone = f"In your time zone, {tz.key.replace('_', ' ')}."
        self.fields["start_time"].help_text = zone
        self.fields["end_time"].help_text = zone
        no_browser_limit(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            self.add_error("date", f"Choose a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")
            return data
        if day is None or start is None or end is None:
            return data
        # Compare and subtract in UTC: on the day the clocks change, local wall times
        # in one zone are an hour more or less apart than they look.
        starts_at = dt.datetime.combine(day, start, tzinfo=self.tz).astimezone(dt.UTC)
        ends_at = dt.datetime.combine(day, end, tzinfo=self.tz).astimezone(dt.UTC)
        if ends_at <= starts_at:
            self.add_error("end_time", "The meeting must end after it starts.")
            return data
        data["starts_at"] = starts_at
        data["duration_minutes"] = int((ends_at - starts_at).total_seconds() // 60)
        return data


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the meeting cancelled?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone in the relationship sees this. Up to 1,000 characters.",
        error_messages={"required": "Say why the meeting is cancelled."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        no_browser_limit(self)


class CheckInForm(forms.Form):
    """The four end-of-conversation questions and a rating."""

    useful = forms.CharField(
        label="What was useful today?",
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what was useful today."},
    )
    next_steps = forms.CharField(
        label="What are your next steps?",
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what your next steps are."},
    )
    before_next = forms.CharField(
        label="What will you do or learn before next time?",
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what you will do or learn before next time."},
    )
    change = forms.CharField(
        label="What should change for next time?",
        max_length=TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional.",
    )
    rating = forms.TypedChoiceField(
        label="How useful was this meeting?",
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Rate the meeting from 1 to 5."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        no_browser_limit(self)
