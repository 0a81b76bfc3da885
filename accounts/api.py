"""The ERP's side of accounts in the API: companies registering through the signup and people asking to join
a company, pulled by cursor, pending or decided."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from ninja import Field, Query, Router, Schema

from accounts import selectors, services
from accounts.models import Company, Membership
from portal import audit
from portal.api import BulkOut, BulkResult, error_messages, require
from portal.api_paging import Page, PullParams, pull

router = Router(tags=["Companii"])


class RegisteredCompany(Schema):
    public_id: UUID
    name: str
    cui: str = Field(..., description="As stored: with RO for a VAT payer")
    reg_com: str = Field(..., description="Nr. Reg. Com.")
    address: str
    city: str
    county: str
    iban: str
    status: Literal["pending", "active", "rejected", "suspended"] = Field(..., description="The company's own status")


class Registrant(Schema):
    name: str
    email: str
    phone: str


class RegistrationOut(Schema):
    public_id: UUID = Field(..., description="The request's id (the membership it asks for)")
    kind: Literal["company_registration", "join_request"] = Field(
        ..., description="A new company signing up, or a person asking to join a company already known"
    )
    status: Literal["pending", "approved", "rejected"]
    company: RegisteredCompany
    user: Registrant
    requested_at: datetime = Field(..., description="When the registrant verified their email, making the request")
    decided_at: datetime | None = Field(..., description="When it was approved; null while pending or if rejected")
    updated_at: datetime = Field(..., description="`decided_at`, else `requested_at`: the list's order")


class RegistrationPage(Page[RegistrationOut]):
    pass


def _status(membership: Membership) -> str:
    if membership.status == Membership.Status.ACTIVE:
        return "approved"
    if membership.status == Membership.Status.REJECTED or membership.company.status == Company.Status.REJECTED:
        return "rejected"
    return "pending"


def _registration_out(membership: Membership) -> RegistrationOut:
    company, user = membership.company, membership.user
    return RegistrationOut(
        public_id=membership.public_id,
        kind="company_registration" if membership.opened_company else "join_request",
        status=_status(membership),
        company=RegisteredCompany(
            public_id=company.public_id,
            name=company.name,
            cui=company.cui,
            reg_com=company.reg_com,
            address=company.address,
            city=company.city,
            county=company.county,
            iban=company.iban,
            status=company.status,
        ),
        user=Registrant(name=user.get_full_name(), email=user.email, phone=user.phone),
        requested_at=membership.requested_at,
        decided_at=membership.approved_at if membership.status == Membership.Status.ACTIVE else None,
        updated_at=membership.pull_at,
    )


@router.get("/registrations", response=RegistrationPage, summary="Company registrations and requests to join")
def registrations(request, params: Query[PullParams]):
    """Every request made through the signup, pending or decided: a new company with its administrator, or a
    person asking to join a known company (a registrant who has not verified their email has asked nothing
    yet and is not listed; nor are colleagues who joined by invitation). A membership keeps no `updated_at`:
    the list is ordered by its approval (`decided_at`), else its request (`requested_at`), then id. A
    rejection records no time in the portal, so a request rejected after the ERP read it does not come again
    by itself. One query a page."""
    require(request, "companies")
    rows, cursor = pull(selectors.registrations_for_erp(), params, at="pull_at")
    return RegistrationPage(items=[_registration_out(row) for row in rows], next_cursor=cursor)


# --- pushed by the ERP --------------------------------------------------------------------------


class CompanyIn(Schema):
    cui: str = Field(..., description="With RO for a VAT payer; the key the ERP and the portal share")
    name: str = Field(..., min_length=1, max_length=200)
    reg_com: str = Field("", max_length=20, description="Nr. Reg. Com., J40/1234/2015 or J2015001234406")
    address: str = Field(..., min_length=1, max_length=255)
    city: str = Field(..., min_length=1, max_length=100)
    county: str = Field(..., min_length=1, max_length=100, description="The county; in Bucharest, the sector")
    iban: str = Field("", max_length=34)
    approved: bool = Field(True, description="The company may use the portal (approves a pending registration)")


class CompaniesIn(Schema):
    companies: list[CompanyIn] = Field(..., min_length=1, max_length=1000)


def _upsert_company(item: CompanyIn) -> BulkResult:
    fields = item.dict(include=set(services.COMPANY_FIELDS))
    try:
        with transaction.atomic():
            outcome = services.company_upsert(cui=item.cui, fields=fields, approve=item.approved)
    except ValidationError as error:
        return BulkResult(key=item.cui, result="rejected", status=400, errors=error_messages(error))
    return BulkResult(key=item.cui, result=outcome, status=201 if outcome == "created" else 200)


@router.post("/companies/bulk", response=BulkOut, summary="Push up to 1,000 client companies")
def companies_bulk(request, payload: CompaniesIn):
    """Client companies by CUI: created (active, or pending when ``approved`` is false), updated, approved, or
    recognised ("unchanged"); checked like the admin's form (CUI check digit, Reg. Com., IBAN, county)."""
    require(request, "companies", write=True)
    with audit.acting_as(request.auth.name):
        return BulkOut(results=[_upsert_company(item) for item in payload.companies])
