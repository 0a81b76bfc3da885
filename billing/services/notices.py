"""Payments announced by clients ("am plătit"): the client's notice with its proof, staff confirming it
(a payment recorded and allocated, or linked to one already imported) or rejecting it with a reason,
and who is told: staff of a new notice, the client who announced it of the decision.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Company, User
from billing import tasks
from billing.models import Invoice, Payment, PaymentNotice, PaymentNoticeInvoice
from billing.services.payments import payment_record
from files.services import store_upload
from portal import audit, events
from portal.db import retry_on_conflict
from portal.money import cents, format_money
from portal.notifications import notify, send_once, send_to_user_once
from portal.rows import short_date
from portal.tasks_util import enqueue


@retry_on_conflict
@transaction.atomic
def notice_create(
    *,
    company: Company,
    user: User,
    paid_on: date,
    amount: Decimal,
    currency: str,
    reference: str,
    proof,
    invoices: Iterable[Invoice] = (),
    message: str = "",
) -> PaymentNotice:
    """The client says they paid; the proof goes through files' upload checks. Staff are told."""
    invoices = list(invoices)
    errors = _notice_errors(company, paid_on=paid_on, amount=amount, currency=currency, invoices=invoices)
    if errors:
        raise ValidationError(errors)
    # One announcement at a time per company, so that a double click or two colleagues at once cannot both
    # pass the duplicate check (NO KEY: rows that merely reference the company are not held up).
    Company.objects.select_for_update(no_key=True).filter(pk=company.pk).values_list("pk").first()
    digest = content_sha256(proof)
    duplicate = _duplicate_of(
        company, reference=reference.strip(), amount=cents(amount), invoices=invoices, proof_sha256=digest
    )
    if duplicate is not None:
        raise duplicate
    try:
        stored = store_upload(company=company, uploaded=proof, user=user)
    except ValidationError as error:
        raise ValidationError({"proof": error.messages}) from error
    notice = PaymentNotice.objects.create(
        company=company,
        announced_by=user,
        paid_on=paid_on,
        amount=cents(amount),
        currency=currency,
        reference=reference.strip(),
        message=message,
        proof=stored,
    )
    PaymentNoticeInvoice.objects.bulk_create(
        [PaymentNoticeInvoice(company=company, notice=notice, invoice=invoice) for invoice in invoices]
    )
    audit.record(
        action="payment_notice.created",
        company=company,
        user=user,
        obj=notice,
        amount=str(notice.amount),
        currency=currency,
        invoices=[str(invoice) for invoice in invoices],
    )
    enqueue(tasks.notify_payment_notice_staff, notice.pk)
    _publish_notice(notice, company, invoices)
    return notice


