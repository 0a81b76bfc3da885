"""Writes for quote requests and offers: every state change goes through here (views, admin, tasks, commands)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Company, Membership, User
from files.models import StoredFile
from files.responses import safe_filename
from files.services import store_generated, store_upload
from files.validation import validate_upload
from portal import audit, events, vat
from portal.db import retry_on_conflict
from portal.money import VatRate
from portal.pdf import render_pdf
from portal.tasks_util import enqueue
from quotes import conf, selectors, tasks
from quotes.models import (
    DeliveryAddress,
    NumberSequence,
    Offer,
    OfferLine,
    Product,
    QuoteRequest,
    QuoteRequestLine,
)
from quotes.totals import offer_totals


class OfferNotOpen(Exception):
    """The offer cannot be decided any more; ``str()`` says why, for the client."""


class OfferConflict(Exception):
    """The ERP's offer would change what the client may have seen, or one it decided; ``str()`` says why."""


class FollowUpExists(Exception):
    """The offer or contract already has an open request: ``existing`` is it."""

    def __init__(self, existing: QuoteRequest):
        super().__init__(existing.number)
        self.existing = existing


@dataclass(frozen=True)
class RequestLine:
    description: str
    quantity: Decimal
    unit: str
    product: Product | None = None
    note: str = ""


@dataclass(frozen=True)
class OfferLineData:
    """One line of an offer as it is written: the ERP's, or a copy of another revision's."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    unit: str = "buc"
    vat_rate: int = VatRate.STANDARD
    discount_percent: Decimal = Decimal("0")
    product: Product | None = None

    def values(self) -> tuple:
        product_id = self.product.pk if self.product else None
        return (
            product_id,
            self.description,
            self.quantity,
            self.unit,
            self.unit_price,
            self.discount_percent,
            self.vat_rate,
        )

    def build(self, *, offer: Offer, position: int) -> OfferLine:
        return OfferLine(
            company=offer.company,
            offer=offer,
            position=position,
            product=self.product,
            description=self.description,
            quantity=self.quantity,
            unit=self.unit,
            unit_price=self.unit_price,
            discount_percent=self.discount_percent,
            vat_rate=self.vat_rate,
        )


def stored_line_values(line: OfferLine) -> tuple:
    """A saved line as ``OfferLineData.values()`` gives it, to compare the two."""
    return (
        line.product_id,
        line.description,
        line.quantity,
        line.unit,
        line.unit_price,
        line.discount_percent,
        line.vat_rate,
    )


@dataclass(frozen=True)
class NewAddress:
    label: str
    address: str
    city: str
    county: str
    contact_name: str = ""
    contact_phone: str = ""

    def as_text(self) -> str:
        return DeliveryAddress(
            address=self.address,
            city=self.city,
            county=self.county,
            contact_name=self.contact_name,
            contact_phone=self.contact_phone,
        ).as_text()


# --- numbering -------------------------------------------------------------------------------------------


def next_number(prefix: str) -> str:
    """The next number of a yearly series ("OF-2026-0007"); the series row is locked until commit."""
    key = f"{prefix}-{timezone.localdate().year}"
    NumberSequence.objects.get_or_create(key=key)
    sequence = NumberSequence.objects.select_for_update().get(key=key)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{key}-{sequence.last:04d}"


# --- quote requests -------------------------------------------------------------------------------------


def _check_request(
    *,
    company: Company,
    lines: list[RequestLine],
    attachments: list,
    desired_date: date | None,
    address_entry: DeliveryAddress | None,
) -> None:
    if not lines:
        raise ValidationError(_("Adăugați cel puțin un produs."))
    if len(lines) > conf.max_lines():
        raise ValidationError(_("O cerere poate avea cel mult %(count)d rânduri.") % {"count": conf.max_lines()})
    if len(attachments) > conf.max_attachments():
        raise ValidationError(_("Puteți atașa cel mult %(count)d fișiere.") % {"count": conf.max_attachments()})
    if any(line.quantity <= 0 for line in lines):
        raise ValidationError(_("Cantitatea trebuie să fie mai mare decât zero."))
    if desired_date and desired_date < timezone.localdate():
        raise ValidationError(_("Data dorită nu poate fi în trecut."))
    if address_entry is not None and address_entry.company_id != company.pk:
        raise ValidationError(_("Adresa aleasă nu aparține companiei dvs."))


def _save_new_address(*, company: Company, user: User, new_address: NewAddress) -> DeliveryAddress:
    """The typed address, kept in the company's address book."""
    address_entry = DeliveryAddress.objects.create(
        company=company,
        created_by=user,
        label=new_address.label or new_address.address[:100],
        address=new_address.address,
        city=new_address.city,
        county=new_address.county,
        contact_name=new_address.contact_name,
        contact_phone=new_address.contact_phone,
    )
    audit.record(action="delivery_address.created", company=company, user=user, obj=address_entry)
    return address_entry


def _address_text(address_entry: DeliveryAddress | None, new_address: NewAddress | None) -> str:
    if address_entry is not None:
        return address_entry.as_text()
    if new_address is not None:
        return new_address.as_text()
    return ""


def _request_line(
    *, company: Company, quote_request: QuoteRequest, position: int, line: RequestLine
) -> QuoteRequestLine:
    return QuoteRequestLine(
        company=company,
        request=quote_request,
        position=position,
        product=line.product,
        description=line.description.strip()[:200],
        quantity=line.quantity,
        unit=(line.unit or (line.product.unit if line.product else "") or "buc").strip()[:20],
        note=line.note.strip()[:300],
    )


