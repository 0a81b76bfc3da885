"""allauth's signals, each handed to a service (no logic here)."""

from accounts import services


def email_confirmed(sender, request, email_address, **kwargs) -> None:
    """The signup's address is verified (confirmation link, password reset, or staff in admin)."""
    user = email_address.user
    if email_address.email.lower() == user.email.lower():
        services.registration_email_verified(user=user)
