from django.conf import settings

from portal.navigation import sections_for
from portal.tenancy import current_membership


def portal(request) -> dict:
    if not hasattr(request, "membership") or not request.user.is_authenticated:
        return {"supplier": settings.SUPPLIER}
    membership = current_membership(request)

    def other_memberships():
        from accounts.models import Membership

        return (Membership.objects.active().filter(user=request.user).exclude(pk=membership.pk if membership else None)
                .select_related("company").order_by("company__name"))

    return {
        "supplier": settings.SUPPLIER,
        "current_membership": membership,
        "current_company": membership.company if membership else None,
        "nav_sections": sections_for(membership),
        # A callable: templates evaluate it only where the switcher is drawn.
        "other_memberships": other_memberships,
    }