def _store_attachments(*, company: Company, user: User, attachments: list) -> list[StoredFile]:
    stored: list[StoredFile] = []
    try:
        for uploaded in attachments:
            stored.append(store_upload(company=company, uploaded=uploaded, user=user))
    except Exception:
        # The rows roll back with the transaction; the blobs already written would stay behind.
        for item in stored:
            item.file.delete(save=False)
        raise
    return stored


@retry_on_conflict
@transaction.atomic
def request_create(
    *,
    company: Company,
    user: User,
    lines: list[RequestLine],
    delivery_option: str,
    address_entry: DeliveryAddress | None = None,
    new_address: NewAddress | None = None,
    save_address: bool = False,
    desired_date: date | None = None,
    remarks: str = "",
    attachments: list | None = None,
) -> QuoteRequest:
    """Record a request with its lines, delivery address and attachments, all or nothing; tell staff."""
    attachments = attachments or []
    _check_request(
        company=company, lines=lines, attachments=attachments, desired_date=desired_date, address_entry=address_entry
    )
    if delivery_option == QuoteRequest.Delivery.PICKUP:
        address_entry, new_address, save_address = None, None, False
    elif address_entry is None and new_address is None:
        raise ValidationError(_("Alegeți o adresă din agendă sau completați adresa de livrare."))
    if new_address is not None and save_address:
        address_entry = _save_new_address(company=company, user=user, new_address=new_address)
    address_text = _address_text(address_entry, new_address)

    quote_request = QuoteRequest.objects.create(
        company=company,
        number=next_number("CO"),
        created_by=user,
        delivery_option=delivery_option,
        address_entry=address_entry,
        delivery_address=address_text,
        desired_date=desired_date,
        remarks=remarks.strip(),
    )
    QuoteRequestLine.objects.bulk_create(
        [
            _request_line(company=company, quote_request=quote_request, position=position, line=line)
            for position, line in enumerate(lines, start=1)
        ]
    )
    stored = _store_attachments(company=company, user=user, attachments=attachments)
    quote_request.attachments.add(*stored)
    audit.record(
        action="quote_request.created",
        company=company,
        user=user,
        obj=quote_request,
        lines=len(lines),
        attachments=len(stored),
    )
    enqueue(tasks.notify_staff_of_request, quote_request.pk)
    _publish_created(quote_request, lines=len(lines), attachments=len(stored))
    return quote_request


def _publish_created(quote_request: QuoteRequest, *, lines: int, attachments: int) -> None:
    data = {
        "number": quote_request.number,
        "delivery_option": quote_request.delivery_option,
        "desired_date": quote_request.desired_date,
        "lines": lines,
        "attachments": attachments,
    }
    if quote_request.origin_offer_id:
        data["origin_offer"] = str(quote_request.origin_offer.public_id)
    if quote_request.origin_contract_id:
        data["origin_contract"] = str(quote_request.origin_contract.public_id)
    events.publish("quote_request.created", company=quote_request.company, obj=quote_request, data=data)


@dataclass(frozen=True)
class FollowUp:
    """What the client confirms when asking for a new offer or a renewal: the lines come from the origin."""

    delivery_option: str
    delivery_address: str = ""
    remarks: str = ""

    @property
    def delivery_label(self) -> str:
        return QuoteRequest.Delivery(self.delivery_option).label


def open_follow_up(*, origin: models.Model) -> QuoteRequest | None:
    """The request still open for an offer or a contract (at most one), else None."""
    field = "origin_offer" if isinstance(origin, Offer) else "origin_contract"
    return QuoteRequest.objects.filter(**{field: origin, "status__in": QuoteRequest.OPEN}).first()


def _check_follow_up(*, company: Company, user: User, origin: models.Model, follow_up: FollowUp) -> None:
    membership = Membership.objects.active().filter(company=company, user=user).first()
    if membership is None or not membership.has_right("accept_offers"):
        raise PermissionDenied
    if origin.company_id != company.pk:
        raise ValidationError(_("Documentul de origine aparține altei companii."))
    existing = open_follow_up(origin=origin)
    if existing is not None:
        raise FollowUpExists(existing)
    if follow_up.delivery_option not in QuoteRequest.Delivery.values:
        raise ValidationError({"delivery_option": [_("Alegeți o opțiune de livrare.")]})
    if follow_up.delivery_option in QuoteRequest.NEEDS_ADDRESS and not follow_up.delivery_address.strip():
        raise ValidationError({"delivery_address": [_("Scrieți adresa de livrare.")]})


