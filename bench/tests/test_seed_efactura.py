"""What seed_bench creates is what the portal would have issued: every invoice and credit note's e-Factura
XML passes ANAF's rules (XSD and CIUS-RO, 0 fatal), each line's rate was in force on its tax point, and the
stored totals, balances and statuses are the ones billing.services.invoice_refresh keeps."""

import pytest
from django.db.models import Count

from bench import seed
from billing import services
from billing.efactura.validation import validate
from billing.models import Invoice
from portal.money import line_amounts, vat_groups

# 100 invoices of the large client (2 in EUR, one of 120 lines), 10 of an ordinary one, 4 credit notes:
# most of the test's time is compiling ANAF's schemas and rules once, not the documents.
SCALE = 0.005
STORED = ("total_net", "total_vat", "total_gross", "credited", "amount_paid", "balance", "status")

pytestmark = pytest.mark.django_db


def seed_small() -> list[Invoice]:
    seed.seed(ordinary=1, scale=SCALE, log=lambda *_: None)
    return list(Invoice.objects.exclude(status=Invoice.Status.DRAFT).annotate(n_lines=Count("lines")).order_by("pk"))


def test_every_bench_invoice_and_credit_note_passes_anafs_rules():
    documents = seed_small()
    failures = []
    for invoice in documents:
        report = validate(services.invoice_xml_bytes(invoice))
        if not report.is_valid:
            failures.append(f"{invoice.label}: " + "; ".join(report.problems(5)))
    assert not failures, f"{len(failures)} of {len(documents)} fail ANAF's rules:\n" + "\n".join(failures[:20])
    assert len(documents) == 114
    assert {invoice.kind for invoice in documents} == {Invoice.Kind.INVOICE, Invoice.Kind.CREDIT_NOTE}
    assert {invoice.currency for invoice in documents} == {"RON", "EUR"}
    assert max(invoice.n_lines for invoice in documents) > 100


def test_bench_rates_and_totals_are_what_issuing_stores():
    rates = set()
    for invoice in seed_small():
        lines = list(invoice.lines.all())
        services.check_lines_vat(lines, tax_point=invoice.tax_point)
        rates |= {line.vat_rate for line in lines}
        for line in lines:
            amounts = line_amounts(quantity=line.quantity, unit_price=line.unit_price, vat_rate=line.vat_rate)
            assert (line.net_amount, line.vat_amount) == amounts, (invoice.label, line.position)
        groups = vat_groups((line.vat_rate, line.net_amount, line.vat_category) for line in lines)
        assert invoice.total_vat == sum(group.vat for group in groups), invoice.label
        stored = {field: getattr(invoice, field) for field in STORED}
        services.invoice_refresh(invoice=invoice)
        assert stored == {field: getattr(invoice, field) for field in STORED}, invoice.label
    assert rates == {21, 19, 11, 9, 5}  # both rate periods, standard and reduced
