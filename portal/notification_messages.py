"""The texts of in-app notifications, one place for all of them, rendered in the reader's language.

A notification stores a message key of ``MESSAGES`` and its parameters (JSON: numbers, names, ISO dates,
the Romanian msgid of a label); its text is written when it is read: the list page in the language of
the request, the digest email in the recipient's. So a notification created by a task running in
Romanian reads in English for an English reader.

This module sits below ``portal.models`` (the model renders its own text) and imports nothing of the
project.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Message:
    text: Promise
    # Parameters holding an ISO date, written in the reader's date format.
    dates: tuple[str, ...] = ()
    # Parameters holding the Romanian msgid of a label (a ticket status), translated for the reader.
    labels: tuple[str, ...] = ()


MESSAGES: dict[str, Message] = {
    "offer.sent": Message(_("Ofertă nouă: %(number)s")),
    "offer.revised": Message(_("Ofertă revizuită: %(number)s, revizia %(revision)s")),
    "offer.accepted": Message(_("Oferta %(number)s a fost acceptată")),
    "offer.rejected": Message(_("Oferta %(number)s a fost respinsă")),
    "project.milestone": Message(_("Jalon atins: %(milestone)s (%(project)s)")),
    "project.milestones": Message(_("Calendarul jaloanelor s-a actualizat: %(project)s")),
    "project.reply": Message(_("Mesaj nou de la furnizor: %(project)s")),
    "document.new": Message(_("Document nou: %(title)s")),
    "document.version": Message(_("Versiune nouă: %(title)s")),
    "ticket.reply": Message(_("Răspuns nou la tichetul %(number)s")),
    "ticket.status": Message(_("Tichetul %(number)s: %(status)s"), labels=("status",)),
    "shipment.dispatched": Message(_("Expedierea %(number)s a plecat spre dvs.")),
    "shipment.delivered": Message(_("Expedierea %(number)s a fost livrată")),
    "shipment.failed": Message(_("Livrarea expedierii %(number)s a eșuat")),
    "contract.expiring": Message(_("Contractul %(number)s expiră în %(days)s zile")),
    "membership.requested": Message(_("%(name)s cere acces la %(company)s")),
    "payment_notice.confirmed": Message(_("Plata %(reference)s a fost confirmată")),
    "payment_notice.closed": Message(_("Anunțul plății %(reference)s a fost închis")),
    "payment_notice.rejected": Message(_("Plata %(reference)s nu a fost confirmată")),
    "invoice.issued": Message(_("Factură nouă: %(invoice)s")),
    "invoice.credit_note": Message(_("Factură storno nouă: %(invoice)s")),
    "invoice.due": Message(_("Factura %(invoice)s este scadentă pe %(date)s"), dates=("date",)),
    "invoice.overdue": Message(_("Factura %(invoice)s este restantă")),
    "invoice.archive_ready": Message(
        ngettext_lazy(
            "Arhiva cu %(count)s factură (PDF și XML) este gata de descărcat.",
            "Arhiva cu %(count)s facturi (PDF și XML) este gata de descărcat.",
            "count",
        )
    ),
    "invoice.statement_ready": Message(
        _("Fișa client %(start)s – %(end)s (%(currency)s, %(format)s) este gata de descărcat."),
        dates=("start", "end"),
    ),
    "invoice.list_export_ready": Message(_("Lista facturilor (%(format)s) este gata de descărcat.")),
    "payment.list_export_ready": Message(_("Lista plăților (%(format)s) este gata de descărcat.")),
    "account.data_export": Message(_("Exportul datelor personale este gata: descărcați-l în %(days)d zile.")),
}


def label_msgid(label) -> str:
    """The Romanian msgid of a lazy label (``ticket.get_status_display()``), to be stored in ``params``."""
    with translation.override(None):
        return str(label)


def render_message(message: str, params: dict, fallback: str) -> str:
    """The text of ``message`` in the active language; ``fallback`` for a key or parameters it cannot use."""
    entry = MESSAGES.get(message)
    if entry is None:
        return fallback
    values = dict(params)
    try:
        for name in entry.dates:
            values[name] = formats.date_format(date.fromisoformat(values[name]), "SHORT_DATE_FORMAT")
        for name in entry.labels:
            values[name] = gettext(values[name])
        return str(entry.text % values)
    except (KeyError, TypeError, ValueError):
        # A row written before a message changed its parameters: the text it was created with.
        return fallback
