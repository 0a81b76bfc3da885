"""The ERP pushes its catalogue and its offers: upserts by its own keys, idempotent, a revision for a change,
sent through the services staff use (totals, PDF, the client notified once)."""

import base64
import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from files.tests.factories import pdf_bytes
from integrations.tests.factories import bearer, integration_key
from portal.models import AuditEntry, Notification
from quotes import services
from quotes.models import Offer, Product, QuoteRequest
from quotes.tests.factories import ProductFactory, QuoteRequestFactory
from quotes.totals import offer_totals

pytestmark = pytest.mark.django_db
CATALOGUE, OFFERS = "/api/v1/catalogue/bulk", "/api/v1/offers/bulk"


@pytest.fixture
def key():
    return integration_key(scopes=["catalogue:write", "offers:write"], name="ERP Senior")[1]


def push(client, key, path, name, *items):
    response = client.post(path, {name: list(items)}, content_type="application/json", **bearer(key))
    assert response.status_code == 200, response.content
    return response.json()["results"]


def product(**changes) -> dict:
    return {"code": "CP-200", "name": "Pompă centrifugală 200 m³/h", "unit": "buc", **changes}


def offer(company, **changes) -> dict:
    body = {
        "cui": company.cui,
        "number": "ERP-OF-1001",
        "revision": 1,
        "valid_until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "currency": "RON",
        "payment_terms": "30 de zile de la facturare",
        "lines": [
            {
                "product_code": "CP-200",
                "description": "Pompă centrifugală",
                "quantity": "4",
                "unit_price": "312.40",
                "discount_percent": "5",
                "vat_rate": 21,
            },
            {"description": "Montaj", "quantity": "1", "unit": "serv", "unit_price": "1200", "vat_rate": 21},
            {"description": "Manual tipărit", "quantity": "3", "unit_price": "19.99", "vat_rate": 11},
        ],
    }
    return {**body, **changes}


@pytest.fixture
def pump(db):
    return ProductFactory(code="CP-200", name="Pompă centrifugală 200 m³/h")


@pytest.fixture
def members(admin_a, member_a):
    return [admin_a, member_a]


# --- the catalogue ----------------------------------------------------------------------------------------


def test_products_are_created_recognised_and_updated_by_code(client, key):
    assert push(client, key, CATALOGUE, "products", product(), product(code="CP-300", active=False)) == [
        {"key": "CP-200", "result": "created", "status": 201, "errors": []},
        {"key": "CP-300", "result": "created", "status": 201, "errors": []},
    ]
    stamp = Product.objects.get(code="CP-200").updated_at
    audited = AuditEntry.objects.exclude(action="api.call").count()
    assert [r["result"] for r in push(client, key, CATALOGUE, "products", product())] == ["unchanged"]
    assert (
        Product.objects.get(code="CP-200").updated_at == stamp
        and AuditEntry.objects.exclude(action="api.call").count() == audited
    )

    changed = product(name="Pompă centrifugală 220 m³/h", unit="set", description="Cu motor IE3", active=False)
    assert [r["result"] for r in push(client, key, CATALOGUE, "products", changed)] == ["updated"]
    pump = Product.objects.get(code="CP-200")
    assert (pump.name, pump.unit, pump.description, pump.active) == (
        "Pompă centrifugală 220 m³/h",
        "set",
        "Cu motor IE3",
        False,
    )
    entry = AuditEntry.objects.filter(action="product.imported").latest("id")
    assert entry.data["integration"] == "ERP Senior" and entry.data["created"] is False


def test_a_nul_character_refuses_the_whole_batch(client, key):
    """PostgreSQL stores no NUL: the API refuses such a request whole (integrations.auth.refuse_nul)."""
    body = {"products": [product(name="Robinet\x00"), product(code="CP-201")]}
    response = client.post(CATALOGUE, body, content_type="application/json", **bearer(key))
    assert response.status_code == 400 and not Product.objects.exists()


# --- offers: created, recognised --------------------------------------------------------------------------


