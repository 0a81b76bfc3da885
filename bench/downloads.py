"""Issue 20's download checks for `make bench`: no download route renders a PDF or builds a ZIP while it
answers, and a large file costs the worker only its authorisation when nginx (an internal redirect) or object
storage (a presigned URL) sends the bytes.

Every client route whose name says it hands out a file is listed in ``ROUTES`` with how to find an object of
the bench's large client for it; ``unlisted_routes()`` names any new one, so the report cannot silently skip
it. Requests go through Django's test client in-process with the bench settings: Celery tasks are sent to
Redis, not run, which is what a web worker does.
"""

from __future__ import annotations

import re
import statistics
import time
import zipfile
from collections.abc import Callable

from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings
from django.test.client import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from weasyprint import HTML

from billing.models import Invoice, InvoiceArchive, ListExport, StatementExport
from files import services as files_services
from files.models import Document, DocumentVersion, StoredFile
from quotes.models import Offer

DOWNLOAD_NAME = re.compile(r"download|pdf|zip|csv|xlsx|xml|preview|attachment|confirmation|export_download")
# Client routes that hand out a file, and how to reach one of the large client's (None: no such object in the
# bench data; the report says so).
ROUTES: dict[str, Callable] = {
    "quotes:offer_pdf": lambda c: _arg(Offer.objects.filter(company=c).order_by("-id")),
    "quotes:offer_confirmation": lambda c: _arg(Offer.objects.filter(company=c, status="accepted").order_by("-id")),
    "quotes:request_attachment": None,
    "projects:attachment": None,
    "billing:invoice_pdf": lambda c: _arg(Invoice.objects.filter(company=c).order_by("-id")),
    "billing:invoice_xml": lambda c: _arg(Invoice.objects.filter(company=c).order_by("-id")),
    "billing:invoice_signed_zip": lambda c: _arg(Invoice.objects.filter(company=c, anaf_zip__isnull=False)),
    "billing:invoice_export_csv": lambda c: "",
    "billing:invoice_export_xlsx": lambda c: "",
    "billing:payment_export_csv": lambda c: "",
    "billing:payment_export_xlsx": lambda c: "",
    # Asked for just above: the bench's web worker only sends the task, so the link answers "being prepared".
    "billing:list_export_download": lambda c: _arg(ListExport.objects.filter(company=c).order_by("-id")),
    "billing:archive_download": lambda c: _arg(InvoiceArchive.objects.filter(company=c)),
    "billing:statement_pdf": lambda c: "?" + _year(),
    "billing:statement_csv": lambda c: "?" + _year(),
    "billing:statement_export_download": lambda c: _arg(StatementExport.objects.filter(company=c)),
    "support:attachment": None,
    # The seeded documents have records without bytes: the large document below has its file.
    "files:download": lambda c: _large_document(c).public_id,
    "files:download_version": lambda c: _large_document(c).public_id,
    "files:preview": lambda c: _large_document(c).public_id,
    "accounts:data_export_download": None,
}
EXTRA_ARGS = {"files:download_version": [1]}
START, END = "<!-- bench:downloads:start -->", "<!-- bench:downloads:end -->"  # in docs/PERFORMANCE.md
LARGE_FILE_MB = 50


def _arg(queryset):
    obj = queryset.first()
    return obj.public_id if obj else None


def _year() -> str:
    today = timezone.localdate()
    return f"date_from={today.replace(year=today.year - 1).isoformat()}&date_to={today.isoformat()}&currency=RON"


