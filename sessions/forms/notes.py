"""The note form: the text, who may read it, and (optionally) the meeting it is about."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.utils import timezone

from sessions.models import Meeting, Note, Workspace


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Meeting) -> str:
        # The middleware has activated the viewer's time zone.
        when = timezone.localtime(obj.starts_at)
        return f"{when:%a} {when.day} {when:%b %Y, %H:%M} ({obj.get_status_display().lower()})"


class NoteForm(forms.ModelForm):
    meeting = MeetingChoiceField(
        queryset=Meeting.objects.none(),
        required=False,
        label="About a meeting (optional)",
        empty_label="No particular meeting",
    )

    class Meta:
        model = Note
        fields: ClassVar = ["body", "visibility", "meeting"]
        labels: ClassVar = {"body": "Note", "visibility": "Who may read it"}
        help_texts: ClassVar = {
            "body": "Up to 10,000 characters.",
            "visibility": (
                "A private note is yours alone: nobody else ever sees it, not even the "
                "program's admins."
            ),
        }
        widgets: ClassVar = {
            "body": forms.Textarea(attrs={"rows": 5}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meeting = cast(forms.ModelChoiceField, self.fields["meeting"])
        meeting.queryset = workspace.meetings.order_by("-starts_at")
        # The limit is checked (and explained) server-side; the browser must not cut text.
        self.fields["body"].widget.attrs.pop("maxlength", None)
