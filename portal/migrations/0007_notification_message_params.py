"""Notifications store a message key and its parameters, rendered in the reader's language when shown.

Existing rows only have the title, written in their recipient's language (Romanian or English) when they
were created: the message and parameters are read back from it where it matches one of the texts of its
kind. A title that matches none (cut at 200 characters, or written by an older text) stays the row's text,
shown as is. The texts, as they were when this migration was written, are copied here, not imported, so
the migration never changes.
"""

import re
from datetime import datetime

from django.db import migrations, models

# Notification kind → {message key: its texts, Romanian then English}.
TEXTS = {
    "offer.sent": {
        "offer.sent": ["Ofertă nouă: %(number)s", "New offer: %(number)s"],
        "offer.revised": [
            "Ofertă revizuită: %(number)s, revizia %(revision)s",
            "Revised offer: %(number)s, revision %(revision)s",
        ],
    },
    "offer.accepted": {"offer.accepted": ["Oferta %(number)s a fost acceptată", "Offer %(number)s has been accepted"]},
    "offer.rejected": {"offer.rejected": ["Oferta %(number)s a fost respinsă", "Offer %(number)s has been rejected"]},
    "project.milestone": {
        "project.milestone": [
            "Jalon atins: %(milestone)s (%(project)s)",
            "Milestone reached: %(milestone)s (%(project)s)",
        ]
    },
    "project.milestones": {
        "project.milestones": [
            "Calendarul jaloanelor s-a actualizat: %(project)s",
            "Milestone schedule updated: %(project)s",
        ]
    },
    "project.reply": {
        "project.reply": ["Mesaj nou de la furnizor: %(project)s", "New message from the supplier: %(project)s"]
    },
    "document.new": {
        "document.new": ["Document nou: %(title)s", "New document: %(title)s"],
        "document.version": ["Versiune nouă: %(title)s", "New version: %(title)s"],
    },
    "ticket.updated": {
        "ticket.reply": ["Răspuns nou la tichetul %(number)s", "New reply to ticket %(number)s"],
        "ticket.status": ["Tichetul %(number)s: %(status)s", "Ticket %(number)s: %(status)s"],
    },
    "shipment.dispatched": {
        "shipment.dispatched": ["Expedierea %(number)s a plecat spre dvs.", "Shipment %(number)s is on its way to you"]
    },
    "shipment.delivered": {
        "shipment.delivered": ["Expedierea %(number)s a fost livrată", "Shipment %(number)s has been delivered"]
    },
    "shipment.failed": {
        "shipment.failed": ["Livrarea expedierii %(number)s a eșuat", "Delivery of shipment %(number)s has failed"]
    },
    "contract.expiring": {
        "contract.expiring": [
            "Contractul %(number)s expiră în %(days)s zile",
            "Contract %(number)s expires in %(days)s days",
        ]
    },
    "membership.requested": {
        "membership.requested": ["%(name)s cere acces la %(company)s", "%(name)s is requesting access to %(company)s"]
    },
    "payment_notice.decided": {
        "payment_notice.confirmed": [
            "Plata %(reference)s a fost confirmată",
            "Payment %(reference)s has been confirmed",
        ],
        "payment_notice.closed": [
            "Anunțul plății %(reference)s a fost închis",
            "Payment notice %(reference)s has been closed",
        ],
        "payment_notice.rejected": [
            "Plata %(reference)s nu a fost confirmată",
            "Payment %(reference)s has not been confirmed",
        ],
    },
    "invoice.issued": {
        "invoice.issued": ["Factură nouă: %(invoice)s", "New invoice: %(invoice)s"],
        "invoice.credit_note": ["Factură storno nouă: %(invoice)s", "New credit note: %(invoice)s"],
    },
    "invoice.reminder": {
        "invoice.due": ["Factura %(invoice)s este scadentă pe %(date)s", "Invoice %(invoice)s is due on %(date)s"],
        "invoice.overdue": ["Factura %(invoice)s este restantă", "Invoice %(invoice)s is overdue"],
    },
    "invoice.archive_ready": {
        "invoice.archive_ready": [
            "Arhiva cu %(count)s factură (PDF și XML) este gata de descărcat.",
            "Arhiva cu %(count)s facturi (PDF și XML) este gata de descărcat.",
            "The archive with %(count)s invoice (PDF and XML) is ready to download.",
            "The archive with %(count)s invoices (PDF and XML) is ready to download.",
        ]
    },
    "invoice.statement_ready": {
        "invoice.statement_ready": [
            "Fișa client %(start)s – %(end)s (%(currency)s, %(format)s) este gata de descărcat.",
            "Statement of account %(start)s – %(end)s (%(currency)s, %(format)s) is ready to download.",
        ]
    },
    "account.data_export": {
        "account.data_export": [
            "Exportul datelor personale este gata: descărcați-l în %(days)d zile.",
            "Your personal data export is ready: download it within %(days)d days.",
        ]
    },
}

