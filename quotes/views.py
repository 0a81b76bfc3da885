import contextlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from files.generating import generating_response, reloaded_from_generating
from files.responses import file_response, safe_filename
from files.selectors import documents_by_linked_object
from portal import audit
from portal.errors import json_endpoint
from portal.paging import paginate, query_without
from portal.tenancy import company_member_required
from quotes import conf, selectors, services, tasks
from quotes.forms import (
    PRODUCTS_DATALIST,
    AcceptForm,
    FollowUpForm,
    OfferFilterForm,
    QuoteRequestForm,
    RejectForm,
    RequestFilterForm,
    RequestLineFormSet,
)
from quotes.models import Offer, QuoteRequest

PER_PAGE = 25
LINES_PREFIX = "lines"


# --- quote requests ---------------------------------------------------------------------------------------


@require_safe
@company_member_required
def request_list(request: HttpRequest) -> HttpResponse:
    filters = RequestFilterForm(request.GET or None)
    requests = selectors.request_list(company=request.company, **filters.filters())
    page = paginate(request, requests, per_page=PER_PAGE, rows=selectors.request_rows)
    return render(
        request,
        "quotes/request_list.html",
        {
            "page": page,
            "filters": filters,
            "query_string": query_without(request, "page"),
            "is_filtered": bool(request.GET.get("status")),
            "active_section": "quote_requests",
        },
    )


def _posted_lines(data: QueryDict) -> list[dict]:
    """The line rows as typed, in order (for re-rendering after "Adaugă un rând" / "Șterge")."""
    try:
        total = min(int(data.get(f"{LINES_PREFIX}-TOTAL_FORMS", 1)), conf.max_lines())
    except ValueError:
        total = 1
    names = ("product", "quantity", "unit", "note")
    return [{name: data.get(f"{LINES_PREFIX}-{i}-{name}", "") for name in names} for i in range(total)]


def _edit_lines(request) -> tuple[QuoteRequestForm, RequestLineFormSet] | None:
    """Without JavaScript, adding or removing a row re-renders the form with what was typed, no errors."""
    data = request.POST
    if "add_line" not in data and "remove_line" not in data:
        return None
    lines = _posted_lines(data)
    if "add_line" in data and len(lines) < conf.max_lines():
        lines.append({"unit": ""})
    if "remove_line" in data:
        with contextlib.suppress(ValueError, IndexError):
            del lines[int(data["remove_line"])]
    form = QuoteRequestForm(
        company=request.company,
        initial={
            name: data.get(name) for name in QuoteRequestForm.base_fields if name != "attachments" and name in data
        },
    )
    formset = RequestLineFormSet(prefix=LINES_PREFIX, initial=lines or [{}])
    if request.FILES:
        messages.warning(
            request,
            _("Alegeți din nou fișierele de atașat: browserul nu le păstrează la adăugarea sau ștergerea unui rând."),
        )
    return form, formset


def _request_form_context(form: QuoteRequestForm, formset: RequestLineFormSet) -> dict:
    return {
        "form": form,
        "formset": formset,
        "products": selectors.product_suggestions(),
        "datalist_id": PRODUCTS_DATALIST,
        "max_lines": conf.max_lines(),
        "active_section": "quote_requests",
    }


