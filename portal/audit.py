from __future__ import annotations

from django.db import models

from portal.models import AuditEntry


def client_ip(request) -> str | None:
    # Behind the proxy, SECURE_PROXY_SSL_HEADER deployments pass the client in X-Forwarded-For;
    # the left-most entry is the one the proxy appended for the real client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


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
