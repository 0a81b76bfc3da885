"""The audit log: who did what, for which company, from which address.

The address comes from the request being served: `RequestIPMiddleware` binds it to a context variable
for the length of the request, so services record it without an `ip=` argument threaded through every
call. Outside a request (Celery tasks, manage.py commands) there is none and the entry keeps no address.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.signals import post_save

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


_request_ip: ContextVar[str | None] = ContextVar("audit_request_ip", default=None)


@contextmanager
def request_ip_bound(ip: str | None):
    """Entries recorded inside this block carry `ip` (the middleware's job; tests use it directly)."""
    token = _request_ip.set(ip)
    try:
        yield
    finally:
        _request_ip.reset(token)


def request_ip() -> str | None:
    """The address of the request being served, or None outside a request."""
    return _request_ip.get()


_actor: ContextVar[str] = ContextVar("audit_actor", default="")


@contextmanager
def acting_as(actor: str):
    """Entries recorded inside this block name ``actor`` (an ERP integration calling the API) in their data."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


class RequestIPMiddleware:
    """Binds the client's address (as client_ip reads it) for everything the request runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_ip_bound(client_ip(request)):
            return self.get_response(request)


def entry(*, action: str, company=None, user=None, obj: models.Model | None = None, **data) -> AuditEntry:
    """The entry ``record`` saves, unsaved (``record_many`` saves a batch of them at once)."""
    if _actor.get():
        data.setdefault("integration", _actor.get())
    return AuditEntry(
        action=action,
        company=company,
        user=user if user is not None and user.is_authenticated else None,
        ip=request_ip(),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(getattr(obj, "public_id", None) or obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data=data,
    )


def record(*, action: str, company=None, user=None, obj: models.Model | None = None, **data) -> AuditEntry:
    audit_entry = entry(action=action, company=company, user=user, obj=obj, **data)
    audit_entry.save()
    return audit_entry


def record_many(entries: list[AuditEntry]) -> None:
    """Save a batch's entries in one statement; each is still announced as saved (the security log's line)."""
    AuditEntry.objects.bulk_create(entries)
    for audit_entry in entries:
        post_save.send(sender=AuditEntry, instance=audit_entry, created=True, raw=False, using="default")
