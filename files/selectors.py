"""Reads for the document centre and for sections that show their linked documents."""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Replace
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from files.links import LINKABLES
from files.models import Document, DocumentSeen, DocumentVersion, StoredFile, UnreadDocuments, missing_rights
from portal import paging, search
from portal.money import format_file_size
from portal.rows import detail_url, short_date
from portal.summaries import Card, Summary, Urgent

SORTS = {
    "new": ("-updated_at", "-id"),
    "old": ("updated_at", "id"),
    "title": ("title", "id"),
}

LINKED_DOCUMENTS_PER_PAGE = 10


def linked_prefetch():
    """The linked objects, one query per linked model, with what their names need (no N+1)."""
    querysets = [
        apps.get_model(link.label)._base_manager.select_related(*link.select_related)
        for link in LINKABLES.values()
        if link.select_related
    ]
    return GenericPrefetch("linked", querysets) if querysets else "linked"


def with_list_data(queryset, *, user, linked: bool = True):
    """Everything a document row shows, in a fixed number of queries, plus the "nou" flag. Without
    ``linked``, the objects the documents are linked to are not loaded (a page listing one object's
    documents already has it)."""
    seen_current = DocumentSeen.objects.filter(
        document=OuterRef("pk"),
        user=user,
        version_number__gte=OuterRef("current_version__number"),
    )
    documents = (
        queryset.filter(current_version__isnull=False)
        .select_related("current_version__file", "current_version__uploaded_by", "linked_type")
        .annotate(is_seen=Exists(seen_current))
    )
    return documents.prefetch_related(linked_prefetch()) if linked else documents


def document_matches(query: str, *, company) -> Q:
    """Documents with every word of ``query`` in their title, description or current file's name, ignoring
    case and diacritics, for the global search's first few: each word is looked up through the trigram
    indexes in two subqueries (the document's own columns, the stored files' names), evaluated once, so a
    search that matches nothing does not fold every document's three columns while walking them newest
    first (0.5 s for 10,000 documents). The list page keeps the join: it counts every match anyway."""
    condition = Q()
    for word in search.words(query):
        by_text = Document.objects.for_company(company).filter(
            Q(title__unaccent_icontains=word) | Q(description__unaccent_icontains=word)
        )
        files = StoredFile.objects.for_company(company).filter(original_name__unaccent_icontains=word)
        by_file = Document.objects.for_company(company).filter(current_version__file__in=files.values("pk"))
        condition &= Q(pk__in=by_text.values("pk")) | Q(pk__in=by_file.values("pk"))
    return condition


def document_list(
    *,
    membership,
    user,
    query: str = "",
    category: str = "",
    linked_type: str = "",
    source: str = "",
    sort: str = "new",
    only_new: bool = False,
):
    documents = Document.objects.visible_to(membership)
    if query:
        documents = documents.filter(
            search.matches(query, "title", "description", "current_version__file__original_name")
        )
    if category:
        documents = documents.filter(category=category)
    if source:
        documents = documents.filter(source=source)
    if linked_type == "none":
        documents = documents.filter(linked_type__isnull=True)
    elif linked_type:
        app_label, _, model = linked_type.partition(".")
        documents = documents.filter(linked_type__app_label=app_label, linked_type__model=model)
    documents = with_list_data(documents, user=user)
    if only_new:
        documents = documents.filter(is_seen=False)
    return documents.order_by(*SORTS.get(sort, SORTS["new"]))


def with_cached_count(documents, *, membership, filters: dict):
    """The list with its count from the cache: counting a search's matches folds every candidate's title,
    description and file name (25 ms for 2,000 of 10,000 documents), and paging counts again at every page.
    The count changes only with the company's documents, their files and the category rules, which move
    ``Company.documents_stamp`` in the same transaction, and with the member's rights: the key holds them
    all. (Not for "only new": that follows the member's own opening.)"""
    company = membership.company
    wanted = "&".join(f"{key}={value}" for key, value in sorted(filters.items()))
    rights = ",".join(missing_rights(membership))
    return paging.with_cached_count(documents, key=f"files:{company.pk}:{company.documents_stamp}:{rights}:{wanted}")


def with_row_values(documents, *, linked: bool = True) -> list[Document]:
    """The document list's rows with what each shows computed once (portal/rows.py)."""
    url, download_url = detail_url("files:detail"), detail_url("files:download")
    categories, sources = dict(Document.Category.choices), dict(Document.Source.choices)
    documents = list(documents)
    for document in documents:
        file = document.current_version.file
        document.url = url(document.public_id)
        document.download_url = download_url(document.public_id)
        document.category_label = str(categories.get(document.category, document.category))
        document.source_label = str(sources.get(document.source, document.source))
        target = document.linked if linked else None
        document.linked_text = f"{capfirst(document.linked_type.name)}: {target}" if target else ""
        document.file_text = f"{file.extension.upper()}, {format_file_size(file.size)}"
        document.updated_text = short_date(document.updated_at)
    return documents


def documents_linked_to(*, membership, user, obj: models.Model, page_number=None) -> Page:
    """The documents linked to one object of another section (a project, a contract...), newest first,
    a page at a time: a contract can gather hundreds."""
    documents = Document.objects.visible_to(membership).filter(
        linked_type=ContentType.objects.get_for_model(obj), linked_id=obj.pk
    )
    page = Paginator(
        with_list_data(documents, user=user, linked=False).order_by("-updated_at", "-id"), LINKED_DOCUMENTS_PER_PAGE
    ).get_page(page_number)
    page.object_list = with_row_values(page.object_list, linked=False)
    return page


