"""Who is calling the API: an ERP integration by its key (``Authorization: Bearer erp_…``), from an allowed
network, within its rate limit. A browser session never authenticates an API call."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from integrations import keys, services
from integrations.models import Integration
from portal.api import Forbidden
from portal.audit import client_ip


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def rate_limit() -> int:
    return int(getattr(settings, "API_RATE_LIMIT_PER_MINUTE", 600))


def check_rate(integration: Integration) -> None:
    """A fixed one-minute window per key, counted in the shared cache (every host sees the same count)."""
    now = timezone.now()
    window = f"api-rate:{integration.pk}:{now:%Y%m%d%H%M}"
    cache.add(window, 0, timeout=90)
    try:
        count = cache.incr(window)
    except ValueError:  # evicted between add and incr
        cache.set(window, 1, timeout=90)
        count = 1
    if count > rate_limit():
        raise RateLimited(retry_after=60 - now.second)


def refuse_nul(request) -> None:
    """PostgreSQL stores no NUL character in text: a JSON body or a query that carries one is refused whole
    (a 400 here, not a 500 at whichever query meets it first). Multipart files may hold any byte."""
    query = request.META.get("QUERY_STRING", "")
    in_json = request.content_type == "application/json" and (b"\\u0000" in request.body or b"\x00" in request.body)
    if in_json or "%00" in query or "\x00" in query:
        raise ValidationError(_("Cererea conține caractere nule (U+0000), care nu sunt permise."))


class IntegrationKey(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token: str) -> Integration | None:
        integration = Integration.objects.filter(key_hash=keys.key_hash(token), revoked_at__isnull=True).first()
        if integration is None:
            return None
        ip = client_ip(request)
        if not keys.address_allowed(integration.allowed_networks, ip):
            raise Forbidden("network")
        check_rate(integration)
        refuse_nul(request)
        services.record_use(integration=integration, ip=ip)
        request.integration = integration
        return integration
