"""Who is calling the API: an ERP integration by its key (``Authorization: Bearer erp_…``), from an allowed
network, within its rate limit. A browser session never authenticates an API call."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
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
        services.record_use(integration=integration, ip=ip)
        request.integration = integration
        return integration
