"""Agenda forms: the mentee's agenda (one-to-one) and an item on a circle's shared agenda."""

from __future__ import annotations

from typing import Any

from django import forms

from sessions.forms.meetings import no_browser_limit
from sessions.models import TEXT, Agenda, AgendaItem

LIMIT = f"Up to {TEXT:,} characters."


def _text(label: str, help_text: str = LIMIT, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=TEXT,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class AgendaForm(forms.Form):
    """What the mentee brings: progress, topics and questions, needs, work samples."""

    did = _text("What I did since last time")
    learned = _text("What I learned")
    topics = _text(
        "Topics and questions",
        "What you would like to talk about. Needed to submit. " + LIMIT,
        rows=4,
    )
    needs = forms.MultipleChoiceField(
        label="What I need",
        choices=Agenda.Need.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs_detail = _text("More about what I need")
    links = _text("Links to work samples", "One per line. " + LIMIT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        no_browser_limit(self)


class AgendaItemForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of item", choices=AgendaItem.Kind.choices)
    text = forms.CharField(
        label="Your item",
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=LIMIT,
        error_messages={"required": "Write the item."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        no_browser_limit(self)
