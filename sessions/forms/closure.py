"""The forms that close or extend a relationship."""

from __future__ import annotations

from django import forms

from sessions.services.closure import REASON_MAX


def _reason(label: str, help_text: str) -> forms.CharField:
    field = forms.CharField(
        label=label,
        max_length=REASON_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field.widget.attrs.pop("maxlength", None)
    return field


class ExtensionForm(forms.Form):
    new_end_date = forms.DateField(
        label="New end date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="After the current end date and after today.",
    )
    reason = _reason(
        "Why extend", "A few words (up to 1,000 characters); the others in it are told."
    )


class EndEarlyForm(forms.Form):
    reason = _reason(
        "Why end the relationship early",
        "Up to 1,000 characters. The others in it and the program's admins read it.",
    )
