"""The dashboard's figures: one card per section, a chart or two, the activity feed.

All the cards' counts and the items they point to come from one query (``figures``), whatever the
company's size; nothing here renders a PDF or builds chart data a member may not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import CharField, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Replace, TruncMonth
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.models import AuditEntry
from portal.money import format_amount
from portal.rows import short_date


@dataclass
class Urgent:
    text: str
    url: str
    when: str = ""


@dataclass
class Card:
    key: str
    title: str
    icon: str
    url: str
    count: int
    count_label: str
    empty: str
    tone: str = "primary"
    urgent: Urgent | None = None
    figures: list[tuple[str, str]] = field(default_factory=list)


def _count(queryset):
    """How many rows of one company ``queryset`` has, as a scalar subquery."""
    counted = queryset.order_by().values("company").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _first(queryset, ordering: tuple, **fields: str) -> dict:
    """Fields of the first row of ``queryset`` in ``ordering``, each as a scalar subquery."""
    ordered = queryset.order_by(*ordering)
    return {name: Subquery(ordered.values(field)[:1]) for name, field in fields.items()}


def figures(membership, user, today: date) -> dict:
    """What every card counts and the item it points to, in one query: scalar subqueries on the company's
    row (each an index lookup or a count over one company's rows), instead of one or two queries a card."""
    from accounts.models import Company
    from billing.models import Invoice
    from contracts.models import Contract
    from files.models import Document, DocumentSeen
    from projects.models import Project
    from quotes.models import Offer
    from shipments.models import MOVING, Shipment
    from shipments.models import Status as ShipmentStatus
    from support.models import Ticket

    company = membership.company
    offers = Offer.objects.for_company(company).visible().current().with_display_status(
        Offer.DisplayStatus.OPEN, today=today)
    tickets = Ticket.objects.for_company(company).filter(status=Ticket.Status.WAITING)
    contracts = Contract.objects.for_company(company).with_display_status(Contract.DisplayStatus.EXPIRING,
                                                                          today=today)
    shipments = Shipment.objects.for_company(company)
    moving = shipments.filter(status__in=MOVING)
    seen = DocumentSeen.objects.filter(document=OuterRef("pk"), user=user,
                                       version_number__gte=OuterRef("current_version__number"))
    unopened = (Document.objects.visible_to(membership).filter(current_version__isnull=False)
                .annotate(is_seen=Exists(seen)).filter(is_seen=False))
    wanted = {
        "offers_count": _count(offers),
        **_first(offers, ("valid_until", "number"), offer_number="number", offer_date="valid_until",
                 offer_id="public_id"),
        "projects_count": _count(Project.objects.for_company(company).filter(status=Project.Status.IN_PROGRESS)),
        "tickets_count": _count(tickets),
        **_first(tickets, ("last_activity_at", "id"), ticket_number="number", ticket_subject="subject",
                 ticket_id="public_id"),
        "on_the_way": _count(moving),
        "to_confirm": _count(shipments.filter(status=ShipmentStatus.DELIVERED, received_at__isnull=True)),
        **_first(moving, (F("planned_delivery_date").asc(nulls_last=True), "id"), shipment_number="number",
                 shipment_status="status", shipment_date="planned_delivery_date", shipment_id="public_id"),
        "contracts_count": _count(contracts),
        **_first(contracts, ("current_end_date", "number"), contract_number="number",
                 contract_date="current_end_date", contract_id="public_id"),
        "documents_count": _count(unopened),
        **_first(unopened, ("-updated_at", "-id"), document_title="title", document_id="public_id"),
    }
    if membership.has_right("billing"):
        wanted |= _first(Invoice.objects.for_company(company).overdue(today), ("due_date", "id"),
                         invoice_series="series", invoice_number="number", invoice_date="due_date",
                         invoice_id="public_id")
    return Company.objects.filter(pk=company.pk).annotate(**wanted).values(*wanted).get()


def money(amount, currency: str) -> str:
    return format_amount(amount, "lei" if currency == "RON" else currency)


def offers_card(row: dict) -> Card:
    count = row["offers_count"]
    return Card(
        "offers", _("Oferte de analizat"), "file-earmark-text", reverse("quotes:offer_list") + "?status=open", count,
        ngettext("ofertă așteaptă decizia dvs.", "oferte așteaptă decizia dvs.", count),
        _("Nicio ofertă nu așteaptă decizia dvs. Cereți una din „Cerere ofertă”."),
        tone="warning" if count else "primary",
        urgent=Urgent(_("%(offer)s expiră pe %(date)s") % {
            "offer": row["offer_number"], "date": short_date(row["offer_date"])},
            reverse("quotes:offer_detail", args=[row["offer_id"]])) if row["offer_id"] else None,
    )


def billing_card(company, row: dict) -> Card:
    from billing.selectors import dashboard_summary

    totals = dashboard_summary(company=company)
    overdue_count = sum(t.overdue_count for t in totals)
    figures = []
    for t in totals:
        figures.append((_("De plată (%(currency)s)") % {"currency": t.currency}, money(t.outstanding, t.currency)))
        if t.overdue:
            figures.append((_("Restant (%(currency)s)") % {"currency": t.currency}, money(t.overdue, t.currency)))
    oldest = row["invoice_id"]
    return Card(
        "billing", _("Facturi"), "receipt", reverse("billing:invoice_list") + "?status=restanta", overdue_count,
        ngettext("factură restantă", "facturi restante", overdue_count),
        _("Nu aveți facturi restante."), tone="danger" if overdue_count else "success",
        urgent=Urgent(_("%(invoice)s, scadentă pe %(date)s") % {
            "invoice": f"{row['invoice_series']} {row['invoice_number']}",
            "date": short_date(row["invoice_date"])},
            reverse("billing:invoice_detail", args=[oldest])) if oldest else None,
        figures=figures,
    )


def projects_card(company, row: dict, today: date) -> tuple[Card, list]:
    from projects.models import Project
    from projects.selectors import decorate_list_rows, project_list, with_progress

    count = row["projects_count"]
    in_progress = with_progress(project_list(company=company, status=Project.Status.IN_PROGRESS), today=today)
    active = decorate_list_rows(in_progress[:8], today=today) if count else []
    upcoming = [p for p in active if p.next_milestone_date]
    upcoming.sort(key=lambda p: p.next_milestone_date)
    first = upcoming[0] if upcoming else None
    card = Card(
        "projects", _("Proiecte active"), "kanban", reverse("projects:list") + f"?stare={Project.Status.IN_PROGRESS}",
        count, ngettext("proiect în desfășurare", "proiecte în desfășurare", count),
        _("Niciun proiect în desfășurare. Aici urmăriți progresul, sarcinile și diagrama Gantt."),
        urgent=Urgent(_("Următorul jalon: %(milestone)s (%(project)s), %(date)s") % {
            "milestone": first.next_milestone_title, "project": first.code,
            "date": short_date(first.next_milestone_date)},
            reverse("projects:detail", args=[first.public_id])) if first else None,
    )
    return card, active


def support_card(row: dict) -> Card:
    from support.models import Ticket

    count = row["tickets_count"]
    return Card(
        "support", _("Tichete de suport"), "life-preserver",
        reverse("support:list") + f"?status={Ticket.Status.WAITING}", count,
        ngettext("tichet așteaptă răspunsul dvs.", "tichete așteaptă răspunsul dvs.", count),
        _("Niciun tichet nu așteaptă răspunsul dvs. Pentru orice problemă, deschideți un tichet."),
        tone="warning" if count else "primary",
        urgent=Urgent(f"{row['ticket_number']}: {row['ticket_subject']}",
                      reverse("support:detail", args=[row["ticket_id"]])) if row["ticket_id"] else None,
    )


def shipments_card(row: dict) -> Card:
    from shipments.models import Status
    from shipments.selectors import ON_THE_WAY

    count, to_confirm = row["on_the_way"], row["to_confirm"]
    figures = [(_("Livrate, de confirmat"), str(to_confirm))] if to_confirm else []
    urgent = None
    if row["shipment_id"]:
        text = _("%(number)s, %(status)s") % {"number": row["shipment_number"],
                                              "status": Status(row["shipment_status"]).label}
        if row["shipment_date"]:
            text += _(", livrare estimată %(date)s") % {"date": short_date(row["shipment_date"])}
        urgent = Urgent(text, reverse("shipments:detail", args=[row["shipment_id"]]))
    return Card(
        "shipments", _("Expedieri pe drum"), "truck", reverse("shipments:list") + f"?status={ON_THE_WAY}", count,
        ngettext("expediere pe drum", "expedieri pe drum", count),
        _("Nicio expediere pe drum. Aici urmăriți livrările și documentele lor."),
        urgent=urgent, figures=figures,
    )


def contracts_card(row: dict) -> Card:
    count = row["contracts_count"]
    return Card(
        "contracts", _("Contracte care expiră curând"), "file-earmark-check",
        reverse("contracts:list") + "?status=expiring", count,
        ngettext("contract expiră curând", "contracte expiră curând", count),
        _("Niciun contract nu expiră în perioada următoare."), tone="warning" if count else "primary",
        urgent=Urgent(_("%(number)s se încheie pe %(date)s") % {
            "number": row["contract_number"], "date": short_date(row["contract_date"])},
            reverse("contracts:detail", args=[row["contract_id"]])) if row["contract_id"] else None,
    )


def files_card(row: dict) -> Card:
    count = row["documents_count"]
    return Card(
        "files", _("Fișiere noi"), "folder2-open", reverse("files:list") + "?noi=1", count,
        ngettext("document nedeschis", "documente nedeschise", count),
        _("Ați deschis toate documentele primite de la furnizor."),
        urgent=Urgent(row["document_title"], reverse("files:detail", args=[row["document_id"]]))
        if row["document_id"] else None,
    )


def cards(request, today: date | None = None) -> tuple[list[Card], list]:
    today = today or timezone.localdate()
    company, membership = request.company, request.membership
    row = figures(membership, request.user, today)
    projects, active_projects = projects_card(company, row, today)
    result = [offers_card(row)]
    if membership.has_right("billing"):
        result.append(billing_card(company, row))
    result += [projects, support_card(row), shipments_card(row), contracts_card(row), files_card(row)]
    return result, active_projects


MONTHS = [gettext_lazy("ian"), gettext_lazy("feb"), gettext_lazy("mar"), gettext_lazy("apr"), gettext_lazy("mai"),
          gettext_lazy("iun"), gettext_lazy("iul"), gettext_lazy("aug"), gettext_lazy("sep"), gettext_lazy("oct"),
          gettext_lazy("nov"), gettext_lazy("dec")]


def billing_chart(company, today: date) -> dict | None:
    """Invoiced vs paid per month over the last 12 months, as a plotly figure dict (one query)."""
    from billing.models import Invoice, Payment

    start = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    invoiced = (Invoice.objects.for_company(company).visible().filter(issue_date__gte=start)
                .annotate(month=TruncMonth("issue_date"), chart_series=Value("invoiced"))
                .values("chart_series", "month", "currency")
                .annotate(total=Sum("total_gross")).order_by())
    paid = (Payment.objects.for_company(company).filter(date__gte=start)
            .annotate(month=TruncMonth("date"), chart_series=Value("paid")).values("chart_series", "month", "currency")
            .annotate(total=Sum("amount")).order_by())
    rows = list(invoiced.union(paid, all=True))
    invoiced = [row for row in rows if row["chart_series"] == "invoiced"]
    paid = [row for row in rows if row["chart_series"] == "paid"]
    if not invoiced and not paid:
        return None
    counts = {}
    for row in invoiced:
        counts[row["currency"]] = counts.get(row["currency"], 0) + 1
    currency = max(counts, key=counts.get) if counts else "RON"
    months = []
    month = start
    for _i in range(12):
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)

    def series(rows):
        by_month = {(r["month"].date() if hasattr(r["month"], "date") else r["month"]): float(r["total"] or 0)
                    for r in rows if r["currency"] == currency}
        return [round(by_month.get(m, 0.0), 2) for m in months]

    labels = [f"{MONTHS[m.month - 1]} {m.strftime('%y')}" for m in months]
    unit = "lei" if currency == "RON" else currency
    hover = "%{x}: %{y:,.2f} " + unit + "<extra>%{fullData.name}</extra>"
    return {
        "data": [
            {"type": "bar", "name": str(_("Facturat")), "x": labels, "y": series(invoiced),
             "marker": {"color": "#0b5ed7"}, "hovertemplate": hover},
            {"type": "bar", "name": str(_("Plătit")), "x": labels, "y": series(paid),
             "marker": {"color": "#198754"}, "hovertemplate": hover},
        ],
        "layout": {
            "barmode": "group", "height": 300, "margin": {"l": 60, "r": 10, "t": 10, "b": 40},
            "legend": {"orientation": "h", "y": -0.2}, "separators": formats.get_format("DECIMAL_SEPARATOR")
            + formats.get_format("THOUSAND_SEPARATOR"),
            "yaxis": {"title": {"text": unit}, "tickformat": ",.0f", "fixedrange": True},
            "xaxis": {"fixedrange": True}, "font": {"family": "system-ui, sans-serif", "size": 12},
        },
        "table": list(zip(labels, series(invoiced), series(paid), strict=True)),
        "currency": unit,
    }


