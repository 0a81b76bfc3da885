"""Writes for contracts: state changes, annex totals and expiry notices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, User
from contracts import tasks
from contracts.models import Annex, Contract, ExpiryNotice
from portal import audit
from portal.tasks_util import enqueue
from quotes import services as quote_services


def contract_refresh(*, contract: Contract) -> Contract:
    """Recompute the value and end date that the annexes make current."""
    annexes = list(contract.annexes.order_by("effective_date", "number"))
    contract.current_value = contract.value + sum((a.value_change for a in annexes), Decimal("0"))
    contract.current_end_date = contract.end_date
    for annex in annexes:
        if annex.new_end_date:
            contract.current_end_date = annex.new_end_date
    Contract.objects.filter(pk=contract.pk).update(
        current_value=contract.current_value, current_end_date=contract.current_end_date
    )
    return contract


@transaction.atomic
def contract_activate(*, contract: Contract, by: User) -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != Contract.Status.DRAFT:
        raise ValidationError(_("Doar un contract în ciornă poate fi activat."))
    contract.status = Contract.Status.ACTIVE
    contract.save(update_fields=["status", "updated_at"])
    audit.record(action="contract.activated", company=contract.company, user=by, obj=contract)
    return contract


@transaction.atomic
def contract_terminate(*, contract: Contract, by: User, on: date | None = None) -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != Contract.Status.ACTIVE:
        raise ValidationError(_("Doar un contract activ poate fi reziliat."))
    contract.status, contract.terminated_on = Contract.Status.TERMINATED, on or timezone.localdate()
    contract.save(update_fields=["status", "terminated_on", "updated_at"])
    audit.record(action="contract.terminated", company=contract.company, user=by, obj=contract)
    return contract


def due_expiry_notices(*, today: date | None = None) -> list[tuple[Contract, int]]:
    """(contract, threshold) pairs whose notice is due and not yet recorded."""
    today = today or timezone.localdate()
    thresholds = settings.CONTRACT_EXPIRY_NOTICE_DAYS
    if not thresholds:
        return []
    horizon = today + timezone.timedelta(days=max(thresholds))
    contracts = (
        Contract.objects.filter(
            status=Contract.Status.ACTIVE, current_end_date__gte=today, current_end_date__lte=horizon
        )
        .select_related("company")
        .prefetch_related(models.Prefetch("expiry_notices", to_attr="notices"))
    )
    due = []
    for contract in contracts:
        days_left = (contract.current_end_date - today).days
        sent = {n.days_before for n in contract.notices if n.end_date == contract.current_end_date}
        reached = [t for t in thresholds if days_left <= t and t not in sent]
        if reached:
            # Several thresholds at once (a contract added late): one notice, the nearest.
            due.append((contract, min(reached)))
    return due


def send_expiry_notices(*, today: date | None = None) -> int:
    """Record each due notice once and enqueue its emails; returns how many were due."""
    count = 0
    for contract, threshold in due_expiry_notices(today=today):
        try:
            with transaction.atomic():
                passed = [t for t in settings.CONTRACT_EXPIRY_NOTICE_DAYS if t >= threshold]
                for days in passed:
                    ExpiryNotice.objects.get_or_create(
                        contract=contract, days_before=days, end_date=contract.current_end_date
                    )
                notice = ExpiryNotice.objects.get(
                    contract=contract, days_before=threshold, end_date=contract.current_end_date
                )
                audit.record(
                    action="contract.expiry_notice", company=contract.company, obj=contract, days_before=threshold
                )
                enqueue(tasks.send_expiry_notice_emails, notice.pk)
            count += 1
        except IntegrityError:
            continue  # another run recorded it first
    return count


CONTRACT_FIELDS = (
    "title",
    "kind",
    "status",
    "signed_on",
    "start_date",
    "end_date",
    "value",
    "currency",
    "payment_terms",
    "description",
    "terminated_on",
)
ANNEX_FIELDS = ("title", "signed_on", "effective_date", "value_change", "new_end_date", "description")


def _save_checked(obj: models.Model, *, exclude: tuple[str, ...] = ()) -> None:
    obj.full_clean(exclude=list(exclude), validate_unique=False)
    obj.save()


def _annexes_upsert(contract: Contract, annexes: list[dict]) -> bool:
    """The ERP's annexes by number: new ones created, changed ones updated, none deleted (an annex signed
    is a document of the contract's history)."""
    current = {annex.number: annex for annex in contract.annexes.all()}
    changed = False
    for data in annexes:
        annex = current.get(data["number"]) or Annex(company=contract.company, contract=contract, number=data["number"])
        values = {name: data.get(name, getattr(annex, name)) for name in ANNEX_FIELDS}
        if annex.pk and all(getattr(annex, name) == value for name, value in values.items()):
            continue
        for name, value in values.items():
            setattr(annex, name, value)
        _save_checked(annex, exclude=("company", "contract"))
        changed = True
    return changed


@transaction.atomic
def contract_upsert(*, company, number: str, fields: dict, annexes: list[dict]) -> str:
    """The ERP's contract, keyed by the company and its number, with its annexes: "created", "updated" or
    "unchanged" (nothing written). Checked like the admin's form (the model's own rules); a bad annex
    saves nothing of the contract."""
    contract = Contract.objects.select_for_update().filter(company=company, number=number).first()
    created = contract is None
    contract = contract or Contract(company=company, number=number)
    differs = created or any(getattr(contract, name) != value for name, value in fields.items())
    if differs:
        for name, value in fields.items():
            setattr(contract, name, value)
        _save_checked(contract, exclude=("company", "offer"))
    annexes_changed = _annexes_upsert(contract, annexes)
    if not (differs or annexes_changed):
        return "unchanged"
    contract_refresh(contract=contract)
    audit.record(action="contract.imported", company=company, obj=contract, created=created)
    return "created" if created else "updated"


def renewal_lines(contract: Contract) -> list[quote_services.RequestLine]:
    """What a renewal asks to be priced: the contract's subject, once."""
    note = _("Reînnoirea contractului %(number)s") % {"number": contract.number}
    return [quote_services.RequestLine(description=contract.title, quantity=Decimal("1"), unit="contract", note=note)]


def renewal_delivery(contract: Contract) -> quote_services.FollowUp:
    """Delivered as the offer the contract came from, else to the company's address."""
    quote_request = contract.offer.request if contract.offer_id and contract.offer else None
    return quote_services.follow_up_delivery(quote_request, contract.company)


@transaction.atomic
def contract_request_renewal(*, contract_id: int, company: Company, user: User, remarks: str = "") -> models.Model:
    """The client's "Solicită reînnoire" within the notice period: a quote request for the contract's subject,
    linked to it, staff told as for any request (quote_services.FollowUpExists while one is open)."""
    contract = (
        Contract.objects.for_company(company)
        .visible()
        .select_related("company", "offer__request")
        .select_for_update(of=("self",))
        .get(pk=contract_id)
    )
    if not contract.in_renewal_window:
        raise ValidationError(
            _("Reînnoirea se poate solicita doar în ultimele %(days)s zile dinaintea expirării contractului.")
            % {"days": settings.CONTRACT_EXPIRING_SOON_DAYS}
        )
    delivery = renewal_delivery(contract)
    follow_up = quote_services.FollowUp(delivery.delivery_option, delivery.delivery_address, remarks)
    return quote_services.request_follow_up(
        company=company, user=user, origin=contract, lines=renewal_lines(contract), follow_up=follow_up
    )