@transaction.atomic
def request_follow_up(
    *, company: Company, user: User, origin: models.Model, lines: list[RequestLine], follow_up: FollowUp
) -> QuoteRequest:
    """A request made from an offer or a contract (``origin``, locked by the caller), its lines prefilled;
    staff are told as for any request. FollowUpExists while the origin has an open one."""
    _check_follow_up(company=company, user=user, origin=origin, follow_up=follow_up)
    if not lines or any(line.quantity <= 0 for line in lines):
        raise ValidationError(_("Documentul de origine nu are niciun rând de cerut din nou."))
    pickup = follow_up.delivery_option == QuoteRequest.Delivery.PICKUP
    try:
        with transaction.atomic():
            quote_request = QuoteRequest.objects.create(
                company=company,
                number=next_number("CO"),
                created_by=user,
                delivery_option=follow_up.delivery_option,
                delivery_address="" if pickup else follow_up.delivery_address.strip()[:2000],
                remarks=follow_up.remarks.strip()[:5000],
                origin_offer=origin if isinstance(origin, Offer) else None,
                origin_contract=None if isinstance(origin, Offer) else origin,
            )
    except IntegrityError as error:  # the same origin's request, written by a caller that did not lock it
        existing = open_follow_up(origin=origin)
        if existing is None:
            raise ValidationError(
                _("Cererea a fost trimisă în același timp de un coleg; reîncărcați pagina.")
            ) from error
        raise FollowUpExists(existing) from error
    QuoteRequestLine.objects.bulk_create(
        [
            _request_line(company=company, quote_request=quote_request, position=position, line=line)
            for position, line in enumerate(lines, start=1)
        ]
    )
    audit.record(
        action="quote_request.created",
        company=company,
        user=user,
        obj=quote_request,
        lines=len(lines),
        origin=f"{origin._meta.label_lower}:{origin.number}",
    )
    enqueue(tasks.notify_staff_of_request, quote_request.pk)
    _publish_created(quote_request, lines=len(lines), attachments=0)
    return quote_request


def follow_up_lines(offer: Offer) -> list[RequestLine]:
    """The offer's lines as a request asks for them: what and how much, without the prices."""
    return [
        RequestLine(description=line.description, quantity=line.quantity, unit=line.unit, product=line.product)
        for line in offer.lines.select_related("product").order_by("position", "pk")
    ]


def follow_up_delivery(quote_request: QuoteRequest | None, company: Company) -> FollowUp:
    """The delivery a follow-up asks for: its origin request's, else to the company's own address."""
    if quote_request is not None:
        return FollowUp(quote_request.delivery_option, quote_request.delivery_address)
    return FollowUp(QuoteRequest.Delivery.ADDRESS, f"{company.address}\n{company.city}, {company.county}")


@retry_on_conflict
@transaction.atomic
def offer_request_new(*, offer_id: int, company: Company, user: User, remarks: str = "") -> QuoteRequest:
    """The client's "Cere o ofertă nouă": a request with the lines and delivery of an expired or rejected
    offer, linked to it; what they want changed goes in ``remarks``."""
    offer = Offer.objects.for_company(company).visible().select_for_update().get(pk=offer_id)
    if not offer.can_follow_up:
        raise ValidationError(
            _("O ofertă nouă se poate cere doar pentru o ofertă expirată sau respinsă (revizia curentă).")
        )
    delivery = follow_up_delivery(offer.request, company)
    follow_up = FollowUp(delivery.delivery_option, delivery.delivery_address, remarks)
    return request_follow_up(
        company=company, user=user, origin=offer, lines=follow_up_lines(offer), follow_up=follow_up
    )


@retry_on_conflict
@transaction.atomic
def request_cancel(*, quote_request: QuoteRequest, user: User) -> QuoteRequest:
    quote_request = QuoteRequest.objects.select_for_update().get(pk=quote_request.pk)
    if quote_request.status == QuoteRequest.Status.CANCELLED:
        raise ValidationError(_("Cererea este deja anulată."))
    if quote_request.status not in QuoteRequest.CANCELLABLE or quote_request.offers.visible().exists():
        raise ValidationError(_("Cererea nu mai poate fi anulată: furnizorul a trimis deja o ofertă."))
    quote_request.status = QuoteRequest.Status.CANCELLED
    quote_request.cancelled_at, quote_request.cancelled_by = timezone.now(), user
    quote_request.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at"])
    audit.record(action="quote_request.cancelled", company=quote_request.company, user=user, obj=quote_request)
    enqueue(tasks.notify_staff_of_cancellation, quote_request.pk)
    events.publish(
        "quote_request.cancelled",
        company=quote_request.company,
        obj=quote_request,
        data={"number": quote_request.number},
    )
    return quote_request


@transaction.atomic
def request_mark_in_review(*, quote_request: QuoteRequest, by: User) -> QuoteRequest:
    quote_request = QuoteRequest.objects.select_for_update().get(pk=quote_request.pk)
    if quote_request.status != QuoteRequest.Status.SUBMITTED:
        raise ValidationError(_("Doar o cerere trimisă poate fi pusă în analiză."))
    quote_request.status = QuoteRequest.Status.IN_REVIEW
    quote_request.save(update_fields=["status", "updated_at"])
    audit.record(action="quote_request.in_review", company=quote_request.company, user=by, obj=quote_request)
    return quote_request


@transaction.atomic
def request_close(*, quote_request: QuoteRequest, by: User) -> QuoteRequest:
    quote_request = QuoteRequest.objects.select_for_update().get(pk=quote_request.pk)
    if quote_request.status in (QuoteRequest.Status.CLOSED, QuoteRequest.Status.CANCELLED):
        raise ValidationError(_("Cererea este deja închisă sau anulată."))
    quote_request.status = QuoteRequest.Status.CLOSED
    quote_request.save(update_fields=["status", "updated_at"])
    audit.record(action="quote_request.closed", company=quote_request.company, user=by, obj=quote_request)
    return quote_request


# --- offers: staff side ---------------------------------------------------------------------------------