def progress_chart(projects) -> dict | None:
    if not projects:
        return None
    names = [f"{p.code}" for p in projects][::-1]
    values = [p.progress for p in projects][::-1]
    return {
        "data": [{"type": "bar", "orientation": "h", "x": values, "y": names, "marker": {"color": "#0b5ed7"},
                  "text": [f"{v} %" for v in values], "textposition": "auto",
                  "hovertemplate": "%{y}: %{x} %<extra></extra>",
                  "customdata": [p.name for p in projects][::-1]}],
        "layout": {"height": 60 + 34 * len(projects), "margin": {"l": 110, "r": 10, "t": 10, "b": 30},
                   "xaxis": {"range": [0, 100], "ticksuffix": " %", "fixedrange": True},
                   "yaxis": {"fixedrange": True, "automargin": True},
                   "font": {"family": "system-ui, sans-serif", "size": 12}},
    }


# What the activity feed shows (a whitelist: staff-only actions never reach clients) and who may see it.
FEED = {
    "offer.sent": (gettext_lazy("a trimis oferta"), None),
    "offer.accepted": (gettext_lazy("a acceptat oferta"), None),
    "offer.rejected": (gettext_lazy("a respins oferta"), None),
    "quote_request.created": (gettext_lazy("a trimis cererea de ofertă"), None),
    "quote_request.cancelled": (gettext_lazy("a anulat cererea de ofertă"), None),
    "document.created": (gettext_lazy("a adăugat documentul"), None),
    "document.version_added": (gettext_lazy("a adăugat o versiune nouă pentru"), None),
    "ticket.opened": (gettext_lazy("a deschis tichetul"), None),
    "ticket.closed": (gettext_lazy("a închis tichetul"), None),
    "ticket.reopened": (gettext_lazy("a redeschis tichetul"), None),
    "ticket.rated": (gettext_lazy("a evaluat tichetul"), None),
    "shipment.receipt_confirmed": (gettext_lazy("a confirmat primirea expedierii"), None),
    "shipment.problem_reported": (gettext_lazy("a semnalat o problemă la expedierea"), None),
    "project.milestone_reached": (gettext_lazy("jalon atins în proiectul"), None),
    "project.commented": (gettext_lazy("a scris în discuția proiectului"), None),
    "contract.activated": (gettext_lazy("a activat contractul"), None),
    "invoice.issued": (gettext_lazy("a emis factura"), "billing"),
    "payment_notice.created": (gettext_lazy("a anunțat o plată"), "billing"),
    "payment_notice.confirmed": (gettext_lazy("a confirmat plata"), "billing"),
    "membership.approved": (gettext_lazy("a aprobat accesul pentru"), "manage_members"),
    "invitation.accepted": (gettext_lazy("s-a alăturat companiei:"), None),
}


