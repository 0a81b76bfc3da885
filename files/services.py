"""Writes for private files and the document centre. Every other section stores files here."""

from __future__ import annotations

import hashlib
import time

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, User
from files import tasks
from files.links import linkable
from files.models import Document, DocumentSeen, DocumentVersion, StoredFile, UnreadDocuments
from files.validation import validate_upload
from portal import audit, events
from portal.tasks_util import enqueue


def _sha256(uploaded) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks() if hasattr(uploaded, "chunks") else [uploaded.read()]:
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def store_upload(*, company: Company, uploaded, user: User | None = None) -> StoredFile:
    """Check an uploaded file (size, type by extension and content) and keep it privately."""
    file_type = validate_upload(uploaded)
    stored = StoredFile(
        company=company,
        original_name=uploaded.name[-255:],
        content_type=file_type.content_type,
        size=uploaded.size,
        sha256=_sha256(uploaded),
        uploaded_by=user,
    )
    stored.file.save(uploaded.name, uploaded, save=False)
    try:
        stored.save()
    except Exception:
        stored.file.delete(save=False)
        raise
    return stored


def store_generated(*, company: Company, name: str, content: bytes, content_type: str) -> StoredFile:
    """Keep a file the portal made itself (a PDF); it skips upload checks."""
    stored = StoredFile(
        company=company,
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    stored.file.save(name, ContentFile(content), save=False)
    stored.save()
    return stored


def _check_link(company: Company, linked: models.Model | None) -> None:
    if linked is None:
        return
    if linkable(linked._meta.label_lower) is None:
        raise ValidationError(_("Documentele nu pot fi legate de acest tip de obiect."))
    if getattr(linked, "company_id", None) != company.pk:
        raise ValidationError(_("Obiectul legat aparține altei companii."))


@transaction.atomic
def document_create(
    *,
    company: Company,
    title: str,
    uploaded,
    user: User | None,
    category: str = "altele",
    description: str = "",
    source: str = Document.Source.SUPPLIER,
    linked: models.Model | None = None,
    comment: str = "",
    erp_key: str = "",
) -> Document:
    _check_link(company, linked)
    document = Document.objects.create(
        company=company,
        erp_key=erp_key,
        title=title,
        category=category,
        description=description,
        source=source,
        linked_type=ContentType.objects.get_for_model(linked) if linked is not None else None,
        linked_id=linked.pk if linked is not None else None,
        created_by=user,
    )
    _add_version(document, uploaded=uploaded, user=user, comment=comment)
    audit.record(action="document.created", company=company, user=user, obj=document, source=source)
    return document


@transaction.atomic
def document_add_version(*, document: Document, uploaded, user: User | None, comment: str = "") -> DocumentVersion:
    document = Document.objects.select_for_update().get(pk=document.pk)
    version = _add_version(document, uploaded=uploaded, user=user, comment=comment)
    audit.record(
        action="document.version_added", company=document.company, user=user, obj=document, version=version.number
    )
    return version


@transaction.atomic
def document_push(
    *,
    company: Company,
    erp_key: str,
    uploaded,
    title: str,
    category: str,
    description: str = "",
    linked: models.Model | None = None,
) -> tuple[Document, str]:
    """The ERP's document, known by its own key within the company: "created"; "updated" (its details, and a
    new version when the file is not the current version's); or "unchanged". Clients are notified of a new
    document or version as for the admin's upload."""
    try:
        validate_upload(uploaded)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    # The company's row lock orders two first pushes of one key: the second finds the first's document.
    Company.objects.select_for_update().only("pk").get(pk=company.pk)
    document = (
        Document.objects.select_for_update(of=("self",))
        .select_related("current_version__file")
        .filter(company=company, erp_key=erp_key)
        .first()
    )
    if document is None:
        document = document_create(
            company=company,
            erp_key=erp_key,
            title=title,
            uploaded=uploaded,
            user=None,
            category=category,
            description=description,
            linked=linked,
        )
        return document, "created"
    _check_link(company, linked)
    changed = _update_details(document, title=title, category=category, description=description, linked=linked)
    current = document.current_version
    new_file = current is None or current.file.sha256 != _sha256(uploaded)
    if new_file:
        document_add_version(document=document, uploaded=uploaded, user=None)
        document.refresh_from_db()
    return document, "updated" if changed or new_file else "unchanged"


def _update_details(document: Document, *, linked: models.Model | None, **fields) -> list[str]:
    fields["linked_type_id"] = ContentType.objects.get_for_model(linked).pk if linked is not None else None
    fields["linked_id"] = linked.pk if linked is not None else None
    changed = sorted(name for name, value in fields.items() if getattr(document, name) != value)
    if changed:
        for name in changed:
            setattr(document, name, fields[name])
        document.save(update_fields=[*changed, "updated_at"])
        audit.record(action="document.updated", company=document.company, obj=document, fields=changed)
    return changed


def _add_version(document: Document, *, uploaded, user: User | None, comment: str) -> DocumentVersion:
    stored = store_upload(company=document.company, uploaded=uploaded, user=user)
    number = (document.versions.aggregate(last=models.Max("number"))["last"] or 0) + 1
    version = DocumentVersion.objects.create(
        document=document, number=number, file=stored, comment=comment, uploaded_by=user
    )
    document.current_version = version
    document.save(update_fields=["current_version", "updated_at"])
    if document.source == Document.Source.SUPPLIER:
        enqueue(tasks.notify_new_document_version, version.pk)
    elif user is not None and not user.is_staff:
        _publish_upload(document, version, stored)
    return version


def _publish_upload(document: Document, version: DocumentVersion, stored: StoredFile) -> None:
    """A client's upload (a new document or a new version of one), which the ERP may want to file."""
    events.publish(
        "document.uploaded",
        company=document.company,
        obj=document,
        data={
            "title": document.title,
            "category": document.category,
            "version": version.number,
            "file": {"name": stored.original_name, "size": stored.size, "content_type": stored.content_type},
        },
    )


def document_mark_seen(*, document: Document, user: User) -> None:
    """The user has opened the document's current version; their unread count is then counted again."""
    number = document.current_version.number if document.current_version else 0
    seen = DocumentSeen.objects.filter(user=user, document=document)
    if not seen.filter(version_number__lt=number).update(version_number=number, seen_at=timezone.now()):
        _seen, created = DocumentSeen.objects.get_or_create(
            user=user, document=document, defaults={"version_number": number}
        )
        if not created:
            return
    # An upsert, so that a count a concurrent dashboard made before this open cannot be stored as current.
    UnreadDocuments.objects.bulk_create(
        [UnreadDocuments(user=user, company_id=document.company_id, stamp=-1, opened=time.time_ns())],
        update_conflicts=True,
        unique_fields=["user", "company"],
        update_fields=["stamp", "opened"],
    )


def record_download(*, document: Document, version: DocumentVersion, user: User, inline: bool) -> None:
    audit.record(
        action="document.previewed" if inline else "document.downloaded",
        company=document.company,
        user=user,
        obj=document,
        version=version.number,
    )