@transaction.atomic
def offer_create(
    *,
    company: Company,
    by: User | None,
    quote_request: QuoteRequest | None = None,
    valid_until: date | None = None,
    number: str = "",
    lines: Sequence[OfferLineData] | None = None,
    **fields,
) -> Offer:
    """A draft offer, numbered from the series unless ``number`` is given (the ERP's); with ``lines``, or
    from a request its lines come prefilled (prices left for staff)."""
    if quote_request is not None:
        quote_request = QuoteRequest.objects.select_for_update().get(pk=quote_request.pk)
        if quote_request.company_id != company.pk:
            raise ValidationError(_("Cererea aparține altei companii."))
        if quote_request.status == QuoteRequest.Status.CANCELLED:
            raise ValidationError(_("Cererea a fost anulată de client."))
    valid_until = valid_until or timezone.localdate() + timezone.timedelta(days=conf.offer_validity_days())
    offer = Offer.objects.create(
        company=company,
        request=quote_request,
        number=number or _free_offer_number(),
        created_by=by,
        valid_until=valid_until,
        **fields,
    )
    if lines is None and quote_request is not None:
        lines = [
            OfferLineData(
                product=line.product,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=Decimal("0"),
            )
            for line in quote_request.lines.select_related("product")
        ]
    OfferLine.objects.bulk_create(
        [line.build(offer=offer, position=position) for position, line in enumerate(lines or [], start=1)]
    )
    if quote_request is not None and quote_request.status == QuoteRequest.Status.SUBMITTED:
        quote_request.status = QuoteRequest.Status.IN_REVIEW
        quote_request.save(update_fields=["status", "updated_at"])
    audit.record(
        action="offer.created",
        company=company,
        user=by,
        obj=offer,
        request=quote_request.number if quote_request else "",
    )
    return offer


def _free_offer_number() -> str:
    """The next number of the series that no offer holds: the ERP's offers keep their own numbers, which
    may be written like the portal's."""
    while True:
        number = next_number("OF")
        if not Offer.objects.filter(number=number).exists():
            return number


def offer_assign_number(*, offer: Offer) -> Offer:
    """For an offer staff add by hand in admin: the next number of the series, revision 1."""
    if not offer.number:
        offer.number, offer.revision = _free_offer_number(), 1
    return offer


@transaction.atomic
def offer_recalculate(*, offer: Offer) -> Offer:
    """Number the lines 1..n, fill descriptions from the catalogue, and store the totals."""
    # A line staff left without a position (0) goes after the numbered ones.
    lines = sorted(offer.lines.select_related("product"), key=lambda line: (line.position or 32767, line.pk))
    for position, line in enumerate(lines, start=1):
        changed = []
        if line.position != position:
            line.position = position
            changed.append("position")
        if not line.description and line.product is not None:
            line.description = line.product.name
            changed.append("description")
        if line.company_id != offer.company_id:
            line.company_id = offer.company_id
            changed.append("company")
        if changed:
            line.save(update_fields=changed)
    totals = offer_totals(lines)
    offer.total_net, offer.total_vat, offer.total_gross = totals.net, totals.vat, totals.gross
    Offer.objects.filter(pk=offer.pk).update(total_net=totals.net, total_vat=totals.vat, total_gross=totals.gross)
    return offer


def _lock_revisions(offer: Offer) -> tuple[Offer, list[Offer]]:
    """Lock every revision of the offer's number, in primary-key order, so two staff sending or
    revising two revisions of one offer at once wait for each other instead of deadlocking.
    Returns the offer, fresh, and all its revisions (itself included)."""
    number = Offer.objects.filter(pk=offer.pk).values_list("number", flat=True).get()  # never changes
    revisions = list(Offer.objects.select_for_update().filter(number=number).order_by("pk"))
    return next(r for r in revisions if r.pk == offer.pk), revisions


@transaction.atomic
def offer_send(*, offer: Offer, by: User | None) -> Offer:
    """Make a draft visible to the client; earlier revisions are superseded. PDF and emails follow on commit."""
    offer, revisions = _lock_revisions(offer)
    if offer.status != Offer.Status.DRAFT:
        raise ValidationError(_("Doar o ofertă în ciornă poate fi trimisă."))
    if not offer.lines.exists():
        raise ValidationError(_("Oferta nu are niciun rând."))
    if offer.valid_until < timezone.localdate():
        raise ValidationError(_("Data de valabilitate a ofertei este în trecut."))
    others = [other for other in revisions if other.pk != offer.pk]
    if any(other.status == Offer.Status.ACCEPTED for other in others):
        raise ValidationError(_("O revizie anterioară a acestei oferte a fost deja acceptată de client."))
    if any(other.revision > offer.revision for other in others):
        raise ValidationError(_("Există o revizie mai nouă a acestei oferte."))
    if (
        offer.request_id
        and QuoteRequest.objects.filter(pk=offer.request_id, status=QuoteRequest.Status.CANCELLED).exists()
    ):
        raise ValidationError(_("Cererea a fost anulată de client."))
    for other in others:
        changed = ["is_current"]
        if other.status in (Offer.Status.SENT, Offer.Status.EXPIRED, Offer.Status.WITHDRAWN):
            other.status = Offer.Status.SUPERSEDED
            changed.append("status")
        other.is_current = False
        other.save(update_fields=[*changed, "updated_at"])
    offer_recalculate(offer=offer)
    offer.status, offer.is_current, offer.sent_at, offer.sent_by = Offer.Status.SENT, True, timezone.now(), by
    offer.pdf, offer.pdf_from_erp = None, False
    offer.save(update_fields=["status", "is_current", "sent_at", "sent_by", "pdf", "pdf_from_erp", "updated_at"])
    if offer.request_id:
        QuoteRequest.objects.filter(pk=offer.request_id).exclude(status=QuoteRequest.Status.CLOSED).update(
            status=QuoteRequest.Status.OFFERED, updated_at=timezone.now()
        )
    audit.record(
        action="offer.sent",
        company=offer.company,
        user=by,
        obj=offer,
        revision=offer.revision,
        total_gross=str(offer.total_gross),
        currency=offer.currency,
    )
    enqueue(tasks.render_offer_pdf, offer.pk)
    enqueue(tasks.notify_offer_sent, offer.pk)
    return offer


