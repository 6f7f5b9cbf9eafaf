"""Finding people by e-mail: by their login address or any address they verified."""

from allauth.account.models import EmailAddress

from mentoring.models import User


def account_for_email(email: str) -> User | None:
    """The account that owns ``email``: its login address, or a verified second address."""
    email = email.strip()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address is not None else None


def addresses_of(user: User) -> set[str]:
    """Every address that is ``user``'s: the login address and the verified ones, lower-cased."""
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return {user.email.lower(), *(e.lower() for e in verified)}
