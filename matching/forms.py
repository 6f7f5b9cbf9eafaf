"""Forms of the matching board and pairing pages."""

from __future__ import annotations

from django import forms


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A few words; the people concerned will read it.",
    )


class PickForm(forms.Form):
    mentor = forms.IntegerField(widget=forms.HiddenInput)