@transaction.atomic
def offer_new_revision(*, offer: Offer, by: User | None, note: str = "", revision: int | None = None) -> Offer:
    """A draft copy with the next revision number (or ``revision``, the ERP's, past the last one); the client
    keeps seeing the current one until it is sent."""
    offer, revisions = _lock_revisions(offer)
    revisions.sort(key=lambda r: r.revision)
    if any(r.status == Offer.Status.DRAFT for r in revisions):
        raise ValidationError(_("Există deja o revizie în ciornă a acestei oferte."))
    if any(r.status == Offer.Status.ACCEPTED for r in revisions):
        raise ValidationError(_("Oferta a fost acceptată: nu se mai revizuiește."))
    if offer.revision != revisions[-1].revision:
        raise ValidationError(_("Revizuiți ultima revizie a ofertei."))
    if revision is not None and revision <= offer.revision:
        raise ValidationError(
            _("Revizia nouă trebuie să fie mai mare decât %(revision)s.") % {"revision": offer.revision}
        )
    lines = list(offer.lines.all())
    new = Offer.objects.create(
        company=offer.company,
        request=offer.request,
        number=offer.number,
        revision=revision or offer.revision + 1,
        revision_note=note,
        currency=offer.currency,
        valid_until=max(offer.valid_until, timezone.localdate() + timezone.timedelta(days=conf.offer_validity_days())),
        payment_terms=offer.payment_terms,
        delivery_terms=offer.delivery_terms,
        notes=offer.notes,
        created_by=by,
    )
    OfferLine.objects.bulk_create(
        [
            OfferLine(
                company=offer.company,
                offer=new,
                position=line.position,
                product=line.product,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                vat_rate=line.vat_rate,
            )
            for line in lines
        ]
    )
    offer_recalculate(offer=new)
    audit.record(action="offer.revision_created", company=offer.company, user=by, obj=new, revision=new.revision)
    return new


@transaction.atomic
def offer_withdraw(*, offer: Offer, by: User | None) -> Offer:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != Offer.Status.SENT:
        raise ValidationError(_("Doar o ofertă trimisă și nedecisă poate fi retrasă."))
    offer.status, offer.withdrawn_at = Offer.Status.WITHDRAWN, timezone.now()
    offer.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit.record(action="offer.withdrawn", company=offer.company, user=by, obj=offer, revision=offer.revision)
    return offer


def expire_offers(*, today: date | None = None) -> int:
    """Mark sent offers past their validity date as expired; each once (safe to run any number of times)."""
    today = today or timezone.localdate()
    count = 0
    due = Offer.objects.filter(status=Offer.Status.SENT, valid_until__lt=today).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            offer = (
                Offer.objects.select_for_update().filter(pk=pk, status=Offer.Status.SENT, valid_until__lt=today).first()
            )
            if offer is None:
                continue  # decided or expired by someone else meanwhile
            offer.status = Offer.Status.EXPIRED
            offer.save(update_fields=["status", "updated_at"])
            audit.record(
                action="offer.expired",
                company=offer.company,
                obj=offer,
                revision=offer.revision,
                valid_until=offer.valid_until.isoformat(),
            )
            count += 1
    return count


# --- offers: the client's decision ----------------------------------------------------------------------


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def why_not_open(offer: Offer) -> str:
    """The reason an offer cannot be decided, for the client; empty when it can."""
    if offer.status == Offer.Status.SENT:
        if offer.valid_until < timezone.localdate():
            return _("a expirat la %(date)s.") % {"date": formats.date_format(offer.valid_until, "SHORT_DATE_FORMAT")}
        return ""
    decider = (offer.decided_by.get_full_name() or offer.decided_by.email) if offer.decided_by else _("un coleg")
    if offer.status == Offer.Status.ACCEPTED:
        return _("a fost deja acceptată de %(name)s pe %(when)s.") % {"name": decider, "when": _when(offer.decided_at)}
    if offer.status == Offer.Status.REJECTED:
        return _("a fost deja respinsă de %(name)s pe %(when)s.") % {"name": decider, "when": _when(offer.decided_at)}
    if offer.status == Offer.Status.EXPIRED:
        return _("a expirat la %(date)s.") % {"date": formats.date_format(offer.valid_until, "SHORT_DATE_FORMAT")}
    if offer.status == Offer.Status.WITHDRAWN:
        return _("a fost retrasă de furnizor.")
    if offer.status == Offer.Status.SUPERSEDED:
        return _("a fost înlocuită de o revizie mai nouă.")
    return _("nu a fost trimisă încă.")


PO_NUMBER_MAX, ACCEPTANCE_NOTE_MAX = 50, 1000
# A purchase-order number as ERPs write them: letters (with ă â î ș ț), digits, and - / . _ # : ( ) between words.
PO_NUMBER_PATTERN = re.compile(r"[0-9A-Za-zĂÂÎȘȚăâîșț]+(?:[ \-/._#:()]*[0-9A-Za-zĂÂÎȘȚăâîșț()]+)*")
# Old cedilla letters (ş ţ) are kept as the comma-below ones the supplier's documents use.
CEDILLAS = str.maketrans("şţŞŢ", "șțȘȚ")


