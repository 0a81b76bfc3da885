"""The demo ERP integration: every scope, a key that docs/API.md's curl examples use against `make run`.

A fixed key, like the demo users' fixed password: only ever for the demo data on a developer's machine."""

from integrations import keys, services
from integrations.models import SCOPE_CHOICES, Integration

DEMO_NAME = "ERP demo"
DEMO_KEY = "erp_demo_Portal-demo-2026-cheie-API"


def seed(demo: dict) -> None:
    integration = Integration.objects.filter(name=DEMO_NAME).first()
    if integration is None:
        integration, _key = services.integration_create(name=DEMO_NAME, scopes=[s for s, _label in SCOPE_CHOICES])
    Integration.objects.filter(pk=integration.pk).update(
        key_hash=keys.key_hash(DEMO_KEY), key_prefix=DEMO_KEY[: len(keys.KEY_PREFIX) + 6], revoked_at=None
    )
    demo.setdefault("logins", []).append((DEMO_KEY, "cheie API a integrării „ERP demo” (Authorization: Bearer …)"))
