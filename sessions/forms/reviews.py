"""The review forms: the mid-point review and the final review (closure)."""

from __future__ import annotations

from django import forms

from sessions.models import TEXT, Review

VALUES = [
    (1, "1: very little"),
    (2, "2: a little"),
    (3, "3: some"),
    (4, "4: a lot"),
    (5, "5: a great deal"),
]


def _value(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=VALUES, coerce=int, widget=forms.RadioSelect)


def _text(label: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    field = forms.CharField(
        label=label,
        required=required,
        max_length=TEXT,
        help_text=help_text or f"Up to {TEXT:,} characters.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # The limit is checked (and explained) server-side; the browser must not cut text.
    field.widget.attrs.pop("maxlength", None)
    return field


class MidpointReviewForm(forms.Form):
    """Each participant's mid-point review."""

    value_received = _value("Value I receive from this relationship")
    value_given = _value("Value I give to this relationship")
    working = _text("What is working")
    change = _text("What should change", required=False)
    decision = forms.ChoiceField(
        label="From here on",
        choices=Review.Decision.choices,
        widget=forms.RadioSelect,
        help_text="“End” takes you to ending the relationship early, with a reason.",
    )


class FinalReviewForm(forms.Form):
    """Each participant's final review, part of the closing checklist."""

    value_received = _value("Value I received from this relationship")
    value_given = _value("Value I gave to this relationship")
    working = _text("What went well")
    remains = _text("What remains to do", required=False)
    differently = _text("What I would do differently next time")


def initial_from(review: Review | None) -> dict[str, object]:
    """A reopened review's form starts from the earlier answers."""
    if review is None:
        return {}
    return {
        "value_received": review.value_received,
        "value_given": review.value_given,
        "working": review.working,
        "change": review.change,
        "decision": review.decision,
        "remains": review.remains,
        "differently": review.differently,
    }
