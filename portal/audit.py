from __future__ import annotations

import ipaddress

from django.conf import settings
from django.db import models

from portal.models import AuditEntry


def _ip_or_none(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address: behind our proxy, the entry it appended (right-most) to X-Forwarded-For.

    Entries further left were written by the client and can be anything, so they are never used.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return _ip_or_none(forwarded.split(",")[-1])
    return _ip_or_none(request.META.get("REMOTE_ADDR", ""))


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
