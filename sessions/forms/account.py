"""Deleting one's own account: the current password, the two-factor code if it is on,
and a typed confirmation."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django import forms

from mentoring.models import User

CONFIRMATION = "DELETE"


class AccountDeleteForm(forms.Form):
    """The current password, the two-factor code if it is on, and a typed confirmation."""

    password = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label="Code from your authenticator app",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    confirm = forms.CharField(
        label=f"Type {CONFIRMATION} to confirm",
        max_length=20,
        help_text="In capitals: this cannot be undone.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if self.totp is None:
            del self.fields["code"]
        else:
            self.fields["code"].required = True

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        return password

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip().replace(" ", "")
        if self.totp is not None and not TOTP(self.totp).validate_code(code):
            raise forms.ValidationError("That code is not valid; try the current one.")
        return code

    def clean_confirm(self) -> str:
        confirm: str = self.cleaned_data["confirm"].strip()
        if confirm != CONFIRMATION:
            raise forms.ValidationError(f"Type {CONFIRMATION}, in capitals, to confirm.")
        return confirm
