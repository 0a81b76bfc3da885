from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from portal import services
from portal.forms import NotificationSettingsForm
from portal.models import Notification
from portal.paging import paginate, query_param
from portal.tenancy import company_member_required
from portal.topics import Delivery

NOTIFICATIONS_PER_PAGE = 30


def _my_notifications(request):
    return Notification.objects.filter(user=request.user).filter(Q(company=request.company) | Q(company__isnull=True))


@require_safe
@company_member_required
def notifications(request: HttpRequest) -> HttpResponse:
    unread_only = query_param(request, "unread") == "1"
    items = _my_notifications(request).order_by("-created_at", "-id")
    if unread_only:
        items = items.filter(read_at__isnull=True)
    page = paginate(request, items, per_page=NOTIFICATIONS_PER_PAGE)
    return render(
        request,
        "portal/notifications.html",
        {
            "page": page,
            "unread_only": unread_only,
            "query_string": "unread=1" if unread_only else "",
        },
    )


@require_POST
@company_member_required
def notification_open(request: HttpRequest, public_id) -> HttpResponse:
    notification = get_object_or_404(_my_notifications(request), public_id=public_id)
    services.notification_mark_read(notification=notification)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("portal:notifications")


@require_POST
@company_member_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(notifications=_my_notifications(request))
    messages.success(
        request,
        ngettext("%(count)d notificare marcată ca citită.", "%(count)d notificări marcate ca citite.", count)
        % {"count": count},
    )
    return redirect("portal:notifications")


@company_member_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    form = NotificationSettingsForm(request.POST or None, user=request.user, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_save(user=request.user, choices=form.cleaned_data)
        messages.success(request, _("Preferințele de notificare au fost salvate."))
        return redirect("portal:notification_settings")
    return render(request, "portal/notification_settings.html", {"form": form, "delivery_choices": Delivery.choices})
