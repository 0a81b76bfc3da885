from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.utils import translation

from accounts.models import User
from portal.notifications import store_rendered
from portal.tasks import send_rendered_email
from portal.tasks_util import enqueue


def on_site(url: str) -> str:
    """``url``'s path, query and fragment on settings.SITE_URL, whatever host it was built on."""
    parts = urlsplit(url)
    return settings.SITE_URL + urlunsplit(("", "", parts.path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        # The profile's language wins over the browser's from the first page after login.
        if user.language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=365 * 24 * 3600,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response

    def save_user(self, request, user, form, commit=True):
        # A new account speaks the language the person signed up in (their emails too).
        language = translation.get_language()
        if language in dict(settings.LANGUAGES):
            user.language = language
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Every allauth email (verification, password reset, two-factor, email change, notices):
        rendered here, in the recipient's language, branded as the portal's own emails
        (templates/account/email/, templates/mfa/email/), and sent by a task after commit.

        SMTP being slow or down never fails the request: the task retries with backoff and, past
        its retries, waits in the outbox (portal.tasks_util); each message is sent at most once.
        """
        request = allauth_context.request
        # allauth builds its links (activate_url, password_reset_url, signup_url) from the host the
        # request came in on; the portal's own emails link to SITE_URL: one email, one host.
        links = {name: on_site(value) for name, value in context.items() if name.endswith("_url") and value}
        with translation.override(self._language_for(email, context)):
            ctx = {
                "request": request,
                "email": email,
                "site_url": settings.SITE_URL,
                "supplier": settings.SUPPLIER,
                **context,
                **links,
            }
            message = self.render_mail(template_prefix, email, ctx)
        record = store_rendered(message=message, template=template_prefix)
        enqueue(send_rendered_email, record.pk, robust=True)

    @staticmethod
    def _language_for(email: str, context: dict) -> str:
        user = context.get("user")
        if not isinstance(user, User):
            user = User.objects.filter(email__iexact=email).only("language").first()
        if user is not None and user.language in dict(settings.LANGUAGES):
            return user.language
        return translation.get_language() or settings.LANGUAGE_CODE
