# ruff: noqa: S310 — urllib against the bench's own gunicorn on the loopback.
"""The ERP API under the bench's gunicorn (issue 18): 10,000 invoices with 50,000 lines pushed through
POST /api/v1/invoices/bulk in batches of 1,000, the same payloads pushed again (every invoice "unchanged"),
and the p50 of one call to a list endpoint picked from the live schema.

The invoices belong to a company of their own ("Bench API ERP SRL", a valid CUI) and series BAPI; each run
deletes them first, so the first push always creates 10,000 invoices. The key is the bench integration's,
rotated at each run (integrations.services), with every scope.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from stdnum.ro import cui as stdnum_cui

from accounts.models import Company
from billing.models import Invoice
from integrations import services
from integrations.models import SCOPE_CHOICES, Integration
from portal.models import AuditEntry
from portal.vat import rates_on

INVOICES = 10_000
LINES = 5  # per invoice: 50,000 lines
BATCH = 1_000  # the bulk endpoint's maximum
SERIES = "BAPI"
PUSH_TARGET, REPUSH_TARGET = 60.0, 30.0  # seconds, issue 18
LIST_CALLS, LIST_WARMUP = 100, 5
BULK = "/api/v1/invoices/bulk"
INTEGRATION = "Bench ERP"
CUI_BODY = "9900017"
COMPANY_CUI = f"RO{CUI_BODY}{stdnum_cui.calc_check_digit(CUI_BODY)}"
PRODUCTS = [
    "Licență ERP modul Contabilitate",
    "Abonament mentenanță lunar",
    "Implementare modul Stocuri",
    "Instruire utilizatori (zi)",
    "Cititor coduri de bare",
]
# The list endpoints, by preference: the invoices the bench pushed, then the quote requests the seed made.
LIST_PREFERENCE = ("/api/v1/invoices", "/api/v1/quote-requests")


def company() -> Company:
    found = Company.objects.with_cui(COMPANY_CUI).first()
    if found is not None:
        return found
    return Company.objects.create(
        name="Bench API ERP SRL",
        cui=COMPANY_CUI,
        reg_com="J40/9900/2020",
        address="Str. Integrării nr. 1, Sector 3",
        city="București",
        county="București",
        status=Company.Status.ACTIVE,
        approved_at=timezone.now(),
    )


def key() -> str:
    """The bench integration's key, with every scope: created once, rotated at every run (shown once)."""
    integration = Integration.objects.filter(name=INTEGRATION).first()
    if integration is None:
        return services.integration_create(name=INTEGRATION, scopes=[scope for scope, _label in SCOPE_CHOICES])[1]
    return services.integration_rotate_key(integration=integration)


def reset(client: Company) -> None:
    """Forget what the previous run pushed, so the first push creates every invoice again."""
    Invoice.objects.filter(company=client).delete()
    AuditEntry.objects.filter(company=client).delete()


def payloads(client: Company) -> list[bytes]:
    """The bodies of the 10 bulk calls: 1,000 invoices of 5 lines each, at the rates of their issue date."""
    today = timezone.localdate()
    bodies = []
    for start in range(0, INVOICES, BATCH):
        invoices = []
        for number in range(start + 1, min(start + BATCH, INVOICES) + 1):
            issued = today - timedelta(days=number % 300)
            rates = rates_on(issued)
            invoices.append(
                {
                    "cui": client.cui,
                    "series": SERIES,
                    "number": number,
                    "issue_date": issued.isoformat(),
                    "due_date": (issued + timedelta(days=30)).isoformat(),
                    "lines": [
                        {
                            "code": f"P{position:03d}",
                            "description": PRODUCTS[(number + position) % len(PRODUCTS)],
                            "unit": "buc",
                            "quantity": str(1 + (number * position) % 20),
                            "unit_price": str(Decimal(5_000 + (number * 7 + position * 13) % 495_000) / 100),
                            "vat_rate": rates[0] if position % 5 else rates[1],
                        }
                        for position in range(1, LINES + 1)
                    ],
                }
            )
        bodies.append(json.dumps({"invoices": invoices}).encode())
    return bodies


def call(base: str, path: str, token: str, body: bytes | None = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + path, data=body, headers=headers, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def push(base: str, token: str, bodies: list[bytes]) -> dict:
    """Every batch in turn, as one ERP sends them; the time of each and the per-invoice results."""
    results: Counter = Counter()
    errors: list[str] = []
    batches: list[float] = []
    loads: list[float] = []  # the machine's 1-minute load average after each batch: what else ran
    started = time.perf_counter()
    for body in bodies:
        batch_started = time.perf_counter()
        status, content = call(base, BULK, token, body)
        batches.append(time.perf_counter() - batch_started)
        loads.append(os.getloadavg()[0])
        if status != 200:
            raise SystemExit(f"POST {BULK} answered {status}: {content[:500]!r}")
        for result in json.loads(content)["results"]:
            results[result["result"]] += 1
            if result["errors"] and len(errors) < 3:
                errors.append(f"{result['key']}: {'; '.join(result['errors'])}")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "batches": batches, "loads": loads, "results": dict(results), "errors": errors}


