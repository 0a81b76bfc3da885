"""The ERP's contracts and their annexes, pushed in by the contract's number within a client company."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from ninja import Field, Router, Schema

from accounts.models import Company
from contracts import services
from contracts.models import Contract
from portal import audit
from portal.api import BulkOut, BulkResult, error_messages, require

router = Router(tags=["Contracte"])
MAX_BULK = 1000


class AnnexIn(Schema):
    number: int = Field(..., ge=1)
    title: str = Field(..., min_length=1, max_length=200)
    signed_on: date | None = None
    effective_date: date
    value_change: Decimal = Field(Decimal("0"), description="What the annex adds to (or takes from) the value")
    new_end_date: date | None = Field(None, description="The contract's new end, when the annex extends it")
    description: str = ""


class ContractIn(Schema):
    cui: str = Field(..., description="The client company's CUI, with or without RO")
    number: str = Field(..., min_length=1, max_length=50)
    title: str = Field(..., min_length=1, max_length=200)
    kind: Literal[tuple(Contract.Kind.values)] = Contract.Kind.SUPPLY  # type: ignore[valid-type]
    status: Literal[tuple(Contract.Status.values)] = Contract.Status.ACTIVE  # type: ignore[valid-type]
    signed_on: date | None = None
    start_date: date
    end_date: date | None = None
    value: Decimal = Field(Decimal("0"), ge=0)
    currency: Literal["RON", "EUR"] = "RON"
    payment_terms: str = Field("", max_length=200)
    description: str = ""
    terminated_on: date | None = None
    annexes: list[AnnexIn] = Field(default_factory=list, max_length=200)


class ContractsIn(Schema):
    contracts: list[ContractIn] = Field(..., min_length=1, max_length=MAX_BULK)


def upsert_one(item: ContractIn) -> BulkResult:
    key = f"{item.cui} {item.number}"
    company = Company.objects.with_cui(item.cui).first()
    if company is None:
        return BulkResult(key=key, result="rejected", status=400, errors=[f"compania cu CUI „{item.cui}” nu există"])
    fields = item.dict(exclude={"cui", "number", "annexes"})
    try:
        with transaction.atomic():
            outcome = services.contract_upsert(
                company=company,
                number=item.number,
                fields=fields,
                annexes=[annex.dict() for annex in item.annexes],
            )
    except ValidationError as error:
        return BulkResult(key=key, result="rejected", status=400, errors=error_messages(error))
    return BulkResult(key=key, result=outcome, status=201 if outcome == "created" else 200)


@router.post("/contracts/bulk", response=BulkOut, summary="Push up to 1,000 contracts with their annexes")
def contracts_bulk(request, payload: ContractsIn):
    """Each contract is created, updated or recognised ("unchanged") on its own, by its company's CUI and
    its number; annexes by their number (never deleted). One bad contract saves nothing of itself and
    blocks none of the others."""
    require(request, "contracts", write=True)
    with audit.acting_as(request.auth.name):
        return BulkOut(results=[upsert_one(item) for item in payload.contracts])
