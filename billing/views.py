from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from billing import exports, selectors, services, tasks
from billing.forms import ArchiveForm, InvoiceFilterForm, PaymentNoticeForm, StatementForm
from billing.models import BuiltExport, Invoice, InvoiceArchive, ListExport, StatementExport
from files.generating import generating_response, reloaded_from_generating
from files.responses import file_response
from files.selectors import documents_linked_to
from portal import audit
from portal.money import format_money
from portal.paging import paginate, query_param, query_without
from portal.tenancy import company_member_required

PER_PAGE = 25
STATEMENT_PER_PAGE = 50
EXPORT_REFRESH_SECONDS = 5


def _invoice_list_page(request: HttpRequest, *, archive_form: ArchiveForm | None = None) -> HttpResponse:
    filters = InvoiceFilterForm(request.GET or None, projects=selectors.project_choices(company=request.company))
    chosen = filters.filters()
    invoices = selectors.invoice_list(company=request.company, **chosen)
    page = paginate(request, invoices, per_page=PER_PAGE, rows=selectors.with_row_values)
    if archive_form is None:
        archive_form = ArchiveForm(initial={"date_from": chosen.get("date_from"), "date_to": chosen.get("date_to")})
    return render(
        request,
        "billing/invoice_list.html",
        {
            "page": page,
            "filters": filters,
            "archive_form": archive_form,
            "query_string": query_without(request, "page"),
            "active_section": "billing",
            "totals": selectors.account_totals(company=request.company),
            "is_filtered": any(value for key, value in request.GET.items() if key not in ("page", "sort")),
        },
        status=400 if archive_form.is_bound else 200,
    )


@require_safe
@company_member_required(right="billing")
def invoice_list(request: HttpRequest) -> HttpResponse:
    return _invoice_list_page(request)


@require_safe
@company_member_required(right="billing")
def invoice_detail(request: HttpRequest, public_id) -> HttpResponse:
    invoice = get_object_or_404(selectors.invoices_for_detail(company=request.company), public_id=public_id)
    lines = list(invoice.lines.all())
    pending = selectors.pending_notices_for(company=request.company, invoice=invoice) if invoice.is_open else []
    return render(
        request,
        "billing/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": lines,
            "vat_rows": selectors.vat_breakdown(lines),
            "mentions": selectors.legal_mentions(invoice, lines),
            "allocations": list(invoice.allocations.all()),
            "credit_notes": list(invoice.credit_notes.all()),
            "pending_notices": pending,
            "documents": documents_linked_to(
                membership=request.membership,
                user=request.user,
                obj=invoice,
                page_number=query_param(request, "documents"),
            ),
            "active_section": "billing",
        },
    )


@require_safe
@company_member_required(right="billing")
def invoice_pdf(request: HttpRequest, public_id) -> HttpResponse:
    invoice = get_object_or_404(
        Invoice.objects.for_company(request.company).visible().select_related("pdf"), public_id=public_id
    )
    if invoice.pdf is None:
        # Rendered by a task when the invoice was issued; if that has not happened yet, asked for again.
        return generating_response(
            request,
            task=tasks.render_invoice_pdf,
            args=(invoice.pk,),
            title=_("PDF-ul facturii %(invoice)s se generează") % {"invoice": invoice.label},
            message=_("Pregătim PDF-ul facturii."),
            back_url=reverse("billing:invoice_detail", args=[invoice.public_id]),
            back_label=_("Înapoi la factură"),
            active_section="billing",
        )
    audit.record(action="invoice.downloaded", company=request.company, user=request.user, obj=invoice)
    return file_response(
        invoice.pdf, filename=services.invoice_pdf_name(invoice), inline=reloaded_from_generating(request)
    )


@require_safe
@company_member_required(right="billing")
def invoice_xml(request: HttpRequest, public_id) -> HttpResponse:
    """The e-Factura XML: the original the ERP submitted to ANAF when there is one, else the portal's own."""
    invoice = get_object_or_404(
        Invoice.objects.for_company(request.company).visible().select_related("xml", "anaf_xml"), public_id=public_id
    )
    original = invoice.anaf_xml is not None
    stored = invoice.anaf_xml or invoice.xml or services.invoice_render_xml(invoice_id=invoice.pk)
    audit.record(
        action="invoice.xml_downloaded", company=request.company, user=request.user, obj=invoice, original=original
    )
    return file_response(stored, filename=services.invoice_xml_name(invoice, original=original))


@require_safe
@company_member_required(right="billing")
def invoice_signed_zip(request: HttpRequest, public_id) -> HttpResponse:
    invoice = get_object_or_404(
        Invoice.objects.for_company(request.company)
        .visible()
        .filter(anaf_zip__isnull=False)
        .select_related("anaf_zip"),
        public_id=public_id,
    )
    audit.record(action="invoice.zip_downloaded", company=request.company, user=request.user, obj=invoice)
    return file_response(invoice.anaf_zip, filename=services.invoice_signed_zip_name(invoice))


