"""Payments announced by clients ("am plătit"): the client's notice with its proof, staff confirming it
(a payment recorded and allocated, or linked to one already imported) or rejecting it with a reason,
and who is told: staff of a new notice, the client who announced it of the decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Company, User
from billing import tasks
from billing.models import Invoice, Payment, PaymentNotice, PaymentNoticeInvoice
from billing.services.payments import payment_record
from files.services import store_upload
from portal import audit, events
from portal.db import retry_on_conflict
from portal.money import cents
from portal.notifications import notify, send_once, send_to_user_once
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
    if PaymentNotice.objects.filter(
        company=company, reference=reference.strip(), status=PaymentNotice.Status.PENDING
    ).exists():
        errors["reference"] = _("Ați anunțat deja o plată cu această referință; este în verificare.")
    if errors:
        raise ValidationError(errors)
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
    notice = PaymentNotice.objects.select_for_update(of=("self",)).select_related("company").get(pk=notice.pk)
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
    return payment


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
    with translation.override(user.language):
        title = (
            _("Plata %(reference)s a fost confirmată")
            if notice.status == PaymentNotice.Status.CONFIRMED
            else _("Plata %(reference)s nu a fost confirmată")
        ) % {"reference": notice.reference}
    notify(
        user=user,
        company=notice.company,
        kind="payment_notice.decided",
        title=title,
        url=path,
        key=f"payment-notice-decided:{notice.pk}",
    )
