"""Shared type aliases."""

from django.http import HttpRequest

from mentoring.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind ``login_required``: its user is a real ``User``."""

    user: User
