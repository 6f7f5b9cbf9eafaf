"""Forms of the goal pages: a SMART goal, a progress update, a status change."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms

from sessions.models import TEXT, Goal
from sessions.selectors import today_in
from sessions.services.goals import MEASURABLE_HELP, SPECIFIC_MIN_WORDS, smart_errors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GoalForm(forms.ModelForm):
    """A SMART goal; each part says what it is missing, next to that part."""

    class Meta:
        model = Goal
        fields: ClassVar = [
            "title",
            "specific",
            "measurable",
            "achievable",
            "relevant",
            "target_date",
        ]
        labels: ClassVar = {
            "title": "Title",
            "specific": "Specific: what exactly?",
            "measurable": "Measurable: how will you know?",
            "achievable": "Achievable: why is it within reach?",
            "relevant": "Relevant: why does it matter?",
            "target_date": "Time-bound: target date",
        }
        widgets: ClassVar = {
            "specific": forms.Textarea(attrs={"rows": 2}),
            "measurable": forms.Textarea(attrs={"rows": 2}),
            "achievable": forms.Textarea(attrs={"rows": 2}),
            "relevant": forms.Textarea(attrs={"rows": 2}),
            "target_date": DATE,
        }
        help_texts: ClassVar = {
            "title": "A few words, e.g. “Speak at a team meeting”.",
            "specific": f"What exactly you will do, in at least {SPECIFIC_MIN_WORDS} words.",
            "measurable": MEASURABLE_HELP,
            "achievable": "What makes it realistic: time, support, what you already know.",
            "relevant": "How it serves what you want from this relationship.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = self.instance.workspace
        ws = self.workspace
        self.fields[
            "target_date"
        ].help_text = (
            f"Inside the relationship: after {ws.start_date:%-d %b %Y}, by {ws.end_date:%-d %b %Y}."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Check only the parts that passed their own field checks (others have an error).
        present = {name: data[name] for name in self.Meta.fields if name in data}
        original = self.initial.get("target_date") if self.instance.pk else None
        new_target = self.instance.pk is None or present.get("target_date") != original
        for name, message in smart_errors(
            self.workspace, present, today=today_in(self.workspace), new_target=new_target
        ).items():
            self.add_error(name, message)
        return data


class GoalProgressForm(forms.Form):
    """A progress update; its ids are its own, as it shares a page with the status form."""

    progress = forms.IntegerField(
        label="Progress (%)",
        min_value=0,
        max_value=100,
        help_text="From 0 to 100.",
        widget=forms.NumberInput(attrs={"step": 5}),
    )
    note = forms.CharField(
        label="What moved",
        required=False,
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you did or learned towards the goal.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_progress_%s")
        super().__init__(*args, **kwargs)


class GoalStatusForm(forms.Form):
    """Achieve or drop (with a note) an open goal; reopen a closed one."""

    action = forms.ChoiceField(label="Status")
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_status_%s")
        super().__init__(*args, **kwargs)
        action = cast(forms.ChoiceField, self.fields["action"])
        if current == Goal.Status.OPEN:
            action.choices = [("achieved", "Achieved"), ("dropped", "Dropped")]
            self.fields["note"].help_text = "Needed when you drop a goal: say why."
        else:
            action.choices = [("reopen", "Open again")]
            self.fields["note"].help_text = "Optional: why it is open again."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "dropped" and not data.get("note", "").strip():
            self.add_error("note", "Say why the goal is dropped.")
        return data
