"""Factories for the core app."""

from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt

from mentoring.models import User

PASSWORD = "correct-horse-battery-staple"


def give_two_factor(user: User) -> str:
    """Give ``user`` an active TOTP authenticator (as allauth's set-up does), unless they
    have one; returns its secret."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return decrypt(existing.data["secret"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(user: User) -> str:
    """The code ``user``'s authenticator app shows now."""
    secret = give_two_factor(user)
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    timezone = "Europe/London"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Give the user a verified primary e-mail address, as after sign-up."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def two_factor(self: Any, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        """Staff have two-factor set up, as they must to use the admin
        (``two_factor=False`` for one who has not; ``True`` for anyone)."""
        if create and (extracted or (self.is_staff and extracted is None)):
            give_two_factor(self)