def test_an_offer_is_sent_as_staff_send_one_and_recognised_the_second_time(
    client, key, company_a, members, pump, mailoutbox, django_capture_on_commit_callbacks
):
    quote_request = QuoteRequestFactory(company=company_a, number="CO-2026-0042")
    body = offer(company_a, quote_request="CO-2026-0042")
    with django_capture_on_commit_callbacks(execute=True):
        results = push(client, key, OFFERS, "offers", body)
    assert results == [{"key": "ERP-OF-1001 rev 1", "result": "created", "status": 201, "errors": []}]
    made = Offer.objects.get(number="ERP-OF-1001")
    assert (made.revision, made.status, made.is_current, made.company, made.request) == (
        1,
        Offer.Status.SENT,
        True,
        company_a,
        quote_request,
    )
    lines = list(made.lines.order_by("position"))
    assert [(line.position, line.product, line.unit, line.vat_rate) for line in lines] == [
        (1, pump, "buc", 21),
        (2, None, "serv", 21),
        (3, None, "buc", 11),
    ]
    # The totals are the offer service's: 4 × 312.40 − 5 % = 1187.12; VAT once per rate.
    totals = offer_totals(lines)
    assert (made.total_net, made.total_vat) == (totals.net, totals.vat) == (Decimal("2447.09"), Decimal("507.90"))
    assert made.pdf is not None and not made.pdf_from_erp and made.pdf.file.open("rb").read(5) == b"%PDF-"
    quote_request.refresh_from_db()
    assert quote_request.status == QuoteRequest.Status.OFFERED
    assert sorted(m.to[0] for m in mailoutbox) == sorted(user.email for user in members)
    assert Notification.objects.filter(kind="offer.sent").count() == 2
    assert AuditEntry.objects.filter(action="offer.sent", data__integration="ERP Senior").count() == 1

    stamp, audited = made.updated_at, AuditEntry.objects.exclude(action="api.call").count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert push(client, key, OFFERS, "offers", body)[0]["result"] == "unchanged"
    made.refresh_from_db()
    assert (
        not callbacks and made.updated_at == stamp and AuditEntry.objects.exclude(action="api.call").count() == audited
    )
    assert len(mailoutbox) == 2 and Notification.objects.filter(kind="offer.sent").count() == 2


def test_the_erps_pdf_is_kept_even_once_the_client_accepts(
    client, key, company_a, admin_a, pump, django_capture_on_commit_callbacks
):
    content = pdf_bytes("Oferta ERP-OF-1001")
    body = offer(company_a, pdf_base64=base64.b64encode(content).decode())
    with django_capture_on_commit_callbacks(execute=True):
        assert push(client, key, OFFERS, "offers", body)[0]["result"] == "created"
    made = Offer.objects.get(number="ERP-OF-1001")
    assert made.pdf_from_erp and made.pdf.sha256 == hashlib.sha256(content).hexdigest()
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_accept(offer_id=made.pk, company=company_a, user=admin_a)
    made.refresh_from_db()
    assert made.status == Offer.Status.ACCEPTED and made.pdf.sha256 == hashlib.sha256(content).hexdigest()
    assert push(client, key, OFFERS, "offers", body)[0]["result"] == "unchanged"

    other = offer(company_a, pdf_base64=base64.b64encode(pdf_bytes("Alt PDF")).decode())
    result = push(client, key, OFFERS, "offers", other)[0]
    assert (result["result"], result["status"]) == ("conflict", 409) and "pdf" in result["errors"][0]


# --- offers: revisions ------------------------------------------------------------------------------------