NUMBERS = {"revision", "days", "count"}
DATES = {"date", "start", "end"}  # written dd.mm.yyyy in the titles, ISO in the parameters
# A ticket status as written in a title (Romanian or English) → its Romanian msgid, stored in the parameters.
TICKET_STATUSES = {
    "deschis": "deschis",
    "open": "deschis",
    "în lucru": "în lucru",
    "in progress": "în lucru",
    "așteaptă răspunsul clientului": "așteaptă răspunsul clientului",
    "awaiting client reply": "așteaptă răspunsul clientului",
    "rezolvat": "rezolvat",
    "resolved": "rezolvat",
    "închis": "închis",
    "closed": "închis",
}

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _pattern(text: str) -> re.Pattern:
    parts, end = [], 0
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1)
        value = r"\d+" if name in NUMBERS else r"\d{2}\.\d{2}\.\d{4}" if name in DATES else ".+?"
        parts += [re.escape(text[end : match.start()]), f"(?P<{name}>{value})"]
        end = match.end()
    parts.append(re.escape(text[end:]))
    return re.compile("".join(parts))


PATTERNS = {
    kind: [(message, _pattern(text)) for message, texts in messages.items() for text in texts]
    for kind, messages in TEXTS.items()
}


def _param(name: str, value: str):
    if name in NUMBERS:
        return int(value)
    if name in DATES:
        return datetime.strptime(value, "%d.%m.%Y").date().isoformat()
    if name == "status":
        return TICKET_STATUSES[value]
    return value


def message_of(kind: str, title: str) -> tuple[str, dict] | None:
    """The message key and parameters a legacy title was written from; None if it matches no text of its kind."""
    for message, pattern in PATTERNS.get(kind, []):
        match = pattern.fullmatch(title)
        if match is None:
            continue
        try:
            return message, {name: _param(name, value) for name, value in match.groupdict().items()}
        except (KeyError, ValueError):
            continue  # a status or date the texts never wrote: not this message
    return None


def read_messages_from_titles(apps, schema_editor):
    Notification = apps.get_model("portal", "Notification")
    legacy = Notification.objects.filter(message="", kind__in=list(TEXTS)).only("pk", "kind", "title")
    batch = []
    for notification in legacy.iterator(chunk_size=2000):
        found = message_of(notification.kind, notification.title)
        if found is None:
            continue
        notification.message, notification.params = found
        batch.append(notification)
        if len(batch) == 1000:
            Notification.objects.bulk_update(batch, ["message", "params"])
            batch = []
    Notification.objects.bulk_update(batch, ["message", "params"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_search_fold"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="message",
            field=models.CharField(blank=True, max_length=64, verbose_name="mesaj"),
        ),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parametri"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="title",
            field=models.CharField(max_length=200, verbose_name="text la creare"),
        ),
        # Backwards: nothing to undo, the titles were never changed.
        migrations.RunPython(read_messages_from_titles, migrations.RunPython.noop),
    ]