@require_POST
@company_member_required(right="billing")
def archive_create(request: HttpRequest) -> HttpResponse:
    form = ArchiveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            archive = services.archive_request(
                company=request.company,
                user=request.user,
                public_ids=data["invoices"],
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("billing:archive_detail", archive.public_id)
    return _invoice_list_page(request, archive_form=form)


@require_safe
@company_member_required(right="billing")
def archive_detail(request: HttpRequest, public_id) -> HttpResponse:
    archive = get_object_or_404(
        InvoiceArchive.objects.for_company(request.company).select_related("file"), public_id=public_id
    )
    return render(request, "billing/archive_detail.html", {"archive": archive, "active_section": "billing"})


@require_safe
@company_member_required(right="billing")
def archive_download(request: HttpRequest, public_id) -> HttpResponse:
    archive = get_object_or_404(
        InvoiceArchive.objects.for_company(request.company)
        .filter(file__isnull=False)
        .select_related("file", "company"),
        public_id=public_id,
    )
    audit.record(action="invoice.archive_downloaded", company=request.company, user=request.user, obj=archive)
    return file_response(archive.file, filename=services.archive_name(archive))


@require_safe
@company_member_required(right="billing")
def payment_list(request: HttpRequest) -> HttpResponse:
    page = paginate(
        request, selectors.payment_list(company=request.company), per_page=PER_PAGE, rows=selectors.payment_rows
    )
    return render(
        request,
        "billing/payment_list.html",
        {
            "page": page,
            "query_string": "",
            "active_section": "billing",
            "totals": selectors.credit_totals(company=request.company),
            "notices": selectors.recent_notices(company=request.company),
        },
    )


@company_member_required(right="billing")
def notice_create(request: HttpRequest) -> HttpResponse:
    invoices = selectors.open_invoices(company=request.company)
    initial = {}
    preselected = query_param(request, "invoice") if request.method != "POST" else None
    if preselected:
        chosen = [invoice for invoice in invoices if str(invoice.public_id) == preselected]
        if chosen:
            initial = {"invoices": chosen, "amount": chosen[0].balance, "currency": chosen[0].currency}
    form = PaymentNoticeForm(request.POST or None, request.FILES or None, invoices=invoices, initial=initial)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.notice_create(
                company=request.company,
                user=request.user,
                paid_on=data["paid_on"],
                amount=data["amount"],
                currency=data["currency"],
                reference=data["reference"],
                proof=data["proof"],
                invoices=data["invoices"],
                message=data["message"],
            )
        except ValidationError as error:
            duplicate = getattr(error, "existing", None)  # services.DuplicateNotice: the form links it
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Mulțumim! Plata de %(amount)s a fost anunțată; o confirmăm după ce o găsim în extrasul de cont.")
                % {"amount": format_money(data["amount"], data["currency"])},
            )
            return redirect("billing:payment_list")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "duplicate": duplicate, "active_section": "billing"}
    return render(request, "billing/notice_form.html", context, status=status)


@require_safe
@company_member_required(right="billing")
def notice_detail(request: HttpRequest, public_id) -> HttpResponse:
    notice = get_object_or_404(selectors.notices_for_detail(company=request.company), public_id=public_id)
    notice = selectors.notice_page(notice)
    return render(request, "billing/notice_detail.html", {"notice": notice, "active_section": "billing"})


def _statement_period(request) -> tuple[StatementForm, dict | None]:
    form = StatementForm(request.GET)
    return form, (form.cleaned_data if form.is_valid() else None)


@require_safe
@company_member_required(right="billing")
def statement(request: HttpRequest) -> HttpResponse:
    form, period = _statement_period(request)
    result = page = carried = None
    if period:
        # One page of movements at a time, its running balance from the database, each page starting from
        # the balance carried from the previous one (the PDF and CSV keep the whole period).
        result, movements = selectors.cached_statement(company=request.company, **period)
        page = paginate(request, movements, per_page=STATEMENT_PER_PAGE, rows=selectors.movement_rows)
        if page.number > 1 and page.object_list:
            first = page.object_list[0]
            carried = first.balance - first.debit + first.credit
    export_query = urlencode({key: form.data[key] for key in ("date_from", "date_to", "currency")}) if result else ""
    return render(
        request,
        "billing/statement.html",
        {
            "form": form,
            "statement": result,
            "page": page,
            "carried": carried,
            "query_string": export_query,
            "active_section": "billing",
            "export_query": export_query,
        },
        status=200 if result else 400,
    )


