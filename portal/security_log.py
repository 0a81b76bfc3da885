"""The security log: one ``key=value`` line per security event on the ``portal.security_log`` logger.

Events: logins (success, failure, logout), two-factor changes, denied access (403, and 404 for a
logged-in user, which is how another company's id answers), every audited action (offer decisions,
payments, memberships…) and every admin change. Each line names the user, the company and the IP;
the same fields travel in ``record.security`` for log shippers and tests.
"""

from __future__ import annotations

import logging

from allauth.mfa import signals as mfa_signals
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_save
from django.utils.functional import SimpleLazyObject, empty

from portal.audit import client_ip
from portal.models import AuditEntry
from portal.tenancy import SESSION_KEY, unscoped

logger = logging.getLogger("portal.security_log")


def _quote(value) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if not text or any(c in text for c in ' ="'):
        return f'"{text}"'
    return text


def event(name: str, *, level: int = logging.INFO, **fields) -> None:
    fields = {"event": name, **fields}
    line = " ".join(f"{key}={_quote(value)}" for key, value in fields.items())
    logger.log(level, line, extra={"security": fields})


def _ip(request) -> str | None:
    if request is None:
        return None

    return client_ip(request)


def _company_of(request, user, *, query: bool = True) -> str:
    """The company's public id (as in the session and URLs): the request's if already known, else
    the one chosen in the session; with ``query``, else the user's companies (a query: not on error
    pages, whose query count stays fixed)."""
    if request is not None:
        company = getattr(request, "company", None)
        if isinstance(company, SimpleLazyObject):
            company = None if company._wrapped is empty else company._wrapped  # never load it here
        if company is not None and getattr(company, "pk", None):
            return str(company.public_id)
        session = getattr(request, "session", None)
        selected = session.get(SESSION_KEY) if session is not None else None
        if selected:
            return str(selected)
    if not query or user is None or not getattr(user, "is_authenticated", False):
        return ""
    Membership = apps.get_model("accounts", "Membership")  # the floor imports no app above it
    with unscoped("security log: the companies of the user who logs in"):
        ids = list(Membership.objects.active().filter(user=user).values_list("company__public_id", flat=True))
    return ",".join(str(public_id) for public_id in ids)


def _user(user) -> str:
    return str(user.pk) if user is not None and getattr(user, "is_authenticated", False) else ""


def request_fields(request, user=None, *, query: bool = True) -> dict:
    user = user if user is not None else getattr(request, "user", None)
    return {
        "user": _user(user),
        "email": getattr(user, "email", "") if _user(user) else "",
        "company": _company_of(request, user, query=query),
        "ip": _ip(request),
        "path": request.path if request is not None else "",
    }


# --- receivers (connected in PortalConfig.ready) -------------------------------------------------------


def on_login(sender, request, user, **kwargs):
    event("login_succeeded", **request_fields(request, user))


def on_login_failed(sender, credentials, request=None, **kwargs):
    email = credentials.get("email") or credentials.get("username") or ""
    event(
        "login_failed",
        level=logging.WARNING,
        user="",
        email=email,
        company="",
        ip=_ip(request),
        path=request.path if request is not None else "",
    )


def on_logout(sender, request, user, **kwargs):
    event("logout", **request_fields(request, user))


def _authenticator(name):
    def receiver(sender, request=None, authenticator=None, user=None, **kwargs):
        user = user or getattr(authenticator, "user", None)
        event(
            name,
            level=logging.WARNING,
            authenticator=getattr(authenticator, "type", ""),
            **request_fields(request, user),
        )

    return receiver


on_authenticator_added = _authenticator("mfa_added")
on_authenticator_removed = _authenticator("mfa_removed")
on_authenticator_reset = _authenticator("mfa_reset")


def on_audit_entry(sender, instance, created, **kwargs):
    if not created:
        return
    company = instance.company.public_id if instance.company_id else ""  # the object audit.record was given
    event(
        "action",
        action=instance.action,
        user=instance.user_id or "",
        company=company,
        ip=instance.ip,
        object=instance.object_type,
        object_id=instance.object_id,
    )


def on_admin_change(sender, instance, created, **kwargs):
    if not created:
        return
    flag = {1: "added", 2: "changed", 3: "deleted"}.get(instance.action_flag, str(instance.action_flag))
    event(
        "admin_change",
        level=logging.WARNING,
        change=flag,
        user=instance.user_id,
        object=instance.content_type.model if instance.content_type_id else "",
        object_id=instance.object_id,
        object_repr=instance.object_repr[:100],
    )


def denied(request, status: int) -> None:
    """A 403, or a 404 seen by a logged-in user (another company's id looks like a missing one)."""
    user = getattr(request, "user", None)
    if status == 404 and not (user is not None and user.is_authenticated):
        return
    event(
        "access_denied",
        level=logging.WARNING,
        status=status,
        method=request.method,
        **request_fields(request, query=False),
    )


def connect() -> None:
    auth_signals.user_logged_in.connect(on_login, dispatch_uid="security_log_login")
    auth_signals.user_login_failed.connect(on_login_failed, dispatch_uid="security_log_login_failed")
    auth_signals.user_logged_out.connect(on_logout, dispatch_uid="security_log_logout")
    mfa_signals.authenticator_added.connect(on_authenticator_added, dispatch_uid="security_log_mfa_added")
    mfa_signals.authenticator_removed.connect(on_authenticator_removed, dispatch_uid="security_log_mfa_removed")
    mfa_signals.authenticator_reset.connect(on_authenticator_reset, dispatch_uid="security_log_mfa_reset")
    post_save.connect(on_audit_entry, sender=AuditEntry, dispatch_uid="security_log_audit")
    post_save.connect(on_admin_change, sender=LogEntry, dispatch_uid="security_log_admin")
