"""Privacy pages: the notice (public), the person's data export and account closure."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import privacy
from accounts.forms import AccountCloseForm
from accounts.models import DataExport
from files.responses import send_file

EXPORTS_SHOWN = 5


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    # The notice is legal text written in each language, not assembled from translated fragments.
    template = "accounts/privacy_en.html" if get_language() == "en" else "accounts/privacy_ro.html"
    return render(request, template, privacy_context())


def privacy_context() -> dict:
    return {
        "retention": {
            "audit_ip_months": settings.RETENTION_AUDIT_IP_MONTHS,
            "sent_email_months": settings.RETENTION_SENT_EMAIL_MONTHS,
            "read_notification_months": settings.RETENTION_READ_NOTIFICATION_MONTHS,
            "export_days": settings.RETENTION_EXPORT_DAYS,
        },
    }


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        privacy.export_request(user=request.user)
        messages.success(
            request, _("Pregătim exportul datelor dumneavoastră. Veți primi o notificare când îl puteți descărca.")
        )
        return redirect("accounts:my_data")
    exports = DataExport.objects.filter(user=request.user, expires_at__gt=timezone.now())[:EXPORTS_SHOWN]
    return render(request, "accounts/my_data.html", {"exports": exports, **privacy_context()})


@require_GET
@login_required
def data_export_download(request: HttpRequest, public_id) -> HttpResponse:
    mine = Q(user=request.user) | Q(requested_by=request.user, requested_by__is_staff=True)
    ready = DataExport.objects.filter(mine, status=DataExport.Status.READY, expires_at__gt=timezone.now())
    export = get_object_or_404(ready, public_id=public_id)
    filename = f"date-personale-{timezone.localtime(export.created_at):%Y-%m-%d}.zip"
    return send_file(export.file, filename=filename, content_type="application/zip")


@login_required
def account_close(request: HttpRequest) -> HttpResponse:
    form = AccountCloseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            privacy.account_close(user=request.user, by=request.user)
        except privacy.AccountNotClosable as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(
                request, _("Contul a fost închis, iar datele dumneavoastră personale au fost anonimizate.")
            )
            return redirect("account_login")
    return render(request, "accounts/account_close.html", {"form": form})