def documents_for_detail(*, membership) -> models.QuerySet[Document]:
    """The documents the member may see, with what the detail page reads (the view picks one, or 404)."""
    return Document.objects.visible_to(membership).select_related("current_version__file", "created_by", "linked_type")


def documents_by_linked_object(*, membership, user, objects) -> dict[int, list[Document]]:
    """Documents of several objects of one model (a contract's annexes), in a fixed number of queries."""
    objects = list(objects)
    if not objects:
        return {}
    documents = Document.objects.visible_to(membership).filter(
        linked_type=ContentType.objects.get_for_model(objects[0]), linked_id__in=[obj.pk for obj in objects]
    )
    grouped: dict[int, list[Document]] = {obj.pk: [] for obj in objects}
    rows = with_list_data(documents, user=user, linked=False).order_by("-updated_at", "-id")
    for document in with_row_values(rows, linked=False):
        grouped[document.linked_id].append(document)
    return grouped


# --- the dashboard ----------------------------------------------------------------------------------------


def dashboard_summary(company, membership, *, today=None) -> Summary:
    """The member's unread documents (their own card, from ``unread_documents``), and the documents'
    activity without the entries about documents the member may not see."""
    return Summary(
        own_card=lambda: _dashboard_card(unread_documents(membership)),
        feed={
            "document.created": gettext_lazy("a adăugat documentul"),
            "document.version_added": gettext_lazy("a adăugat o versiune nouă pentru"),
        },
        # A company admin sees every document.
        hide_from_feed=(lambda entries: _without_hidden_documents(entries, membership))
        if missing_rights(membership)
        else None,
    )


def unread_documents(membership) -> UnreadDocuments:
    """The documents the member may see and has not opened (in their current version), and the newest of
    them: one query while nothing changed, three after a change (``UnreadDocuments``)."""
    company = membership.company
    counter = UnreadDocuments.objects.filter(user=membership.user_id, company=company).first()
    if counter is not None and counter.stamp == company.documents_stamp:
        return counter
    unopened = with_list_data(Document.objects.visible_to(membership), user=membership.user_id, linked=False).filter(
        is_seen=False
    )
    newest = unopened.order_by("-updated_at", "-id").values("title", "public_id").first() or {}
    fresh = UnreadDocuments(
        user_id=membership.user_id,
        company=company,
        stamp=company.documents_stamp,
        opened=counter.opened if counter else 0,
        count=unopened.count() if newest else 0,
        newest_title=newest.get("title", ""),
        newest_id=newest.get("public_id"),
    )
    # Stored only if no document was opened meanwhile (``opened`` unchanged): that count may be older.
    if counter is None:
        UnreadDocuments.objects.bulk_create([fresh], ignore_conflicts=True)
    else:
        UnreadDocuments.objects.filter(company=company, user=membership.user_id, opened=counter.opened).update(
            stamp=fresh.stamp, count=fresh.count, newest_title=fresh.newest_title, newest_id=fresh.newest_id
        )
    return fresh


def _dashboard_card(unread: UnreadDocuments) -> Card:
    count = unread.count
    return Card(
        "files",
        _("Fișiere noi"),
        "folder2-open",
        reverse("files:list") + "?new=1",
        count,
        ngettext("document nedeschis", "documente nedeschise", count),
        _("Ați deschis toate documentele primite de la furnizor."),
        urgent=Urgent(unread.newest_title, reverse("files:detail", args=[unread.newest_id]))
        if unread.newest_id
        else None,
    )


def _without_hidden_documents(entries, membership):
    """Leave out the audit entries about documents the member may not see (a financial document for a member
    without the billing right, a document linked to an invoice): their titles are the leak. One subquery,
    no extra query: the entry keeps the document's public id as text, compared without dashes because
    SQLite stores a UUID as 32 hex digits and PostgreSQL prints it with dashes."""

    def undashed(expression):
        return Replace(expression, Value("-"), Value(""))

    hidden = (
        Document.objects.hidden_from(membership).annotate(key=undashed(Cast("public_id", CharField()))).values("key")
    )
    return entries.annotate(object_key=undashed(F("object_id"))).exclude(
        Q(object_type=Document._meta.label_lower) & Q(object_key__in=hidden)
    )


# --- the ERP's pull list (files/api.py) ---------------------------------------------------------------------


def client_uploads_for_erp() -> models.QuerySet[Document]:
    """Every company's documents its users uploaded, with every version's file and the linked objects: two
    queries, plus one per type of linked object."""
    versions = DocumentVersion.objects.select_related("file", "uploaded_by").order_by("number")
    return (
        Document.objects.filter(source=Document.Source.CLIENT, current_version__isnull=False)
        .select_related("company", "created_by", "linked_type")
        .prefetch_related(models.Prefetch("versions", queryset=versions), linked_prefetch())
    )


# --- the global search ------------------------------------------------------------------------------------


def search_groups(company, membership, query: str, limit: int) -> list[search.Group]:
    """The documents the member may see (``visible_to``: the rights hold here as in Fișiere) whose title,
    description or file name matches ``query``."""
    documents = (
        Document.objects.visible_to(membership)
        .filter(current_version__isnull=False)
        .filter(document_matches(query, company=company))
        .select_related("current_version__file")
        .order_by("-updated_at", "-id")
    )
    url = detail_url("files:detail")
    categories = dict(Document.Category.choices)
    return [
        search.group(
            "documents",
            _("Documente"),
            "folder2-open",
            documents,
            limit=limit,
            hit=lambda document: search.Hit(
                document.title,
                f"{capfirst(str(categories.get(document.category, document.category)))} · "
                f"{document.current_version.file.original_name} · {short_date(document.updated_at)}",
                url(document.public_id),
            ),
            list_url=search.list_url("files:list", query),
        )
    ]
