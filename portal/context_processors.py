from django.conf import settings

from portal.navigation import sections_for
from portal.tenancy import active_memberships, current_membership


def portal(request) -> dict:
    if not hasattr(request, "membership") or not request.user.is_authenticated:
        return {"supplier": settings.SUPPLIER}
    membership = current_membership(request)

    def memberships():
        # Loaded with the membership by CompanyMiddleware, in the same query (portal.tenancy).
        loaded = getattr(request, "active_memberships", None)
        return loaded if loaded is not None else active_memberships(request.user)

    def other_memberships():
        return sorted((m for m in memberships() if m.pk != membership.pk), key=lambda m: m.company.name)

    def unread_notifications():
        if not membership:
            return 0
        unread = getattr(membership, "unread_notifications", None)
        if unread is None:
            unread = next((m.unread_notifications for m in memberships() if m.pk == membership.pk), 0)
        return unread

    return {
        "supplier": settings.SUPPLIER,
        "unread_notifications": unread_notifications,
        "current_membership": membership,
        "current_company": membership.company if membership else None,
        "nav_sections": sections_for(membership),
        # Callables: templates evaluate them only where the switcher and the bell are drawn.
        "other_memberships": other_memberships,
    }
