"""The document centre: client upload, versions, "nou" badges, downloads, previews, tenancy, list, admin."""

import re
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import MembershipFactory
from files import services, tasks
from files.links import LINKABLES, Linkable
from files.models import Document, DocumentSeen, DocumentVersion, StoredFile
from files.tests.factories import (
    DocumentFactory,
    add_version,
    docx_upload,
    pdf_bytes,
    pdf_upload,
    png_bytes,
    png_upload,
    upload,
)
from files.views import PER_PAGE
from portal.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db

MZ = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56


def stored_names(company) -> list[str]:
    """Every file kept in storage for the company."""
    folder = f"companies/{company.public_id}"
    try:
        # Object storage has no folders: listing an unknown prefix answers nothing, a disk raises.
        return default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return []


def rows(response) -> dict[str, Document]:
    return {document.title: document for document in response.context["page"].object_list}


def titles(response) -> list[str]:
    return [document.title for document in response.context["page"].object_list]


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def list_page(client, **params):
    response = client.get(reverse("files:list"), params)
    assert response.status_code == 200
    return response


@pytest.fixture
def document_a(company_a):
    return DocumentFactory(
        company=company_a,
        title="Fișă tehnică pompă centrifugală CP-200",
        file=pdf_upload("CP-200 fisa.pdf", "CP-200 v1"),
    )


# --- client upload ----------------------------------------------------------------------------------


def test_client_upload_keeps_the_file_privately_under_a_generated_name(client, admin_a, company_a):
    client.force_login(admin_a)
    data = pdf_bytes("Proces-verbal")
    response = client.post(
        reverse("files:upload"),
        {
            "title": "Proces-verbal de recepție",
            "category": "tehnic",
            "description": "Semnat de ambele părți.",
            "file": upload("Proces-verbal recepție 12.03.pdf", data, "application/pdf"),
        },
    )

    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("files:detail", args=[document.public_id])
    assert document.company == company_a
    assert document.source == Document.Source.CLIENT
    assert document.created_by == admin_a
    assert document.current_version.number == 1
    assert list(document.versions.values_list("number", flat=True)) == [1]
    stored = document.current_version.file
    assert stored.company == company_a
    assert stored.original_name == "Proces-verbal recepție 12.03.pdf"
    assert stored.content_type == "application/pdf"
    assert stored.size == len(data)
    assert stored.uploaded_by == admin_a
    assert stored.file.name == f"companies/{company_a.public_id}/{stored.public_id}.pdf"
    assert re.fullmatch(r"companies/[0-9a-f-]{36}/[0-9a-f-]{36}\.pdf", stored.file.name)
    with default_storage.open(stored.file.name) as kept:
        assert kept.read() == data
    assert AuditEntry.objects.filter(action="document.created", company=company_a, user=admin_a).exists()
    # The uploader lands on the page and has seen it; a colleague has not.
    assert DocumentSeen.objects.filter(document=document).count() == 0
    client.get(response["Location"])
    assert DocumentSeen.objects.filter(document=document, user=admin_a, version_number=1).exists()


