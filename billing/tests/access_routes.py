from datetime import timedelta

from django.utils import timezone

from billing import services
from billing.models import Invoice, InvoiceArchive, ListExport, StatementExport
from billing.tests.factories import issued_invoice
from files.services import store_generated
from files.tests.factories import pdf_upload
from tests.access import Route, everyone, object_page, section, section_action


def objects(cast) -> dict:
    company = cast["company_a"]
    invoice = issued_invoice(company)
    # Stand-ins for ANAF's signed ZIP and a built archive: who may download them is what is tested here.
    signed = store_generated(
        company=company, name="semnat.zip", content=b"PK\x05\x06" + bytes(18), content_type="application/zip"
    )
    Invoice.objects.filter(pk=invoice.pk).update(anaf_zip=signed)
    archive = InvoiceArchive.objects.create(
        company=company,
        requested_by=cast["admin_a"],
        invoice_ids=[invoice.pk],
        status=InvoiceArchive.Status.READY,
        file=store_generated(
            company=company, name="arhiva.zip", content=b"PK\x05\x06" + bytes(18), content_type="application/zip"
        ),
    )
    notice = services.notice_create(
        company=company,
        user=cast["admin_a"],
        paid_on=invoice.issue_date,
        amount=invoice.balance,
        currency=invoice.currency,
        reference="OP 1",
        proof=pdf_upload("ordin.pdf"),
        invoices=[invoice],
    )
    statement = StatementExport.objects.create(
        company=company,
        requested_by=cast["admin_a"],
        date_from=invoice.issue_date,
        date_to=invoice.issue_date,
        format=StatementExport.Format.PDF,
        status=StatementExport.Status.READY,
        file=store_generated(
            company=company, name="fisa.pdf", content=b"%PDF-1.4 fisa", content_type="application/pdf"
        ),
        expires_at=timezone.now() + timedelta(days=7),
    )
    listed = ListExport.objects.create(
        company=company,
        requested_by=cast["admin_a"],
        kind=ListExport.Kind.INVOICES,
        format=ListExport.Format.XLSX,
        status=ListExport.Status.READY,
        file=store_generated(
            company=company, name="facturi.xlsx", content=b"PK\x05\x06" + bytes(18), content_type="application/zip"
        ),
        expires_at=timezone.now() + timedelta(days=7),
    )
    return {"invoice": invoice, "archive": archive, "notice": notice, "statement": statement, "list": listed}


def statement(o) -> dict:
    return {"public_id": o["statement"].public_id}


def list_export(o) -> dict:
    return {"public_id": o["list"].public_id}


def notice(o) -> dict:
    return {"public_id": o["notice"].public_id}


def archive(o) -> dict:
    return {"public_id": o["archive"].public_id}


def invoice(o) -> dict:
    return {"public_id": o["invoice"].public_id}


ROUTES = [
    Route("billing:invoice_list", get=section(right="billing"), post=everyone(405)),
    Route("billing:invoice_export_csv", get=section(right="billing"), post=everyone(405)),
    # An XLSX is built by a task: 202 and a page saying it is being prepared.
    Route("billing:invoice_export_xlsx", get=section_action(202, right="billing"), post=everyone(405)),
    Route("billing:invoice_detail", get=object_page(200, right="billing"), post=everyone(405), kwargs=invoice),
    Route("billing:invoice_pdf", get=object_page(200, right="billing"), post=everyone(405), kwargs=invoice),
    Route("billing:invoice_xml", get=object_page(200, right="billing"), post=everyone(405), kwargs=invoice),
    Route("billing:invoice_signed_zip", get=object_page(200, right="billing"), post=everyone(405), kwargs=invoice),
    # POST without data: the list answers 400 with the archive form's error, nothing is asked for.
    Route("billing:archive_create", get=everyone(405), post=section_action(400, right="billing")),
    Route("billing:archive_detail", get=object_page(200, right="billing"), post=everyone(405), kwargs=archive),
    Route("billing:archive_download", get=object_page(200, right="billing"), post=everyone(405), kwargs=archive),
    Route("billing:payment_list", get=section(right="billing"), post=everyone(405)),
    Route("billing:payment_export_csv", get=section(right="billing"), post=everyone(405)),
    Route("billing:payment_export_xlsx", get=section_action(202, right="billing"), post=everyone(405)),
    Route("billing:list_export", get=object_page(200, right="billing"), post=everyone(405), kwargs=list_export),
    Route(
        "billing:list_export_download", get=object_page(200, right="billing"), post=everyone(405), kwargs=list_export
    ),
    Route("billing:notice_detail", get=object_page(200, right="billing"), post=everyone(405), kwargs=notice),
    # POST without data: the form answers 400 with its errors, nothing is saved.
    Route("billing:notice_create", get=section(right="billing"), post=section_action(400, right="billing")),
    Route("billing:statement", get=section(right="billing"), post=everyone(405)),
    # The PDF is built by a task: 202 and a page saying it is being prepared.
    Route("billing:statement_pdf", get=section_action(202, right="billing"), post=everyone(405)),
    Route("billing:statement_csv", get=section(right="billing"), post=everyone(405)),
    Route("billing:statement_export", get=object_page(200, right="billing"), post=everyone(405), kwargs=statement),
    Route(
        "billing:statement_export_download",
        get=object_page(200, right="billing"),
        post=everyone(405),
        kwargs=statement,
    ),
]
