"""Writes of the core app."""

import datetime as dt

from django.db import transaction

from mentoring.models import User


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    name: str,
    title: str,
    organisation: str,
    timezone: str,
    bio: str,
    contact_channels: list[str],
    contact_days: list[int],
    contact_hours_start: dt.time,
    contact_hours_end: dt.time,
) -> User:
    """Save a person's profile and contact boundaries."""
    user.name = name
    user.title = title
    user.organisation = organisation
    user.timezone = timezone
    user.bio = bio
    user.contact_channels = contact_channels
    user.contact_days = contact_days
    user.contact_hours_start = contact_hours_start
    user.contact_hours_end = contact_hours_end
    user.full_clean(exclude=["password"])
    user.save()
    return user
