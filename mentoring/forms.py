"""Forms of the core app: sign-up extras and the user's profile."""

from typing import Any, ClassVar

from django import forms
from django.http import HttpRequest

from mentoring.models import (
    Category,
    ContactChannel,
    NotificationPreference,
    User,
    Weekday,
    timezone_names,
)


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in timezone_names()]


class SignupExtraForm(forms.Form):
    """Asked at sign-up besides e-mail and password (allauth's SIGNUP_FORM_CLASS)."""

    name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        user.name = self.cleaned_data["name"]
        user.save(update_fields=["name"])


class ProfileForm(forms.ModelForm):
    timezone = forms.TypedChoiceField(
        label="Time zone",
        choices=timezone_choices,
        help_text="Times across Constellation are shown in this zone.",
    )
    contact_channels = forms.TypedMultipleChoiceField(
        label="Preferred contact channels",
        choices=ContactChannel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="How you are happy to be contacted about mentoring.",
    )
    contact_days = forms.TypedMultipleChoiceField(
        label="Days you may be contacted",
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = User
        fields: ClassVar = [
            "name",
            "title",
            "organisation",
            "timezone",
            "bio",
            "contact_channels",
            "contact_days",
            "contact_hours_start",
            "contact_hours_end",
        ]
        widgets: ClassVar = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "bio": forms.Textarea(attrs={"rows": 4}),
            "contact_hours_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "contact_hours_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts: ClassVar = {
            "bio": "A few lines your mentors and mentees will see.",
            "contact_hours_start": "In your time zone. Reminders wait until this hour.",
            "contact_hours_end": "In your time zone. Nothing is sent after this hour.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True

    def clean_contact_channels(self) -> list[str]:
        channels: list[str] = self.cleaned_data["contact_channels"]
        if not channels:
            raise forms.ValidationError("Choose at least one way to be contacted.")
        return channels

    def clean_contact_days(self) -> list[int]:
        days: list[int] = self.cleaned_data["contact_days"]
        if not days:
            raise forms.ValidationError("Choose at least one day you may be contacted.")
        return sorted(days)


def add_service_errors(form: forms.BaseForm, exc: Any) -> None:
    """Put a service's ValidationError on ``form``: next to its field where there is one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class NotificationPreferencesForm(forms.Form):
    """How a person hears of each category of notification."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category in Category:
            self.fields[category.value] = forms.ChoiceField(
                label=category.label,
                choices=NotificationPreference.Mode.choices,
                widget=forms.RadioSelect,
            )
