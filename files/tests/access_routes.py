from files.models import CategoryAccess, Document, RequiredRight
from files.tests.factories import DocumentFactory
from tests.access import Route, everyone, hidden_by_right, object_page, section, section_action


def objects(cast) -> dict:
    return {
        # A supplier document with two versions (a PDF: preview answers 200).
        "document": DocumentFactory(company=cast["company_a"], title="Fișă tehnică pompă CP-200", versions=2),
        # Only documents the client uploaded take new versions from the client.
        "client_document": DocumentFactory(
            company=cast["company_a"], title="Schiță amplasament", source=Document.Source.CLIENT, user=cast["admin_a"]
        ),
        **financial_documents(cast),
    }


def financial_documents(cast) -> dict:
    """Financial documents: the member without the billing right (owner_member) must not reach them."""
    # The data migration's rule, set again: a transactional test elsewhere may have flushed the table.
    CategoryAccess.objects.update_or_create(
        category=Document.Category.FINANCIAL, defaults={"required_right": RequiredRight.BILLING}
    )
    return {
        "financial_document": DocumentFactory(
            company=cast["company_a"],
            title="Situație de plăți trimestrul III 2026",
            category=Document.Category.FINANCIAL,
            versions=2,
        ),
        "financial_client_document": DocumentFactory(
            company=cast["company_a"],
            title="Ordin de plată 318",
            category=Document.Category.FINANCIAL,
            source=Document.Source.CLIENT,
            user=cast["admin_a"],
        ),
    }


def document(o) -> dict:
    return {"public_id": o["document"].public_id}


ROUTES = [
    # Read views are @require_safe: any POST is 405, before the login check.
    Route("files:list", get=section(), post=everyone(405)),
    # A POST without a file re-renders the form with the error (200), nothing saved.
    Route(
        "files:upload",
        get=section(),
        post=section_action(200),
        data=lambda o: {"title": "Proces-verbal recepție", "category": "tehnic"},
    ),
    Route("files:detail", get=object_page(200), post=everyone(405), kwargs=document),
    # An invalid version upload (no file) is a 400; supplier documents answer 404 (test_documents.py).
    Route(
        "files:add_version",
        get=everyone(405),
        post=object_page(400),
        kwargs=lambda o: {"public_id": o["client_document"].public_id},
        data=lambda o: {"comment": "rev. 2"},
    ),
    Route("files:download", get=object_page(200), post=everyone(405), kwargs=document),
    Route(
        "files:download_version",
        get=object_page(200),
        post=everyone(405),
        kwargs=lambda o: {"public_id": o["document"].public_id, "number": 1},
    ),
    Route("files:preview", get=object_page(200), post=everyone(405), kwargs=document),
]

# The same object routes on a financial document, for the member without the billing right: 404 on GET
# and POST, as for a document linked to an invoice (files/tests/test_category_rights.py). The list and the
# upload form answer that member 200 without the document and without the category: checked there.
FINANCIAL = "financiar"


def financial(o) -> dict:
    return {"public_id": o["financial_document"].public_id}


ROUTES += [
    Route("files:detail", variant=FINANCIAL, get=hidden_by_right(200), post=everyone(405), kwargs=financial),
    Route(
        "files:add_version",
        variant=FINANCIAL,
        get=everyone(405),
        post=hidden_by_right(400),
        kwargs=lambda o: {"public_id": o["financial_client_document"].public_id},
        data=lambda o: {"comment": "rev. 2"},
    ),
    Route("files:download", variant=FINANCIAL, get=hidden_by_right(200), post=everyone(405), kwargs=financial),
    Route(
        "files:download_version",
        variant=FINANCIAL,
        get=hidden_by_right(200),
        post=everyone(405),
        kwargs=lambda o: {"public_id": o["financial_document"].public_id, "number": 1},
    ),
    Route("files:preview", variant=FINANCIAL, get=hidden_by_right(200), post=everyone(405), kwargs=financial),
]
