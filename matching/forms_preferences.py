"""Forms of the preferences page and the matching settings page."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from matching.models import MatchingPreference, MatchingSettings
from matching.services.preferences import SETTINGS_FIELDS
from programs.models import Membership

ORDINALS = ("1st", "2nd", "3rd", "4th", "5th")


def person_label(person: Membership) -> str:
    """A person as an option: name, job title and topics (topics prefetched)."""
    parts = [person.user.display_name]
    if person.user.title:
        parts.append(person.user.title)
    topics = ", ".join(t.name for t in person.topics.all())
    if topics:
        parts.append(f"topics: {topics}")
    return " · ".join(parts)


class PreferencesForm(forms.Form):
    """Up to five people, in order of preference; blanks are skipped."""

    def __init__(
        self,
        *args: Any,
        options: list[Membership],
        ranked: list[Membership],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.options = {p.pk: p for p in options}
        choices = [("", "— nobody —"), *((p.pk, person_label(p)) for p in options)]
        for n in range(MatchingPreference.MAX_RANK):
            self.fields[self.field_name(n)] = forms.TypedChoiceField(
                label=f"{ORDINALS[n]} choice",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
            )
        for n, person in enumerate(ranked[: MatchingPreference.MAX_RANK]):
            if person.pk in self.options:
                self.initial[self.field_name(n)] = person.pk

    @staticmethod
    def field_name(n: int) -> str:
        return f"choice_{n + 1}"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        seen: dict[int, int] = {}
        for n in range(MatchingPreference.MAX_RANK):
            pk = data.get(self.field_name(n))
            if pk is None:
                continue
            if pk in seen:
                person = self.options[pk].user.display_name
                self.add_error(
                    self.field_name(n),
                    f"You already chose {person} as your {ORDINALS[seen[pk]]} choice.",
                )
            else:
                seen[pk] = n
        return data

    def chosen(self) -> list[Membership]:
        """The chosen people, best first (a blank choice in between is skipped)."""
        pks = [
            self.cleaned_data.get(self.field_name(n)) for n in range(MatchingPreference.MAX_RANK)
        ]
        return [self.options[pk] for pk in pks if pk is not None]


WEIGHT_HELP = {
    "weight_topics": "The share of the topics the mentee wants help with that the mentor offers.",
    "weight_questions": "How well their answers to the enrolment questions marked “used for "
    "matching” fit, by each question's rule: the same answer, a different answer, or the "
    "mentor offering what the mentee needs.",
    "weight_mentee_preference": "Whether the mentee ranked this mentor among their five "
    "choices: a 1st choice counts in full, a 5th choice a fifth.",
    "weight_mentor_preference": "Whether the mentor ranked this mentee among their five "
    "choices, counted the same way.",
    "weight_seniority": "How close the mentor's seniority is to the ideal gap above the "
    "mentee (set below); three levels or more off counts nothing.",
    "weight_timezone": "How close their time zones are: the same clock time counts in full, "
    "12 hours apart nothing.",
}


# The ranges the model's validators enforce, also given to the browser.
LIMITS = {
    **dict.fromkeys(MatchingSettings.WEIGHT_FIELDS, (0, 10)),
    "ideal_seniority_gap": (0, 5),
    "max_open_requests": (1, 10),
    "response_days": (1, 60),
}


class MatchingSettingsForm(forms.ModelForm):
    class Meta:
        model = MatchingSettings
        fields: ClassVar = list(SETTINGS_FIELDS)
        help_texts: ClassVar = {
            **WEIGHT_HELP,
            "ideal_seniority_gap": "How many seniority levels above the mentee the mentor "
            "ideally is (0: peers).",
            "avoid_same_department": "Never suggest a mentor from the mentee's own department. "
            "People are never matched with their own manager, whatever this says.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (low, high) in LIMITS.items():
            field = cast(forms.IntegerField, self.fields[name])
            field.min_value, field.max_value = low, high
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update(min=low, max=high, step=1)

    def _post_clean(self) -> None:
        # The service validates the model; only the form's own field checks here.
        pass
