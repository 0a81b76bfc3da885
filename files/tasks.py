from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.models import Membership
from files.models import Document, DocumentVersion
from portal.notifications import notify, send_to_user_once


@shared_task
def notify_new_document_version(version_id: int) -> None:
    """Tell every member who may see the document; safe to run twice (one email per key)."""
    version = DocumentVersion.objects.select_related("document__company").filter(pk=version_id).first()
    if version is None:
        return
    document = version.document
    url = reverse("files:detail", args=[document.public_id])
    members = Membership.objects.active().filter(company=document.company).select_related("user", "company")
    for membership in members:
        if not Document.objects.visible_to(membership).filter(pk=document.pk).exists():
            continue
        key = f"document-version:{version.pk}"
        notify(
            user=membership.user,
            company=document.company,
            kind="document.new",
            message="document.new" if version.number == 1 else "document.version",
            params={"title": document.title},
            url=url,
            key=key,
        )
        send_to_user_once(
            key=key,
            user=membership.user,
            template="document_new",
            context={"document": document, "version": version, "url": settings.SITE_URL + url},
        )
