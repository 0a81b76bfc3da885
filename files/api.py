"""The ERP's side of the document centre in the API: documents client users uploaded, pulled by cursor, and
any document's versions downloaded."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema

from files import selectors
from files.models import Document, DocumentVersion
from files.responses import file_response, safe_filename
from portal import audit
from portal.api import require
from portal.api_paging import Page, PullParams, pull
from portal.api_refs import CompanyRef, FileRef, LinkedRef, Person, company_ref, file_ref, linked_ref, person

router = Router(tags=["Fișiere"])


class VersionOut(Schema):
    number: int
    comment: str = Field(..., description="What changed, as the uploader wrote it")
    file: FileRef
    uploaded_by: Person | None
    created_at: datetime


class ClientUploadOut(Schema):
    public_id: UUID
    title: str
    description: str
    category: Literal["tehnic", "comercial", "financiar", "livrare", "contractual", "altele"]
    company: CompanyRef
    linked: LinkedRef | None = Field(..., description="The object of the company it is filed under, if any")
    created_by: Person | None
    created_at: datetime
    versions: list[VersionOut] = Field(..., description="Every version, oldest first; the last is the current one")
    updated_at: datetime = Field(..., description="Last change (a new version): the list's order and `updated_since`")


class ClientUploadPage(Page[ClientUploadOut]):
    pass


def _version_out(document: Document, version: DocumentVersion) -> VersionOut:
    url = reverse("api:document_version", args=[document.public_id, version.number])
    return VersionOut(
        number=version.number,
        comment=version.comment,
        file=file_ref(version.file, url),
        uploaded_by=person(version.uploaded_by),
        created_at=version.created_at,
    )


def _upload_out(document: Document) -> ClientUploadOut:
    return ClientUploadOut(
        public_id=document.public_id,
        title=document.title,
        description=document.description,
        category=document.category,
        company=company_ref(document.company),
        linked=linked_ref(document.linked_type, document.linked),
        created_by=person(document.created_by),
        created_at=document.created_at,
        versions=[_version_out(document, version) for version in document.versions.all()],
        updated_at=document.updated_at,
    )


@router.get("/client-uploads", response=ClientUploadPage, summary="Documents client users uploaded")
def client_uploads(request, params: Query[PullParams]):
    """Every company's documents uploaded by its users (the supplier's own are not listed), ordered by
    `updated_at` then id: a new version brings a document again. Two queries a page, plus one per type of
    linked object, whatever its length."""
    require(request, "documents")
    rows, cursor = pull(selectors.client_uploads_for_erp(), params, at="updated_at")
    return ClientUploadPage(items=[_upload_out(row) for row in rows], next_cursor=cursor)


@router.get(
    "/documents/{public_id}/versions/{number}",
    url_name="document_version",
    summary="Download a version of a document",
    openapi_extra={"responses": {200: {"description": "The version's file"}}},
)
def document_version(request, public_id: UUID, number: int = Path(..., ge=1, le=2**31 - 1)):
    """The file itself (`Content-Disposition: attachment`), of any document (the client's or the supplier's);
    404 for a document or version that is not there."""
    require(request, "documents")
    document = get_object_or_404(Document.objects.select_related("company"), public_id=public_id)
    version = get_object_or_404(document.versions.select_related("file"), number=number)
    with audit.acting_as(request.auth.name):
        audit.record(action="document.downloaded", company=document.company, obj=document, version=version.number)
    stored = version.file
    return file_response(stored, filename=safe_filename(f"{document.title} v{version.number}", stored.extension))