def clean_acceptance(*, po_number: str = "", note: str = "") -> tuple[str, str]:
    """The client's PO number and note as stored, or ValidationError naming the field (the form shows it)."""
    po_number = " ".join(po_number.translate(CEDILLAS).split())
    note = note.replace("\r\n", "\n").strip()
    errors: dict[str, list[str]] = {}
    if len(po_number) > PO_NUMBER_MAX:
        errors["po_number"] = [_("Numărul comenzii are cel mult %(count)d caractere.") % {"count": PO_NUMBER_MAX}]
    elif po_number and not PO_NUMBER_PATTERN.fullmatch(po_number):
        errors["po_number"] = [
            _("Numărul comenzii poate conține doar litere, cifre, spații și caracterele - / . _ # : ( ).")
        ]
    if len(note) > ACCEPTANCE_NOTE_MAX:
        errors["note"] = [_("Nota are cel mult %(count)d caractere.") % {"count": ACCEPTANCE_NOTE_MAX}]
    elif any(not char.isprintable() and char not in "\n\t" for char in note):
        errors["note"] = [_("Nota conține caractere de control, care nu sunt permise.")]
    if errors:
        raise ValidationError(errors)
    return po_number, note


def _decide(*, offer_id: int, company: Company, user: User, status: str, details: dict[str, str]) -> Offer:
    """``details``: the decision's own fields (the rejection's reason; the acceptance's PO number and note)."""
    offer = Offer.objects.for_company(company).select_for_update().get(pk=offer_id)
    membership = Membership.objects.active().filter(company=company, user=user).first()
    if membership is None or not membership.has_right("accept_offers"):
        raise PermissionDenied
    why = why_not_open(offer)
    if why:
        raise OfferNotOpen(why)
    offer.status, offer.decided_at, offer.decided_by, offer.decided_ip = (
        status,
        timezone.now(),
        user,
        audit.request_ip(),
    )
    offer.decided_total_gross = offer.total_gross
    for name, value in details.items():
        setattr(offer, name, value)
    fields = ["status", "decided_at", "decided_by", "decided_ip", "decided_total_gross", *details, "updated_at"]
    if status == Offer.Status.ACCEPTED and not offer.pdf_from_erp:
        # The portal's PDF of an accepted offer says so: rendered again on commit. The ERP's PDF is its
        # document of record and stays; the ERP learns of the decision by its webhook.
        offer.pdf = None
        fields.append("pdf")
    offer.save(update_fields=fields)
    if status == Offer.Status.ACCEPTED and offer.request_id:
        QuoteRequest.objects.filter(pk=offer.request_id).update(
            status=QuoteRequest.Status.CLOSED, updated_at=timezone.now()
        )
    audit.record(
        action=f"offer.{status}",
        company=company,
        user=user,
        obj=offer,
        number=offer.number,
        revision=offer.revision,
        total_net=str(offer.total_net),
        total_vat=str(offer.total_vat),
        total_gross=str(offer.total_gross),
        currency=offer.currency,
        **_audited_details(offer),
    )
    enqueue(tasks.notify_offer_decided, offer.pk)
    if status == Offer.Status.ACCEPTED:
        enqueue(tasks.render_order_confirmation, offer.pk)
    _publish_decision(offer, company)
    return offer


def _audited_details(offer: Offer) -> dict:
    names = {"reason": offer.rejection_reason, "po_number": offer.po_number, "note": offer.acceptance_note}
    return {name: value for name, value in names.items() if value}


def _publish_decision(offer: Offer, company: Company) -> None:
    data = {
        "number": offer.number,
        "revision": offer.revision,
        "decision": offer.status,
        "total_net": offer.total_net,
        "total_gross": offer.total_gross,
        "currency": offer.currency,
        "reason": offer.rejection_reason,
    }
    if offer.status == Offer.Status.ACCEPTED:
        data.update(po_number=offer.po_number, note=offer.acceptance_note)
    events.publish(f"offer.{offer.status}", company=company, obj=offer, data=data)


@retry_on_conflict
@transaction.atomic
def offer_accept(*, offer_id: int, company: Company, user: User, po_number: str = "", note: str = "") -> Offer:
    """Exactly once: the row lock makes a second click, tab or colleague wait, then get OfferNotOpen. The
    order confirmation PDF follows on commit."""
    po_number, note = clean_acceptance(po_number=po_number, note=note)
    return _decide(
        offer_id=offer_id,
        company=company,
        user=user,
        status=Offer.Status.ACCEPTED,
        details={"po_number": po_number, "acceptance_note": note},
    )


@retry_on_conflict
@transaction.atomic
def offer_reject(*, offer_id: int, company: Company, user: User, reason: str = "") -> Offer:
    return _decide(
        offer_id=offer_id,
        company=company,
        user=user,
        status=Offer.Status.REJECTED,
        details={"rejection_reason": reason.strip()[:2000]},
    )


# --- the offer PDF ----------------------------------------------------------------------------------------


def offer_pdf_name(offer: Offer) -> str:
    return safe_filename(f"Oferta {offer.number} rev {offer.revision}", "pdf")


def offer_render_pdf(*, offer: Offer) -> StoredFile:
    """Render the PDF as the offer stands and keep it; a decision taken meanwhile wins (rendered again)."""
    for _attempt in range(3):
        snapshot = selectors.offer_for_pdf(pk=offer.pk)
        with translation.override("ro"):
            content = render_pdf("pdf/quotes_offer.html", selectors.offer_pdf_context(snapshot))
        with transaction.atomic():
            locked = Offer.objects.select_for_update().get(pk=offer.pk)
            if (locked.status, locked.decided_at) != (snapshot.status, snapshot.decided_at):
                continue
            stored = store_generated(
                company=locked.company, name=offer_pdf_name(locked), content=content, content_type="application/pdf"
            )
            locked.pdf = stored
            locked.save(update_fields=["pdf"])
            return stored
    raise RuntimeError(f"Offer {offer.pk} kept changing while its PDF was rendered")