def _notice_errors(
    company: Company, *, paid_on: date, amount: Decimal, currency: str, invoices: list[Invoice]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("Suma trebuie să fie pozitivă.")
    if paid_on > timezone.localdate():
        errors["paid_on"] = _("Data plății nu poate fi în viitor.")
    if any(invoice.company_id != company.pk or not invoice.is_open for invoice in invoices):
        errors["invoices"] = _("Alegeți doar facturi neachitate ale companiei dvs.")
    elif any(invoice.currency != currency for invoice in invoices):
        errors["invoices"] = _("Facturile alese trebuie să fie în moneda plății (%(currency)s).") % {
            "currency": currency
        }
    return errors


class DuplicateNotice(ValidationError):
    """The client announced this payment already: ``existing`` is that announcement (the form links it)."""

    def __init__(self, field: str, message: str, existing: PaymentNotice):
        super().__init__({field: [message]})
        self.existing = existing


def content_sha256(uploaded) -> str:
    """The uploaded file's content hash, as files.services stores it on the StoredFile (``sha256``)."""
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def _duplicate_of(
    company: Company, *, reference: str, amount: Decimal, invoices: list[Invoice], proof_sha256: str
) -> DuplicateNotice | None:
    """The same payment announced again: the same proof file (by content), or the same reference and amount
    for the same invoices (or, like the first one, for none), or any pending one with that reference. A
    rejected announcement does not count: the client may send it again once the money shows."""
    live = PaymentNotice.objects.for_company(company).exclude(status=PaymentNotice.Status.REJECTED)
    same_proof = live.filter(proof__sha256=proof_sha256).order_by("created_at", "id").first()
    if same_proof is not None:
        return DuplicateNotice(
            "proof",
            _("Această dovadă de plată a fost deja trimisă cu anunțul din %(date)s (referința %(reference)s).")
            % {"date": short_date(same_proof.created_at), "reference": same_proof.reference},
            same_proof,
        )
    wanted = {invoice.pk for invoice in invoices}
    for notice in live.filter(reference=reference).prefetch_related("invoice_links").order_by("created_at", "id"):
        named = {link.invoice_id for link in notice.invoice_links.all()}
        same_invoices = bool(named & wanted) or named == wanted
        if notice.status == PaymentNotice.Status.PENDING or (notice.amount == amount and same_invoices):
            return DuplicateNotice(
                "reference",
                _("Ați anunțat deja această plată pe %(date)s (referința %(reference)s, %(amount)s): %(status)s.")
                % {
                    "date": short_date(notice.created_at),
                    "reference": notice.reference,
                    "amount": format_money(notice.amount, notice.currency),
                    "status": notice.get_status_display(),
                },
                notice,
            )
    return None


def _publish_notice(notice: PaymentNotice, company: Company, invoices: list[Invoice]) -> None:
    events.publish(
        "payment_notice.created",
        company=company,
        obj=notice,
        data={
            "amount": notice.amount,
            "currency": notice.currency,
            "reference": notice.reference,
            "paid_on": notice.paid_on,
            "invoices": [{"id": str(invoice.public_id), "number": invoice.label} for invoice in invoices],
        },
    )


@transaction.atomic
def notice_confirm(*, notice: PaymentNotice, by: User) -> Payment:
    """Staff found the money: record the payment, allocated to the invoices the client named (oldest
    first); what is left is the client's credit. A payment already imported with the same reference
    is linked instead of recorded twice."""
    notice = PaymentNotice.objects.select_for_update(of=("self",)).select_related("company", "proof").get(pk=notice.pk)
    if notice.status != PaymentNotice.Status.PENDING:
        raise ValidationError(
            _("Plata anunțată a fost deja verificată (%(status)s).") % {"status": notice.get_status_display()}
        )
    invoices = list(Invoice.objects.filter(pk__in=notice.invoice_links.values("invoice_id")))
    payment = Payment.objects.filter(company=notice.company, reference=notice.reference).first()
    if payment is None:
        payment = payment_record(
            company=notice.company,
            paid_on=notice.paid_on,
            amount=notice.amount,
            currency=notice.currency,
            method=Payment.Method.TRANSFER,
            reference=notice.reference,
            notes=_("Anunțată de client în portal."),
            by=by,
            invoices=invoices,
        )
    elif PaymentNotice.objects.filter(payment=payment).exists():
        raise ValidationError(_("Plata %(payment)s este deja legată de altă plată anunțată.") % {"payment": payment})
    notice.status, notice.decided_by, notice.decided_at = PaymentNotice.Status.CONFIRMED, by, timezone.now()
    notice.payment = payment
    notice.save(update_fields=["status", "decided_by", "decided_at", "payment"])
    audit.record(
        action="payment_notice.confirmed", company=notice.company, user=by, obj=notice, payment=str(payment.public_id)
    )
    enqueue(tasks.notify_payment_notice_decided, notice.pk)
    _close_settled_notices(confirmed=notice, payment=payment, by=by)
    return payment


def _settled_reason(
    confirmed: PaymentNotice, payment: Payment, other: PaymentNotice, invoices: list[tuple[str, bool]]
) -> str | None:
    """Why another pending notice naming the confirmed one's invoices is closed with it, or None to leave it
    to staff: every invoice it names is now settled, or it is the same payment (reference or proof)."""
    payment_label = payment.reference or payment.get_method_display()
    if invoices and not any(is_open for _label, is_open in invoices):
        return ngettext(
            "Închisă: factura %(invoices)s a fost achitată integral prin plata %(payment)s, confirmată pe %(date)s.",
            "Închisă: facturile %(invoices)s au fost achitate integral prin plata %(payment)s, confirmată pe %(date)s.",
            len(invoices),
        ) % {
            "invoices": ", ".join(label for label, _is_open in invoices),
            "payment": payment_label,
            "date": short_date(confirmed.decided_at),
        }
    if other.reference == confirmed.reference or other.proof.sha256 == confirmed.proof.sha256:
        return _("Închisă: aceeași plată (%(payment)s) a fost confirmată pe %(date)s.") % {
            "payment": payment_label,
            "date": short_date(confirmed.decided_at),
        }
    # A different payment on an invoice still partly open: staff check it on its own.
    return None


def _close_settled_notices(*, confirmed: PaymentNotice, payment: Payment, by: User) -> list[PaymentNotice]:
    """Close, in the confirming transaction, the other pending notices of the same invoices that the
    confirmed payment settled. "Rejected" with the reason and ``settled_by``: no payment of their own."""
    shared = PaymentNoticeInvoice.objects.filter(
        notice__company=confirmed.company, invoice__in=confirmed.invoice_links.values("invoice_id")
    )
    others = list(
        PaymentNotice.objects.select_for_update(of=("self",))
        .filter(company=confirmed.company, status=PaymentNotice.Status.PENDING, pk__in=shared.values("notice_id"))
        .exclude(pk=confirmed.pk)
        .select_related("proof", "announced_by")
        .order_by("created_at", "id")
    )
    named: dict[int, list[tuple[str, bool]]] = {}
    links = PaymentNoticeInvoice.objects.filter(notice__in=others).select_related("invoice").order_by("invoice_id")
    for link in links:
        named.setdefault(link.notice_id, []).append((link.invoice.label, link.invoice.is_open))
    closed = []
    for other in others:
        with translation.override(other.announced_by.language if other.announced_by else "ro"):
            reason = _settled_reason(confirmed, payment, other, named.get(other.pk, []))
        if reason is None:
            continue
        other.status, other.decided_by, other.decided_at = PaymentNotice.Status.REJECTED, by, confirmed.decided_at
        other.rejection_reason, other.settled_by = reason[:300], payment
        other.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason", "settled_by"])
        audit.record(
            action="payment_notice.settled",
            company=confirmed.company,
            user=by,
            obj=other,
            payment=str(payment.public_id),
            confirmed=str(confirmed.public_id),
        )
        enqueue(tasks.notify_payment_notice_decided, other.pk)
        closed.append(other)
    return closed


@transaction.atomic
def notice_reject(*, notice: PaymentNotice, by: User, reason: str) -> PaymentNotice:
    notice = PaymentNotice.objects.select_for_update(of=("self",)).select_related("company").get(pk=notice.pk)
    if notice.status != PaymentNotice.Status.PENDING:
        raise ValidationError(
            _("Plata anunțată a fost deja verificată (%(status)s).") % {"status": notice.get_status_display()}
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Scrieți motivul respingerii: clientul îl primește pe email."))
    notice.status, notice.decided_by, notice.decided_at = PaymentNotice.Status.REJECTED, by, timezone.now()
    notice.rejection_reason = reason[:300]
    notice.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    audit.record(
        action="payment_notice.rejected", company=notice.company, user=by, obj=notice, reason=notice.rejection_reason
    )
    enqueue(tasks.notify_payment_notice_decided, notice.pk)
    return notice


def notice_notify_staff(*, notice: PaymentNotice) -> None:
    """Email the staff addresses a new notice to check, with a link to it in the admin."""
    url = settings.SITE_URL + reverse("admin:billing_paymentnotice_change", args=[notice.pk])
    for address in settings.STAFF_NOTIFICATION_EMAILS:
        send_once(
            key=f"payment-notice:{notice.pk}:{address}",
            to=address,
            template="billing_notice_staff",
            context={"notice": notice, "url": url},
        )


def notice_notify_decided(*, notice: PaymentNotice) -> None:
    """Tell the client who announced the payment that staff confirmed or rejected it."""
    if notice.status == PaymentNotice.Status.PENDING or notice.announced_by is None:
        return
    user = notice.announced_by
    path = reverse("billing:payment_list")
    send_to_user_once(
        key=f"payment-notice-decided:{notice.pk}",
        user=user,
        template="billing_notice_decided",
        context={
            "notice": notice,
            "confirmed": notice.status == PaymentNotice.Status.CONFIRMED,
            "url": settings.SITE_URL + path,
        },
    )
    if notice.status == PaymentNotice.Status.CONFIRMED:
        message = "payment_notice.confirmed"
    elif notice.is_settled_elsewhere:
        message = "payment_notice.closed"
    else:
        message = "payment_notice.rejected"
    notify(
        user=user,
        company=notice.company,
        kind="payment_notice.decided",
        message=message,
        params={"reference": notice.reference},
        url=path,
        key=f"payment-notice-decided:{notice.pk}",
    )