def _statement_export(request: HttpRequest, period: dict, fmt: str) -> HttpResponse:
    """Ask for the file; a page says it is being prepared (a notification follows), or the file when ready."""
    export = services.statement_export_request(company=request.company, user=request.user, fmt=fmt, **period)
    if export.status == StatementExport.Status.READY:
        return redirect("billing:statement_export_download", export.public_id)
    return _export_page(request, export)


@require_safe
@company_member_required(right="billing")
def statement_pdf(request: HttpRequest) -> HttpResponse:
    _form, period = _statement_period(request)
    if period is None:
        return redirect("billing:statement")
    return _statement_export(request, period, StatementExport.Format.PDF)


@require_safe
@company_member_required(right="billing")
def statement_csv(request: HttpRequest) -> HttpResponse:
    """A short period's CSV at once; a long one (more than CSV_DIRECT_ROWS movements) built like the PDF."""
    _form, period = _statement_period(request)
    if period is None:
        return redirect("billing:statement")
    if selectors.statement_movement_count(company=request.company, **period) > services.CSV_DIRECT_ROWS:
        return _statement_export(request, period, StatementExport.Format.CSV)
    content = services.statement_csv_bytes(company=request.company, **period)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    name = services.statement_file_name(request.company, fmt="csv", **period)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _built_export_page(request: HttpRequest, export: BuiltExport, page: dict) -> HttpResponse:
    """Being prepared: 202, refreshed every few seconds; expired: 410; ready or failed: 200. ``page`` holds
    what differs between exports: title, headings by status, description, links."""
    status = 200
    if export.is_expired:
        status = 410
    elif export.status == BuiltExport.Status.PENDING:
        status = 202
    state = "expired" if export.is_expired else export.status
    response = render(
        request,
        "billing/built_export.html",
        {
            **page,
            "export": export,
            "heading": page["headings"][state],
            "keep_days": settings.RETENTION_EXPORT_DAYS,
            "refresh_seconds": EXPORT_REFRESH_SECONDS,
            "active_section": "billing",
        },
        status=status,
    )
    if status == 202:
        response["Retry-After"] = str(EXPORT_REFRESH_SECONDS)
    response["Cache-Control"] = "private, no-store"
    return response


def _export_page(request: HttpRequest, export: StatementExport) -> HttpResponse:
    query = urlencode(
        {"date_from": export.date_from.isoformat(), "date_to": export.date_to.isoformat(), "currency": export.currency}
    )
    back_url = f"{reverse('billing:statement')}?{query}"
    dates = {
        "start": date_format(export.date_from, "SHORT_DATE_FORMAT"),
        "end": date_format(export.date_to, "SHORT_DATE_FORMAT"),
    }
    page = {
        "title": _("Fișă client"),
        "crumbs": [(reverse("billing:invoice_list"), _("Facturi")), (back_url, _("Fișă client"))],
        "headings": {
            "expired": _("Fișierul a expirat"),
            "ready": _("Fișa client este gata"),
            "failed": _("Fișa client nu a putut fi pregătită"),
            "pending": _("Fișa client se pregătește"),
        },
        "description": _("Fișa contului %(start)s – %(end)s (%(currency)s), %(format)s")
        % {**dates, "currency": export.currency, "format": export.get_format_display()},
        "check_url": reverse("billing:statement_export", args=[export.public_id]),
        "download_url": reverse("billing:statement_export_download", args=[export.public_id]),
        "back_url": back_url,
        "back_label": _("Înapoi la fișa client"),
    }
    return _built_export_page(request, export, page)


def _company_built_export(request: HttpRequest, model: type[BuiltExport], public_id) -> BuiltExport:
    return get_object_or_404(
        model.objects.for_company(request.company).select_related("file", "company"), public_id=public_id
    )


def _file_or_page(request: HttpRequest, export: BuiltExport, page, *, action: str, filename: str) -> HttpResponse:
    """The file (the notification's link); ``page`` while it is being prepared, failed or expired (410)."""
    if export.is_expired or export.status != BuiltExport.Status.READY or export.file is None:
        return page(request, export)
    audit.record(action=action, company=request.company, user=request.user, obj=export)
    return file_response(export.file, filename=filename)


@require_safe
@company_member_required(right="billing")
def statement_export(request: HttpRequest, public_id) -> HttpResponse:
    return _export_page(request, _company_built_export(request, StatementExport, public_id))


@require_safe
@company_member_required(right="billing")
def statement_export_download(request: HttpRequest, public_id) -> HttpResponse:
    export = _company_built_export(request, StatementExport, public_id)
    filename = services.export_file_name(export)
    return _file_or_page(request, export, _export_page, action="billing.statement_downloaded", filename=filename)


# --- the lists as spreadsheets ----------------------------------------------------------------------------
# A short CSV is written in the request; every XLSX (a ZIP) and a long CSV are built by a task into a
# ListExport: the request records it and answers its page (202), or the file when the same one is ready.