# --- the order confirmation ("Confirmare de comandă") -----------------------------------------------------


def order_confirmation_name(offer: Offer) -> str:
    return safe_filename(f"Confirmare comanda {offer.number} rev {offer.revision}", "pdf")


def order_confirmation_render(*, offer_id: int) -> StoredFile | None:
    """Render and keep the accepted offer's order confirmation once: a second run (a retried task, the download
    racing the task) returns the one already kept. None for an offer that is not accepted."""
    offer = selectors.offer_for_pdf(pk=offer_id)
    if offer.status != Offer.Status.ACCEPTED:
        return None
    if offer.confirmation_pdf_id:
        return offer.confirmation_pdf
    with translation.override("ro"):
        content = render_pdf("pdf/quotes_order_confirmation.html", selectors.offer_pdf_context(offer))
    with transaction.atomic():
        locked = Offer.objects.select_for_update(of=("self",)).select_related("confirmation_pdf").get(pk=offer_id)
        if locked.confirmation_pdf_id:
            return locked.confirmation_pdf  # another run kept one meanwhile; an acceptance never changes
        stored = store_generated(
            company=locked.company,
            name=order_confirmation_name(locked),
            content=content,
            content_type="application/pdf",
        )
        locked.confirmation_pdf = stored
        locked.save(update_fields=["confirmation_pdf"])
        return stored


# --- pushed by the ERP: the catalogue and offers ----------------------------------------------------------

PRODUCT_FIELDS = ("name", "unit", "description", "active")


def refuse_nul(values: dict, prefix: str = "") -> None:
    """PostgreSQL refuses NUL in text, even in a lookup (a 500 otherwise); the admin's forms refuse it too."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            field = f"{prefix}{name}.{index}" if isinstance(value, list) else f"{prefix}{name}"
            if isinstance(item, dict):
                try:
                    refuse_nul(item, f"{field}.")
                except ValidationError as error:
                    errors.update(error.message_dict)
            elif isinstance(item, str) and "\x00" in item:
                errors[field] = [_("Textul conține caractere nule, care nu sunt permise.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def product_upsert(*, code: str, fields: dict) -> str:
    """A catalogue product as the ERP knows it, keyed by its code: "created", "updated" or "unchanged"
    (nothing written). Checked like the admin's form (the model's own rules)."""
    refuse_nul({"code": code, **fields})
    product = Product.objects.select_for_update().filter(code=code).first()
    created = product is None
    product = product or Product(code=code)
    if not created and all(getattr(product, name) == value for name, value in fields.items()):
        return "unchanged"
    for name, value in fields.items():
        setattr(product, name, value)
    product.full_clean()
    product.save()
    audit.record(action="product.imported", obj=product, created=created, active=product.active)
    return "created" if created else "updated"


@dataclass(frozen=True)
class ErpOffer:
    """One revision of an offer as the ERP sends it, whole: its terms, its lines and perhaps its own PDF."""

    company: Company
    number: str
    revision: int
    valid_until: date
    lines: tuple[OfferLineData, ...]
    quote_request: QuoteRequest | None = None  # None: the previous revision's, if any
    currency: str = "RON"
    payment_terms: str = ""
    delivery_terms: str = ""
    notes: str = ""
    revision_note: str = ""
    pdf: bytes | None = None

    def terms(self) -> dict:
        """The offer's own fields, as ``Offer`` names them."""
        return {
            "valid_until": self.valid_until,
            "currency": self.currency,
            "payment_terms": self.payment_terms,
            "delivery_terms": self.delivery_terms,
            "notes": self.notes,
            "revision_note": self.revision_note,
        }

    def pdf_upload(self, name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, self.pdf or b"", content_type="application/pdf")


@transaction.atomic
def offer_upsert_from_erp(*, data: ErpOffer) -> str:
    """The ERP's revision of an offer, keyed by its number and revision, made and sent with the services staff
    use (offer_create or offer_new_revision, then offer_send: totals, PDF, the client's emails; a higher
    revision supersedes the current one). "created", "updated" (a new revision, or a draft made in admin
    filled and sent) or "unchanged" (nothing written). OfferConflict for what the client may have seen or
    decided: a sent revision with other content, a revision below the last one, a new revision of an
    accepted or rejected offer."""
    _check_erp_offer(data)
    revisions = list(Offer.objects.select_for_update().filter(number=data.number).order_by("pk"))
    if not revisions:
        offer = offer_create(
            company=data.company,
            by=None,
            quote_request=data.quote_request,
            number=data.number,
            revision=data.revision,
            lines=data.lines,
            **data.terms(),
        )
        _send_from_erp(offer, data)
        return "created"
    if any(other.company_id != data.company.pk for other in revisions):
        raise OfferConflict(_("Numărul %(number)s este al unei oferte pentru altă companie.") % _ids(data))
    same = next((other for other in revisions if other.revision == data.revision), None)
    if same is not None and same.status != Offer.Status.DRAFT:
        differences = _differences(same, data)
        if not differences:
            return "unchanged"
        raise OfferConflict(
            _(
                "Revizia %(revision)s a ofertei %(number)s a fost deja trimisă clientului și diferă (%(fields)s): "
                "o ofertă schimbată se trimite ca revizie nouă."
            )
            % {**_ids(data), "fields": ", ".join(differences)}
        )
    offer = _erp_revision(revisions, data, same_draft=same)
    _fill_from_erp(offer, data)
    _send_from_erp(offer, data)
    return "updated"