def list_endpoint(base: str, token: str) -> str:
    """The list endpoint to time: a GET without path parameters that pages with a cursor, from the live schema."""
    status, content = call(base, "/api/v1/openapi.json", token)
    if status != 200:
        raise SystemExit(f"/api/v1/openapi.json answered {status}")
    lists = [
        path
        for path, methods in json.loads(content)["paths"].items()
        if "get" in methods
        and "{" not in path
        and any(parameter.get("name") == "cursor" for parameter in methods["get"].get("parameters", []))
    ]
    if not lists:
        raise SystemExit("The API has no list endpoint (a GET with a cursor parameter) yet")
    return next((path for path in LIST_PREFERENCE if path in lists), lists[0])


def list_latency(base: str, token: str, path: str) -> dict:
    """One call at a time, LIST_CALLS of them after a warm-up: the p50 and p90 of a single call."""
    timings = []
    for index in range(LIST_WARMUP + LIST_CALLS):
        started = time.perf_counter()
        status, content = call(base, path, token)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}: {content[:300]!r}")
        if index >= LIST_WARMUP:
            timings.append(elapsed)
    items = next((value for value in json.loads(content).values() if isinstance(value, list)), [])
    deciles = statistics.quantiles(timings, n=10)
    return {"path": path, "p50": statistics.median(timings), "p90": deciles[8], "items": len(items)}


def measure(base: str, log=print) -> dict:
    client = company()
    reset(client)
    token = key()
    bodies = payloads(client)
    log(f"  ERP API: pushing {INVOICES:,} invoices ({INVOICES * LINES:,} lines) in batches of {BATCH:,}…")
    first = push(base, token, bodies)
    log(f"  push: {first['seconds']:.1f} s {first['results']}")
    log("  ERP API: the same payloads again…")
    again = push(base, token, bodies)
    log(f"  re-push: {again['seconds']:.1f} s {again['results']}")
    path = list_endpoint(base, token)
    listing = list_latency(base, token, path)
    log(f"  GET {path}: p50 {listing['p50']:.1f} ms, p90 {listing['p90']:.1f} ms ({listing['items']} items)")
    return {"push": first, "repush": again, "list": listing, "kb": sum(map(len, bodies)) / len(bodies) / 1024}


def _verdict(seconds: float, target: float) -> str:
    verdict = "met" if seconds < target else "**not met**"
    return f"**{seconds:.1f} s** ({seconds / target:.2f} of the {target:.0f} s target: {verdict})"


def _results(run: dict, expected: str) -> str:
    counts = ", ".join(f"{count:,} {name}" for name, count in sorted(run["results"].items()))
    if run["results"] == {expected: INVOICES}:
        return counts
    return f"{counts} ⚠ expected {INVOICES:,} {expected}" + (f" (e.g. {run['errors'][0]})" if run["errors"] else "")


def report(result: dict, *, measured: str, workers: int) -> list[str]:
    push_, repush, listing = result["push"], result["repush"], result["list"]
    loads = push_["loads"] + repush["loads"]
    return [
        f"ERP API (measured {measured}; gunicorn -w {workers}, one client sending one call at a time; the "
        f"machine's 1-minute load average {min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} cores "
        "during the pushes):",
        "",
        f"- push {INVOICES:,} invoices ({INVOICES * LINES:,} lines) through `POST {BULK}` in {len(push_['batches'])} "
        f"batches of {BATCH:,} ({result['kb']:,.0f} KB each): {_verdict(push_['seconds'], PUSH_TARGET)}; "
        f"{_results(push_, 'created')}; a batch took {min(push_['batches']):.1f}–{max(push_['batches']):.1f} s",
        f"- re-push the same payloads unchanged: {_verdict(repush['seconds'], REPUSH_TARGET)}; "
        f"{_results(repush, 'unchanged')}",
        f"- a single list call, `GET {listing['path']}` (first page, {listing['items']} items, the endpoint picked "
        f"from the live schema): p50 **{listing['p50']:.1f} ms**, p90 {listing['p90']:.1f} ms over "
        f"{LIST_CALLS} calls one after the other",
        "",
    ]