LIST_BACK = {ListExport.Kind.INVOICES: "billing:invoice_list", ListExport.Kind.PAYMENTS: "billing:payment_list"}


def _too_many_rows(request: HttpRequest, back: str) -> HttpResponse:
    messages.error(
        request,
        _("Exportul ar avea peste %(count)s de rânduri: alegeți o perioadă mai scurtă sau alt filtru.")
        % {"count": number_format(exports.MAX_ROWS, force_grouping=True)},
    )
    query = query_without(request, "page")
    return redirect(reverse(back) + (f"?{query}" if query else ""))


def _list_export(request: HttpRequest, kind: str, fmt: str, *, rows: int, filters: dict) -> HttpResponse:
    """``rows``: how many the filtered list holds; ``filters``: the invoice list's (none for payments)."""
    back = LIST_BACK[kind]
    if rows > exports.MAX_ROWS:
        return _too_many_rows(request, back)
    if fmt == ListExport.Format.CSV and rows <= services.CSV_DIRECT_ROWS:
        table = services.list_table(company=request.company, kind=kind, filters=filters)
        audit.record(action=f"{kind}.list_exported", company=request.company, user=request.user, format=fmt)
        response = HttpResponse(exports.csv_bytes(table), content_type=exports.CSV_CONTENT_TYPE)
        with translation.override("ro"):
            name = services.list_file_name(company=request.company, title=table.title, fmt=fmt)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
    export = services.list_export_request(
        company=request.company, user=request.user, kind=kind, fmt=fmt, filters=filters
    )
    if export.status == BuiltExport.Status.READY:
        return redirect("billing:list_export_download", export.public_id)
    return _list_export_page(request, export)


def _list_export_page(request: HttpRequest, export: ListExport) -> HttpResponse:
    back_url = reverse(LIST_BACK[export.kind])
    if export.kind == ListExport.Kind.INVOICES:
        query = urlencode(export.filters)
        back_url += f"?{query}" if query else ""
        crumbs = [(back_url, _("Facturi"))]
        description = _("Lista facturilor, cu filtrele alese, în format %(format)s")
    else:
        crumbs = [(reverse("billing:invoice_list"), _("Facturi")), (back_url, _("Plăți"))]
        description = _("Lista plăților în format %(format)s")
    page = {
        "title": _("Export"),
        "crumbs": crumbs,
        "headings": {
            "expired": _("Fișierul a expirat"),
            "ready": _("Exportul este gata"),
            "failed": _("Exportul nu a putut fi pregătit"),
            "pending": _("Exportul se pregătește"),
        },
        "description": description % {"format": export.get_format_display()},
        "check_url": reverse("billing:list_export", args=[export.public_id]),
        "download_url": reverse("billing:list_export_download", args=[export.public_id]),
        "back_url": back_url,
        "back_label": _("Înapoi la listă"),
    }
    return _built_export_page(request, export, page)


def _invoice_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The invoice list with the page's filters, every row of it (not one page)."""
    form = InvoiceFilterForm(request.GET or None, projects=selectors.project_choices(company=request.company))
    filters = form.filters()
    rows = selectors.invoice_list(company=request.company, **filters).count()
    return _list_export(request, ListExport.Kind.INVOICES, fmt, rows=rows, filters=filters)


def _payment_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The payment list, every row of it, with the invoices each payment paid."""
    rows = selectors.payment_list(company=request.company).count()
    return _list_export(request, ListExport.Kind.PAYMENTS, fmt, rows=rows, filters={})


# One view per file type, without URL arguments: a list's URL, for the access rules (portal.tenancy).
@require_safe
@company_member_required(right="billing")
def invoice_export_csv(request: HttpRequest) -> HttpResponse:
    return _invoice_export(request, ListExport.Format.CSV)


@require_safe
@company_member_required(right="billing")
def invoice_export_xlsx(request: HttpRequest) -> HttpResponse:
    return _invoice_export(request, ListExport.Format.XLSX)


@require_safe
@company_member_required(right="billing")
def payment_export_csv(request: HttpRequest) -> HttpResponse:
    return _payment_export(request, ListExport.Format.CSV)


@require_safe
@company_member_required(right="billing")
def payment_export_xlsx(request: HttpRequest) -> HttpResponse:
    return _payment_export(request, ListExport.Format.XLSX)


@require_safe
@company_member_required(right="billing")
def list_export(request: HttpRequest, public_id) -> HttpResponse:
    return _list_export_page(request, _company_built_export(request, ListExport, public_id))


@require_safe
@company_member_required(right="billing")
def list_export_download(request: HttpRequest, public_id) -> HttpResponse:
    export = _company_built_export(request, ListExport, public_id)
    filename = services.list_export_file_name(export)
    return _file_or_page(request, export, _list_export_page, action=f"{export.kind}.list_downloaded", filename=filename)
