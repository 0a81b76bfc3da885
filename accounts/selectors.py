"""Reads about companies' members: the members page, a user's own companies, the dashboard's feed.

Each takes the company (or the user, for their own memberships) and returns a queryset ordered for
its page, with the related rows joined once.
"""

from __future__ import annotations

from django.db.models import QuerySet
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
