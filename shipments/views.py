from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from files.selectors import documents_linked_to
from portal.paging import paginate, query_param, query_without
from portal.tenancy import company_member_required
from shipments import selectors, services
from shipments.forms import ProblemReportForm, ReceiptForm, ShipmentFilterForm
from shipments.models import Shipment
from support import selectors as support_selectors

PER_PAGE = 25


def ticket_url(public_id) -> str:
    """The support ticket's page (the support section owns it); its list if it has no page yet."""
    try:
        return reverse("support:detail", kwargs={"public_id": public_id})
    except NoReverseMatch:
        return reverse("support:list")


def _shipment(request, public_id, *, full: bool = False) -> Shipment:
    """The company's shipment (404 otherwise); ``full`` with everything the detail page shows."""
    shipments = (
        selectors.shipments_for_detail(company=request.company)
        if full
        else Shipment.objects.for_company(request.company)
    )
    return get_object_or_404(shipments, public_id=public_id)


@require_safe
@company_member_required
def shipment_list(request: HttpRequest) -> HttpResponse:
    filters = ShipmentFilterForm(request.GET or None)
    shipments = selectors.shipment_list(company=request.company, **filters.filters())
    page = paginate(request, shipments, per_page=PER_PAGE, rows=selectors.shipment_rows)
    return render(
        request,
        "shipments/list.html",
        {
            "page": page,
            "filters": filters,
            "query_string": query_without(request, "page"),
            "active_section": "shipments",
            "is_filtered": any(request.GET.get(key) for key in ("status", "date_from", "date_to")),
        },
    )


def _problem_ticket(request: HttpRequest, shipment: Shipment):
    """The ticket the shipment's problem report opened (its number names it on the page), or None."""
    if not shipment.problem_ticket_id:
        return None
    tickets = support_selectors.tickets_for_detail(company=request.company)
    return tickets.filter(public_id=shipment.problem_ticket_id).first()


@require_safe
@company_member_required
def shipment_detail(request: HttpRequest, public_id) -> HttpResponse:
    shipment = _shipment(request, public_id, full=True)
    documents = documents_linked_to(
        membership=request.membership, user=request.user, obj=shipment, page_number=query_param(request, "documents")
    )
    events = list(shipment.events.all())
    return render(
        request,
        "shipments/detail.html",
        {
            "shipment": shipment,
            "items": list(shipment.items.all()),
            "events": events,
            "last_event": events[0] if events else None,
            "documents": documents,
            "ticket_url": ticket_url(shipment.problem_ticket_id) if shipment.problem_ticket_id else "",
            "ticket": _problem_ticket(request, shipment),
            "receipt_form": ReceiptForm(initial={"confirm": True, "kind": shipment.receipt_kind_to_confirm}),
            "active_section": "shipments",
            "can_see_billing": request.membership.has_right("billing"),
        },
    )


@require_POST
@company_member_required
def shipment_confirm_receipt(request: HttpRequest, public_id) -> HttpResponse:
    shipment = _shipment(request, public_id)
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Cererea nu a venit din formularul de confirmare."))
    try:
        shipment, confirmed = services.shipment_confirm_receipt(
            shipment=shipment, company=request.company, user=request.user, kind=form.cleaned_data["kind"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if confirmed:
            messages.success(request, _confirmed_message(shipment))
        else:
            messages.info(
                request,
                _("Primirea expedierii %(number)s fusese deja confirmată de %(name)s pe %(date)s.")
                % {
                    "number": shipment.number,
                    "name": shipment.received_by or "—",
                    "date": date_format(localtime(shipment.received_at), "SHORT_DATETIME_FORMAT"),
                },
            )
    return redirect("shipments:detail", public_id=shipment.public_id)


def _confirmed_message(shipment: Shipment) -> str:
    if shipment.receipt_kind == Shipment.ReceiptKind.WITH_OBJECTIONS:
        return _(
            "Ați confirmat primirea expedierii %(number)s cu obiecțiuni. Obiecțiunile se rezolvă în tichetul "
            "de suport deschis la raportarea problemei."
        ) % {"number": shipment.number}
    return _("Ați confirmat primirea expedierii %(number)s. Mulțumim!") % {"number": shipment.number}


def _say_already_reported(request: HttpRequest, shipment: Shipment) -> None:
    messages.info(
        request,
        _("Problema cu expedierea %(number)s este deja raportată; continuați discuția în tichet.")
        % {"number": shipment.number},
    )


@company_member_required
def shipment_report_problem(request: HttpRequest, public_id) -> HttpResponse:
    shipment = _shipment(request, public_id)
    if shipment.problem_ticket_id and request.method == "POST":
        _say_already_reported(request, shipment)
        return redirect(ticket_url(shipment.problem_ticket_id))
    form = ProblemReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket_id, created = services.shipment_report_problem(
                shipment=shipment,
                company=request.company,
                user=request.user,
                description=form.cleaned_data["description"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            form.add_error(None, ValidationError(error.messages))
        else:
            if created:
                messages.success(
                    request,
                    _("Am deschis un tichet de suport pentru expedierea %(number)s. Vă răspundem cât mai curând.")
                    % {"number": shipment.number},
                )
            else:
                _say_already_reported(request, shipment)
            return redirect(ticket_url(ticket_id))
    return render(
        request,
        "shipments/report_problem.html",
        {
            "shipment": shipment,
            "form": form,
            "active_section": "shipments",
            "ticket_url": ticket_url(shipment.problem_ticket_id) if shipment.problem_ticket_id else "",
        },
    )
