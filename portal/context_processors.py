from django.conf import settings

from portal.navigation import sections_for
from portal.tenancy import current_membership, unscoped


def portal(request) -> dict:
    if not hasattr(request, "membership") or not request.user.is_authenticated:
        return {"supplier": settings.SUPPLIER}
    membership = current_membership(request)

    def other_memberships():
        from accounts.models import Membership

        with unscoped("the company switcher lists the user's own memberships"):
            return list(Membership.objects.active().filter(user=request.user)
                        .exclude(pk=membership.pk if membership else None)
                        .select_related("company").order_by("company__name"))

    def unread_notifications():
        from django.db.models import Q

        from portal.models import Notification

        if not membership:
            return 0
        return Notification.objects.filter(user=request.user, read_at__isnull=True).filter(
            Q(company=membership.company) | Q(company__isnull=True)).count()

    return {
        "supplier": settings.SUPPLIER,
        "unread_notifications": unread_notifications,
        "current_membership": membership,
        "current_company": membership.company if membership else None,
        "nav_sections": sections_for(membership),
        # A callable: templates evaluate it only where the switcher is drawn.
        "other_memberships": other_memberships,
    }
