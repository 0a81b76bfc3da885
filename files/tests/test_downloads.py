"""How a download leaves (settings.DOWNLOADS): streamed, a redirect to a signed URL, or X-Accel-Redirect.

The view decides in every mode (company, right, audit entry) and hands off only then; the signed URL
is made locally, so the ``presigned`` tests below need no server. The ``s3`` ones follow the URL to a
real S3-compatible server (S3_TEST_ENDPOINT; moto_server in CI).
"""

import re
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse

from billing import services as billing_services
from billing.tests.factories import issued_invoice
from files.models import Document
from files.tests.factories import DocumentFactory, png_upload
from portal.models import AuditEntry
from portal.settings import s3_storage

pytestmark = pytest.mark.django_db

OFFLINE_S3 = s3_storage(
    bucket="portal-privat",
    endpoint_url="http://s3.test:9000",
    region="eu-central-1",
    access_key="cheie",
    secret_key="secret",
    addressing_style="path",
)


@contextmanager
def downloads(mode: str, storage: dict | None = None):
    """Downloads in ``mode``; files already stored stay where they are (same names, other storage)."""
    if storage is None:
        with override_settings(DOWNLOADS=mode):
            yield
        return
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(DOWNLOADS=mode, STORAGES={"default": storage, "staticfiles": static}):
        yield


