from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST, require_safe

from files import selectors, services
from files.forms import DocumentFilterForm, DocumentUploadForm, VersionUploadForm
from files.models import Document
from files.responses import file_response, safe_filename
from portal.paging import paginate, query_without
from portal.tenancy import company_member_required

PER_PAGE = 25


def _document(request, public_id) -> Document:
    return get_object_or_404(selectors.documents_for_detail(membership=request.membership), public_id=public_id)


@require_safe
@company_member_required
def document_list(request: HttpRequest) -> HttpResponse:
    filters = DocumentFilterForm(request.GET or None, membership=request.membership)
    wanted = filters.filters()
    documents = selectors.document_list(membership=request.membership, user=request.user, **wanted)
    if wanted.get("query") and not wanted.get("only_new"):
        documents = selectors.with_cached_count(documents, membership=request.membership, filters=wanted)
    page = paginate(request, documents, per_page=PER_PAGE, rows=selectors.with_row_values)
    return render(
        request,
        "files/list.html",
        {
            "page": page,
            "filters": filters,
            "query_string": query_without(request, "page"),
            "active_section": "files",
            "is_filtered": any(value for key, value in request.GET.items() if key not in ("page", "sort")),
        },
    )


@company_member_required
def document_upload(request: HttpRequest) -> HttpResponse:
    form = DocumentUploadForm(request.POST or None, request.FILES or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_create(
                company=request.company,
                title=data["title"],
                category=data["category"],
                description=data["description"],
                uploaded=data["file"],
                user=request.user,
                source=Document.Source.CLIENT,
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("Documentul „%(title)s” a fost încărcat.") % {"title": document.title})
            return redirect("files:detail", public_id=document.public_id)
    return render(request, "files/upload.html", {"form": form, "active_section": "files"})


@require_safe
@company_member_required
def document_detail(request: HttpRequest, public_id) -> HttpResponse:
    document = _document(request, public_id)
    services.document_mark_seen(document=document, user=request.user)
    versions = document.versions.select_related("file", "uploaded_by").order_by("-number")
    version_form = VersionUploadForm() if document.source == Document.Source.CLIENT else None
    return render(
        request,
        "files/detail.html",
        {
            "document": document,
            "versions": versions,
            "version_form": version_form,
            "active_section": "files",
        },
    )


@require_POST
@company_member_required
def document_add_version(request: HttpRequest, public_id) -> HttpResponse:
    document = _document(request, public_id)
    if document.source != Document.Source.CLIENT:
        # Supplier documents change only through the supplier.
        raise Http404
    form = VersionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.document_add_version(
                document=document,
                uploaded=form.cleaned_data["file"],
                user=request.user,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("Versiunea %(number)s a fost încărcată.") % {"number": version.number})
            return redirect("files:detail", public_id=document.public_id)
    versions = document.versions.select_related("file", "uploaded_by").order_by("-number")
    return render(
        request,
        "files/detail.html",
        {
            "document": document,
            "versions": versions,
            "version_form": form,
            "active_section": "files",
        },
        status=400,
    )


def _serve(request, public_id, number, *, inline: bool) -> HttpResponse:
    document = _document(request, public_id)
    versions = document.versions.select_related("file")
    version = get_object_or_404(versions, number=number) if number is not None else document.current_version
    if version is None:
        raise Http404
    stored = version.file
    if inline and not stored.can_preview:
        raise Http404
    services.record_download(document=document, version=version, user=request.user, inline=inline)
    if version == document.current_version:
        services.document_mark_seen(document=document, user=request.user)
    title = document.title if number is None else f"{document.title} v{version.number}"
    return file_response(stored, filename=safe_filename(title, stored.extension), inline=inline)


@require_safe
@company_member_required
def document_download(request: HttpRequest, public_id, number: int | None = None) -> HttpResponse:
    return _serve(request, public_id, number, inline=False)


@require_safe
@xframe_options_sameorigin
@company_member_required
def document_preview(request: HttpRequest, public_id) -> HttpResponse:
    return _serve(request, public_id, None, inline=True)
