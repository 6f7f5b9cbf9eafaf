"""Forms of the roadmap page: a topic, and the meeting where it was covered."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, cast

from django import forms
from django.utils import timezone

from sessions.models import Meeting, RoadmapTopic


class RoadmapTopicForm(forms.ModelForm):
    class Meta:
        model = RoadmapTopic
        fields: ClassVar = ["title", "details"]
        labels: ClassVar = {"title": "Topic", "details": "Details"}
        widgets: ClassVar = {"details": forms.Textarea(attrs={"rows": 2})}
        help_texts: ClassVar = {
            "title": "E.g. “Industry trends” or “Time management”.",
            "details": "Optional: questions to bring, things to read first.",
        }

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Give the topic a title.")
        return title


def meeting_label(meeting: Meeting) -> str:
    """A meeting as the viewer knows it: its local date and time, and its status."""
    local = timezone.localtime(meeting.starts_at)
    status = ""
    if meeting.status != Meeting.Status.SCHEDULED:
        status = f" ({meeting.get_status_display().lower()})"
    return f"{local:%a %-d %b %Y, %H:%M}{status}"


def cover_choices(meetings: Iterable[Meeting]) -> list[tuple[Any, str]]:
    """The choices of a cover form, built once for all the topics on a page."""
    return [("", "Not covered yet"), *((m.pk, meeting_label(m)) for m in meetings)]


class RoadmapCoverForm(forms.Form):
    """Which meeting a topic was covered in (``None``: not covered yet)."""

    meeting = forms.TypedChoiceField(
        label="Covered in",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto"}),
    )

    def __init__(self, *args: Any, choices: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["meeting"]).choices = choices


class RoadmapMoveForm(forms.Form):
    direction = forms.ChoiceField(label="Direction", choices=[("up", "Up"), ("down", "Down")])
