"""Tenancy: every client-facing read goes through the company of the request.

``CompanyMiddleware`` sets ``request.company`` and ``request.membership`` from the
user's active membership (the one chosen in the session, else the first).
``company_member_required`` guards client views. Scoped querysets answer
``for_company(company)``; an object of another company is simply not found (404).

A link to an object of another company of the same user (an email, a notification) switches the
session to that company instead of answering 404: see ``CompanyMiddleware``.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib import messages
from django.contrib.messages.storage import default_storage as default_message_storage
from django.core.exceptions import PermissionDenied
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from accounts.models import Company, Membership

SESSION_KEY = "active_company"
# The URL a link to another company's object switched the company for (CompanyMiddleware), for one request.
SWITCHED_KEY = "company_switched_for"

logger = logging.getLogger("portal.tenancy")

_unscoped_reason: ContextVar[str | None] = ContextVar("unscoped_reason", default=None)
# While CompanyMiddleware tries a view with another company: the files that try saved (to delete).
_probe_files: ContextVar[list | None] = ContextVar("company_probe_files", default=None)


@contextmanager
def unscoped(reason: str):
    """Mark a read of company-owned rows that is legitimately not scoped to ``request.company``
    (the user's own memberships, an invitation found by its token).

    The run-time scope (portal/scope.py) raises on any other unscoped read made during a client
    request.
    """
    token = _unscoped_reason.set(reason)
    try:
        yield
    finally:
        _unscoped_reason.reset(token)


def unscoped_reason() -> str | None:
    return _unscoped_reason.get()


class CompanyFromParent(models.Model):
    """A company-owned row under a parent of the same company (a line under its offer).

    The row carries ``company`` itself so that tenancy reads never go through the parent; ``save()``
    copies it from the parent named by ``company_parent``, the one place that does, whoever writes
    the row (a service, an admin inline, an import).
    """

    company_parent: str

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.company_id = getattr(self, self.company_parent).company_id
        super().save(*args, **kwargs)

    @classmethod
    def follow_parent(cls, parent: models.Model) -> int:
        """Rows under ``parent`` take its company again, after staff moved the parent to another company."""
        rows = cls._default_manager.filter(**{cls.company_parent: parent}).exclude(company_id=parent.company_id)
        return rows.update(company_id=parent.company_id)


class CompanyScopedQuerySet(models.QuerySet):
    def for_company(self, company: Company | None):
        if company is None:
            return self.none()
        return self.filter(company=company)


def _active_membership(request) -> Membership | None:
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return None
    memberships = active_memberships(user)
    request.active_memberships = memberships
    wanted = request.session.get(SESSION_KEY)
    if wanted:
        chosen = next((m for m in memberships if str(m.company.public_id) == wanted), None)
        if chosen:
            return chosen
    return memberships[0] if memberships else None


def active_memberships(user) -> list[Membership]:
    """The user's active memberships with their companies and unread notification counts.

    One query serves the tenancy decision, the company switcher and the header's bell on every page.
    """
    # From the registry: the floor imports no app above it, and portal.models imports this module.
    Membership = apps.get_model("accounts", "Membership")
    Notification = apps.get_model("portal", "Notification")
    unread = (
        Notification.objects.filter(user=user, read_at__isnull=True)
        .filter(Q(company=OuterRef("company")) | Q(company__isnull=True))
        .order_by()
        .values("user")
        .annotate(n=Count("*"))
        .values("n")
    )
    with unscoped("the user's own memberships decide the company"):
        return list(
            Membership.objects.active()
            .filter(user=user)
            .select_related("company")
            .annotate(unread_notifications=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
        )


def choose_company(request, membership: Membership) -> None:
    """Make ``membership``'s company the one the session works for (the company switcher, a link to
    another company's object); the next request reads it in ``_active_membership``."""
    request.session[SESSION_KEY] = str(membership.company.public_id)


class CompanyMiddleware:
    """Sets the request's company; turns a 404 on a link to another company's object into a switch.

    A user who works for two companies opens a link (an email, a notification) to an object of the
    company that is not active in the session. If the URL's view answers 404 with the active company
    (or 403: the user lacks the right there, refused before any lookup) and the user is an **active**
    member of another company where the same GET (or HEAD) answers 2xx/3xx, the session switches to
    that company (``choose_company``, as the switcher does), the user is told so (a message) and sent
    to the same URL again, query string included. Otherwise the first answer stands.

    Everyone else gets the 404 exactly as before: no membership (another company's member, staff), a
    pending or rejected membership, a suspended company, a deactivated user, a POST. Only views that
    resolve their objects through the company (``company_member_required``) with an object in the
    URL are retried; lists and forms never switch.

    A 403 in the other company (the user lacks the right there, e.g. billing) does not switch: the
    decorator refuses before the object is looked up, so that 403 says nothing about whether the
    object is there, and switching on it would move the user for any id. They keep the 404, as a
    member without the right gets for an object a right hides.

    Each try (``_probe``) runs the view for real, so it must leave nothing behind: it runs in a
    transaction that is always rolled back (rows, audit entries, "read" marks, tasks and events
    enqueued on commit are gone), with its own message storage, the session restored, files written
    to storage deleted, the security log silent and a streamed file closed. ``probing()`` tells code
    that must know (none does yet). A cache write such as the Gantt fragment stays: it is keyed by
    the object and holds what the page shows anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        _install_probe_guards()

    def __call__(self, request):
        membership = SimpleLazyObject(lambda: _active_membership(request))
        request.membership = membership
        request.company = SimpleLazyObject(lambda: membership.company if membership else None)
        switched_for = _pop_switched_for(request)
        response = self.get_response(request)
        if response.status_code not in (403, 404) or switched_for == request.get_full_path():
            return response  # a switch that still ends in 403/404 is not tried again: no redirect loop
        return _follow_to_other_company(request, self.get_response) or response


def _pop_switched_for(request) -> str | None:
    if not request.user.is_authenticated or SWITCHED_KEY not in request.session:
        return None
    return request.session.pop(SWITCHED_KEY)


def _other_memberships(request) -> list[Membership]:
    """The user's other active memberships, when this 403/404 may be another company's object."""
    match = getattr(request, "resolver_match", None)
    if request.method not in ("GET", "HEAD") or match is None or not match.kwargs:
        return []
    if not hasattr(match.func, "company_right"):  # not a view that looks objects up by company
        return []
    membership = current_membership(request)
    if membership is None:  # staff, pending, another company's member only: the decorator's 404
        return []
    memberships = getattr(request, "active_memberships", None) or []
    return [other for other in memberships if other.company_id != membership.company_id]


def _follow_to_other_company(request, get_response) -> HttpResponse | None:
    for other in _other_memberships(request):
        if _probe(request, other, get_response) < 400:
            choose_company(request, other)
            request.session[SWITCHED_KEY] = request.get_full_path()
            messages.info(request, _("Ați trecut la compania %(company)s.") % {"company": other.company})
            return HttpResponseRedirect(request.get_full_path())
    return None


# What a try changes on the request, put back after it: the company it tries and its own message storage.
_PROBE_SWAPS = ("membership", "company", "_messages")


def _probe(request, membership: Membership, get_response) -> int:
    """The status the view answers with ``membership``'s company; everything it did is undone."""
    saved = {name: request.__dict__[name] for name in _PROBE_SWAPS if name in request.__dict__}
    session = dict(request.session.items())
    request.membership, request.company = membership, membership.company
    request._messages = default_message_storage(request)
    token = _probe_files.set([])
    try:
        with transaction.atomic():
            try:
                response = get_response(request)
            finally:
                transaction.set_rollback(True)
        _release(response)
        return response.status_code
    finally:
        _delete_files(_probe_files.get())
        _probe_files.reset(token)
        for name in _PROBE_SWAPS:
            request.__dict__.pop(name, None)
        request.__dict__.update(saved)
        if dict(request.session.items()) != session:
            request.session.clear()
            request.session.update(session)


def probing() -> bool:
    """True while ``CompanyMiddleware`` tries a view with another company of the user (all undone)."""
    return _probe_files.get() is not None


def _release(response: HttpResponse) -> None:
    """Close a file response's open file without ``response.close()``, which would also send
    ``request_finished`` (closing the database connection in the middle of the request)."""
    for closer in getattr(response, "_resource_closers", ()):
        try:
            closer()
        except Exception:  # a file already closed: nothing left to release
            logger.debug("closing a probe response failed", exc_info=True)
    if hasattr(response, "_resource_closers"):
        response._resource_closers.clear()


def _delete_files(written: list | None) -> None:
    for storage, name in written or ():
        try:
            storage.delete(name)
        except Exception:  # left for the storage's own cleanup; the row that named it is gone
            logger.warning("event=probe_file_not_deleted name=%s", name, exc_info=True)


_guards_installed = False


def _install_probe_guards() -> None:
    """Once: files saved to any storage during a probe are remembered (to be deleted), and the
    security log drops its lines (the audit entries and 404s of a try are not the user's doing)."""
    global _guards_installed
    if _guards_installed:
        return
    original_save = Storage.save

    def save(self, name, content, max_length=None):
        saved_name = original_save(self, name, content, max_length=max_length)
        written = _probe_files.get()
        if written is not None:
            written.append((self, saved_name))
        return saved_name

    Storage.save = save
    logging.getLogger("portal.security_log").addFilter(lambda record: not probing())
    _guards_installed = True


def current_membership(request) -> Membership | None:
    """The unwrapped membership (SimpleLazyObject(None) is not None, so unwrap)."""
    membership = request.membership
    return membership if membership else None


def company_member_required(view=None, *, right: str | None = None):
    """Client views: a logged-in user with an active membership (and ``right``).

    Without a company, a section page sends staff to admin and others to the
    "awaiting approval" page; an object page answers 404, exactly like an id that
    does not exist.
    """

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            membership = current_membership(request)
            if membership is None:
                if kwargs:
                    raise Http404
                if request.user.is_staff:
                    return redirect("admin:index")
                return redirect("accounts:pending")
            # Unwrap so views and templates get real model instances.
            request.membership = membership
            request.company = membership.company
            if right and not membership.has_right(right):
                raise PermissionDenied
            return view_func(request, *args, **kwargs)

        wrapper.company_right = right
        return wrapper

    if view is not None:
        return decorator(view)
    return decorator
