from billing.tests.factories import issued_invoice
from tests.access import Route, everyone, object_page, section, section_action


def objects(cast) -> dict:
    return {"invoice": issued_invoice(cast["company_a"])}


def invoice(o) -> dict:
    return {"public_id": o["invoice"].public_id}


ROUTES = [
    Route("billing:invoice_list", get=section(right="billing"), post=everyone(405)),
    Route("billing:invoice_detail", get=object_page(200, right="billing"), post=everyone(405), kwargs=invoice),
    Route("billing:invoice_pdf", get=object_page(200, right="billing"), post=everyone(405), kwargs=invoice),
    Route("billing:payment_list", get=section(right="billing"), post=everyone(405)),
    # POST without data: the form answers 400 with its errors, nothing is saved.
    Route("billing:notice_create", get=section(right="billing"), post=section_action(400, right="billing")),
    Route("billing:statement", get=section(right="billing"), post=everyone(405)),
    Route("billing:statement_pdf", get=section(right="billing"), post=everyone(405)),
    Route("billing:statement_csv", get=section(right="billing"), post=everyone(405)),
]