def _ids(data: ErpOffer) -> dict:
    return {"number": data.number, "revision": data.revision}


def _check_erp_offer(data: ErpOffer) -> None:
    """What the schema cannot say: the VAT rates in force today, the request's company, the model's rules."""
    if not data.lines:
        raise ValidationError(_("Oferta nu are niciun rând."))
    refuse_nul(
        {
            "number": data.number,
            **data.terms(),
            "lines": [{"description": line.description, "unit": line.unit} for line in data.lines],
        }
    )
    if data.quote_request is not None and data.quote_request.company_id != data.company.pk:
        raise ValidationError(_("Cererea aparține altei companii."))
    rates = vat.rates_on(timezone.localdate())
    errors = []
    for position, line in enumerate(data.lines, start=1):
        if line.vat_rate not in (*rates, 0):
            errors.append(
                _("Rândul %(position)s: cota TVA de %(rate)s%% nu este în vigoare (cote în vigoare: %(rates)s, 0%%).")
                % {"position": position, "rate": line.vat_rate, "rates": ", ".join(f"{rate}%" for rate in rates)}
            )
        try:
            line.build(offer=Offer(company=data.company), position=position).full_clean(
                exclude=["offer", "company", "product", "vat_rate"]
            )
        except ValidationError as error:
            errors.extend(
                _("Rândul %(position)s: %(error)s") % {"position": position, "error": message}
                for message in error.messages
            )
    if data.pdf is not None:
        try:
            validate_upload(data.pdf_upload("oferta.pdf"))
        except ValidationError as error:
            errors.extend(_("PDF: %(error)s") % {"error": message} for message in error.messages)
    if errors:
        raise ValidationError(errors)


def _differences(offer: Offer, data: ErpOffer) -> list[str]:
    """What the ERP's revision changes in the one the portal holds, by the API's field names."""
    names = [name for name, value in data.terms().items() if getattr(offer, name) != value]
    if data.quote_request is not None and offer.request_id != data.quote_request.pk:
        names.append("quote_request")
    stored = [stored_line_values(line) for line in offer.lines.order_by("position", "pk")]
    if stored != [line.values() for line in data.lines]:
        names.append("lines")
    if data.pdf is not None and not (
        offer.pdf_from_erp and offer.pdf_id and offer.pdf.sha256 == hashlib.sha256(data.pdf).hexdigest()
    ):
        names.append("pdf")
    return names


def _erp_revision(revisions: list[Offer], data: ErpOffer, *, same_draft: Offer | None) -> Offer:
    """The draft to fill with the ERP's revision: one staff made in admin with this revision number (the client
    never saw it), else a copy of the last one as staff make it. Refused for an offer the client accepted or
    rejected, a revision below the last, or while staff prepare another revision in admin."""
    latest = max(revisions, key=lambda other: other.revision)
    if data.revision < latest.revision:
        raise OfferConflict(
            _("Revizia %(revision)s este mai mică decât ultima revizie a ofertei %(number)s (%(latest)s).")
            % {**_ids(data), "latest": latest.revision}
        )
    accepted = next((other for other in revisions if other.status == Offer.Status.ACCEPTED), None)
    current = next((other for other in revisions if other.is_current), None)
    decided = accepted or (current if current and current.status == Offer.Status.REJECTED else None)
    if decided is not None:
        raise OfferConflict(
            _("Oferta %(number)s nu mai primește o revizie nouă: revizia %(decided)s %(why)s")
            % {**_ids(data), "decided": decided.revision, "why": why_not_open(decided)}
        )
    if same_draft is not None:
        return same_draft
    draft = next((other for other in revisions if other.status == Offer.Status.DRAFT), None)
    if draft is not None:
        raise OfferConflict(
            _(
                "Revizia %(draft)s a ofertei %(number)s este în lucru în administrare (ciornă): "
                "trimiteți-o sau ștergeți-o întâi."
            )
            % {**_ids(data), "draft": draft.revision}
        )
    return offer_new_revision(offer=latest, by=None, note=data.revision_note, revision=data.revision)


def _fill_from_erp(offer: Offer, data: ErpOffer) -> None:
    """The draft takes the ERP's terms and lines, as staff edit a draft in admin."""
    for name, value in data.terms().items():
        setattr(offer, name, value)
    if data.quote_request is not None:
        offer.request = data.quote_request
    offer.save()
    offer.lines.all().delete()
    OfferLine.objects.bulk_create(
        [line.build(offer=offer, position=position) for position, line in enumerate(data.lines, start=1)]
    )


def _send_from_erp(offer: Offer, data: ErpOffer) -> None:
    """Sent as staff send it; the ERP's PDF, when it gave one, takes the place of the portal's."""
    offer = offer_send(offer=offer, by=None)
    if data.pdf is not None:
        offer.pdf = store_upload(company=offer.company, uploaded=data.pdf_upload(offer_pdf_name(offer)))
        offer.pdf_from_erp = True
        offer.save(update_fields=["pdf", "pdf_from_erp"])
    audit.record(
        action="offer.imported",
        company=offer.company,
        obj=offer,
        revision=offer.revision,
        total_gross=str(offer.total_gross),
        pdf="erp" if data.pdf is not None else "portal",
    )
