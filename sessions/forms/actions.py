"""Action item forms: add or edit one (also the mentor's "log follow-ups"), change its status."""

from __future__ import annotations

from typing import Any

from django import forms

from mentoring.models import User
from sessions.forms.meetings import no_browser_limit
from sessions.models import ActionItem
from sessions.services.actions import DESCRIPTION_MAX


class ActionForm(forms.Form):
    """``cleaned_data["owner"]`` is a ``User`` among ``people``."""

    owner = forms.TypedChoiceField(label="Who will do it", coerce=int)
    kind = forms.ChoiceField(
        label="Kind", choices=ActionItem.Kind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label="What is to be done",
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Up to {DESCRIPTION_MAX:,} characters.",
        error_messages={"required": "Say what is to be done."},
    )
    due_date = forms.DateField(
        label="Due date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. Today or later.",
    )

    def __init__(self, *args: Any, people: tuple[User, ...], me: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        owner = self.fields["owner"]
        assert isinstance(owner, forms.TypedChoiceField)  # noqa: S101 - declared above
        owner.choices = [
            (p.pk, f"{p.display_name} (you)" if p.pk == me.pk else p.display_name) for p in people
        ]
        no_browser_limit(self)

    def clean_owner(self) -> User:
        pk = self.cleaned_data["owner"]
        if pk not in self.people:
            raise forms.ValidationError("Choose someone in this relationship.")
        return self.people[pk]

    def clean_due_date(self) -> Any:
        due = self.cleaned_data.get("due_date")
        if due is not None and not 2000 <= due.year <= 2100:
            raise forms.ValidationError("Choose a date between 2000 and 2100.")
        return due


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ActionItem.Status.choices)
