"""Downloads of a PDF that is not kept yet (invoice, offer, order confirmation): a "se generează" page that
reloads itself, never a render in the request, and the render task asked for once for many reloads."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from billing.tests.factories import issued_invoice
from files import generating
from files.models import StoredFile
from quotes import services as quotes_services
from quotes.tests.factories import sent_offer


def _invoice(cast):
    invoice = issued_invoice(cast["company_a"])
    return reverse("billing:invoice_pdf", args=[invoice.public_id]), ("billing.tasks.render_invoice_pdf", invoice.pk)


def _offer(cast):
    offer = sent_offer(cast["company_a"])
    return reverse("quotes:offer_pdf", args=[offer.public_id]), ("quotes.tasks.render_offer_pdf", offer.pk)


def _confirmation(cast):
    offer = sent_offer(cast["company_a"])
    quotes_services.offer_accept(offer_id=offer.pk, company=cast["company_a"], user=cast["admin_a"])
    url = reverse("quotes:offer_confirmation", args=[offer.public_id])
    return url, ("quotes.tasks.render_order_confirmation", offer.pk)


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(generating, "send", lambda task, args: calls.append((task.name, *args)))
    return calls


@pytest.mark.parametrize("build", [_invoice, _offer, _confirmation], ids=["invoice", "offer", "confirmation"])
def test_reloads_ask_for_the_render_once_and_nothing_renders_in_the_request(
    client, company_a, admin_a, build, sent, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=False):  # the or acceptance's own tasks do not run
        url, expected = build({"company_a": company_a, "admin_a": admin_a})

    def refuse(*args, **kwargs):
        raise AssertionError("rendered in the request")

    monkeypatch.setattr("weasyprint.HTML.write_pdf", refuse)
    client.force_login(admin_a)
    for _reload in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200 and response["Retry-After"] == str(generating.REFRESH_SECONDS)
        assert response["Content-Type"].startswith("text/html") and "se generează" in page
        assert f'content="{generating.REFRESH_SECONDS};url={url}?generat=1"' in page
    assert sent == [expected]
    assert not StoredFile.objects.exists()
    cache.clear()  # the mark expired (the first message may have been lost with its worker): asked again
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    assert sent == [expected, expected]


def test_a_rolled_back_request_neither_sends_nor_blocks_the_next(db, sent, django_capture_on_commit_callbacks):
    from billing.tasks import render_invoice_pdf

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        generating.enqueue_once(render_invoice_pdf, 41)
        transaction.set_rollback(True)  # as the company-switch probe does
    assert sent == []
    with django_capture_on_commit_callbacks(execute=True):
        generating.enqueue_once(render_invoice_pdf, 41)
    assert sent == [("billing.tasks.render_invoice_pdf", 41)]


def test_once_ready_the_reload_opens_the_pdf_in_the_browser(client, company_a, admin_a):
    invoice = issued_invoice(company_a)
    from billing import services

    services.invoice_render_pdf(invoice_id=invoice.pk)
    client.force_login(admin_a)
    url = reverse("billing:invoice_pdf", args=[invoice.public_id])
    assert client.get(url)["Content-Disposition"].startswith("attachment")
    reloaded = client.get(url, {"generat": "1"})
    assert reloaded["Content-Type"] == "application/pdf" and reloaded["Content-Disposition"].startswith("inline")