@contextmanager
def signed_urls():
    with override_settings(
        DOWNLOADS="presigned",
        STORAGES={
            "default": OFFLINE_S3,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def downloads_recorded(document) -> int:
    return AuditEntry.objects.filter(action="document.downloaded", object_id=str(document.public_id)).count()


@pytest.fixture
def document_a(company_a, admin_a):
    return DocumentFactory(company=company_a, title="Fișă tehnică pompă", user=admin_a)


def test_streaming_stays_the_default(client, member_a, document_a):
    client.force_login(member_a)
    response = client.get(reverse("files:download", args=[document_a.public_id]))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="Fisa-tehnica-pompa.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_presigned_redirects_to_one_object_for_sixty_seconds_with_the_safe_name(client, member_a, document_a):
    client.force_login(member_a)
    stored = document_a.current_version.file
    before = time.time()
    with signed_urls():
        response = client.get(reverse("files:download", args=[document_a.public_id]))
    assert response.status_code == 302
    location = response["Location"]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"http://s3.test:9000/portal-privat/{stored.file.name}"
    assert stored.file.name.startswith(f"companies/{document_a.company.public_id}/")
    signed = query(location)
    assert signed["X-Amz-Expires"] == "60"
    assert (
        abs(time.mktime(time.strptime(signed["X-Amz-Date"], "%Y%m%dT%H%M%SZ")) - time.mktime(time.gmtime(before))) < 5
    )
    assert signed["response-content-disposition"] == 'attachment; filename="Fisa-tehnica-pompa.pdf"'
    assert signed["response-content-type"] == "application/pdf"
    assert signed["response-cache-control"] == "private, no-store"
    assert response["Cache-Control"] == "private, no-store" and response["X-Content-Type-Options"] == "nosniff"
    assert downloads_recorded(document_a) == 1


def test_presigned_previews_are_inline(client, member_a, company_a):
    document = DocumentFactory(company=company_a, title="Schiță montaj", file=png_upload("schita.png"))
    client.force_login(member_a)
    with signed_urls():
        response = client.get(reverse("files:preview", args=[document.public_id]))
    assert response.status_code == 302
    signed = query(response["Location"])
    assert signed["response-content-disposition"] == 'inline; filename="Schita-montaj.png"'
    assert signed["response-content-type"] == "image/png"


def test_presigned_still_refuses_other_companies_and_members_without_the_right(
    client, member_b, member_a, admin_a, document_a, company_a
):
    invoice = issued_invoice(company_a, series="FRN", number=7)
    billing_services.invoice_render_pdf(invoice_id=invoice.pk)
    with signed_urls():
        client.force_login(member_b)
        assert client.get(reverse("files:download", args=[document_a.public_id])).status_code == 404
        client.force_login(member_a)  # no billing right
        assert client.get(reverse("billing:invoice_pdf", args=[invoice.public_id])).status_code == 403
        client.force_login(admin_a)
        response = client.get(reverse("billing:invoice_pdf", args=[invoice.public_id]))
    assert response.status_code == 302
    assert query(response["Location"])["response-content-disposition"] == 'attachment; filename="Factura-FRN-7.pdf"'
    assert downloads_recorded(document_a) == 0
    assert AuditEntry.objects.filter(action="invoice.downloaded").count() == 1


@pytest.fixture
def disk(tmp_path):
    return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}


def test_x_accel_hands_the_file_to_nginx(client, member_a, company_a, disk, tmp_path):
    client.force_login(member_a)
    with downloads("x-accel", disk):
        document = DocumentFactory(company=company_a, title="Fișă tehnică pompă")
        response = client.get(reverse("files:download", args=[document.public_id]))
    name = document.current_version.file.file.name
    assert (tmp_path / name).is_file() and name.startswith(f"companies/{company_a.public_id}/")
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/_private/{name}"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Fisa-tehnica-pompa.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert downloads_recorded(document) == 1


def test_x_accel_answers_404_for_others_and_for_a_lost_file(client, member_a, member_b, company_a, disk, tmp_path):
    with downloads("x-accel", disk):
        document = DocumentFactory(company=company_a)
        url = reverse("files:download", args=[document.public_id])
        client.force_login(member_b)
        assert client.get(url).status_code == 404
        (tmp_path / document.current_version.file.file.name).unlink()
        client.force_login(member_a)
        assert client.get(url).status_code == 404


def test_modes_that_do_not_fit_the_storage_are_refused_loudly(client, member_a, document_a):
    from django.core.exceptions import ImproperlyConfigured

    client.force_login(member_a)
    url = reverse("files:download", args=[document_a.public_id])
    memory = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
    for mode in ("presigned", "x-accel"):  # neither S3 nor a disk
        with downloads(mode, memory), pytest.raises(ImproperlyConfigured):
            client.get(url)


def test_every_stored_file_download_goes_through_file_response():
    """FileResponse, X-Accel-Redirect and signed URLs are made in files/responses.py only, so DOWNLOADS
    applies to every route (views, admin, API)."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith((".venv/", "files/responses.py")) or "/tests/" in relative:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bFileResponse\b|X-Accel-Redirect|generate_presigned_url|\.file\.url\b", text):
            offenders.append(relative)
    assert offenders == []


@pytest.mark.s3
def test_on_object_storage_the_signed_url_serves_the_encrypted_object_under_the_company_prefix(
    client, member_a, company_a, _s3_storage
):
    document = DocumentFactory(company=company_a, title="Fișă tehnică pompă")
    stored = document.current_version.file
    key = stored.file.name
    assert key.startswith(f"companies/{company_a.public_id}/") and key.endswith(".pdf")
    head = _s3_storage.connection.meta.client.head_object(Bucket=_s3_storage.bucket_name, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    client.force_login(member_a)
    with override_settings(DOWNLOADS="presigned"):
        response = client.get(reverse("files:download", args=[document.public_id]))
    assert response.status_code == 302
    with urllib.request.urlopen(response["Location"], timeout=10) as answer:  # noqa: S310 - the test server
        assert answer.status == 200
        assert answer.headers["Content-Disposition"] == 'attachment; filename="Fisa-tehnica-pompa.pdf"'
        assert answer.headers["Content-Type"] == "application/pdf"
        body = answer.read()
    assert body == stored.file.open("rb").read() and body.startswith(b"%PDF-")
    assert downloads_recorded(document) == 1


@pytest.mark.s3
def test_on_object_storage_an_object_is_not_readable_without_a_signature(company_a, _s3_storage):
    document = DocumentFactory(company=company_a)
    url = default_storage.url(document.current_version.file.file.name)
    unsigned = url.split("?", 1)[0]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=10)  # noqa: S310 - the test server
    assert refused.value.code == 403
    assert Document.objects.count() == 1


def test_previews_may_load_from_the_storage_origin():
    from portal.settings import s3_origins

    assert s3_origins("privat", "https://minio.intern:9000/", "path", "") == ["https://minio.intern:9000"]
    assert s3_origins("privat", "https://s3.intern", "virtual", "") == ["https://privat.s3.intern"]
    assert s3_origins("privat", "", "", "eu-central-1") == [
        "https://privat.s3.amazonaws.com",
        "https://privat.s3.eu-central-1.amazonaws.com",
    ]