def test_a_higher_revision_supersedes_the_current_one_and_the_client_is_told(
    client, key, company_a, members, pump, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        push(client, key, OFFERS, "offers", offer(company_a))
    revised = offer(company_a, revision=2, revision_note="Preț redus la montaj")
    revised["lines"][1]["unit_price"] = "950"
    with django_capture_on_commit_callbacks(execute=True):
        assert push(client, key, OFFERS, "offers", revised) == [
            {"key": "ERP-OF-1001 rev 2", "result": "updated", "status": 200, "errors": []}
        ]
    first, second = Offer.objects.filter(number="ERP-OF-1001").order_by("revision")
    assert (first.status, first.is_current) == (Offer.Status.SUPERSEDED, False)
    assert (second.status, second.is_current, second.revision_note) == (Offer.Status.SENT, True, "Preț redus la montaj")
    assert second.total_net == offer_totals(second.lines.all()).net == first.total_net - Decimal("250")
    assert second.pdf is not None
    assert len(mailoutbox) == 4
    assert Notification.objects.filter(kind="offer.sent", title__contains="revizia 2").count() == 2

    # Both pushed again, in order: each recognised, nothing sent again.
    results = push(client, key, OFFERS, "offers", offer(company_a), revised)
    assert [r["result"] for r in results] == ["unchanged", "unchanged"] and len(mailoutbox) == 4


def test_a_sent_revision_with_other_content_is_refused(client, key, company_a, pump):
    push(client, key, OFFERS, "offers", offer(company_a))
    changed = offer(company_a, valid_until=(timezone.localdate() + timedelta(days=60)).isoformat())
    changed["lines"][0]["quantity"] = "5"
    [result] = push(client, key, OFFERS, "offers", changed)
    assert (result["result"], result["status"]) == ("conflict", 409)
    assert "valid_until, lines" in result["errors"][0] and "revizie nouă" in result["errors"][0]
    made = Offer.objects.get(number="ERP-OF-1001")
    assert made.lines.get(position=1).quantity == Decimal("4") and made.revision == 1


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_an_offer_the_client_decided_gets_no_new_revision(client, key, company_a, admin_a, pump, decision):
    push(client, key, OFFERS, "offers", offer(company_a))
    made = Offer.objects.get(number="ERP-OF-1001")
    getattr(services, f"offer_{decision}")(offer_id=made.pk, company=company_a, user=admin_a)
    [result] = push(client, key, OFFERS, "offers", offer(company_a, revision=2))
    assert (result["result"], result["status"]) == ("conflict", 409)
    word = "acceptată" if decision == "accept" else "respinsă"
    assert f"revizia 1 a fost deja {word} de Ana Popescu" in result["errors"][0]
    assert Offer.objects.filter(number="ERP-OF-1001").count() == 1


def test_a_revision_below_the_last_one_is_refused(client, key, company_a, pump):
    assert push(client, key, OFFERS, "offers", offer(company_a, revision=3))[0]["result"] == "created"
    [result] = push(client, key, OFFERS, "offers", offer(company_a, revision=2))
    assert (result["result"], result["status"]) == ("conflict", 409) and "mai mică" in result["errors"][0]
    assert list(Offer.objects.values_list("revision", flat=True)) == [3]


# --- offers: refusals -------------------------------------------------------------------------------------


def test_a_bad_offer_blocks_none_of_the_others(client, key, company_a, company_b, pump):
    unknown_company = offer(company_a, number="ERP-OF-1", cui="RO1")
    old_rate = offer(company_a, number="ERP-OF-2")
    old_rate["lines"][0]["vat_rate"] = 19
    unknown_product = offer(company_a, number="ERP-OF-3")
    unknown_product["lines"][1]["product_code"] = "NU-EXISTA"
    past = offer(company_a, number="ERP-OF-4", valid_until=(timezone.localdate() - timedelta(days=1)).isoformat())
    foreign_request = offer(company_a, number="ERP-OF-5", quote_request=QuoteRequestFactory(company=company_b).number)
    results = push(
        client,
        key,
        OFFERS,
        "offers",
        unknown_company,
        old_rate,
        unknown_product,
        past,
        foreign_request,
        offer(company_a, number="ERP-OF-6"),
    )
    assert [(r["result"], r["status"]) for r in results] == [("rejected", 400)] * 5 + [("created", 201)]
    assert "RO1" in results[0]["errors"][0]
    assert "Rândul 1: cota TVA de 19%" in results[1]["errors"][0]
    assert "NU-EXISTA" in results[2]["errors"][0]
    assert "în trecut" in results[3]["errors"][0]
    assert "altei companii" in results[4]["errors"][0]
    assert list(Offer.objects.values_list("number", flat=True)) == ["ERP-OF-6"]


def test_a_number_of_another_companys_offer_is_refused(client, key, company_a, company_b, pump):
    push(client, key, OFFERS, "offers", offer(company_a))
    [result] = push(client, key, OFFERS, "offers", offer(company_b, revision=2))
    assert (result["result"], result["status"]) == ("conflict", 409) and "altă companie" in result["errors"][0]


def test_the_portals_own_series_skips_a_number_the_erp_took(client, key, company_a, pump):
    taken = services.next_number("OF")  # the number staff's next offer would take, pushed by the ERP first
    services.NumberSequence.objects.filter(key=taken.rsplit("-", 1)[0]).update(last=0)
    push(client, key, OFFERS, "offers", offer(company_a, number=taken))
    draft = services.offer_create(company=company_a, by=None)
    assert draft.number != taken and draft.revision == 1


@pytest.mark.parametrize(
    ("path", "scope"), [(CATALOGUE, "offers:write"), (OFFERS, "catalogue:write"), (OFFERS, "offers:read")]
)
def test_a_key_without_the_write_scope_is_refused(client, company_a, path, scope):
    _integration, other = integration_key(scopes=[scope], name=f"ERP {scope}")
    name = "products" if path == CATALOGUE else "offers"
    item = product() if path == CATALOGUE else offer(company_a)
    response = client.post(path, {name: [item]}, content_type="application/json", **bearer(other))
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert not Product.objects.exists() and not Offer.objects.exists()


def test_a_draft_revision_staff_started_in_admin(client, key, company_a, staff, pump):
    push(client, key, OFFERS, "offers", offer(company_a))
    draft = services.offer_new_revision(offer=Offer.objects.get(number="ERP-OF-1001"), by=staff)
    [result] = push(client, key, OFFERS, "offers", offer(company_a, revision=3))
    assert (result["result"], result["status"]) == ("conflict", 409) and "ciornă" in result["errors"][0]

    revised = offer(company_a, revision=2)
    del revised["lines"][2]
    assert push(client, key, OFFERS, "offers", revised)[0]["result"] == "updated"
    draft.refresh_from_db()
    assert (draft.status, draft.is_current, draft.lines.count()) == (Offer.Status.SENT, True, 2)
