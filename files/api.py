"""The ERP's side of the document centre in the API: documents client users uploaded, pulled by cursor, and
any document's versions downloaded."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from pydantic import field_validator

from accounts.models import Company
from files import selectors, services
from files.links import ERP_KEYS, find_by_erp_key, linkable
from files.models import Document, DocumentVersion
from files.responses import file_response, safe_filename
from files.validation import max_upload_size
from portal import audit
from portal.api import require
from portal.api_paging import Page, PullParams, pull
from portal.api_refs import CompanyRef, FileRef, LinkedRef, Person, company_ref, file_ref, linked_ref, person
from portal.money import format_file_size

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


# --- the ERP pushes its documents: one file a call, multipart ----------------------------------------------


def clean_text(value):
    """Keys and names without the spaces around them; a NUL character refused as a field error here, since
    PostgreSQL cannot store one (it would fail in the database)."""
    if not isinstance(value, str):
        return value
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value.strip()


class DocumentIn(Schema):
    cui: str = Field(..., min_length=1, max_length=20, description="The client company's CUI, with or without RO")
    erp_key: str = Field(
        ...,
        min_length=1,
        max_length=100,
        description="The ERP's own key of the document, unique within the company: the same key again is the same "
        "document (unchanged, or a new version when the file differs)",
    )
    title: str = Field("", max_length=200, description="Empty: the file's name without its extension")
    category: Literal[tuple(Document.Category.values)] = Document.Category.OTHER  # type: ignore[valid-type]
    description: str = Field("", max_length=5000)
    linked_type: Literal[("", *ERP_KEYS)] = Field(  # type: ignore[valid-type]
        "", description="The kind of object of the company it is filed under, as `linked.type` in the pull lists"
    )
    linked_key: str = Field(
        "",
        max_length=100,
        description="The ERP's key of that object: invoice 'SERIES NUMBER', contract number, annex 'CONTRACT_NUMBER "
        "ANNEX_NUMBER', project code, offer number (its current revision), shipment number",
    )

    @field_validator("*", mode="before")
    @classmethod
    def _clean(cls, value):
        return clean_text(value)


class DocumentPushOut(Schema):
    key: str = Field(..., description="'CUI ERP_KEY'")
    result: Literal["created", "updated", "unchanged"] = Field(
        ..., description="'updated': its details changed, or a new version when the file is not the current one"
    )
    status: int
    errors: list[str] = []
    public_id: UUID = Field(..., description="The document's id in the portal")
    version: int = Field(..., description="The number of its current version")


def check_size(uploaded: UploadedFile) -> None:
    """Over the upload limit is 413 (what the portal refuses by its size), not a 400 about the content."""
    if uploaded.size > max_upload_size():
        raise HttpError(
            413,
            _("Fișierul „%(name)s” are %(size)s; limita este %(limit)s.")
            % {
                "name": uploaded.name,
                "size": format_file_size(uploaded.size),
                "limit": format_file_size(max_upload_size()),
            },
        )


def _resolve(payload: DocumentIn):
    """The company and the object the document is filed under; 400 for either that is not there."""
    company = Company.objects.with_cui(payload.cui).first()
    if company is None:
        raise ValidationError({"cui": [_("Nu există compania cu CUI „%(cui)s”.") % {"cui": payload.cui}]})
    if not payload.linked_type and not payload.linked_key:
        return company, None
    if not (payload.linked_type and payload.linked_key):
        raise ValidationError({"linked_key": [_("Trimiteți și tipul, și cheia obiectului legat.")]})
    linked = find_by_erp_key(payload.linked_type, payload.linked_key, company=company)
    if linked is None:
        kind = linkable(payload.linked_type)
        kind = str(kind.verbose_name).lower() if kind else payload.linked_type
        message = _("Compania nu are %(kind)s „%(key)s”.") % {"kind": kind, "key": payload.linked_key}
        raise ValidationError({"linked_key": [message]})
    return company, linked


@router.post(
    "/documents",
    response={200: DocumentPushOut, 201: DocumentPushOut},
    summary="Push a document (multipart: the file and its details)",
)
def document_push(request, payload: Form[DocumentIn], file: File[UploadedFile]):
    """A document of the supplier for a client company, as `multipart/form-data`: the fields below and `file`.
    Known by its company and `erp_key`: 201 created; 200 "unchanged" when the file is the current version's
    (same SHA-256) and the details are the same; 200 "updated" when the details changed or the file differs (a
    new version). The file passes the portal's upload checks (extension, content of that type): 400 with the
    reason when refused, 413 over the size limit. Clients who may see it are notified of a new document or
    version, as for staff's upload in the admin."""
    require(request, "documents", write=True)
    check_size(file)
    company, linked = _resolve(payload)
    with audit.acting_as(request.auth.name):
        document, outcome = services.document_push(
            company=company,
            erp_key=payload.erp_key,
            uploaded=file,
            title=payload.title or (file.name or "").rsplit(".", 1)[0][:200] or payload.erp_key,
            category=payload.category,
            description=payload.description,
            linked=linked,
        )
    status = 201 if outcome == "created" else 200
    return Status(
        status,
        DocumentPushOut(
            key=f"{payload.cui} {payload.erp_key}",
            result=outcome,
            status=status,
            public_id=document.public_id,
            version=document.current_version.number,
        ),
    )
