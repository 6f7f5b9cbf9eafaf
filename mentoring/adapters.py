"""django-allauth adapter: where sign-up and login meet the rest of Constellation."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        user.email = user.email.lower()
        # The name is saved by SignupExtraForm.signup(), allauth's hook for extra fields.
        if commit:
            user.save()
        return user

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        # Links in e-mails point at the public site, even when sent from a worker.
        url = super().get_email_confirmation_url(request, emailconfirmation)
        if url.startswith("/"):
            return settings.SITE_URL + url
        return url
