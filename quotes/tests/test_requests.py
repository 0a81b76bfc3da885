from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from files.models import StoredFile
from files.tests.factories import pdf_upload, png_upload, upload
from portal.models import AuditEntry
from quotes import services
from quotes.models import DeliveryAddress, Offer, QuoteRequest
from quotes.tests.factories import DeliveryAddressFactory, OfferFactory, ProductFactory, QuoteRequestFactory

CREATE = reverse("quotes:request_create")


def form_data(lines, **extra) -> dict:
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "200",
        "delivery_option": "address",
        "new_address": "Str. Fabricii nr. 12",
        "new_city": "București",
        "new_county": "Sector 6",
    }
    for index, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{index}-{key}"] = value
    data.update(extra)
    return data


@pytest.fixture
def pump(db):
    return ProductFactory(code="CP-200", name="Pompă centrifugală CP-200", unit="buc")


def test_a_request_with_catalogue_and_free_text_lines_and_attachments(
    client, admin_a, company_a, pump, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["vanzari@furnizor.ro"]
    client.force_login(admin_a)
    data = form_data(
        [
            {"product": pump.label, "quantity": "2,5", "unit": "", "note": "cu flanșe"},
            {"product": "", "quantity": "", "unit": "", "note": ""},  # an empty row in between is ignored
            {"product": "Garnitură specială Ø 120 mm", "quantity": "40", "unit": "set", "note": ""},
        ],
        desired_date=(timezone.localdate() + timedelta(days=20)).isoformat(),
        remarks="Montaj inclus, vă rog.",
        save_address="on",
        new_label="Sediu",
        new_contact_name="Ana Popescu",
        new_contact_phone="0722 123 456",
        attachments=[pdf_upload("caiet-de-sarcini.pdf"), png_upload("schita.png")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CREATE, data)
    quote_request = QuoteRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == quote_request.get_absolute_url()
    assert quote_request.company == company_a and quote_request.created_by == admin_a
    assert quote_request.status == QuoteRequest.Status.SUBMITTED
    assert quote_request.number.startswith(f"CO-{timezone.localdate().year}-")
    first, second = quote_request.lines.order_by("position")
    assert (first.position, first.product, first.description, first.quantity, first.unit, first.note) == (
        1,
        pump,
        pump.name,
        Decimal("2.5"),
        "buc",
        "cu flanșe",
    )
    assert (second.position, second.product, second.description, second.unit) == (
        2,
        None,
        "Garnitură specială Ø 120 mm",
        "set",
    )
    assert {f.original_name for f in quote_request.attachments.all()} == {"caiet-de-sarcini.pdf", "schita.png"}
    assert all(f.company == company_a for f in quote_request.attachments.all())
    entry = DeliveryAddress.objects.for_company(company_a).get()
    assert entry.label == "Sediu" and quote_request.address_entry == entry
    assert "Str. Fabricii nr. 12" in quote_request.delivery_address and "Ana Popescu" in quote_request.delivery_address
    assert AuditEntry.objects.filter(action="quote_request.created", company=company_a).exists()
    assert [m.to for m in mailoutbox] == [["vanzari@furnizor.ro"]]
    assert quote_request.number in mailoutbox[0].subject and "Garnitură specială" in mailoutbox[0].body

    page = client.get(quote_request.get_absolute_url()).content.decode()
    assert "Garnitură specială Ø 120 mm" in page and "2,5 buc" in page and "caiet-de-sarcini.pdf" in page


def test_the_staff_email_is_sent_once(admin_a, company_a, mailoutbox, settings):
    from quotes.tasks import notify_staff_of_request

    settings.STAFF_NOTIFICATION_EMAILS = ["vanzari@furnizor.ro", "sef.vanzari@furnizor.ro"]
    quote_request = QuoteRequestFactory(company=company_a, created_by=admin_a)
    notify_staff_of_request(quote_request.pk)
    notify_staff_of_request(quote_request.pk)
    assert sorted(m.to[0] for m in mailoutbox) == ["sef.vanzari@furnizor.ro", "vanzari@furnizor.ro"]


def test_an_address_from_the_address_book(client, admin_a, company_a):
    entry = DeliveryAddressFactory(company=company_a, label="Depozit Chitila")
    client.force_login(admin_a)
    response = client.post(
        CREATE,
        form_data(
            [{"product": "Cablu 3x2,5", "quantity": "100", "unit": "m"}],
            address_entry=str(entry.pk),
            new_address="",
            new_city="",
            new_county="",
        ),
    )
    assert response.status_code == 302
    quote_request = QuoteRequest.objects.get()
    assert quote_request.address_entry == entry and "Șos. Chitilei nr. 12" in quote_request.delivery_address
    assert DeliveryAddress.objects.count() == 1


def test_pickup_needs_no_address(client, admin_a):
    client.force_login(admin_a)
    response = client.post(
        CREATE,
        form_data(
            [{"product": "Cablu", "quantity": "1"}],
            delivery_option="pickup",
            new_address="",
            new_city="",
            new_county="",
            save_address="on",
        ),
    )
    assert response.status_code == 302
    quote_request = QuoteRequest.objects.get()
    assert quote_request.delivery_address == "" and quote_request.address_entry is None
    assert not DeliveryAddress.objects.exists()


def test_another_company_address_cannot_be_used(client, admin_a, company_b):
    foreign = DeliveryAddressFactory(company=company_b)
    client.force_login(admin_a)
    response = client.post(CREATE, form_data([{"product": "Cablu", "quantity": "1"}], address_entry=str(foreign.pk)))
    assert response.status_code == 200
    assert "address_entry" in response.context["form"].errors
    assert not QuoteRequest.objects.exists()
    assert foreign.label not in client.get(CREATE).content.decode()


@pytest.mark.parametrize(
    ("lines", "extra", "field", "message"),
    [
        ([{"product": "", "quantity": ""}], {}, None, "Adăugați cel puțin un produs."),
        ([{"product": "Cablu", "quantity": ""}], {}, "quantity", "Scrieți cantitatea."),
        ([{"product": "Cablu", "quantity": "0"}], {}, "quantity", "mai mare decât zero"),
        ([{"product": "Cablu", "quantity": "doi"}], {}, "quantity", "Scrieți un număr"),
        ([{"product": "", "quantity": "3"}], {}, "product", "Scrieți produsul"),
        (
            [{"product": "Cablu", "quantity": "1"}],
            {"new_address": "", "new_city": "", "new_county": ""},
            "address_entry",
            "Alegeți o adresă din agendă",
        ),
        ([{"product": "Cablu", "quantity": "1"}], {"new_city": ""}, "new_city", "Completați și acest câmp"),
        ([{"product": "Cablu", "quantity": "1"}], {"desired_date": "2020-01-01"}, "desired_date", "în trecut"),
        ([{"product": "Cablu", "quantity": "1"}], {"new_contact_phone": "abc"}, "new_contact_phone", "telefon valid"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(client, admin_a, lines, extra, field, message):
    client.force_login(admin_a)
    response = client.post(CREATE, form_data(lines, **extra))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Cererea nu a fost trimisă" in page or "Adăugați cel puțin" in page
    assert not QuoteRequest.objects.exists() and not DeliveryAddress.objects.exists()


def test_a_bad_attachment_rolls_back_everything(client, admin_a):
    client.force_login(admin_a)
    data = form_data(
        [{"product": "Cablu", "quantity": "1"}],
        save_address="on",
        attachments=[pdf_upload("bun.pdf"), upload("virus.pdf", b"MZ\x90\x00 not a pdf")],
    )
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert "virus.pdf" in response.content.decode()
    assert not QuoteRequest.objects.exists() and not StoredFile.objects.exists()
    assert not DeliveryAddress.objects.exists()


def test_the_service_refuses_what_the_form_would(company_a, admin_a, company_b):
    line = services.RequestLine(description="Cablu", quantity=Decimal("1"), unit="m")
    with pytest.raises(services.ValidationError):
        services.request_create(company=company_a, user=admin_a, lines=[], delivery_option="pickup")
    with pytest.raises(services.ValidationError):
        services.request_create(company=company_a, user=admin_a, lines=[line], delivery_option="address")
    with pytest.raises(services.ValidationError):
        services.request_create(
            company=company_a,
            user=admin_a,
            lines=[line],
            delivery_option="address",
            address_entry=DeliveryAddressFactory(company=company_b),
        )
    assert not QuoteRequest.objects.exists()


def test_adding_and_removing_rows_without_javascript_keeps_what_was_typed(client, admin_a):
    client.force_login(admin_a)
    typed = form_data(
        [
            {"product": "Cablu 3x2,5", "quantity": "100", "unit": "m", "note": "tambur"},
            {"product": "Doză derivație", "quantity": "12", "unit": "", "note": ""},
        ],
        remarks="Livrare dimineața",
        add_line="1",
    )
    response = client.post(CREATE, typed)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.total_form_count() == 3
    page = response.content.decode()
    assert 'value="Cablu 3x2,5"' in page and 'value="tambur"' in page and "Livrare dimineața" in page
    assert "is-invalid" not in page  # nothing validated yet
    assert not QuoteRequest.objects.exists()

    removed = form_data(
        [
            {"product": "Cablu 3x2,5", "quantity": "100"},
            {"product": "Doză derivație", "quantity": "12"},
            {"product": "", "quantity": ""},
        ],
        remove_line="0",
    )
    response = client.post(CREATE, removed)
    page = response.content.decode()
    assert response.context["formset"].total_form_count() == 2
    assert "Cablu 3x2,5" not in page and 'value="Doză derivație"' in page
    assert 'name="lines-0-product"' in page and 'name="lines-2-product"' not in page


def test_the_form_lists_catalogue_products_and_the_address_book(client, admin_a, company_a, pump):
    ProductFactory(code="OLD-1", name="Produs retras", active=False)
    DeliveryAddressFactory(company=company_a, label="Depozit Chitila")
    client.force_login(admin_a)
    page = client.get(CREATE).content.decode()
    assert f'<option value="{pump.label}"' in page and "Produs retras" not in page
    assert "Depozit Chitila" in page
    assert "js/quotes-request.js" in page and "<template" in page


def test_product_search_finds_active_products_by_code_or_name(client, member_a, pump):
    ProductFactory(code="OLD-200", name="Pompă veche", active=False)
    client.force_login(member_a)
    url = reverse("quotes:product_search")
    assert client.get(url, {"q": "pomp"}).json() == {
        "results": [{"code": "CP-200", "name": pump.name, "unit": "buc", "label": pump.label}]
    }
    assert client.get(url, {"q": "cp-2"}).json()["results"][0]["code"] == "CP-200"
    assert client.get(url, {"q": "p"}).json() == {"results": []}


def test_cancel_before_an_offer_exists(
    client, admin_a, member_a, company_a, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["vanzari@furnizor.ro"]
    quote_request = QuoteRequestFactory(company=company_a, created_by=admin_a)
    client.force_login(member_a)
    page = client.get(quote_request.get_absolute_url()).content.decode()
    assert "Anulează cererea" in page and "data-confirm" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("quotes:request_cancel", args=[quote_request.public_id]))
    assert response.status_code == 302 and response["Location"] == quote_request.get_absolute_url()
    quote_request.refresh_from_db()
    assert quote_request.status == QuoteRequest.Status.CANCELLED and quote_request.cancelled_by == member_a
    assert "anulat" in mailoutbox[0].subject
    assert "Anulează cererea" not in client.get(quote_request.get_absolute_url()).content.decode()


def test_no_cancel_once_an_offer_was_sent(client, admin_a, company_a):
    quote_request = QuoteRequestFactory(company=company_a, status=QuoteRequest.Status.OFFERED)
    OfferFactory(company=company_a, request=quote_request)
    client.force_login(admin_a)
    assert "Anulează cererea" not in client.get(quote_request.get_absolute_url()).content.decode()
    response = client.post(reverse("quotes:request_cancel", args=[quote_request.public_id]), follow=True)
    assert "nu mai poate fi anulată" in response.content.decode()
    quote_request.refresh_from_db()
    assert quote_request.status == QuoteRequest.Status.OFFERED


def test_a_draft_offer_does_not_block_the_cancel(admin_a, company_a):
    quote_request = QuoteRequestFactory(company=company_a)
    services.offer_create(company=company_a, by=None, quote_request=quote_request)
    services.request_cancel(quote_request=quote_request, user=admin_a)
    quote_request.refresh_from_db()
    assert quote_request.status == QuoteRequest.Status.CANCELLED
    draft = Offer.objects.get()
    with pytest.raises(services.ValidationError, match="anulată"):
        services.offer_send(offer=draft, by=None)


def test_other_company_sees_nothing(client, member_b, company_a):
    quote_request = QuoteRequestFactory(company=company_a)
    stored = StoredFile.objects.create(
        company=company_a, original_name="x.pdf", content_type="application/pdf", size=1, sha256="0"
    )
    quote_request.attachments.add(stored)
    client.force_login(member_b)
    assert quote_request.number not in client.get(reverse("quotes:request_list")).content.decode()
    assert client.get(quote_request.get_absolute_url()).status_code == 404
    assert client.post(reverse("quotes:request_cancel", args=[quote_request.public_id])).status_code == 404
    assert (
        client.get(reverse("quotes:request_attachment", args=[quote_request.public_id, stored.public_id])).status_code
        == 404
    )
    quote_request.refresh_from_db()
    assert quote_request.status == QuoteRequest.Status.SUBMITTED


def test_an_attachment_of_another_request_is_not_served(client, admin_a, company_a):
    mine = QuoteRequestFactory(company=company_a)
    other = QuoteRequestFactory(company=company_a)
    stored = services.store_upload(company=company_a, uploaded=pdf_upload(), user=admin_a)
    other.attachments.add(stored)
    client.force_login(admin_a)
    assert client.get(reverse("quotes:request_attachment", args=[mine.public_id, stored.public_id])).status_code == 404
    response = client.get(reverse("quotes:request_attachment", args=[other.public_id, stored.public_id]))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert 'attachment; filename="fisa-tehnica.pdf"' in response["Content-Disposition"]


def test_list_filters_by_status(client, admin_a, company_a):
    QuoteRequestFactory(company=company_a, number="CO-OPEN")
    QuoteRequestFactory(company=company_a, number="CO-GONE", status=QuoteRequest.Status.CANCELLED)
    client.force_login(admin_a)
    page = client.get(reverse("quotes:request_list"), {"status": "cancelled"}).content.decode()
    assert "CO-GONE" in page and "CO-OPEN" not in page


def measure(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pages_run_a_fixed_number_of_queries(client, admin_a, company_a, django_assert_max_num_queries):
    client.force_login(admin_a)
    quote_request = QuoteRequestFactory(company=company_a, lines=1)
    urls = [reverse("quotes:request_list"), quote_request.get_absolute_url(), CREATE]
    few = [measure(client, url) for url in urls]

    QuoteRequestFactory.create_batch(40, company=company_a, lines=3)
    for position in range(2, 30):
        quote_request.lines.create(
            company=company_a, position=position, description=f"Articol {position}", quantity=1, unit="buc"
        )
    for index in range(8):
        quote_request.attachments.add(
            services.store_upload(company=company_a, uploaded=pdf_upload(f"f{index}.pdf"), user=admin_a)
        )
        OfferFactory(company=company_a, request=quote_request, lines=1)
        DeliveryAddressFactory(company=company_a)
        ProductFactory()
    for url, count in zip(urls, few, strict=True):
        with django_assert_max_num_queries(count):
            response = client.get(url)
        assert response.status_code == 200
    assert "Pagina 1 din 2" in client.get(urls[0]).content.decode()
