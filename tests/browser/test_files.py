"""Fișiere in Chromium, desktop and phone: staff upload in admin → client A sees "nou", previews,
downloads → the badge is gone; client B sees nothing of it."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD
from files.models import Document
from files.tests.factories import pdf_bytes
from portal.models import AuditEntry
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
TITLE = "Fișă tehnică pompă CP-200"

# Django admin's own stylesheet draws breadcrumb links without underline in a same-coloured line of
# text (axe: link-in-text-block). That is Django's markup, not ours; everything else must pass.
DJANGO_ADMIN_OWN = {"link-in-text-block": ".breadcrumbs"}


def check_admin(visitor):
    """axe on a Django admin page, forgiving only Django's own known violations; no CSP violation."""
    page = visitor.page
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    results = page.evaluate(
        "axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', "
        "values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    bad = []
    for violation in results["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        targets = [" ".join(node["target"]) for node in violation["nodes"]]
        allowed = DJANGO_ADMIN_OWN.get(violation["id"])
        if allowed and all(target.startswith(allowed) for target in targets):
            continue
        bad.append({"id": violation["id"], "impact": violation["impact"], "nodes": targets[:5]})
    assert not bad, f"axe on {page.url}:\n{json.dumps(bad, indent=1, ensure_ascii=False)}"
    assert not visitor.csp_violations, f"CSP violations on {page.url}: {visitor.csp_violations}"


def new_visitor(visitor, browser, live_server):
    context = browser.new_context(viewport=visitor.page.viewport_size, locale="ro-RO")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, type(visitor)(page, live_server.url, visitor.viewport)


def document_row(page, title: str):
    return page.locator("tbody tr").filter(has=page.get_by_role("link", name=title, exact=True))


def _staff_upload_the_pdf_for_company_a(visitor, browser, live_server, staff, company_a, content):
    staff_context, staff_visitor = new_visitor(visitor, browser, live_server)
    staff_page = staff_visitor.page
    staff_page.goto(live_server.url + "/admin/")
    log_in(staff_visitor, staff.email)
    staff_page.goto(live_server.url + reverse("admin:files_document_add"))  # "Adaugă" leads to the upload page
    assert staff_page.url.startswith(live_server.url + reverse("admin:files_document_bulk"))
    check_admin(staff_visitor)
    staff_page.get_by_label("Companie").select_option(str(company_a.pk))
    staff_page.get_by_label("Categorie").select_option("tehnic")
    staff_page.get_by_label("Descriere (pentru toate)").fill("Curbe de performanță și dimensiuni de montaj.")
    staff_page.get_by_label("Fișiere").set_input_files(
        [{"name": f"{TITLE}.pdf", "mimeType": "application/pdf", "buffer": content}]
    )
    staff_visitor.shot("files-admin-bulk-upload")
    staff_page.get_by_role("button", name="Încarcă").click()
    staff_page.wait_for_load_state("load")
    assert "1 document încărcat pentru" in staff_page.locator("ul.messagelist").inner_text()
    check_admin(staff_visitor)
    staff_visitor.shot("files-admin-uploaded")
    staff_context.close()


def _client_opens_the_preview(visitor, live_server, row, document) -> str:
    page = visitor.page
    row.get_by_role("link", name=TITLE, exact=True).click()
    page.wait_for_url(re.compile(rf"/fisiere/{document.public_id}/$"))
    preview = page.locator("iframe.document-preview")
    preview.wait_for(state="visible")
    page.wait_for_timeout(500)  # let the PDF viewer start, so a CSP refusal would be reported
    visitor.check()
    preview_url = reverse("files:preview", args=[document.public_id])
    assert preview.get_attribute("src") == preview_url
    answer = page.request.get(live_server.url + preview_url)
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("inline")
    assert page.get_by_role("heading", name=TITLE).is_visible()
    visitor.shot("files-detail")
    return preview_url


def _client_downloads_the_exact_bytes(visitor, content, admin_a, company_a):
    page = visitor.page
    with page.expect_download() as caught:
        page.get_by_role("link", name="Descarcă", exact=True).click()
    download = caught.value
    assert download.suggested_filename == "Fisa-tehnica-pompa-CP-200.pdf"
    assert Path(download.path()).read_bytes() == content
    assert AuditEntry.objects.filter(action="document.downloaded", user=admin_a, company=company_a).exists()


def _other_company_sees_nothing(visitor, browser, live_server, member_b, document, preview_url):
    other_context, other = new_visitor(visitor, browser, live_server)
    other.goto("/cont/login/")
    log_in(other, member_b.email, PASSWORD)
    other.goto("/fisiere/")
    assert other.page.get_by_text("Deocamdată nu există niciun document").is_visible()
    assert TITLE not in other.page.content()
    other.shot("files-list-other-company")
    for url in (
        reverse("files:detail", args=[document.public_id]),
        preview_url,
        reverse("files:download", args=[document.public_id]),
    ):
        response = other.page.goto(live_server.url + url)
        assert response.status == 404, url
        assert TITLE not in other.page.content()
    other_context.close()


def test_staff_upload_client_a_previews_and_downloads_client_b_sees_nothing(
    visitor, browser, live_server, staff, admin_a, member_a, member_b, company_a, mailoutbox
):
    content = pdf_bytes("Fisa tehnica CP-200")

    # 1. Supplier staff upload the PDF for company A on the admin's bulk upload page.
    _staff_upload_the_pdf_for_company_a(visitor, browser, live_server, staff, company_a, content)

    document = Document.objects.get(company=company_a)
    assert (document.title, document.source) == (TITLE, Document.Source.SUPPLIER)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([admin_a.email, member_a.email])
    assert not [m for m in mailoutbox if member_b.email in m.to]

    # 2. Client A: the document is in Fișiere, marked "nou".
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email, PASSWORD)
    visitor.goto("/fisiere/")
    row = document_row(page, TITLE)
    assert row.get_by_text("nou", exact=True).is_visible()
    visitor.shot("files-list-new")

    # 3. Opening it shows the preview in the page.
    preview_url = _client_opens_the_preview(visitor, live_server, row, document)

    # 4. Download: a safe server-built name, the exact bytes, an audit entry.
    _client_downloads_the_exact_bytes(visitor, content, admin_a, company_a)

    # 5. Back in the list, the badge is gone.
    visitor.goto("/fisiere/")
    assert not document_row(page, TITLE).get_by_text("nou", exact=True).count()
    visitor.shot("files-list-seen")

    # 6. Client B sees nothing of it: an empty document centre, and 404 by URL.
    _other_company_sees_nothing(visitor, browser, live_server, member_b, document, preview_url)