@dataclass
class FeedItem:
    when: object
    who: str
    what: str
    obj: str


def _without_hidden_documents(entries, membership):
    """Leave out the entries about documents the member may not see (a financial document for a member
    without the billing right, a document linked to an invoice): their titles are the leak. One subquery,
    no extra query: the entry keeps the document's public id as text, compared without dashes because
    SQLite stores a UUID as 32 hex digits and PostgreSQL prints it with dashes."""
    from files.models import Document, missing_rights

    if not missing_rights(membership):
        return entries  # a company admin sees every document

    def undashed(expression):
        return Replace(expression, Value("-"), Value(""))

    hidden = (Document.objects.hidden_from(membership)
              .annotate(key=undashed(Cast("public_id", CharField()))).values("key"))
    return (entries.annotate(object_key=undashed(F("object_id")))
            .exclude(Q(object_type=Document._meta.label_lower) & Q(object_key__in=hidden)))


def activity(company, membership, limit: int = 12) -> list[FeedItem]:
    actions = [action for action, (_label, right) in FEED.items() if right is None or membership.has_right(right)]
    entries = AuditEntry.objects.for_company(company).filter(action__in=actions)
    entries = (_without_hidden_documents(entries, membership)
               .select_related("user").order_by("-created_at", "-id")[:limit])
    items = []
    for entry in entries:
        # Staff and the system (imports, tasks) act for the supplier.
        if entry.user is None or entry.user.is_staff:
            who = settings.SUPPLIER["name"]
        else:
            who = entry.user.get_full_name() or entry.user.email
        items.append(FeedItem(entry.created_at, who, str(FEED[entry.action][0]), entry.object_repr))
    return items
