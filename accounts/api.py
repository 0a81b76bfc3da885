"""The ERP's side of accounts in the API: companies registering through the signup and people asking to join
a company, pulled by cursor, pending or decided."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Query, Router, Schema

from accounts import selectors
from accounts.models import Company, Membership
from portal.api import require
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
