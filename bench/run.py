# ruff: noqa: S310, S603, S607 — a benchmark driving wrk, gunicorn and celery on the loopback.
"""`make bench`: the client pages under gunicorn and wrk, interleaved with the ceiling view.

Run it with DJANGO_SETTINGS_MODULE=bench.settings on a database seeded by ``manage.py seed_bench``.
It measures, in one run: req/s, p50 and p99 latency of the ceiling and every client page (wrk), SQL
queries per page for the large client and an ordinary one (Django's test client in-process), peak
and final RSS of the gunicorn workers, Gantt data build time, PDF render time per page count and
Celery throughput (eager vs a real worker), and the ERP API (bench/erp_push.py: 10,000 invoices pushed in
bulk, pushed again, a list call's p50). It rewrites the generated part of docs/PERFORMANCE.md.

BENCH_ONLY=api runs only the ERP API part (gunicorn included) and rewrites only its own lines of the
generated part, between the bench:api markers; BENCH_ONLY=downloads likewise the download checks
(bench/downloads.py, between the bench:downloads markers).
"""

import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from weasyprint import HTML  # noqa: E402

from accounts.models import User  # noqa: E402
from bench import downloads, erp_push, seed  # noqa: E402
from billing.models import Invoice, InvoiceLine  # noqa: E402
from billing.selectors import invoice_pdf_context  # noqa: E402
from billing.tasks import render_invoice_pdf  # noqa: E402
from contracts.models import Contract  # noqa: E402
from files.models import Document  # noqa: E402
from portal.celery import app  # noqa: E402
from portal.models import OutboundEmail  # noqa: E402
from portal.pdf import BASE_URL, _fetcher  # noqa: E402
from projects.gantt import gantt_payload  # noqa: E402
from projects.models import Project  # noqa: E402
from projects.selectors import project_schedule  # noqa: E402
from quotes.models import Offer, QuoteRequest  # noqa: E402
from shipments.models import Shipment  # noqa: E402
from support.models import Message, Ticket  # noqa: E402
from support.tasks import notify_ticket_opened  # noqa: E402

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
PORT = int(os.environ.get("BENCH_PORT", "8911"))
BASE = f"http://127.0.0.1:{PORT}"
DURATION = int(os.environ.get("BENCH_DURATION", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
CEILING_EVERY = 4  # the ceiling is measured again after every 4 pages
DOC = ROOT / "docs" / "PERFORMANCE.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
API_START, API_END = "<!-- bench:api:start -->", "<!-- bench:api:end -->"  # inside START … END
ONLY = os.environ.get("BENCH_ONLY", "")  # "api" or "downloads": only that part
FLOOR = "/__bench__/floor/"  # bench/urls.py: a logged-in page with the layout and no content
HELPDESK_TICKET_LIST = 18  # req/s, django-helpdesk 2.6.1 ticket list (issue 10)


def log(text: str) -> None:
    print(text, flush=True)


# --- the pages ------------------------------------------------------------------------------


def pages_for(company) -> list[tuple[str, str]]:

    def latest(model, *order):
        return model.objects.filter(company=company).order_by(*order).first()

    project = (
        Project.objects.filter(company=company).annotate(n=django.db.models.Count("tasks")).order_by("-n", "id").first()
    )
    invoice = latest(Invoice, "-issue_date", "-id")
    today = timezone.localdate()
    year_ago = (today - timedelta(days=365)).isoformat()
    return [
        ("Tablou de bord", reverse("dashboard:home")),
        ("Cereri de ofertă", reverse("quotes:request_list")),
        ("Cereri de ofertă ?status", reverse("quotes:request_list") + "?status=offered"),
        ("Cerere de ofertă (detaliu)", reverse("quotes:request_detail", args=[latest(QuoteRequest, "-id").public_id])),
        ("Oferte", reverse("quotes:offer_list")),
        ("Oferte ?status", reverse("quotes:offer_list") + "?status=accepted"),
        ("Ofertă (detaliu)", reverse("quotes:offer_detail", args=[latest(Offer, "-id").public_id])),
        ("Proiecte", reverse("projects:list")),
        ("Proiecte ?status", reverse("projects:list") + "?status=in_desfasurare"),
        ("Proiecte ?q (căutare)", reverse("projects:list") + "?q=Implementare"),
        ("Proiect (detaliu, cel mai mare)", reverse("projects:detail", args=[project.public_id])),
        ("Proiect ?status=intarziate", reverse("projects:detail", args=[project.public_id]) + "?status=intarziate"),
        ("Gantt (pagina, cel mai mare)", reverse("projects:gantt", args=[project.public_id])),
        ("Facturi", reverse("billing:invoice_list")),
        ("Facturi ?status=restanta", reverse("billing:invoice_list") + "?status=restanta"),
        ("Facturi ?date+sort", reverse("billing:invoice_list") + f"?date_from={year_ago}&sort=due"),
        ("Factură (detaliu)", reverse("billing:invoice_detail", args=[invoice.public_id])),
        ("Plăți", reverse("billing:payment_list")),
        ("Fișa client (1 an)", reverse("billing:statement") + f"?date_from={year_ago}&date_to={today}&currency=RON"),
        ("Contracte", reverse("contracts:list")),
        ("Contracte ?status", reverse("contracts:list") + "?status=active"),
        ("Contract (detaliu)", reverse("contracts:detail", args=[latest(Contract, "id").public_id])),
        ("Tichete", reverse("support:list")),
        ("Tichete ?status", reverse("support:list") + "?status=deschis"),
        ("Tichete ?q (căutare)", reverse("support:list") + "?q=SAF-T"),
        ("Tichet (detaliu)", reverse("support:detail", args=[latest(Ticket, "-id").public_id])),
        ("Expedieri", reverse("shipments:list")),
        ("Expedieri ?status", reverse("shipments:list") + "?status=livrata"),
        ("Expediere (detaliu)", reverse("shipments:detail", args=[latest(Shipment, "-id").public_id])),
        ("Fișiere", reverse("files:list")),
        ("Fișiere ?categorie", reverse("files:list") + "?category=tehnic"),
        ("Fișiere ?q (căutare)", reverse("files:list") + "?q=" + quote("licență")),
        ("Fișier (detaliu)", reverse("files:detail", args=[latest(Document, "-id").public_id])),
        # The header's search across every section, typed without diacritics (counts as one page).
        ("Căutare (toate secțiunile)", reverse("dashboard:search") + "?q=licenta"),
    ]


def client_for(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    client.cookies["portal_language"] = "ro"
    client.get(reverse("dashboard:home"))  # the first request writes the session's timestamps
    return client


def count_queries(user, pages) -> dict[str, tuple[int, int]]:
    """(status, queries) per page, measured on the second request (the first warms caches)."""
    client = client_for(user)
    result = {}
    for name, path in pages:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        result[name] = (response.status_code, len(queries))
    return result


def pdfs_rendered_during(user, pages) -> int:

    calls = []
    original = HTML.write_pdf

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    HTML.write_pdf = counting
    try:
        client = client_for(user)
        for _name, path in pages:
            client.get(path)
    finally:
        HTML.write_pdf = original
    return len(calls)


# --- gunicorn and wrk -----------------------------------------------------------------------


def start_gunicorn() -> subprocess.Popen:
    try:
        urllib.request.urlopen(BASE + "/", timeout=2)
        raise SystemExit(f"Port {PORT} is in use: stop what listens there or set BENCH_PORT.")
    except urllib.error.HTTPError:
        raise SystemExit(f"Port {PORT} is in use: stop what listens there or set BENCH_PORT.") from None
    except OSError:
        pass
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "portal.wsgi:application",
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            # gunicorn's default 30 s would kill a worker in the middle of a slow bulk push (bench/erp_push.py)
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(BASE + "/__bench__/ceiling/", timeout=5)
            return process
        except OSError:  # refused, reset or timed out while the workers boot
            time.sleep(0.3)
    process.terminate()
    process.wait(timeout=30)
    raise SystemExit("gunicorn did not start")


def worker_pids(master: int) -> list[int]:
    try:
        return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssSampler(threading.Thread):
    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master, self.peak, self.running = master, {}, True

    def run(self):
        while self.running:
            for pid in worker_pids(self.master):
                self.peak[pid] = max(self.peak.get(pid, 0.0), rss_mb(pid))
            time.sleep(0.5)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def status_of(path: str, cookie: str) -> int:
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(BASE + path, headers={"Cookie": cookie})
    try:
        return opener.open(request, timeout=30).status
    except urllib.error.HTTPError as error:
        return error.code


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk(path: str, cookie: str | None, duration: int, connections: int = CONNECTIONS) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, BASE + path], capture_output=True, text=True, check=True).stdout
    latency = {
        q: float(v) * UNITS[u] for q, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency.get("50"),
        "p99": latency.get("99"),
        "bad": int(bad.group(1)) if bad else 0,
        "errors": errors.group(1) if errors else "",
    }


def drain(limit: float = 120) -> None:
    """Wait until the workers have finished what wrk left queued (a slow page must not slow the next)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            urllib.request.urlopen(BASE + "/__bench__/ceiling/", timeout=limit)
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.2)


def measure_http(pages, cookie) -> tuple[list[dict], dict, list[float]]:
    server = start_gunicorn()
    sampler = RssSampler(server.pid)
    sampler.start()
    try:
        for name, path in pages:
            status = status_of(path, cookie)
            if status != 200:
                raise SystemExit(f"{name} ({path}) answers {status} under gunicorn, not 200")
        log("Warming up (1 s per page)…")
        wrk("/__bench__/ceiling/", None, 1)
        for _name, path in pages:
            wrk(path, cookie, 1, connections=WORKERS)
        ceilings, rows = [], []
        ceilings.append(wrk("/__bench__/ceiling/", None, DURATION))
        drain()
        floor = wrk(FLOOR, cookie, DURATION)
        log(
            f"  {'(floor: empty logged-in page)':36} {floor['rps']:8.1f} req/s  p50 {floor['p50']:7.1f} ms  "
            f"p99 {floor['p99']:7.1f} ms"
        )
        for index, (name, path) in enumerate(pages, 1):
            drain()
            result = wrk(path, cookie, DURATION)
            rows.append({"name": name, "path": path, **result})
            log(f"  {name:36} {result['rps']:8.1f} req/s  p50 {result['p50']:7.1f} ms  p99 {result['p99']:7.1f} ms")
            if index % CEILING_EVERY == 0 or index == len(pages):
                drain()
                ceilings.append(wrk("/__bench__/ceiling/", None, DURATION))
                log(f"  {'(ceiling)':36} {ceilings[-1]['rps']:8.1f} req/s")
        time.sleep(1)
        after = [rss_mb(pid) for pid in worker_pids(server.pid)]
    finally:
        sampler.running = False
        server.terminate()
        server.wait(timeout=30)
    return rows, {"ceilings": ceilings, "floor": floor, "peak": max(sampler.peak.values(), default=0.0)}, after


# --- Gantt, PDF, Celery -----------------------------------------------------------------------


def gantt_timing(company) -> dict:

    project = (
        Project.objects.filter(company=company).annotate(n=django.db.models.Count("tasks")).order_by("-n", "id").first()
    )
    schedule = project_schedule(project=project)
    timings, with_db = [], []
    for _ in range(20):
        started = time.perf_counter()
        gantt_payload(project, schedule)
        timings.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        gantt_payload(project, project_schedule(project=project))
        with_db.append((time.perf_counter() - started) * 1000)
    return {"tasks": len(schedule.tasks), "build": statistics.median(timings), "with_db": statistics.median(with_db)}


def pdf_timing(company) -> list[dict]:
    """Invoices of growing length rendered by the same code as the Celery task (rolled back after)."""

    results = []
    template = Invoice.objects.filter(company=company, kind=Invoice.Kind.INVOICE).order_by("-id").first()
    for lines in (5, 60, 150, 300):
        with transaction.atomic():
            invoice = Invoice.objects.get(pk=template.pk)
            invoice.pk, invoice.id, invoice.public_id = None, None, __import__("uuid").uuid4()
            invoice.number, invoice.pdf = 9_000_000 + lines, None
            invoice.save()
            line = InvoiceLine.objects.filter(invoice=template).first()
            InvoiceLine.objects.bulk_create(
                [
                    InvoiceLine(
                        company=company,
                        invoice=invoice,
                        position=i + 1,
                        product_code=line.product_code,
                        description=line.description,
                        quantity=line.quantity,
                        unit_price=line.unit_price,
                        net_amount=line.net_amount,
                        vat_amount=line.vat_amount,
                    )
                    for i in range(lines)
                ]
            )
            for _warm in range(2):  # the first render loads fonts
                started = time.perf_counter()
                html = render_to_string("pdf/billing_invoice.html", invoice_pdf_context(invoice))
                document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).render()
                content = document.write_pdf()
                elapsed = time.perf_counter() - started
            pages = len(document.pages)
            transaction.set_rollback(True)
        results.append({"lines": lines, "pages": pages, "seconds": elapsed, "kb": len(content) / 1024})
        log(f"  PDF {lines:4} lines, {pages:2} pages: {elapsed:.2f} s")
    return results


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def celery_throughput(company) -> dict:
    n_pdf, n_mail = int(os.environ.get("BENCH_PDFS", "20")), int(os.environ.get("BENCH_EMAILS", "100"))
    invoices = list(
        Invoice.objects.filter(company=company, kind=Invoice.Kind.INVOICE)
        .order_by("-id")
        .values_list("id", flat=True)[: 2 * n_pdf]
    )
    tickets = list(Ticket.objects.filter(company=company).order_by("-id").values_list("id", flat=True)[: 2 * n_mail])
    OutboundEmail.objects.filter(key__startswith="ticket-opened:").delete()
    Invoice.objects.filter(pk__in=invoices).update(pdf=None)
    result = _eager_throughput(invoices[:n_pdf], tickets[:n_mail])
    app.control.purge()
    worker = _start_worker()
    try:
        result |= _worker_throughput(invoices, tickets[n_mail : 2 * n_mail], n_pdf, result["mail_per_task"])
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    log(
        f"  Celery: PDF {result['pdf_eager']:.1f}/s eager, {result['pdf_worker']:.1f}/s worker; "
        f"email {result['mail_eager']:.0f}/s eager, {result['mail_worker']:.0f}/s worker"
    )
    return result


def _emails_sent() -> int:
    return OutboundEmail.objects.filter(sent_at__isnull=False).count()


def _eager_throughput(invoices: list[int], tickets: list[int]) -> dict:
    """PDFs and emails per second with the tasks run in-process, one after the other."""
    started = time.perf_counter()
    for pk in invoices:
        render_invoice_pdf.apply(args=(pk, True))
    pdf_eager = len(invoices) / (time.perf_counter() - started)
    before = _emails_sent()
    started = time.perf_counter()
    for pk in tickets:
        notify_ticket_opened.apply(args=(pk,))
    elapsed = time.perf_counter() - started
    sent = _emails_sent() - before
    return {"pdf_eager": pdf_eager, "mail_eager": sent / elapsed, "mail_per_task": sent / len(tickets)}


def _start_worker() -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    command = [str(BIN / "celery"), "-A", "portal", "worker", "-c", "2", "--loglevel", "WARNING"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def _worker_throughput(invoices: list[int], tickets: list[int], n_pdf: int, per_task: float) -> dict:
    """The same through Redis and a real worker (-c 2), once it has started and imported WeasyPrint."""
    warm = invoices[-1]
    render_invoice_pdf.delay(warm, True)
    wait_for(lambda: Invoice.objects.filter(pk=warm, pdf__isnull=False).exists(), 120)
    batch = invoices[n_pdf : 2 * n_pdf - 1]
    started = time.perf_counter()
    for pk in batch:
        render_invoice_pdf.delay(pk, True)
    done = wait_for(lambda: Invoice.objects.filter(pk__in=batch, pdf__isnull=False).count() == len(batch), 600)
    pdf_worker = len(batch) / (time.perf_counter() - started) if done else 0.0
    before = _emails_sent()
    expected = round(per_task * len(tickets))
    started = time.perf_counter()
    for pk in tickets:
        notify_ticket_opened.delay(pk)
    done = wait_for(lambda: _emails_sent() - before >= expected, 600)
    return {"pdf_worker": pdf_worker, "mail_worker": expected / (time.perf_counter() - started) if done else 0.0}


# --- the ERP API -----------------------------------------------------------------------------


def measure_api() -> list[str]:
    """bench/erp_push.py against its own gunicorn (the same command as the pages'); its report lines."""
    connection.close()
    server = start_gunicorn()
    try:
        result = erp_push.measure(BASE, log=log)
    finally:
        server.terminate()
        server.wait(timeout=30)
    app.control.purge()  # the PDF, XML and email tasks of 10,000 new invoices: no worker runs them here
    measured = f"{timezone.localtime():%Y-%m-%d %H:%M %Z}"
    return [API_START, "", *erp_push.report(result, measured=measured, workers=WORKERS), API_END]


# --- the report -----------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    memory = next(
        (
            int(line.split()[1]) // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0].strip()
    return [
        f"- {os.cpu_count()} CPU cores (`nproc`), {cpu}; {memory / 1024:.1f} GB memory",
        f"- PostgreSQL {postgres} (same machine), Redis for the cache and Celery",
        f"- Python {sys.version.split()[0]}, Django {django.get_version()}, gunicorn -w {WORKERS} (sync), "
        f"{wrk_version}: `wrk -t2 -c{CONNECTIONS} -d{DURATION}s`",
    ]


def ok(flag: bool) -> str:
    return "met" if flag else "**not met**"


def report(rows, http, after, queries, small_queries, gantt, pdfs, celery, pdf_calls, counts, api, downloaded) -> str:
    ceilings = [c["rps"] for c in http["ceilings"]]
    ceiling = statistics.median(ceilings)
    lines = [
        START,
        "",
        f"Measured {timezone.localtime():%Y-%m-%d %H:%M %Z} on:",
        "",
        *machine(),
        "",
        "Data: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ".",
        "",
        f"Ceiling (tiny view, no database, no session): median **{ceiling:,.0f} req/s** over {len(ceilings)} "
        f"runs interleaved with the pages (min {min(ceilings):,.0f}, max {max(ceilings):,.0f}).",
        "",
        f"Floor (a logged-in client page with the portal's layout and no content: middleware, session, user, "
        f"membership, `base.html`; {queries[FLOOR][1]} queries): **{http['floor']['rps']:,.0f} req/s = "
        f"{100 * http['floor']['rps'] / ceiling:.1f}% of the ceiling**, p50 {http['floor']['p50']:.1f} ms, "
        f"p99 {http['floor']['p99']:.1f} ms. No page with content can do better than this.",
        "",
        "| Page (large client) | req/s | % of ceiling | p50 ms | p99 ms | SQL (large) | SQL (10 rows) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        flag = "" if row["bad"] == 0 and not row["errors"] else f" ⚠ {row['bad']} non-2xx {row['errors']}"
        lines.append(
            f"| {row['name']}{flag} | {row['rps']:.0f} | {100 * row['rps'] / ceiling:.1f}% | "
            f"{row['p50']:.1f} | {row['p99']:.1f} | {queries[row['name']][1]} | "
            f"{small_queries.get(row['name'], (0, '—'))[1]} |"
        )
    lines += _other_measurements(http, after, gantt, pdfs, celery, pdf_calls)
    lines += downloaded
    lines += _targets(rows, queries, small_queries, gantt, pdf_calls, after, ceiling)
    lines += [*api, END]
    return "\n".join(lines)


def _other_measurements(http, after, gantt, pdfs, celery, pdf_calls) -> list[str]:
    return [
        "",
        "Other measurements:",
        "",
        f"- Gantt data for the largest project ({gantt['tasks']:,} tasks): built in {gantt['build']:.1f} ms "
        f"(median of 20), {gantt['with_db']:.1f} ms with its two queries.",
        "- Invoice PDF (WeasyPrint, rendered by a Celery task): "
        + "; ".join(f"{p['pages']} page(s) / {p['lines']} lines {p['seconds']:.2f} s" for p in pdfs)
        + ".",
        f"- Celery, invoice PDFs: {celery['pdf_eager']:.1f}/s eager (in-process), {celery['pdf_worker']:.1f}/s "
        f"with a real worker (`-c 2`, Redis).",
        f"- Celery, emails (ticket opened → staff, templated, once per key): {celery['mail_eager']:.0f}/s "
        f"eager, {celery['mail_worker']:.0f}/s with the worker.",
        f"- gunicorn workers: peak RSS {http['peak']:.0f} MB during the run, "
        f"{', '.join(f'{mb:.0f}' for mb in after)} MB after it.",
        f"- PDFs rendered while serving the pages above: {pdf_calls}.",
        "",
    ]


def _targets(rows, queries, small_queries, gantt, pdf_calls, after, ceiling) -> list[str]:
    worst_ratio = min(rows, key=lambda r: r["rps"])
    worst_p99 = max(rows, key=lambda r: r["p99"])
    max_queries = max(q for name, (_s, q) in queries.items() if name != FLOOR)
    same = all(queries[name][1] == small_queries[name][1] for name in queries if name in small_queries)
    tickets = next(r for r in rows if r["name"] == "Tichete")
    return [
        "Targets (large client):",
        "",
        f"- every page ≥ 10% of the ceiling: {ok(worst_ratio['rps'] >= 0.1 * ceiling)} "
        f"(lowest: {worst_ratio['name']}, {100 * worst_ratio['rps'] / ceiling:.1f}%)",
        f"- p99 < 100 ms at {CONNECTIONS} connections: {ok(worst_p99['p99'] < 100)} "
        f"(highest: {worst_p99['name']}, {worst_p99['p99']:.0f} ms)",
        f"- ≤ 12 SQL queries per page: {ok(max_queries <= 12)} (most: {max_queries})",
        f"- same query count with 10 rows as with 100,000: {ok(same)}",
        f"- ticket list ≥ 10× django-helpdesk ({10 * HELPDESK_TICKET_LIST} req/s): "
        f"{ok(tickets['rps'] >= 10 * HELPDESK_TICKET_LIST)} ({tickets['rps']:.0f} req/s)",
        f"- Gantt data for 2,000 tasks < 20 ms: {ok(gantt['build'] < 20)} ({gantt['build']:.1f} ms)",
        f"- no PDF rendered during a page request: {ok(pdf_calls == 0)}",
        f"- worker < 150 MB RSS after the run: {ok(max(after, default=0) < 150)} ({max(after, default=0):.0f} MB)",
        "",
    ]


def write_doc(generated: str) -> None:
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n{START}\n{END}\n"
    if START not in text:
        text += f"\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(head + generated + tail)


def write_part(lines: list[str], start: str, end: str) -> None:
    """Replace only one part of the generated text, between its markers (a partial run: BENCH_ONLY)."""
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n{START}\n{END}\n"
    if START not in text:
        text += f"\n{START}\n{END}\n"
    block = "\n".join(lines)
    if start in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        head, tail = text.split(END, 1)
        text = head + block + "\n" + END + tail
    DOC.write_text(text)


def collect_static() -> None:
    """collectstatic (compressing plotly takes a minute), unless its output is newer than every source."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    newest = max(path.stat().st_mtime for path in (ROOT / "static").rglob("*") if path.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        log("collectstatic…")
        call_command("collectstatic", interactive=False, verbosity=0)


def main_api() -> None:
    """BENCH_ONLY=api: the ERP API's lines alone."""
    if connection.vendor != "postgresql":
        raise SystemExit("Run on PostgreSQL: DATABASE_URL=postgres://… (see the Makefile's BENCH_DATABASE_URL)")
    collect_static()
    api = measure_api()
    write_part(api, API_START, API_END)
    log("\n".join(api))
    log(f"Written to {DOC.relative_to(ROOT)} (the ERP API lines only)")


def measure_downloads(large: User) -> list[str]:
    client = client_for(large)
    company = large.memberships.get().company
    return downloads.report_lines(
        downloads.renders_during_downloads(client, company), downloads.large_download_cost(client, company)
    )


def main_downloads() -> None:
    """BENCH_ONLY=downloads: the download checks' lines alone."""
    if connection.vendor != "postgresql" or not seed.seeded():
        raise SystemExit("Run on PostgreSQL after: DATABASE_URL=… python manage.py seed_bench")
    collect_static()
    lines = measure_downloads(User.objects.get(email=seed.LARGE_EMAIL))
    write_part(lines, downloads.START, downloads.END)
    log("\n".join(lines))
    log(f"Written to {DOC.relative_to(ROOT)} (the download lines only)")


PARTIAL_RUNS = {"api": main_api, "downloads": main_downloads}


def main() -> None:
    if ONLY:
        if ONLY not in PARTIAL_RUNS:
            raise SystemExit(f"BENCH_ONLY={ONLY!r}: the partial runs are {', '.join(PARTIAL_RUNS)}")
        PARTIAL_RUNS[ONLY]()
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk).")
    if connection.vendor != "postgresql" or not seed.seeded():
        raise SystemExit("Run on PostgreSQL after: DATABASE_URL=… python manage.py seed_bench")
    collect_static()
    large = User.objects.get(email=seed.LARGE_EMAIL)
    small = User.objects.filter(email__startswith="bench.client").order_by("email").first()
    company = large.memberships.get().company
    pages = pages_for(company)
    log("Counting SQL queries per page (large client, then an ordinary one)…")
    queries = count_queries(large, [*pages, (FLOOR, FLOOR)])
    bad = {name: status for name, (status, _q) in queries.items() if status != 200}
    if bad:
        raise SystemExit(f"Pages not answering 200: {bad}")
    small_names = dict(pages_for(small.memberships.get().company))
    small_queries = count_queries(small, list(small_names.items()))
    pdf_calls = pdfs_rendered_during(large, pages)
    log("Downloads…")
    downloaded = measure_downloads(large)

    counts = {
        "invoices": Invoice.objects.filter(company=company).count(),
        "invoice lines": InvoiceLine.objects.filter(company=company).count(),
        "tickets": Ticket.objects.filter(company=company).count(),
        "messages": Message.objects.filter(company=company).count(),
        "documents": Document.objects.filter(company=company).count(),
    }
    log("Gantt, PDFs…")
    gantt = gantt_timing(company)
    pdfs = pdf_timing(company)
    session = client_for(large).cookies[settings.SESSION_COOKIE_NAME].value
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}; portal_language=ro"
    connection.close()
    log(f"HTTP: gunicorn -w {WORKERS}, wrk -c{CONNECTIONS} -d{DURATION}s per page, ceiling every {CEILING_EVERY} pages")
    rows, http, after = measure_http(pages, cookie)
    log("Celery…")
    celery = celery_throughput(company)
    log("ERP API…")
    api = measure_api()
    generated = report(
        rows, http, after, queries, small_queries, gantt, pdfs, celery, pdf_calls, counts, api, downloaded
    )
    write_doc(generated)
    log(generated)
    log(f"Written to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
