"""Forms of the flash mentoring pages.

Times are typed one per line in the mentor's own time zone and stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any, ClassVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from matching.models import FlashOffer, FlashSlot
from matching.services.flash import MAX_OPEN_SLOTS
from programs.models import Program, Topic

TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H.%M")
EXAMPLE = "2026-12-03 14:30"


def parse_times(
    text: str, tz: zoneinfo.ZoneInfo, now: dt.datetime | None = None
) -> tuple[list[dt.datetime], list[str]]:
    """Read one local date and time per line; returns the aware times and per-line errors."""
    now = now or timezone.now()
    times: list[dt.datetime] = []
    errors: list[str] = []
    first_seen: dict[dt.datetime, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = " ".join(raw.split())
        if not line:
            continue
        naive = None
        for fmt in TIME_FORMATS:
            try:
                naive = dt.datetime.strptime(line, fmt)  # noqa: DTZ007 - made aware just below
                break
            except ValueError:
                continue
        if naive is None:
            errors.append(
                f"Line {number}: “{line}” is not a date and time; write it like {EXAMPLE}."
            )
            continue
        moment = naive.replace(tzinfo=tz)
        # A wall-clock time skipped when the clocks go forward does not survive a round trip.
        if moment.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != naive:
            errors.append(f"Line {number}: {line} does not exist in {tz.key} (the clocks change).")
            continue
        moment = moment.astimezone(dt.UTC)
        if moment <= now:
            errors.append(f"Line {number}: {line} has already passed.")
        elif moment in first_seen:
            errors.append(f"Line {number}: {line} is the same time as line {first_seen[moment]}.")
        else:
            first_seen[moment] = number
            times.append(moment)
    if len(times) > MAX_OPEN_SLOTS:
        errors.append(f"Give at most {MAX_OPEN_SLOTS} times; there are {len(times)}.")
    return times, errors


def slot_label(slot: FlashSlot, tz: zoneinfo.ZoneInfo) -> str:
    return f"{timezone.localtime(slot.starts_at, tz):%a %d %b %Y, %H:%M}"


class FlashOfferForm(forms.ModelForm):
    """The offer and its times; on edit, times to add and free times to remove."""

    slots = forms.CharField(
        label="Times mentees can book",
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": f"{EXAMPLE}\n2026-12-05 09:00"}),
    )
    remove = forms.MultipleChoiceField(
        label="Remove free times",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only times nobody has booked can be removed.",
    )

    class Meta:
        model = FlashOffer
        fields: ClassVar = ["title", "topic", "description", "length_minutes", "medium"]
        widgets: ClassVar = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts: ClassVar = {
            "description": "What a mentee can bring to a session, and what they get from it.",
            "length_minutes": "Between 10 and 240 minutes.",
        }

    def __init__(
        self,
        *args: Any,
        program: Program,
        tz: zoneinfo.ZoneInfo,
        free_slots: Iterable[FlashSlot] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz
        topic = cast(forms.ModelChoiceField, self.fields["topic"])
        topic.queryset = Topic.objects.filter(program=program)
        topic.empty_label = "No particular topic"
        self.fields["slots"].help_text = (
            f"One date and time per line, like {EXAMPLE}, in your time zone ({tz.key}). "
            f"At most {MAX_OPEN_SLOTS} times still to come."
        )
        if free_slots is None:
            del self.fields["remove"]
        else:
            self._free_slots = {str(s.pk): s for s in free_slots}
            cast(forms.MultipleChoiceField, self.fields["remove"]).choices = [
                (pk, slot_label(s, tz)) for pk, s in self._free_slots.items()
            ]
            self.fields["slots"].label = "Add times"
            self.fields["slots"].required = False

    def clean_slots(self) -> list[dt.datetime]:
        times, errors = parse_times(self.cleaned_data.get("slots", ""), self.tz)
        if errors:
            raise ValidationError(errors)
        if self.fields["slots"].required and not times:
            raise ValidationError("Give at least one time mentees can book.")
        return times

    def clean_remove(self) -> list[FlashSlot]:
        return [self._free_slots[pk] for pk in self.cleaned_data.get("remove", [])]


class FlashBookForm(forms.Form):
    note = forms.CharField(
        label="A note for the mentor",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what you would like to talk about.",
    )


class FlashCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why you cancel",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FlashFilterForm(forms.Form):
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.none(), required=False, empty_label="Any topic", label="Topic"
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["topic"]).queryset = Topic.objects.filter(
            program=program
        )