@company_member_required
def request_create(request: HttpRequest) -> HttpResponse:
    edited = _edit_lines(request) if request.method == "POST" else None
    if edited:
        form, formset = edited
    elif request.method == "POST":
        form = QuoteRequestForm(request.POST, request.FILES, company=request.company)
        formset = RequestLineFormSet(request.POST, prefix=LINES_PREFIX)
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                quote_request = services.request_create(
                    company=request.company,
                    user=request.user,
                    lines=formset.lines(),
                    delivery_option=data["delivery_option"],
                    address_entry=data["address_entry"],
                    new_address=form.new_address_value(),
                    save_address=data["save_address"],
                    desired_date=data["desired_date"],
                    remarks=data["remarks"],
                    attachments=data["attachments"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Cererea %(number)s a fost trimisă. Vă anunțăm când primiți oferta.")
                    % {"number": quote_request.number},
                )
                return redirect(quote_request)
        if request.FILES:
            messages.warning(
                request, _("Alegeți din nou fișierele de atașat: browserul nu le păstrează când formularul are erori.")
            )
    else:
        form = QuoteRequestForm(company=request.company)
        formset = RequestLineFormSet(prefix=LINES_PREFIX)
    return render(request, "quotes/request_form.html", _request_form_context(form, formset))


@require_safe
@company_member_required
def request_detail(request: HttpRequest, public_id) -> HttpResponse:
    quote_request = get_object_or_404(selectors.requests_for_detail(company=request.company), public_id=public_id)
    can_cancel = quote_request.status in QuoteRequest.CANCELLABLE and not quote_request.sent_offers
    return render(
        request,
        "quotes/request_detail.html",
        {
            "quote_request": quote_request,
            "can_cancel": can_cancel,
            "active_section": "quote_requests",
        },
    )


@require_POST
@company_member_required
def request_cancel(request: HttpRequest, public_id) -> HttpResponse:
    quote_request = get_object_or_404(QuoteRequest.objects.for_company(request.company), public_id=public_id)
    try:
        services.request_cancel(quote_request=quote_request, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Cererea %(number)s a fost anulată.") % {"number": quote_request.number})
    return redirect(quote_request)


@require_safe
@company_member_required
def request_attachment(request: HttpRequest, public_id, file_id) -> HttpResponse:
    quote_request = get_object_or_404(QuoteRequest.objects.for_company(request.company), public_id=public_id)
    stored = get_object_or_404(quote_request.attachments.filter(company=request.company), public_id=file_id)
    audit.record(
        action="quote_request.attachment_downloaded",
        company=request.company,
        user=request.user,
        obj=quote_request,
        file=stored.original_name,
    )
    stem = stored.original_name.rsplit(".", 1)[0]
    return file_response(stored, filename=safe_filename(stem, stored.extension))


@json_endpoint
@require_safe
@company_member_required
def product_search(request: HttpRequest) -> JsonResponse:
    products = selectors.product_search(query=request.GET.get("q", ""))
    return JsonResponse(
        {"results": [{"code": p.code, "name": p.name, "unit": p.unit, "label": p.label} for p in products]}
    )


# --- offers -----------------------------------------------------------------------------------------------


@require_safe
@company_member_required
def offer_list(request: HttpRequest) -> HttpResponse:
    filters = OfferFilterForm(request.GET or None)
    offers = selectors.offer_list(company=request.company, **filters.filters())
    page = paginate(request, offers, per_page=PER_PAGE, rows=selectors.offer_rows)
    return render(
        request,
        "quotes/offer_list.html",
        {
            "page": page,
            "filters": filters,
            "query_string": query_without(request, "page"),
            "is_filtered": bool(request.GET.get("status")),
            "active_section": "offers",
        },
    )


@require_safe
@company_member_required
def offer_detail(request: HttpRequest, public_id) -> HttpResponse:
    offer = get_object_or_404(selectors.offers_for_detail(company=request.company), public_id=public_id)
    history = selectors.offer_history(offer=offer)
    current = next((revision for revision in history if revision.is_current), None)
    can_decide = request.membership.has_right("accept_offers")
    documents = documents_by_linked_object(membership=request.membership, user=request.user, objects=history)
    return render(
        request,
        "quotes/offer_detail.html",
        {
            "offer": offer,
            **selectors.offer_figures(offer),
            "history": history,
            "current": current,
            "documents": [document for revision in history for document in documents[revision.pk]],
            "can_decide": can_decide,
            "open_follow_up": next((request for request in offer.follow_ups if request.is_open), None),
            "reject_form": RejectForm(),
            "deciders": [] if can_decide else selectors.members_who_can_accept(company=request.company),
            "active_section": "offers",
        },
    )


@require_safe
@company_member_required
def offer_pdf(request: HttpRequest, public_id) -> HttpResponse:
    offer = get_object_or_404(
        Offer.objects.for_company(request.company).visible().select_related("pdf"), public_id=public_id
    )
    if offer.pdf is None:
        return _generating(request, offer, tasks.render_offer_pdf, _("PDF-ul ofertei %(number)s se generează"))
    audit.record(
        action="offer.pdf_downloaded", company=request.company, user=request.user, obj=offer, revision=offer.revision
    )
    return file_response(offer.pdf, filename=services.offer_pdf_name(offer), inline=reloaded_from_generating(request))


def _generating(request: HttpRequest, offer: Offer, task, title: str) -> HttpResponse:
    """The offer's PDF or order confirmation is not kept yet: files.generating's page, the task asked for once."""
    return generating_response(
        request,
        task=task,
        args=(offer.pk,),
        title=title % {"number": offer.number},
        message=_("Pregătim PDF-ul pentru oferta %(number)s.") % {"number": offer.number},
        back_url=reverse("quotes:offer_detail", args=[offer.public_id]),
        back_label=_("Înapoi la ofertă"),
        active_section="offers",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@company_member_required(right="accept_offers")
def offer_accept(request: HttpRequest, public_id) -> HttpResponse:
    """The confirmation page (works without JavaScript), with the optional PO number and note; POST accepts."""
    offer = get_object_or_404(selectors.offers_for_detail(company=request.company), public_id=public_id)
    if not offer.is_open:
        messages.error(request, _("Oferta nu mai poate fi acceptată: %s") % services.why_not_open(offer))
        return redirect(offer)
    form = AcceptForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.offer_accept(
                offer_id=offer.pk,
                company=request.company,
                user=request.user,
                po_number=form.cleaned_data["po_number"],
                note=form.cleaned_data["note"],
            )
        except services.OfferNotOpen as error:
            messages.error(request, _("Oferta nu mai poate fi acceptată: %s") % error)
            return redirect(offer)
        messages.success(
            request,
            _("Oferta %(number)s a fost acceptată. Furnizorul a fost anunțat.") % {"number": offer.number},
        )
        return redirect(offer)
    return render(
        request,
        "quotes/offer_accept.html",
        {"offer": offer, **selectors.offer_figures(offer), "form": form, "active_section": "offers"},
        status=400 if form.is_bound else 200,
    )


@require_POST
@company_member_required(right="accept_offers")
def offer_reject(request: HttpRequest, public_id) -> HttpResponse:
    offer = get_object_or_404(Offer.objects.for_company(request.company).visible(), public_id=public_id)
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.offer_reject(offer_id=offer.pk, company=request.company, user=request.user, reason=reason)
    except services.OfferNotOpen as error:
        messages.error(request, _("Oferta nu mai poate fi respinsă: %s") % error)
    else:
        messages.success(
            request, _("Oferta %(number)s a fost respinsă. Furnizorul a fost anunțat.") % {"number": offer.number}
        )
    return redirect(offer)


@require_safe
@company_member_required
def offer_confirmation(request: HttpRequest, public_id) -> HttpResponse:
    """The order confirmation of an accepted offer; a page saying it is being generated until the task has
    kept it (asked for again, once in a while, if the task seems lost)."""
    offer = get_object_or_404(
        Offer.objects.for_company(request.company)
        .filter(status=Offer.Status.ACCEPTED)
        .select_related("confirmation_pdf"),
        public_id=public_id,
    )
    stored = offer.confirmation_pdf
    if stored is None:
        return _generating(
            request, offer, tasks.render_order_confirmation, _("Confirmarea de comandă %(number)s se generează")
        )
    audit.record(action="offer.confirmation_downloaded", company=request.company, user=request.user, obj=offer)
    return file_response(stored, filename=services.order_confirmation_name(offer), inline=True)


@require_http_methods(["GET", "HEAD", "POST"])
@company_member_required(right="accept_offers")
def offer_request_new(request: HttpRequest, public_id) -> HttpResponse:
    """ "Cere o ofertă nouă" for an expired or rejected offer: a confirmation page, then the request."""
    offer = get_object_or_404(selectors.offers_for_detail(company=request.company), public_id=public_id)
    existing = services.open_follow_up(origin=offer)
    if existing is not None:
        return _follow_up_exists(request, existing)
    if not offer.can_follow_up:
        messages.error(request, _("O ofertă nouă se poate cere doar pentru o ofertă expirată sau respinsă."))
        return redirect(offer)
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            quote_request = services.offer_request_new(
                offer_id=offer.pk, company=request.company, user=request.user, remarks=form.cleaned_data["remarks"]
            )
        except services.FollowUpExists as error:
            return _follow_up_exists(request, error.existing)
        messages.success(
            request,
            _("Cererea %(number)s a fost trimisă. Vă anunțăm când primiți oferta nouă.")
            % {"number": quote_request.number},
        )
        return redirect(quote_request)
    context = {"offer": offer, "delivery": services.follow_up_delivery(offer.request, request.company)}
    return render(request, "quotes/offer_request_new.html", {**context, "form": form, "active_section": "offers"})


def _follow_up_exists(request: HttpRequest, existing: QuoteRequest) -> HttpResponse:
    messages.info(
        request,
        _("Există deja o cerere deschisă pentru această ofertă: %(number)s. O găsiți mai jos.")
        % {"number": existing.number},
    )
    return redirect(existing)
