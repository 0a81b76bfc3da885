"""Cerere ofertă → ofertă → acceptare, in Chromium at desktop and phone width, with axe on every page."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
from files.tests.factories import pdf_bytes
from quotes.models import Offer, QuoteRequest
from quotes.tests.factories import ProductFactory
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def staff_page(browser, live_server, staff):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ro-RO")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label(re.compile("^Parol")).fill(PASSWORD)
    page.get_by_role("button", name="Logare").click()
    page.wait_for_load_state("load")
    return context, page


def _client_fills_in_a_request(visitor, email, pump, sketch):
    page = visitor.page
    # The client asks for prices: a catalogue product and a free-text line, a new address, an attachment.
    visitor.goto("/cont/login/")
    log_in(visitor, email)
    visitor.goto("/cerere-oferta/")
    page.get_by_role("link", name="Cerere nouă").first.click()
    visitor.check()
    # Typing asks the catalogue search for suggestions; choosing one fills its unit.
    page.locator("input[name='lines-0-product']").press_sequentially("centrif")
    expect(page.locator("#quote-products option")).to_have_count(1)
    assert page.locator("#quote-products option").get_attribute("value") == pump.label
    page.locator("input[name='lines-0-product']").fill(pump.label)
    assert page.locator("input[name='lines-0-unit']").input_value() == "buc"
    page.locator("input[name='lines-0-quantity']").fill("2")
    # Rows are added and removed in place, by JavaScript, without losing what was typed.
    page.get_by_role("button", name="Adaugă un rând").click()
    page.get_by_role("button", name="Adaugă un rând").click()
    page.locator("input[name='lines-1-product']").fill("de șters")
    page.locator("input[name='lines-2-product']").fill("Racord flexibil")
    page.locator("[data-line]").nth(1).get_by_role("button", name="Șterge rândul").click()
    page.mouse.move(0, 0)  # not hovering the next row's button while axe measures its colours mid-transition
    assert page.locator("input[name='lines-TOTAL_FORMS']").input_value() == "2"
    assert page.locator("input[name='lines-1-product']").input_value() == "Racord flexibil"
    assert page.locator("input[name='lines-0-quantity']").input_value() == "2"
    page.locator("input[name='lines-1-product']").fill("Racord flexibil anti-vibrații DN100")
    page.locator("input[name='lines-1-quantity']").fill("4")
    page.locator("input[name='lines-1-note']").fill("cu flanșe PN16")
    page.get_by_label("livrare la adresă").check()
    page.get_by_label("Adresă", exact=True).fill("Șos. Chitilei nr. 210, hala 3")
    page.get_by_label("Localitate").fill("Chitila")
    page.get_by_label("Județ").fill("Ilfov")
    page.get_by_label("Salvează adresa în agenda companiei").check()
    page.get_by_label("Observații", exact=True).fill("Vă rugăm să includeți montajul și punerea în funcțiune.")
    page.get_by_label("Atașamente", exact=True).set_input_files(str(sketch))
    visitor.check()
    visitor.shot("quotes-request-form")


def _client_sends_the_request(visitor, company_a, pump, mailoutbox) -> QuoteRequest:
    page = visitor.page
    page.get_by_role("button", name="Trimite cererea").last.click()
    page.wait_for_url(re.compile(r"/cerere-oferta/[0-9a-f-]{36}/$"))
    visitor.check()
    quote_request = QuoteRequest.objects.get(company=company_a)
    assert page.get_by_text(f"Cererea {quote_request.number} a fost trimisă").is_visible()
    assert [(line.product, line.description) for line in quote_request.lines.order_by("position")] == [
        (pump, pump.name),
        (None, "Racord flexibil anti-vibrații DN100"),
    ]
    assert [f.original_name for f in quote_request.attachments.all()] == ["schita-amplasament.pdf"]
    assert any(quote_request.number in m.subject for m in mailoutbox if m.to == ["vanzari@furnizor.ro"])
    visitor.shot("quotes-request-detail")
    return quote_request


def _staff_price_and_send_the_offer(admin, quote_request, company_a, live_server) -> Offer:
    admin.goto(live_server.url + "/admin/quotes/quoterequest/")
    admin.locator(f"input[name=_selected_action][value='{quote_request.pk}']").check()
    admin.locator("select[name=action]").select_option("create_offer")
    admin.locator("button[name=index]").click()  # "Start": run the selected action
    admin.wait_for_url(re.compile(r"/admin/quotes/offer/\d+/change/$"))
    admin.locator("input[name='lines-0-unit_price']").fill("14250.00")
    admin.locator("input[name='lines-0-discount_percent']").fill("5")
    admin.locator("input[name='lines-1-unit_price']").fill("312.40")
    admin.locator("input[name='payment_terms']").fill("30 de zile de la emiterea facturii")
    admin.get_by_role("button", name="Salvează și trimite clientului").click()
    admin.wait_for_load_state("load")
    assert "a fost trimisă clientului" in admin.locator("ul.messagelist").inner_text()
    offer = Offer.objects.get(company=company_a)
    assert offer.status == Offer.Status.SENT and str(offer.total_gross) == "34272.77"
    return offer


def _client_downloads_and_accepts_the_offer(visitor, offer, admin_a, mailoutbox):
    page = visitor.page
    # The client is told, reads the offer, downloads the PDF and accepts it.
    assert any(offer.number in m.subject and admin_a.email in m.to for m in mailoutbox)
    visitor.goto("/oferte/")
    page.get_by_role("link", name=offer.number).click()
    visitor.check()
    assert page.get_by_text("34.272,77 lei").first.is_visible()
    visitor.shot("quotes-offer-detail")
    with page.expect_download() as download:
        page.get_by_role("link", name="Descarcă PDF").click()
    content = open(download.value.path(), "rb").read()  # noqa: SIM115
    assert content.startswith(b"%PDF-") and download.value.suggested_filename == f"Oferta-{offer.number}-rev-1.pdf"
    # Accepting asks first, on a page of its own (no JavaScript needed); the PO number and note are optional.
    page.get_by_role("link", name="Acceptă oferta").click()
    page.wait_for_load_state("load")
    visitor.check()
    page.get_by_role("button", name="Confirm acceptarea").click()
    with page.expect_navigation():  # the last word is the dialog's
        page.get_by_role("dialog").get_by_role("button", name="Acceptă oferta").click()
    page.wait_for_load_state("load")
    visitor.check()
    assert page.get_by_text(f"Oferta {offer.number} a fost acceptată").is_visible()
    assert page.get_by_text("Acceptată de Ana Popescu").is_visible()
    visitor.shot("quotes-offer-accepted")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED and offer.decided_by == admin_a and offer.decided_ip == "127.0.0.1"


def test_request_offer_pdf_accept(
    visitor, browser, live_server, admin_a, company_a, staff, mailoutbox, settings, tmp_path
):
    settings.STAFF_NOTIFICATION_EMAILS = ["vanzari@furnizor.ro"]
    pump = ProductFactory(code="CP-200", name="Pompă centrifugală CP-200, 7,5 kW", unit="buc")
    ProductFactory(code="VF-100", name="Vană fluture DN100 PN16", unit="buc")
    sketch = tmp_path / "schita-amplasament.pdf"
    sketch.write_bytes(pdf_bytes("Schita amplasament"))
    _client_fills_in_a_request(visitor, admin_a.email, pump, sketch)
    quote_request = _client_sends_the_request(visitor, company_a, pump, mailoutbox)
    # Staff make the offer from the request in admin, price it and send it.
    staff_context, admin = staff_page(browser, live_server, staff)
    offer = _staff_price_and_send_the_offer(admin, quote_request, company_a, live_server)
    _client_downloads_and_accepts_the_offer(visitor, offer, admin_a, mailoutbox)

    # Staff see the decision in admin (and were emailed).
    admin.goto(live_server.url + "/admin/quotes/offer/?q=" + offer.number)
    row = admin.locator("#result_list tbody tr").first.inner_text()
    assert "acceptată" in row and "Ana Popescu" in row
    assert any("a acceptat oferta" in m.subject for m in mailoutbox if m.to == ["vanzari@furnizor.ro"])
    staff_context.close()


def _client_accepts_with_a_po_number(visitor, offer):
    page = visitor.page
    visitor.goto(f"/oferte/{offer.public_id}/")
    page.get_by_role("link", name="Acceptă oferta").click()
    page.wait_for_load_state("load")
    visitor.check()
    visitor.shot("quotes-offer-accept-confirm")

    # A PO number with characters an ERP would choke on is refused on the form; nothing is accepted.
    page.get_by_label("Număr comandă client / PO (opțional)").fill("PO;4500<12>")
    page.get_by_role("button", name="Confirm acceptarea").click()
    with page.expect_navigation():  # the last word is the dialog's
        page.get_by_role("dialog").get_by_role("button", name="Acceptă oferta").click()
    page.wait_for_load_state("load")
    visitor.check()
    expect(page.get_by_text("Numărul comenzii poate conține doar litere")).to_be_visible()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SENT

    page.get_by_label("Număr comandă client / PO (opțional)").fill("PO-4500018342")
    page.get_by_label("Notă pentru furnizor (opțional)").fill("Livrare la depozitul Chitila, luni–vineri 8–16.")
    page.get_by_role("button", name="Confirm acceptarea").click()
    with page.expect_navigation():  # the last word is the dialog's
        page.get_by_role("dialog").get_by_role("button", name="Acceptă oferta").click()
    page.wait_for_url(re.compile(rf"/oferte/{offer.public_id}/$"))
    visitor.check()
    expect(page.get_by_text("PO-4500018342")).to_be_visible()
    visitor.shot("quotes-offer-accepted-po")
    offer.refresh_from_db()
    assert (offer.status, offer.po_number) == (Offer.Status.ACCEPTED, "PO-4500018342")


def _client_asks_a_new_offer(visitor, expired):
    page = visitor.page
    visitor.goto(f"/oferte/{expired.public_id}/")
    page.get_by_role("link", name="Cere o ofertă nouă").click()
    page.wait_for_load_state("load")
    visitor.check()
    visitor.shot("quotes-offer-request-new")
    page.get_by_label("Observații (opțional)").fill("Aceleași cantități, livrare în martie.")
    page.get_by_role("button", name="Trimite cererea").click()
    page.wait_for_url(re.compile(r"/cerere-oferta/[0-9a-f-]{36}/$"))
    visitor.check()
    made = QuoteRequest.objects.get(origin_offer=expired)
    expect(page.get_by_text(f"Cererea {made.number} a fost trimisă")).to_be_visible()
    expect(page.get_by_role("link", name=f"{expired.number}, revizia 1")).to_be_visible()
    visitor.shot("quotes-request-from-offer")


def test_an_offer_is_accepted_with_a_po_number_and_its_confirmation_opens(visitor, admin_a, company_a, staff):
    from django.utils import timezone

    from quotes.tests.factories import sent_offer

    offer = sent_offer(
        company_a,
        by=staff,
        lines=[
            {"description": "Pompă centrifugală CP-200, 7,5 kW", "quantity": "2", "unit_price": "14250.00"},
            {"description": "Manoperă montaj și punere în funcțiune", "quantity": "8", "unit_price": "180.00"},
        ],
        payment_terms="30 de zile de la emiterea facturii",
    )
    expired = sent_offer(company_a, by=staff)
    Offer.objects.filter(pk=expired.pk).update(valid_until=timezone.localdate() - timezone.timedelta(days=3))
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)
    _client_accepts_with_a_po_number(visitor, offer)

    # The confirmation was rendered on commit: the link answers the PDF.
    href = page.get_by_role("link", name="Confirmarea de comandă (PDF)").get_attribute("href")
    response = page.request.get(visitor.base_url + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    assert "inline" in response.headers["content-disposition"]

    # The dashboard links it too.
    visitor.goto("/")
    expect(page.get_by_role("link", name=f"Confirmarea de comandă pentru {offer.number} (PDF)")).to_be_visible()

    # An expired offer: "Cere o ofertă nouă" asks first, then sends a request linked to it.
    _client_asks_a_new_offer(visitor, expired)


def test_a_confirmation_not_rendered_yet_says_it_is_being_generated(visitor, admin_a, company_a):
    from quotes import services
    from quotes.tests.factories import OfferFactory

    offer = OfferFactory(company=company_a)
    services.offer_accept(offer_id=offer.pk, company=company_a, user=admin_a, po_number="PO-77")
    Offer.objects.filter(pk=offer.pk).update(confirmation_pdf=None)  # as if its task had not run yet
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)
    visitor.goto(f"/oferte/{offer.public_id}/")
    expect(page.get_by_text("Confirmarea de comandă se generează.")).to_be_visible()
    visitor.goto(f"/oferte/{offer.public_id}/confirmare-comanda/")
    expect(page.get_by_role("heading", name=re.compile("^Confirmarea de comandă .*se generează"))).to_be_visible()
    visitor.shot("quotes-confirmation-pending")
