from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.db import models

from portal.models import AuditEntry


def client_ip(request) -> str | None:
    """The client's address: the one allauth's rate limits count, so the audit log and the limits agree.

    allauth takes it from X-Forwarded-For only when ALLAUTH_TRUSTED_PROXY_COUNT is set (portal/settings.py
    derives it from BEHIND_PROXY): the entry the outermost trusted proxy appended, counted from the right
    (with one proxy, the right-most). Entries further left were written by the client and can be anything,
    so they are never used. Without a trusted proxy the header is ignored and REMOTE_ADDR is the client.
    A port is dropped; a value that is not an IP address gives None.
    """
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:  # allauth's answer when the address is not an IP address
        return None


def record(*, action: str, company=None, user=None, ip: str | None = None,
           obj: models.Model | None = None, **data) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        company=company,
        user=user if user is not None and user.is_authenticated else None,
        ip=ip,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(getattr(obj, "public_id", None) or obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data=data,
    )
