from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from files.responses import file_response, safe_filename
from portal.paging import paginate, query_param, query_without, with_cached_count
from portal.tenancy import company_member_required
from support import selectors, services
from support.forms import RatingForm, ReplyForm, TicketFilterForm, TicketForm
from support.models import Ticket

PER_PAGE = 25


def _ticket(request, public_id) -> Ticket:
    return get_object_or_404(selectors.tickets_for_detail(company=request.company), public_id=public_id)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_safe
@company_member_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    filters = TicketFilterForm(request.GET or None)
    wanted = filters.filters()
    tickets = selectors.ticket_list(company=request.company, **wanted)
    if wanted.get("query"):
        # Folding every subject to count a search's matches is the page's costly part; the count changes only
        # with the company's tickets, which move Company.data_stamp in the same transaction.
        company, filtered = request.company, "&".join(f"{k}={v}" for k, v in sorted(wanted.items()))
        tickets = with_cached_count(tickets, key=f"support:{company.pk}:{company.data_stamp}:{filtered}")
    page = paginate(request, tickets, per_page=PER_PAGE, rows=selectors.with_row_values)
    return render(
        request,
        "support/list.html",
        {
            "page": page,
            "filters": filters,
            "query_string": query_without(request, "page"),
            "active_section": "support",
            "is_filtered": any(value for key, value in request.GET.items() if key != "page"),
        },
    )


def _ticket_form(request: HttpRequest) -> TicketForm:
    """The new-ticket form, prefilled from a link on another page (``?link=`` what it is about,
    ``?category=``); a link that names nothing the member may see is ignored."""
    initial_link = None
    link = query_param(request, "link") if request.method == "GET" else None
    if link:
        try:
            initial_link = selectors.resolve_link(company=request.company, membership=request.membership, value=link)
        except ValidationError:
            initial_link = None
    category = query_param(request, "category")
    initial = {"category": category} if category in Ticket.Category.values else {}
    return TicketForm(
        request.POST or None,
        request.FILES or None,
        company=request.company,
        membership=request.membership,
        initial_link=initial_link,
        initial=initial,
    )


@company_member_required
def ticket_create(request: HttpRequest) -> HttpResponse:
    form = _ticket_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_open(
                company=request.company,
                user=request.user,
                subject=data["subject"],
                description=data["description"],
                category=data["category"],
                priority=data["priority"],
                linked=data["linked"],
                attachments=data["attachments"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Tichetul %(number)s a fost deschis. Vă anunțăm pe email când răspundem.")
                % {"number": ticket.number},
            )
            return redirect(ticket)
    return render(
        request, "support/create.html", {"form": form, "active_section": "support"}, status=400 if form.errors else 200
    )


def _detail(request, ticket: Ticket, *, reply_form=None, rating_form=None, status: int = 200) -> HttpResponse:
    attachments, entries = selectors.conversation(ticket=ticket)
    return render(
        request,
        "support/detail.html",
        {
            "ticket": ticket,
            "attachments": attachments,
            "entries": entries,
            "linked": selectors.linked_for(ticket=ticket, membership=request.membership),
            "reply_form": reply_form or (ReplyForm() if ticket.is_active else None),
            "rating_form": rating_form or (RatingForm() if ticket.can_rate else None),
            "can_reopen": ticket.can_reopen(),
            "active_section": "support",
        },
        status=status,
    )


@require_safe
@company_member_required
def ticket_detail(request: HttpRequest, public_id) -> HttpResponse:
    return _detail(request, _ticket(request, public_id))


@require_POST
@company_member_required
def ticket_reply(request: HttpRequest, public_id) -> HttpResponse:
    ticket = _ticket(request, public_id)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.ticket_reply(
                ticket=ticket,
                company=request.company,
                user=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Mesajul a fost trimis echipei de suport."))
            return redirect(ticket)
    return _detail(request, ticket, reply_form=form, status=400)


def _action(request, public_id, service, success: str) -> HttpResponse:
    ticket = _ticket(request, public_id)
    try:
        service(ticket=ticket, company=request.company, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(ticket)


@require_POST
@company_member_required
def ticket_close(request: HttpRequest, public_id) -> HttpResponse:
    return _action(request, public_id, services.ticket_close, _("Tichetul a fost închis."))


@require_POST
@company_member_required
def ticket_reopen(request: HttpRequest, public_id) -> HttpResponse:
    return _action(
        request,
        public_id,
        services.ticket_reopen,
        _("Tichetul a fost redeschis. Scrieți mai jos ce nu funcționează încă."),
    )


@require_POST
@company_member_required
def ticket_rate(request: HttpRequest, public_id) -> HttpResponse:
    ticket = _ticket(request, public_id)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_rate(
                ticket=ticket,
                company=request.company,
                user=request.user,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Vă mulțumim pentru evaluare!"))
        return redirect(ticket)
    if not ticket.can_rate:
        messages.error(request, _("Tichetul nu poate fi evaluat acum."))
        return redirect(ticket)
    return _detail(request, ticket, rating_form=form, status=400)


@require_safe
@company_member_required
def attachment_download(request: HttpRequest, public_id, attachment_id) -> HttpResponse:
    attachment = get_object_or_404(
        selectors.public_attachments(company=request.company), ticket__public_id=public_id, public_id=attachment_id
    )
    services.record_download(attachment=attachment, user=request.user)
    stored = attachment.file
    title = stored.original_name.rsplit(".", 1)[0]
    return file_response(stored, filename=safe_filename(title, stored.extension))
