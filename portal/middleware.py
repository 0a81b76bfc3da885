import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class RomanianByDefaultMiddleware:
    """The portal speaks Romanian unless the user picked English (cookie or profile).

    A browser set to English is common among Romanian office staff; it must not switch the
    portal's language on its own, so Accept-Language is ignored before LocaleMiddleware runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


# Browser features the portal never uses, refused to its pages and to anything they frame (a PDF preview).
# Only names Chromium recognises (it reports an unknown one as an error in the console). Left allowed:
# fullscreen, for the browser's PDF viewer; publickey-credentials-*, should two-factor offer security keys.
# interest-cohort (FLoC) is gone from browsers; browsing-topics is what replaced it.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "clipboard-read",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response, next to the headers Django's SecurityMiddleware sets
    (nosniff, Referrer-Policy, HSTS), which has no setting for it; django-csp sends the CSP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class SessionSecurityMiddleware:
    """Idle and absolute session timeouts, no caching of authenticated pages, 2FA for admin.

    - A session unused for SESSION_IDLE_TIMEOUT seconds, or older than SESSION_ABSOLUTE_TIMEOUT
      since login, is ended on the server (flushed), so the next request asks to log in again.
    - Pages for a logged-in user are sent with Cache-Control: no-store (shared computers,
      back button after logout).
    - With ADMIN_REQUIRE_MFA (on in production), staff reach /admin/ only with two-factor set up.
    """

    ACTIVITY_KEY = "_portal_last_activity"
    STARTED_KEY = "_portal_session_started"
    # Writing the session on every request costs a query; a minute of slack is harmless.
    ACTIVITY_RESOLUTION = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            expired = self._expire(request)
            if expired is not None:
                return expired
            blocked = self._require_admin_mfa(request)
            if blocked is not None:
                return blocked
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            from django.utils.cache import add_never_cache_headers

            if "Cache-Control" not in response or "no-store" not in response["Cache-Control"]:
                add_never_cache_headers(response)
        return response

    def _expire(self, request):
        now = int(time.time())
        session = request.session
        started = session.setdefault(self.STARTED_KEY, now)
        last = session.get(self.ACTIVITY_KEY, now)
        if now - last > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
            logout(request)
            return None
        if now - last >= self.ACTIVITY_RESOLUTION or self.ACTIVITY_KEY not in session:
            session[self.ACTIVITY_KEY] = now
        return None

    def _require_admin_mfa(self, request):
        if not (settings.ADMIN_REQUIRE_MFA and request.user.is_staff and request.path.startswith("/admin/")):
            return None

        if Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
            return None
        messages.warning(
            request, _("Pentru administrare este obligatorie autentificarea în doi pași. Activați-o mai întâi.")
        )
        return redirect(reverse("mfa_activate_totp"))
