"""What the items of the ERP's pull lists share, so each has one name in the OpenAPI schema: a person, a client
company, an object a row is linked to, a stored file. Built from any object with the attributes read here
(the floor imports no section)."""

from __future__ import annotations

from uuid import UUID

from ninja import Field, Schema


class Person(Schema):
    name: str = Field(..., description="First and last name (empty if the user gave none)")
    email: str


class CompanyRef(Schema):
    public_id: UUID
    cui: str = Field(..., description="As stored: with RO for a VAT payer")
    name: str


class LinkedRef(Schema):
    type: str = Field(..., description="app_label.model, e.g. billing.invoice, shipments.shipment")
    public_id: UUID | None
    label: str = Field(..., description="How the portal names it (an invoice's series and number, a shipment's number)")


class FileRef(Schema):
    name: str = Field(..., description="The file's name as uploaded")
    content_type: str
    size: int = Field(..., description="Bytes")
    download_url: str | None = Field(None, description="Path under this API; GET it with the same key")


def person(user) -> Person | None:
    """A user as the ERP sees them; None once the account is deleted. Never a password or a token."""
    if user is None:
        return None
    return Person(name=user.get_full_name(), email=user.email)


def company_ref(company) -> CompanyRef:
    return CompanyRef(public_id=company.public_id, cui=company.cui, name=company.name)


def linked_ref(linked_type, obj) -> LinkedRef | None:
    """A generic link's target (its content type fetched with the row, the object prefetched)."""
    if linked_type is None or obj is None:
        return None
    return LinkedRef(
        type=f"{linked_type.app_label}.{linked_type.model}", public_id=getattr(obj, "public_id", None), label=str(obj)
    )


def file_ref(stored, download_url: str | None = None) -> FileRef:
    return FileRef(
        name=stored.original_name, content_type=stored.content_type, size=stored.size, download_url=download_url
    )