def _names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from _names(pattern.url_patterns, inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def unlisted_routes() -> list[str]:
    """Client routes that look like downloads and are not in ROUTES (admin, API, allauth are not clients')."""
    names = set(_names(get_resolver().url_patterns))
    client = {n for n in names if ":" in n and n.split(":")[0] not in {"admin", "api"} and DOWNLOAD_NAME.search(n)}
    return sorted(client - set(ROUTES))


def _urls(company) -> tuple[list[tuple[str, str]], list[str]]:
    urls, missing = [], []
    for name, find in ROUTES.items():
        found = find(company) if find else None
        if found is None:
            missing.append(name)
        elif isinstance(found, str):
            urls.append((name, reverse(name) + found))
        else:
            urls.append((name, reverse(name, args=[found, *EXTRA_ARGS.get(name, [])])))
    return urls, missing


def renders_during_downloads(client, company) -> dict:
    """For each download route: its status, and how many PDFs (WeasyPrint) and ZIP files (zipfile, an XLSX
    included) the request produced while answering."""
    counts = {"pdf": 0, "zip": 0}
    original_pdf, original_zip = HTML.write_pdf, zipfile.ZipFile.__init__

    def pdf(self, *args, **kwargs):
        counts["pdf"] += 1
        return original_pdf(self, *args, **kwargs)

    def zip_init(self, file, mode="r", *args, **kwargs):
        if mode in {"w", "x", "a"}:
            counts["zip"] += 1
        return original_zip(self, file, mode, *args, **kwargs)

    urls, missing = _urls(company)
    results = {}
    HTML.write_pdf, zipfile.ZipFile.__init__ = pdf, zip_init
    try:
        for name, url in urls:
            before = dict(counts)
            response = client.get(url)
            results[name] = {
                "status": response.status_code,
                "pdf": counts["pdf"] - before["pdf"],
                "zip": counts["zip"] - before["zip"],
            }
    finally:
        HTML.write_pdf, zipfile.ZipFile.__init__ = original_pdf, original_zip
    return {"routes": results, "no_object": missing, "unlisted": unlisted_routes()}


def _large_document(company) -> Document:
    title = f"Bench fișier mare {LARGE_FILE_MB} MB"
    document = Document.objects.filter(company=company, title=title).first()
    if document is None or document.current_version.file.size != LARGE_FILE_MB * 2**20:
        Document.objects.filter(company=company, title=title).delete()
        # Larger than a client may upload (20 MB): stored as the supplier's generated files are.
        content = b"%PDF-1.4\n" + b"0" * (LARGE_FILE_MB * 2**20 - 9)
        stored = files_services.store_generated(
            company=company, name="mare.pdf", content=content, content_type="application/pdf"
        )
        document = Document.objects.create(company=company, title=title)
        document.current_version = DocumentVersion.objects.create(document=document, number=1, file=stored)
        document.save(update_fields=["current_version"])
    return document


def _through_wsgi(handler, path: str, cookie: str) -> int:
    """One request the way a gunicorn worker runs it: Django's WSGI handler, the body read to its end."""
    status = []
    environ = RequestFactory()._base_environ(PATH_INFO=path, HTTP_COOKIE=cookie, HTTP_HOST="127.0.0.1")
    body = handler(environ, lambda code, headers, exc_info=None: status.append(int(code.split()[0])))
    for _chunk in body:
        pass
    body.close()
    return status[0]


def large_download_cost(client, company, repeat: int = 20) -> dict:
    """The worker's time for a 50 MB document: streamed (the worker reads and sends every byte) and with
    nginx's internal redirect (the worker authorises, audits and answers a header; nginx sends the file). Through
    Django's WSGI handler as a gunicorn worker calls it (no test client); medians of ``repeat`` requests,
    wall and CPU time of this process."""
    document = _large_document(company)
    url = reverse("files:download", args=[document.public_id])
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    handler = WSGIHandler()
    result = {"size_mb": StoredFile.objects.get(pk=document.current_version.file_id).size / 2**20}
    for mode in ("x-accel", "stream"):
        walls, cpus, statuses = [], [], set()
        with override_settings(DOWNLOADS=mode):
            _through_wsgi(handler, url, cookie)  # warm
            for _ in range(repeat if mode == "x-accel" else 3):
                wall, cpu = time.perf_counter(), time.process_time()
                statuses.add(_through_wsgi(handler, url, cookie))
                walls.append((time.perf_counter() - wall) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
        median = statistics.median
        result[mode] = {"status": "/".join(map(str, sorted(statuses))), "wall": median(walls), "cpu": median(cpus)}
    return result


def _ok(met: bool) -> str:
    return "met" if met else "**not met**"


def report_lines(renders: dict, large: dict) -> list[str]:
    routes = renders["routes"]
    rendering = [f"{name} ({r['pdf']} PDF, {r['zip']} ZIP)" for name, r in routes.items() if r["pdf"] or r["zip"]]
    lines = [
        START,
        "Downloads (in-process, the large client's admin, Celery tasks sent to Redis and not run):",
        "",
        f"- {len(routes)} download routes requested: "
        + ", ".join(f"`{name}` {r['status']}" for name, r in routes.items())
        + ".",
        "- PDFs or ZIP files built while answering: "
        + ("; ".join(rendering) if rendering else f"none ({sum(r['pdf'] for r in routes.values())} PDF, 0 ZIP)")
        + ".",
    ]
    if renders["no_object"]:
        lines.append(
            "- No object of the bench's large client for: " + ", ".join(f"`{n}`" for n in renders["no_object"]) + "."
        )
    if renders["unlisted"]:
        lines.append(
            "- **Download routes the bench does not know** (add them to bench/downloads.py): "
            + ", ".join(renders["unlisted"])
            + "."
        )
    accel, stream = large["x-accel"], large["stream"]
    lines += [
        f"- A {large['size_mb']:.0f} MB document: with `DOWNLOADS=x-accel` the worker answers in "
        f"{accel['wall']:.1f} ms "
        f"({accel['cpu']:.1f} ms CPU, median of 20; status {accel['status']}, nginx sends the bytes); streamed by the "
        f"worker itself {stream['wall']:.0f} ms ({stream['cpu']:.0f} ms CPU, median of 3).",
        f"- Target, no download route builds a PDF or a ZIP while answering: {_ok(not rendering)}.",
        f"- Target, a {large['size_mb']:.0f} MB download costs the worker < 20 ms (nginx's internal redirect): "
        f"{_ok(accel['wall'] < 20)} ({accel['wall']:.1f} ms).",
        END,
        "",
    ]
    return lines
