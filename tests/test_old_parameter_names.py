"""Query parameters in one language: the English names are what the portal writes, and the Romanian names
they replaced are still read, because links in emails, bookmarks and the ERP carry them."""

from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse

from billing.tests.factories import issued_invoice
from contracts.tests.factories import ContractFactory
from files.tests.factories import DocumentFactory
from portal.models import Notification
from portal.paging import OLD_PARAMETER_NAMES, query_param, query_without, with_old_parameter_names


def test_an_old_name_reads_as_the_new_one_and_the_new_one_wins():
    assert with_old_parameter_names(QueryDict("noi=1&q=x")) == QueryDict("q=x&new=1")
    assert with_old_parameter_names(QueryDict("documente=2&documents=3")).getlist("documents") == ["3"]
    assert with_old_parameter_names(None) is None
    request = RequestFactory().get("/", {"factura": "abc", "ordine": "titlu"})
    assert query_param(request, "invoice") == "abc" and query_param(request, "link") is None
    assert query_without(request, "page", sort="-titlu") == "sort=-titlu&invoice=abc"  # links write new names
    assert set(OLD_PARAMETER_NAMES.values()) == {
        "status", "sort", "new", "documents", "invoice", "link", "category", "unread"
    }  # fmt: skip


def test_files_only_new(client, admin_a, company_a):
    DocumentFactory(company=company_a, title="Fișa tehnică pompă")
    client.force_login(admin_a)
    client.get(reverse("files:detail", args=[DocumentFactory(company=company_a, title="Văzut").public_id]))
    for params in ({"new": "1"}, {"noi": "1"}):
        page = client.get(reverse("files:list"), params).content.decode()
        assert "Fișa tehnică pompă" in page and "Văzut" not in page, params
        assert 'name="new" class="checkboxinput form-check-input" id="id_new" checked' in page


def test_notifications_unread_only(client, admin_a, company_a):
    Notification.objects.create(user=admin_a, company=company_a, kind="test", title="Necitită")
    Notification.objects.create(
        user=admin_a, company=company_a, kind="test", title="Citită", read_at="2026-12-01T10:00Z"
    )
    client.force_login(admin_a)
    for params in ({"unread": "1"}, {"necitite": "1"}):
        page = client.get(reverse("portal:notifications"), params).content.decode()
        assert "Necitită" in page and "Citită" not in page, params
    assert "?unread=1" in page


def test_announcing_a_payment_for_one_invoice(client, admin_a, company_a):
    invoice = issued_invoice(company_a)
    client.force_login(admin_a)
    for params in ({"invoice": invoice.public_id}, {"factura": invoice.public_id}):
        form = client.get(reverse("billing:notice_create"), params).context["form"]
        assert list(form.initial["invoices"]) == [invoice] and form.initial["amount"] == invoice.balance, params
    detail = client.get(reverse("billing:invoice_detail", args=[invoice.public_id])).content.decode()
    assert f"?invoice={invoice.public_id}" in detail


def test_the_second_page_of_an_objects_documents(client, admin_a, company_a):
    contract = ContractFactory(company=company_a)
    for number in range(13):
        DocumentFactory(company=company_a, title=f"Proces-verbal {number:02d}", linked=contract)
    client.force_login(admin_a)
    url = reverse("contracts:detail", args=[contract.public_id])
    for params in ({"documents": 2}, {"documente": 2}):
        response = client.get(url, params)
        assert "11–13 din 13" in response.content.decode(), params
        assert "?documents=1#documente" in response.content.decode()


def test_a_new_ticket_about_an_object(client, admin_a, company_a):
    contract = ContractFactory(company=company_a, number="CTR-PRE")
    client.force_login(admin_a)
    about = f"contracts.contract:{contract.public_id}"
    for params in ({"link": about, "category": "comercial"}, {"legat": about, "categorie": "comercial"}):
        response = client.get(reverse("support:create"), params)
        assert f'value="{about}" selected' in response.content.decode(), params
        assert response.context["form"].initial["category"] == "comercial"
