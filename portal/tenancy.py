"""Tenancy: every client-facing read goes through the company of the request.

``CompanyMiddleware`` sets ``request.company`` and ``request.membership`` from the
user's active membership (the one chosen in the session, else the first).
``company_member_required`` guards client views. Scoped querysets answer
``for_company(company)``; an object of another company is simply not found (404).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject

if TYPE_CHECKING:
    from accounts.models import Company, Membership

SESSION_KEY = "active_company"

_unscoped_reason: ContextVar[str | None] = ContextVar("unscoped_reason", default=None)


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


class CompanyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = SimpleLazyObject(lambda: _active_membership(request))
        request.membership = membership
        request.company = SimpleLazyObject(lambda: membership.company if membership else None)
        return self.get_response(request)


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
