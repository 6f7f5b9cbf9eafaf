"""Forms of the mentee-choice pages: browsing mentors, requesting, answering."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from programs.models import Program


class MentorFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    topic = forms.TypedChoiceField(label="Topic", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["topic"]).choices = [("", "Any topic")] + [
            (t.pk, t.name) for t in program.topics.all()
        ]
        self.fields["q"].widget.attrs.update(
            {"class": "form-control", "placeholder": "Name, role, strengths …"}
        )
        self.fields["topic"].widget.attrs["class"] = "form-select"


class RequestForm(forms.Form):
    note = forms.CharField(
        label="A note to the mentor",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why this mentor, and what you hope to work on together.",
    )


class DeclineRequestForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The mentee reads this: a few kind words on why not.",
    )


class AcceptingForm(forms.Form):
    accepting = forms.TypedChoiceField(
        choices=[("1", "Open to new requests"), ("0", "Closed to new requests")],
        coerce=lambda value: value == "1",
    )
