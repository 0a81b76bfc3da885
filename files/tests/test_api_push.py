"""Documents pushed by the ERP (POST /api/v1/documents, multipart): by company and the ERP's key, created,
recognised, a new version for another file; the upload checks of the portal; the object it is filed under by
the ERP's own key of that object."""

import pytest
from django.test import override_settings

from billing.tests.factories import issued_invoice
from contracts.tests.factories import AnnexFactory, ContractFactory
from files.models import Document, StoredFile
from files.tests.factories import docx_bytes, pdf_bytes, upload
from integrations.tests.factories import bearer, integration_key
from portal.models import AuditEntry, Notification
from projects.tests.factories import ProjectFactory
from quotes.tests.factories import sent_offer
from shipments.tests.factories import ShipmentFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/documents"


@pytest.fixture
def key():
    return integration_key(scopes=["documents:write"], name="ERP documente")[1]


def push(client, key, company, file=None, **fields):
    data = {"cui": company.cui, "erp_key": "DOC-7", "title": "Fișă tehnică CP-200", "category": "tehnic", **fields}
    data["file"] = file or upload("fisa.pdf", pdf_bytes("versiunea 1"))
    return client.post(URL, data, **bearer(key))


def test_created_then_unchanged_then_a_new_version_notifies_clients_each_time_it_is_new(
    client, key, company_a, admin_a, member_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = push(client, key, company_a, description="Pompa centrifugală")
    assert created.status_code == 201, created.content
    body = created.json()
    document = Document.objects.get(company=company_a, erp_key="DOC-7")
    assert body == {
        "key": f"{company_a.cui} DOC-7",
        "result": "created",
        "status": 201,
        "errors": [],
        "public_id": str(document.public_id),
        "version": 1,
    }
    assert document.source == Document.Source.SUPPLIER and document.created_by is None
    assert (document.title, document.category, document.description) == (
        "Fișă tehnică CP-200",
        "tehnic",
        "Pompa centrifugală",
    )
    assert Notification.objects.filter(kind="document.new").count() == 2  # admin_a and member_a

    with django_capture_on_commit_callbacks(execute=True):
        again = push(client, key, company_a, description="Pompa centrifugală")
    assert again.status_code == 200 and again.json()["result"] == "unchanged" and again.json()["version"] == 1
    assert StoredFile.objects.count() == 1 and Notification.objects.filter(kind="document.new").count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        revised = push(client, key, company_a, upload("fisa-v2.pdf", pdf_bytes("versiunea 2")))
    assert revised.status_code == 200 and revised.json()["result"] == "updated", revised.content
    assert revised.json()["version"] == 2 and revised.json()["public_id"] == str(document.public_id)
    assert Document.objects.count() == 1 and document.versions.count() == 2
    assert Notification.objects.filter(user=admin_a, kind="document.new").count() == 2
    entry = AuditEntry.objects.filter(action="document.version_added").get()
    assert entry.data["integration"] == "ERP documente"


def test_changed_details_with_the_same_file_update_it_without_a_new_version(client, key, company_a):
    push(client, key, company_a)
    changed = push(client, key, company_a, title="Fișă tehnică CP-200 (rev.)", category="comercial")
    assert changed.status_code == 200 and changed.json()["result"] == "updated" and changed.json()["version"] == 1
    document = Document.objects.get(erp_key="DOC-7")
    assert (document.title, document.category) == ("Fișă tehnică CP-200 (rev.)", "comercial")
    assert document.versions.count() == 1
    assert AuditEntry.objects.get(action="document.updated").data["fields"] == ["category", "title"]


def test_the_key_is_the_companys_own_and_the_title_defaults_to_the_files_name(client, key, company_a, company_b):
    push(client, key, company_a)
    other = push(client, key, company_b, upload("Proces verbal recepție.docx", docx_bytes()), title="")
    assert other.status_code == 201 and Document.objects.filter(erp_key="DOC-7").count() == 2
    assert Document.objects.get(company=company_b).title == "Proces verbal recepție"


@pytest.mark.parametrize(
    "name, content",
    [
        ("factura.pdf", b"MZ\x90\x00" + b"\x00" * 200),  # an executable renamed .pdf
        ("schita.png", b"%PDF-1.4 not a picture"),
        ("setup.exe", b"MZ\x90\x00"),
        ("gol.pdf", b""),
    ],
)
def test_a_file_the_portal_refuses_is_400_with_the_reason_and_saves_nothing(client, key, company_a, name, content):
    response = push(client, key, company_a, upload(name, content))
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == "file" and name in error["message"]
    assert not Document.objects.exists() and not StoredFile.objects.exists()


def test_a_refused_file_under_a_known_key_changes_nothing(client, key, company_a):
    push(client, key, company_a)
    response = push(client, key, company_a, upload("fisa.pdf", b"MZ" + b"\x00" * 100), title="Alt titlu")
    assert response.status_code == 400
    assert Document.objects.get().title == "Fișă tehnică CP-200" and StoredFile.objects.count() == 1


@override_settings(FILES_MAX_UPLOAD_MB=1)
def test_a_file_over_the_size_limit_is_413(client, key, company_a):
    response = push(client, key, company_a, upload("mare.pdf", pdf_bytes() + b"%" * (1024 * 1024)))
    assert response.status_code == 413 and response["Content-Type"] == "application/problem+json"
    assert "mare.pdf" in response.json()["detail"] and not Document.objects.exists()


def test_the_linked_object_is_found_by_the_erps_own_key(client, key, company_a):
    invoice = issued_invoice(company_a, series="FCT", number=1042)
    contract = ContractFactory(company=company_a, number="CTR 12/2026")
    annex = AnnexFactory(contract=contract, number=3)
    project = ProjectFactory(company=company_a, code="PRJ-2026-014")
    shipment = ShipmentFactory(company=company_a, number="EXP-2026-0142")
    offer = sent_offer(company_a)
    cases = [
        ("billing.invoice", "FCT 1042", invoice),
        ("contracts.contract", "CTR 12/2026", contract),
        ("contracts.annex", "CTR 12/2026 3", annex),
        ("projects.project", "PRJ-2026-014", project),
        ("shipments.shipment", "EXP-2026-0142", shipment),
        ("quotes.offer", offer.number, offer),
    ]
    for position, (linked_type, linked_key, expected) in enumerate(cases):
        response = push(client, key, company_a, erp_key=f"L{position}", linked_type=linked_type, linked_key=linked_key)
        assert response.status_code == 201, (linked_type, response.content)
        assert Document.objects.get(erp_key=f"L{position}").linked == expected
    moved = push(client, key, company_a, erp_key="L0", linked_type="projects.project", linked_key="PRJ-2026-014")
    assert moved.json()["result"] == "updated" and Document.objects.get(erp_key="L0").linked == project


@pytest.mark.parametrize(
    "linked_type, linked_key",
    [
        ("billing.invoice", "FCT 9999"),
        ("billing.invoice", "FCT abc"),
        ("billing.invoice", "FCT 99999999999999999999999"),
        ("billing.invoice", "FCT"),
        ("contracts.annex", "CTR-1"),
        ("shipments.shipment", ""),
        ("", "EXP-2026-0142"),
        ("projects.project", "PRJ-ALTEI-FIRME"),  # company B's
    ],
)
def test_an_unknown_or_incomplete_link_is_400_and_saves_nothing(
    client, key, company_a, company_b, linked_type, linked_key
):
    issued_invoice(company_a, series="FCT", number=1042)
    ProjectFactory(company=company_b, code="PRJ-ALTEI-FIRME")
    response = push(client, key, company_a, linked_type=linked_type, linked_key=linked_key)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "linked_key"
    assert not Document.objects.exists() and not StoredFile.objects.exists()


def test_bad_fields_are_400(client, key, company_a):
    unknown = push(client, key, company_a, cui="RO99999999")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "cui"
    # Schema errors of form fields are named "form.<field>" by integrations/problems.py.
    bad_type = push(client, key, company_a, linked_type="accounts.company", linked_key="x")
    assert bad_type.status_code == 400 and bad_type.json()["errors"][0]["field"].endswith("linked_type")
    nul = push(client, key, company_a, erp_key="DOC\x00")
    assert nul.status_code == 400 and nul.json()["errors"][0]["field"].endswith("erp_key")
    no_file = client.post(URL, {"cui": company_a.cui, "erp_key": "X"}, **bearer(key))
    assert no_file.status_code == 400 and not Document.objects.exists()


def test_only_a_key_with_documents_write_may_push(client, company_a):
    assert push(client, "erp_nu-e-o-cheie", company_a).status_code == 401
    _integration, reader = integration_key(scopes=["documents:read"], name="ERP citire")
    refused = push(client, reader, company_a)
    assert refused.status_code == 403 and "documents:write" in refused.json()["detail"]
    assert not Document.objects.exists()
