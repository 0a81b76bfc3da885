"""Integrations' writes: creating an ERP integration (its key shown once), rotating and revoking its key."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from integrations import keys
from integrations.models import Integration
from portal import audit


@transaction.atomic
def integration_create(*, name: str, scopes: list[str], allowed_networks: str = "", by: User | None = None):
    """A new integration and its key: the key is returned once and only its hash is kept."""
    keys.parse_networks(allowed_networks)
    key = keys.new_key()
    integration = Integration.objects.create(
        name=name,
        scopes=sorted(set(scopes)),
        allowed_networks=allowed_networks.strip(),
        key_prefix=key[: len(keys.KEY_PREFIX) + 6],
        key_hash=keys.key_hash(key),
        created_by=by,
    )
    audit.record(action="integration.created", user=by, obj=integration, scopes=integration.scopes)
    return integration, key


@transaction.atomic
def integration_rotate_key(*, integration: Integration, by: User | None = None) -> str:
    key = keys.new_key()
    Integration.objects.filter(pk=integration.pk).update(
        key_prefix=key[: len(keys.KEY_PREFIX) + 6], key_hash=keys.key_hash(key), revoked_at=None
    )
    audit.record(action="integration.key_rotated", user=by, obj=integration)
    return key


def integration_revoke(*, integration: Integration, by: User | None = None) -> None:
    if integration.revoked_at is None:
        Integration.objects.filter(pk=integration.pk).update(revoked_at=timezone.now())
        audit.record(action="integration.revoked", user=by, obj=integration)


def record_use(*, integration: Integration, ip: str | None) -> None:
    """At most one write a minute per key: the admin shows when and from where it was last used."""
    now = timezone.now()
    if integration.last_used_at and (now - integration.last_used_at).total_seconds() < 60:
        return
    Integration.objects.filter(pk=integration.pk).update(last_used_at=now, last_used_ip=ip)
