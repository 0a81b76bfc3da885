"""User text never reaches a PDF unescaped, and rendering fetches nothing from the network.

Client-controlled text (company name and address, offer notes and lines, invoice notes, shipment
items) carries ``<img src="http://127.0.0.1:PORT/...">`` and ``<script>``; a local HTTP listener on an
ephemeral port must receive no request, and the HTML given to WeasyPrint must hold the text escaped.
"""

import http.server
import threading

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

import portal.pdf
from accounts.models import Company


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def rendered(monkeypatch):
    """Every HTML document handed to WeasyPrint, and every PDF it wrote."""
    seen = {"html": [], "pdf": []}
    original_render = portal.pdf.render_to_string

    def render_to_string(template, context):
        html = original_render(template, context)
        seen["html"].append(html)
        return html

    monkeypatch.setattr(portal.pdf, "render_to_string", render_to_string)
    return seen


def payload(server) -> str:
    port = server.server_address[1]
    return (
        f'<img src="http://127.0.0.1:{port}/img"><script>alert(1)</script>'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/css">'
    )


def assert_escaped(seen, server):
    assert seen["html"], "no PDF was rendered"
    port = server.server_address[1]
    html = "\n".join(seen["html"])
    assert f'<img src="http://127.0.0.1:{port}' not in html
    assert "<script>alert(1)" not in html
    assert f"&lt;img src=&quot;http://127.0.0.1:{port}/img&quot;&gt;&lt;script&gt;" in html
    assert server.hits == []


def hostile_company(company: Company, text: str) -> None:
    Company.objects.filter(pk=company.pk).update(name=f"Client {text}"[:200], address=text[:255], city="<b>Cluj</b>")


def test_offer_pdf(listener, rendered, company_a, admin_a):
    from quotes import services
    from quotes.tests.factories import OfferFactory

    text = payload(listener)
    hostile_company(company_a, text)
    offer = OfferFactory(
        company=Company.objects.get(pk=company_a.pk), notes=text, payment_terms=text[:200], delivery_terms=text[:200]
    )
    offer.lines.update(description=text)
    stored = services.offer_render_pdf(offer=offer)
    assert stored.file.open("rb").read(5) == b"%PDF-"
    assert_escaped(rendered, listener)


def test_invoice_pdf(listener, rendered, company_a):
    from billing import services
    from billing.tests.factories import issued_invoice

    text = payload(listener)
    hostile_company(company_a, text)
    invoice = issued_invoice(Company.objects.get(pk=company_a.pk), notes=text)
    invoice.lines.update(description=text)
    assert services.invoice_render_pdf(invoice_id=invoice.pk, force=True) is not None
    assert_escaped(rendered, listener)


def test_statement_pdf(listener, rendered, client, company_a, admin_a, django_capture_on_commit_callbacks):
    from billing.tests.factories import issued_invoice

    hostile_company(company_a, payload(listener))
    issued_invoice(Company.objects.get(pk=company_a.pk))
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):  # the export's task renders it
        response = client.get(reverse("billing:statement_pdf"))
    assert response.status_code == 202
    assert_escaped(rendered, listener)


def test_shipment_aviz_pdf(listener, rendered, company_a, staff):
    from shipments.demo import demo_pdf
    from shipments.tests.factories import ShipmentFactory, ShipmentItemFactory

    text = payload(listener)
    hostile_company(company_a, text)
    shipment = ShipmentFactory(company=Company.objects.get(pk=company_a.pk))
    ShipmentItemFactory(shipment=shipment, company=shipment.company, product=text[:200])
    demo_pdf(shipment, title=text, number="AV-1", issued=timezone.localdate(), paragraphs=[text])
    assert_escaped(rendered, listener)


def test_the_fetcher_refuses_the_network_even_for_unescaped_html(listener, monkeypatch):
    """The second line of defence: markup that did get through fetches nothing."""
    port = listener.server_address[1]
    raw = (
        f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/css">'
        f'<style>@import url("http://127.0.0.1:{port}/import");</style></head><body>'
        f'<img src="http://127.0.0.1:{port}/img"><img src="file:///etc/passwd">'
        f'<img src="/static/../../etc/passwd"><p>Text</p></body></html>'
    )
    monkeypatch.setattr(portal.pdf, "render_to_string", lambda template, context: raw)
    assert portal.pdf.render_pdf("pdf/base.html", {}).startswith(b"%PDF-")
    assert listener.hits == []
    assert settings.STATIC_URL  # the only URLs it may fetch