def test_client_upload_does_not_notify_anybody(
    client, admin_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("files:upload"), {"title": "Schiță", "category": "tehnic", "file": png_upload()})
    assert Document.objects.count() == 1
    assert not Notification.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("factura.pdf", MZ, "nu corespunde"),
        ("pagina.html", b"<html><script>alert(1)</script></html>", "nu sunt acceptate"),
        ("gol.pdf", b"", "este gol"),
    ],
)
def test_a_refused_upload_shows_the_error_and_saves_nothing(client, admin_a, company_a, name, content, message):
    client.force_login(admin_a)
    response = client.post(
        reverse("files:upload"), {"title": "Factură", "category": "financiar", "file": upload(name, content)}
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert message in errors
    if content:
        assert f"„{name}”" in errors
        assert name in response.content.decode()
    assert not Document.objects.exists()
    assert not StoredFile.objects.exists()
    assert not AuditEntry.objects.filter(action="document.created").exists()
    assert stored_names(company_a) == []


def test_an_upload_without_a_file_asks_for_one(client, admin_a):
    client.force_login(admin_a)
    response = client.post(reverse("files:upload"), {"title": "Factură", "category": "financiar"})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Document.objects.exists()


def test_the_upload_page_states_the_limit(client, admin_a, settings):
    settings.FILES_MAX_UPLOAD_MB = 20
    client.force_login(admin_a)
    page = client.get(reverse("files:upload")).content.decode()
    assert "Maximum 20 MB." in page and "Tipuri acceptate" in page


def test_a_file_over_the_limit_is_refused_by_the_view(client, admin_a, company_a, settings):
    settings.FILES_MAX_UPLOAD_MB = 1
    client.force_login(admin_a)
    big = pdf_bytes() + b"%" + b"x" * (1024 * 1024)
    response = client.post(
        reverse("files:upload"), {"title": "Manual", "category": "tehnic", "file": upload("manual.pdf", big)}
    )
    assert response.status_code == 200
    assert "limita este" in " ".join(response.context["form"].errors["file"])
    assert not StoredFile.objects.exists()
    assert stored_names(company_a) == []


# --- versions -----------------------------------------------------------------------------------------


def test_a_new_version_keeps_the_history(client, admin_a, member_a, company_a):
    document = DocumentFactory(
        company=company_a,
        title="Schiță amplasament hală",
        source=Document.Source.CLIENT,
        user=admin_a,
        file=pdf_upload("schita-v1.pdf", "v1"),
    )
    client.force_login(admin_a)
    response = client.post(
        reverse("files:add_version", args=[document.public_id]),
        {"file": pdf_upload("schita-v2.pdf", "v2"), "comment": "Cote corectate"},
    )

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.current_version.number == 2
    assert document.current_version.comment == "Cote corectate"
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    assert AuditEntry.objects.filter(action="document.version_added", data__version=2).exists()

    client.force_login(member_a)
    listed = rows(list_page(client))["Schiță amplasament hală"]
    assert listed.current_version.number == 2
    assert ">v2<" in list_page(client).content.decode()

    detail = client.get(reverse("files:detail", args=[document.public_id]))
    assert [v.number for v in detail.context["versions"]] == [2, 1]
    current = client.get(reverse("files:download", args=[document.public_id]))
    old = client.get(reverse("files:download_version", args=[document.public_id, 1]))
    assert content(current) == pdf_bytes("v2")
    assert content(old) == pdf_bytes("v1")
    assert old["Content-Disposition"] == 'attachment; filename="Schita-amplasament-hala-v1.pdf"'
    assert client.get(reverse("files:download_version", args=[document.public_id, 3])).status_code == 404
    assert client.get(reverse("files:download_version", args=[document.public_id, 0])).status_code == 404
    # Both files stay in storage: the history is real.
    assert len(stored_names(company_a)) == 2


def test_a_refused_version_is_a_400_and_changes_nothing(client, admin_a, company_a):
    document = DocumentFactory(company=company_a, source=Document.Source.CLIENT, user=admin_a)
    client.force_login(admin_a)
    response = client.post(
        reverse("files:add_version", args=[document.public_id]),
        {"file": upload("schita.png", b"\x89PNG\r\n\x1a\n<html><script>")},
    )
    assert response.status_code == 400
    assert "„schita.png”" in response.content.decode()
    document.refresh_from_db()
    assert document.current_version.number == 1
    assert StoredFile.objects.count() == 1
    assert len(stored_names(company_a)) == 1


def test_clients_cannot_add_versions_to_supplier_documents(client, admin_a, document_a):
    client.force_login(admin_a)
    response = client.post(reverse("files:add_version", args=[document_a.public_id]), {"file": pdf_upload()})
    assert response.status_code == 404
    assert document_a.versions.count() == 1
    detail = client.get(reverse("files:detail", args=[document_a.public_id]))
    assert detail.context["version_form"] is None


def test_the_nou_badge_returns_when_the_supplier_adds_a_version(client, member_a, document_a, staff):
    client.force_login(member_a)
    assert not rows(list_page(client))[document_a.title].is_seen
    client.get(reverse("files:detail", args=[document_a.public_id]))
    assert rows(list_page(client))[document_a.title].is_seen

    add_version(document_a, pdf_upload("CP-200 rev B.pdf"), user=staff, comment="Revizia B")

    page = list_page(client)
    assert not rows(page)[document_a.title].is_seen
    assert 'text-bg-success ms-1">nou<' in page.content.decode()
    client.get(reverse("files:detail", args=[document_a.public_id]))
    assert rows(list_page(client))[document_a.title].is_seen
    assert DocumentSeen.objects.get(user=member_a, document=document_a).version_number == 2


def test_downloading_the_current_version_counts_as_seen_but_an_old_one_does_not(client, member_a, document_a):
    add_version(document_a)
    client.force_login(member_a)
    content(client.get(reverse("files:download_version", args=[document_a.public_id, 1])))
    assert not rows(list_page(client))[document_a.title].is_seen
    content(client.get(reverse("files:download", args=[document_a.public_id])))
    assert rows(list_page(client))[document_a.title].is_seen


# --- downloads and previews ----------------------------------------------------------------------------


def test_download_sends_a_safe_server_built_name_and_locks_the_content_type(client, admin_a, company_a):
    data = pdf_bytes("ofertă")
    document = DocumentFactory(
        company=company_a, title="Ofertă nr. 12/2026 — pompă „ȘȚ” <b>\\..\\", file=upload("../../etc/passwd.pdf", data)
    )
    client.force_login(admin_a)
    response = client.get(reverse("files:download", args=[document.public_id]), REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Oferta-nr-12-2026-pompa-ST-b.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert content(response) == data
    entry = AuditEntry.objects.get(action="document.downloaded")
    assert (entry.user, entry.company, entry.ip) == (admin_a, company_a, "10.1.2.3")
    assert entry.object_id == str(document.public_id)
    assert entry.data == {"version": 1}
    # The title is the client's and the supplier's text: escaped on the pages.
    detail = client.get(reverse("files:detail", args=[document.public_id])).content.decode()
    listing = list_page(client).content.decode()
    assert "„ȘȚ” &lt;b&gt;" in detail and "„ȘȚ” &lt;b&gt;" in listing
    assert "<b>" not in detail.split("<main", 1)[-1] and "<b>" not in listing.split("<main", 1)[-1]


def test_the_client_file_name_never_reaches_the_disk(company_a, admin_a):
    document = DocumentFactory(company=company_a, file=upload("../../etc/passwd.pdf", pdf_bytes()))
    stored = document.current_version.file
    assert stored.file.name == f"companies/{company_a.public_id}/{stored.public_id}.pdf"
    assert ".." not in stored.file.name and "passwd" not in stored.file.name


def test_pdf_preview_is_inline_and_may_be_framed_by_the_portal(client, admin_a, document_a, company_a):
    client.force_login(admin_a)
    response = client.get(reverse("files:preview", args=[document_a.public_id]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="document.previewed", user=admin_a, company=company_a).exists()
    detail = client.get(reverse("files:detail", args=[document_a.public_id])).content.decode()
    assert f'<iframe class="document-preview" src="{reverse("files:preview", args=[document_a.public_id])}"' in detail


def test_image_preview_is_inline_and_sandboxed(client, admin_a, company_a):
    document = DocumentFactory(company=company_a, title="Schemă montaj", file=png_upload("schema.png"))
    client.force_login(admin_a)
    response = client.get(reverse("files:preview", args=[document.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response["Content-Security-Policy"]
    assert content(response) == png_bytes()
    detail = client.get(reverse("files:detail", args=[document.public_id])).content.decode()
    assert f'<img class="img-fluid rounded" src="{reverse("files:preview", args=[document.public_id])}"' in detail


def test_documents_that_cannot_be_previewed_are_only_downloaded(client, admin_a, company_a):
    document = DocumentFactory(company=company_a, title="Specificație", file=docx_upload())
    client.force_login(admin_a)
    assert client.get(reverse("files:preview", args=[document.public_id])).status_code == 404
    assert not AuditEntry.objects.filter(action="document.previewed").exists()
    detail = client.get(reverse("files:detail", args=[document.public_id])).content.decode()
    assert reverse("files:preview", args=[document.public_id]) not in detail
    assert "nu se pot previzualiza" in detail
    download = client.get(reverse("files:download", args=[document.public_id]))
    assert download["Content-Disposition"] == 'attachment; filename="Specificatie.docx"'


# --- tenancy ----------------------------------------------------------------------------------------------

OBJECT_ROUTES = [
    ("files:detail", "get", {}),
    ("files:preview", "get", {}),
    ("files:download", "get", {}),
    ("files:download_version", "get", {"number": 1}),
    ("files:add_version", "post", {}),
]


@pytest.fixture
def client_document_a(company_a, admin_a):
    return DocumentFactory(company=company_a, title="Schiță", source=Document.Source.CLIENT, user=admin_a)


def request_route(client, name, method, extra, document):
    url = reverse(name, kwargs={"public_id": document.public_id, **extra})
    if method == "post":
        return client.post(url, {"file": pdf_upload("intrus.pdf")})
    return client.get(url)


@pytest.mark.parametrize(("name", "method", "extra"), OBJECT_ROUTES)
@pytest.mark.parametrize("who", ["member_b", "pending_user", "staff"])
def test_another_company_gets_404_everywhere(client, request, name, method, extra, who, client_document_a, company_a):
    client.force_login(request.getfixturevalue(who))
    response = request_route(client, name, method, extra, client_document_a)
    assert response.status_code == 404
    assert client_document_a.versions.count() == 1
    assert not AuditEntry.objects.filter(action__in=["document.downloaded", "document.previewed"]).exists()
    assert not DocumentSeen.objects.exists()


def test_a_document_of_a_is_404_for_b_exactly_like_a_missing_one(client, member_b, document_a):
    import uuid

    client.force_login(member_b)
    foreign = client.get(reverse("files:detail", args=[document_a.public_id]))
    missing = client.get(reverse("files:detail", args=[uuid.uuid4()]))
    assert foreign.status_code == missing.status_code == 404
    assert document_a.title not in foreign.content.decode()
    assert rows(list_page(client)) == {}


@pytest.mark.parametrize(("name", "method", "extra"), OBJECT_ROUTES)
def test_no_file_is_reachable_without_logging_in(client, name, method, extra, client_document_a):
    response = request_route(client, name, method, extra, client_document_a)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert client_document_a.versions.count() == 1


def test_a_link_needing_a_right_hides_the_document_from_members_without_it(
    client, monkeypatch, admin_a, member_a, company_a
):
    from contracts.tests.factories import ContractFactory

    monkeypatch.setitem(LINKABLES, "contracts.contract", Linkable("contracts.Contract", "Contract", right="billing"))
    contract = ContractFactory(company=company_a)
    hidden = DocumentFactory(company=company_a, title="Anexă financiară", linked=contract)
    DocumentFactory(company=company_a, title="Manual")

    client.force_login(member_a)
    assert titles(list_page(client)) == ["Manual"]
    for name in ("files:detail", "files:download", "files:preview"):
        assert client.get(reverse(name, args=[hidden.public_id])).status_code == 404
    assert "contracts.contract" not in dict(list_page(client).context["filters"].fields["linked"].choices)

    client.force_login(admin_a)
    assert set(titles(list_page(client))) == {"Manual", "Anexă financiară"}


def test_a_link_to_another_companys_object_is_refused(company_a, company_b):
    from django.core.exceptions import ValidationError

    from contracts.tests.factories import ContractFactory

    with pytest.raises(ValidationError):
        services.document_create(
            company=company_a, title="X", uploaded=pdf_upload(), user=None, linked=ContractFactory(company=company_b)
        )
    assert not Document.objects.exists()


# --- the list ------------------------------------------------------------------------------------------


@pytest.fixture
def library(company_a, admin_a):
    from contracts.tests.factories import ContractFactory

    contract = ContractFactory(company=company_a, number="CTR-2026-0007")
    return [
        DocumentFactory(
            company=company_a,
            title="Fișă tehnică pompă centrifugală CP-200",
            category="tehnic",
            description="Curbe de performanță și dimensiuni de montaj.",
            file=pdf_upload("cp200.pdf"),
        ),
        DocumentFactory(
            company=company_a,
            title="Certificat de conformitate lot 2026-11",
            category="contractual",
            linked=contract,
            file=pdf_upload("certificat-lot-11.pdf"),
        ),
        DocumentFactory(
            company=company_a,
            title="Aviz de însoțire 4512",
            category="livrare",
            description="Livrare parțială, depozitul din Ploiești.",
            file=pdf_upload("aviz.pdf"),
        ),
        DocumentFactory(
            company=company_a,
            title="Schiță amplasament hală",
            category="tehnic",
            source=Document.Source.CLIENT,
            user=admin_a,
            file=png_upload("schita-hala-B3.png"),
        ),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "CP-200"}, ["Fișă tehnică pompă centrifugală CP-200"]),
        ({"q": "cp-200"}, ["Fișă tehnică pompă centrifugală CP-200"]),
        ({"q": "Ploiești"}, ["Aviz de însoțire 4512"]),  # description
        ({"q": "schita-hala-B3"}, ["Schiță amplasament hală"]),  # original file name
        ({"q": "  lot 2026  "}, ["Certificat de conformitate lot 2026-11"]),
        ({"q": "nimic asemănător"}, []),
        ({"category": "livrare"}, ["Aviz de însoțire 4512"]),
        ({"source": "client"}, ["Schiță amplasament hală"]),
        ({"category": "tehnic", "source": "supplier"}, ["Fișă tehnică pompă centrifugală CP-200"]),
        ({"linked": "contracts.contract"}, ["Certificat de conformitate lot 2026-11"]),
        (
            {"linked": "none", "category": "tehnic"},
            ["Schiță amplasament hală", "Fișă tehnică pompă centrifugală CP-200"],
        ),
        (
            {"sort": "title"},
            [
                "Aviz de însoțire 4512",
                "Certificat de conformitate lot 2026-11",
                "Fișă tehnică pompă centrifugală CP-200",
                "Schiță amplasament hală",
            ],
        ),
        (
            {"sort": "old"},
            [
                "Fișă tehnică pompă centrifugală CP-200",
                "Certificat de conformitate lot 2026-11",
                "Aviz de însoțire 4512",
                "Schiță amplasament hală",
            ],
        ),
        (
            {},
            [
                "Schiță amplasament hală",
                "Aviz de însoțire 4512",
                "Certificat de conformitate lot 2026-11",
                "Fișă tehnică pompă centrifugală CP-200",
            ],
        ),
    ],
)
def test_search_filter_and_sort(client, member_a, library, params, expected):
    client.force_login(member_a)
    assert titles(list_page(client, **params)) == expected


def test_a_filter_with_no_result_says_so(client, member_a, library):
    client.force_login(member_a)
    page = list_page(client, q="nimic asemănător").content.decode()
    assert "Niciun document nu corespunde filtrelor." in page
    assert "Șterge filtrele" in page


def test_an_empty_document_centre_explains_itself(client, member_b, library):
    client.force_login(member_b)
    page = list_page(client).content.decode()
    assert "Deocamdată nu există niciun document" in page
    assert "Certificat" not in page


def test_the_list_shows_the_linked_object(client, member_a, library):
    client.force_login(member_a)
    page = list_page(client).content.decode()
    assert "CTR-2026-0007" in page


def test_pagination_keeps_the_filters(client, member_a, company_a):
    for n in range(PER_PAGE + 5):
        DocumentFactory(company=company_a, title=f"Aviz de însoțire {4500 + n}", category="livrare")
    DocumentFactory(company=company_a, title="Manual", category="tehnic")
    client.force_login(member_a)

    first = list_page(client, category="livrare")
    assert PER_PAGE == 25
    assert len(titles(first)) == 25
    assert first.context["page"].paginator.count == 30
    assert "?category=livrare&amp;page=2" in first.content.decode()
    second = list_page(client, category="livrare", page=2)
    assert len(titles(second)) == 5
    assert set(titles(first)).isdisjoint(titles(second))
    assert "Manual" not in titles(first) + titles(second)
    assert titles(list_page(client, category="livrare", page=99)) == titles(second)


def test_the_nou_badge_disappears_once_opened(client, member_a, admin_a, library):
    client.force_login(member_a)
    assert not any(document.is_seen for document in rows(list_page(client)).values())
    certificate = library[1]
    client.get(reverse("files:detail", args=[certificate.public_id]))
    seen = {title for title, document in rows(list_page(client)).items() if document.is_seen}
    assert seen == {certificate.title}
    # Per user: a colleague still sees it as new.
    client.force_login(admin_a)
    assert not rows(list_page(client))[certificate.title].is_seen


def test_the_list_runs_a_fixed_number_of_queries(client, member_a, company_a, staff):
    """Measured with 3 documents (one linked to each kind of object), the same ceiling holds with 80.

    The linked objects are named in each row, so a linkable whose ``__str__`` follows a relation
    (an annex names its contract) must be registered with ``select_related`` (see files/links.py).
    """
    from contracts.tests.factories import AnnexFactory, ContractFactory
    from projects.models import Project

    contracts = [ContractFactory(company=company_a) for _ in range(4)]
    annexes = [AnnexFactory(contract=contract, company=company_a) for contract in contracts]
    projects = [
        Project.objects.create(
            company=company_a,
            code=f"PRJ-2026-{n:03d}",
            name=f"Modernizare linia {n}",
            planned_start=date(2026, 1, 1),
            planned_end=date(2026, 12, 31),
        )
        for n in range(4)
    ]
    # Financial documents last: member_a (no billing right) does not see them, and the first three
    # documents must show all three linked kinds.
    categories = sorted(
        (choice for choice, _label in Document.Category.choices),
        key=lambda choice: choice == Document.Category.FINANCIAL,
    )

    def make(count, targets):
        start = Document.objects.count()
        for n in range(start, start + count):
            DocumentFactory(
                company=company_a,
                category=categories[n % len(categories)],
                linked=targets[n % len(targets)],
                user=staff,
                source=Document.Source.CLIENT if n % 7 == 0 else Document.Source.SUPPLIER,
                versions=2 if n % 5 == 0 else 1,
            )

    def measure(**params) -> tuple[int, list[str]]:
        list_page(client, **params)  # warm caches (session, content types)
        with CaptureQueriesContext(connection) as queries:
            list_page(client, **params)
        return len(queries), [query["sql"][:120] for query in queries.captured_queries]

    client.force_login(member_a)
    make(3, [contracts[0], annexes[0], projects[0]])
    few, _ = measure()
    make(77, [None, *contracts, *annexes, *projects])
    for document in Document.objects.all()[:40:3]:
        services.document_mark_seen(document=document, user=member_a)
    many, sql = measure()
    print(f"files:list queries: 3 documents → {few}, 80 documents → {many}")
    assert many <= few, f"{few} queries with 3 documents, {many} with 80 — an N+1 crept in:\n" + "\n".join(sql)
    assert few <= 12
    # Same ceiling on the last page and when filtering.
    assert measure(page=4)[0] <= few
    assert measure(q="CP", category="tehnic", linked="contracts.annex")[0] <= few


def test_the_detail_runs_a_fixed_number_of_queries(client, member_a, company_a):
    document = DocumentFactory(company=company_a, versions=2)
    client.force_login(member_a)
    client.get(reverse("files:detail", args=[document.public_id]))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("files:detail", args=[document.public_id]))
    few = len(queries)
    for _ in range(20):
        add_version(document)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("files:detail", args=[document.public_id]))
    print(f"files:detail queries: 2 versions → {few}, 22 versions → {len(queries)}")
    assert len(queries) <= few


# --- staff upload in admin and the notification -----------------------------------------------------------


def bulk_url() -> str:
    return reverse("admin:files_document_bulk")


def test_admin_add_goes_to_the_bulk_upload(client, staff, company_a):
    client.force_login(staff)
    response = client.get(reverse("admin:files_document_add"))
    assert response.status_code == 302
    assert response["Location"] == bulk_url()
    page = client.get(bulk_url(), {"company": company_a.pk})
    assert page.status_code == 200
    assert page.context["form"]["company"].value() == str(company_a.pk)


def test_staff_bulk_upload_notifies_each_member_once_per_document(
    client, staff, company_a, admin_a, member_a, member_b, pending_user, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            bulk_url(),
            {
                "company": company_a.pk,
                "category": "tehnic",
                "description": "Documentație pompă CP-200",
                "files": [pdf_upload("Fișă tehnică CP-200.pdf"), png_upload("Schemă hidraulică.png")],
            },
        )

    assert response.status_code == 302, response.context and response.context["form"].errors
    documents = Document.objects.filter(company=company_a).order_by("title")
    assert [d.title for d in documents] == ["Fișă tehnică CP-200", "Schemă hidraulică"]
    assert all(d.source == Document.Source.SUPPLIER and d.created_by == staff for d in documents)
    assert all(d.description == "Documentație pompă CP-200" for d in documents)
    assert not Document.objects.filter(company__in=[member_b.memberships.get().company]).exists()

    for user in (admin_a, member_a):
        notes = Notification.objects.filter(user=user, kind="document.new")
        assert sorted(n.url for n in notes) == sorted(reverse("files:detail", args=[d.public_id]) for d in documents)
        assert {n.company for n in notes} == {company_a}
        assert len([m for m in mailoutbox if m.to == [user.email]]) == 2
    assert not Notification.objects.filter(user__in=[member_b, pending_user]).exists()
    assert not [m for m in mailoutbox if m.to[0] in (member_b.email, pending_user.email, staff.email)]
    assert len(mailoutbox) == 4
    email = next(m for m in mailoutbox if m.to == [member_a.email] and "CP-200" in m.subject)
    assert "Document nou în portal: Fișă tehnică CP-200" in email.subject
    assert reverse("files:detail", args=[documents[0].public_id]) in email.body

    # A retried task sends nothing more.
    for version in DocumentVersion.objects.filter(document__company=company_a):
        tasks.notify_new_document_version(version.pk)
    assert len(mailoutbox) == 4
    assert Notification.objects.filter(kind="document.new").count() == 4

    # The clients see the documents as new.
    client.force_login(member_a)
    assert {title: d.is_seen for title, d in rows(list_page(client)).items()} == {
        "Fișă tehnică CP-200": False,
        "Schemă hidraulică": False,
    }


def test_a_supplier_version_notifies_again_and_a_second_one_too(
    company_a, member_a, staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = DocumentFactory(company=company_a, title="Manual ERP — modul Stocuri", user=staff)
    for number in (2, 3):
        with django_capture_on_commit_callbacks(execute=True):
            add_version(document, user=staff, comment=f"Revizia {number}")
    notes = Notification.objects.filter(user=member_a, kind="document.new").order_by("created_at", "id")
    assert [n.title for n in notes] == [
        "Document nou: Manual ERP — modul Stocuri",
        "Versiune nouă: Manual ERP — modul Stocuri",
        "Versiune nouă: Manual ERP — modul Stocuri",
    ]
    subjects = [m.subject for m in mailoutbox if m.to == [member_a.email]]
    assert len(subjects) == 3
    assert subjects[0].endswith("Document nou în portal: Manual ERP — modul Stocuri")
    assert subjects[1].endswith("Versiunea 2 a documentului Manual ERP — modul Stocuri")
    assert subjects[2].endswith("Versiunea 3 a documentului Manual ERP — modul Stocuri")


def test_the_notification_skips_members_who_cannot_see_the_linked_object(
    monkeypatch, company_a, admin_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    from contracts.tests.factories import ContractFactory

    monkeypatch.setitem(LINKABLES, "contracts.contract", Linkable("contracts.Contract", "Contract", right="billing"))
    with django_capture_on_commit_callbacks(execute=True):
        DocumentFactory(company=company_a, linked=ContractFactory(company=company_a))
    assert [m.to for m in mailoutbox] == [[admin_a.email]]
    assert not Notification.objects.filter(user=member_a).exists()


def test_inactive_members_get_nothing(company_a, admin_a, mailoutbox, django_capture_on_commit_callbacks):
    former = MembershipFactory(company=company_a, status="removed", user__email="fost@client-a.ro")
    with django_capture_on_commit_callbacks(execute=True):
        DocumentFactory(company=company_a)
    assert former.user.email not in [m.to[0] for m in mailoutbox]
    assert [m.to for m in mailoutbox] == [[admin_a.email]]


def test_a_bad_file_in_the_bulk_upload_creates_nothing(
    client, staff, company_a, admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            bulk_url(),
            {
                "company": company_a.pk,
                "category": "tehnic",
                "files": [pdf_upload("bun.pdf"), upload("setup.pdf", MZ), upload("pagina.html", b"<html>")],
            },
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "„setup.pdf”" in page and "„pagina.html”" in page
    assert not Document.objects.exists()
    assert not StoredFile.objects.exists()
    assert stored_names(company_a) == []
    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_the_bulk_upload_refuses_a_link_to_another_company(client, staff, company_a, company_b):
    from contracts.tests.factories import ContractFactory

    contract_b = ContractFactory(company=company_b)
    client.force_login(staff)
    response = client.post(
        bulk_url(),
        {
            "company": company_a.pk,
            "category": "contractual",
            "files": [pdf_upload()],
            "linked_type": ContentType.objects.get_for_model(contract_b).pk,
            "linked_id": contract_b.pk,
        },
    )
    assert response.status_code == 200
    assert "aparține altei companii" in response.content.decode()
    assert not Document.objects.exists()


def test_the_bulk_upload_links_the_documents(client, staff, company_a):
    from contracts.tests.factories import ContractFactory

    contract = ContractFactory(company=company_a)
    client.force_login(staff)
    response = client.post(
        bulk_url(),
        {
            "company": company_a.pk,
            "category": "contractual",
            "files": [pdf_upload("Contract semnat.pdf")],
            "linked_type": ContentType.objects.get_for_model(contract).pk,
            "linked_id": contract.pk,
        },
    )
    assert response.status_code == 302
    assert Document.objects.get().linked == contract


def test_staff_upload_a_new_version_in_the_admin_change_form(
    client, staff, document_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    url = reverse("admin:files_document_change", args=[document_a.pk])
    assert client.get(url).status_code == 200
    first = document_a.current_version
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "company": document_a.company.pk,
                "title": document_a.title,
                "category": document_a.category,
                "description": "",
                "linked_type": "",
                "linked_id": "",
                "new_version": pdf_upload("CP-200 rev B.pdf", "rev B"),
                "version_comment": "Revizia B",
                "versions-TOTAL_FORMS": "1",
                "versions-INITIAL_FORMS": "1",
                "versions-MIN_NUM_FORMS": "0",
                "versions-MAX_NUM_FORMS": "1000",
                "versions-0-id": first.pk,
                "versions-0-document": document_a.pk,
            },
        )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    document_a.refresh_from_db()
    assert document_a.current_version.number == 2
    assert document_a.current_version.comment == "Revizia B"
    assert "Versiunea 2 a documentului" in next(m.subject for m in mailoutbox if m.to == [member_a.email])


def test_staff_cannot_attach_a_bad_file_as_a_new_version(client, staff, document_a):
    client.force_login(staff)
    first = document_a.current_version
    response = client.post(
        reverse("admin:files_document_change", args=[document_a.pk]),
        {
            "company": document_a.company.pk,
            "title": document_a.title,
            "category": document_a.category,
            "new_version": upload("rev.pdf", MZ),
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
            "versions-0-id": first.pk,
            "versions-0-document": document_a.pk,
        },
    )
    assert response.status_code == 200
    assert "„rev.pdf”" in response.content.decode()
    assert document_a.versions.count() == 1


def test_the_admin_link_filter_offers_only_the_kinds_in_use(client, staff, company_a):
    from contracts.tests.factories import ContractFactory

    DocumentFactory(company=company_a, linked=ContractFactory(company=company_a))
    client.force_login(staff)
    response = client.get(reverse("admin:files_document_changelist"))
    assert response.status_code == 200
    link_filter = next(spec for spec in response.context["cl"].filter_specs if spec.field_path == "linked_type")
    used = ContentType.objects.get_by_natural_key("contracts", "contract")
    assert [pk for pk, _label in link_filter.lookup_choices] == [used.pk]
