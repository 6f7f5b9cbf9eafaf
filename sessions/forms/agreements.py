"""Forms of the agreement pages: the terms, and accepting one version of them."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django import forms

from sessions.models import Agreement, Workspace

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class AgreementForm(forms.ModelForm):
    """The terms of the relationship; saving them is not accepting them."""

    class Meta:
        model = Agreement
        fields: ClassVar = list(Agreement.TERMS)
        widgets: ClassVar = {
            "purpose": _text(),
            "mentee_success": _text(),
            "mentor_success": _text(),
            "reschedule_rule": _text(2),
            "confidentiality": _text(),
            "shareable": _text(2),
            "feedback_preference": _text(2),
            "planned_end_date": DATE,
        }
        help_texts: ClassVar = {
            "purpose": "Why the two of you are meeting, in a sentence or two.",
            "mentee_success": "What the mentee will have, know or do at the end.",
            "mentor_success": "What the mentor hopes to see, give or learn.",
            "cadence_days": "E.g. 14 for every two weeks (1 to 90).",
            "meeting_minutes": "10 to 240 minutes.",
            "notice_hours": "How much notice to give when a meeting must move (up to 336).",
            "reschedule_rule": "E.g. “Reschedule within the week; cancel only if ill.”",
            "contact_channels": "E.g. “Chat for quick questions, e-mail for anything longer.”",
            "contact_hours": "E.g. “Weekdays 9:00–17:00, never at weekends.”",
            "confidentiality": "What is said between you stays between you, except…",
            "shareable": "What either of you may tell the program (e.g. that you meet).",
            "feedback_preference": "Direct, written first, in the moment, after reflection…",
            "planned_end_date": "When the relationship is planned to end.",
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_planned_end_date(self) -> dt.date:
        end: dt.date = self.cleaned_data["planned_end_date"]
        if end <= self.workspace.start_date:
            raise forms.ValidationError(
                "The planned end date must be after the relationship started "
                f"({self.workspace.start_date:%-d %B %Y})."
            )
        if end > self.workspace.latest_end_date:
            raise forms.ValidationError(
                "A relationship can be planned for three years at most: choose a date by "
                f"{self.workspace.latest_end_date:%-d %B %Y}."
            )
        return end

    def terms(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in Agreement.TERMS}


class AgreementAcceptForm(forms.Form):
    """Accept the version the reader saw (a newer one must be read first)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
