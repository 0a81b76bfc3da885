"""Reads about companies' members: the members page, a user's own companies, the dashboard's feed.

Each takes the company (or the user, for their own memberships) and returns a queryset ordered for
its page, with the related rows joined once.
"""

from __future__ import annotations

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from accounts.models import Company, Invitation, Membership, User
from portal.summaries import Summary


def active_members(*, company: Company) -> QuerySet[Membership]:
    return (
        Membership.objects.for_company(company)
        .filter(status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )


def membership_requests(*, company: Company) -> QuerySet[Membership]:
    """Requests to join waiting for a company admin, oldest first."""
    return Membership.objects.for_company(company).requested().select_related("user").order_by("requested_at")


def open_invitations(*, company: Company) -> QuerySet[Invitation]:
    return Invitation.objects.for_company(company).open().select_related("invited_by")


def memberships_for_detail(*, company: Company) -> QuerySet[Membership]:
    return Membership.objects.for_company(company).select_related("user")


def memberships_of(*, user: User, order_by: str = "company__name") -> QuerySet[Membership]:
    """The user's own memberships in every company, whatever their status."""
    return user.memberships.select_related("company").order_by(order_by)


def active_memberships_of(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.active().filter(user=user).select_related("company")


def dashboard_summary(company, membership, *, today=None) -> Summary:
    """The members' activity the dashboard's feed shows: an approval only to those who manage members."""
    feed = {"invitation.accepted": gettext_lazy("s-a alăturat companiei:")}
    if membership.has_right("manage_members"):
        feed["membership.approved"] = gettext_lazy("a aprobat accesul pentru")
    return Summary(feed=feed)


# --- the ERP's pull list (accounts/api.py) ------------------------------------------------------------------


def registrations_for_erp() -> QuerySet[Membership]:
    """Every request made through the signup (the registrant verified their email; an invitation is not a
    request), pending or decided, with its user and company, in one query.

    ``opened_company``: the request is the company's first membership and its administrator's, i.e. the signup
    that registered the company (a request to join an existing company starts as a plain member).
    ``pull_at``: when it was approved, else when it was made; a rejection keeps no time of its own.
    """
    earlier = Membership.objects.filter(company=OuterRef("company"), pk__lt=OuterRef("pk"))
    return (
        Membership.objects.filter(requested_at__isnull=False)
        .select_related("user", "company")
        .annotate(
            opened_company=ExpressionWrapper(Q(role=Membership.Role.ADMIN) & ~Exists(earlier), BooleanField()),
            pull_at=Coalesce("approved_at", "requested_at"),
        )
    )
