"""SQLite, the embedded default of ``make run``, under concurrent writes: twenty colleagues accept or reject
the same offer at the same moment on a real server and a real database file.

Each decision runs in a transaction that reads the offer, then writes it. SQLite ignores
``select_for_update``; in its default (deferred) transactions two readers that both want to write
cannot both proceed, and SQLite refuses one at once with "database is locked", without waiting for
the busy timeout: an HTTP 500. portal/settings.py therefore opens SQLite's transactions with BEGIN
IMMEDIATE (the write lock is taken up front and the others queue for it, up to the busy timeout) in
WAL journal mode (readers are not blocked by the writer). The queue then makes the decisions one
after another: the first one decides, the nineteen others read a decided offer and get its message.

The server is ``manage.py runserver --noreload`` (threaded, as ``make run``; see ``serve`` for the one
change: each audit entry waits a moment, so the decisions overlap every time), in a subprocess whose
environment is the one of ``make run``: no DATABASE_URL but a SQLite file (here under tmp_path), no
REDIS_URL (tasks run eagerly, in the request), DEBUG on.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DECIDERS = 20
HOLD = 0.05
DECIDED = re.compile(r"Oferta \S+ a fost (acceptată|respinsă)\. Furnizorul a fost anunțat")
ALREADY = re.compile(r"Oferta nu mai poate fi (acceptată|respinsă): a fost deja (acceptată|respinsă) de ")


def seed() -> None:
    """Run in the server's environment (``python -c``): a company, twenty members who may decide offers,
    each logged in (a session in the database), and one sent offer. Prints what the test needs as JSON."""
    from django.test import Client
    from django.urls import reverse

    from accounts.tests.factories import CompanyFactory, MembershipFactory
    from quotes.tests.factories import OfferFactory

    company = CompanyFactory(name="Concurență SQLite SRL")
    offer = OfferFactory(company=company)
    sessions = []
    for _ in range(DECIDERS):
        user = MembershipFactory(company=company, can_accept_offers=True).user
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
    urls = {
        name: reverse(f"quotes:{name}", args=[offer.public_id])
        for name in ("offer_detail", "offer_accept", "offer_reject")
    }
    print(json.dumps({"offer": offer.pk, "sessions": sessions, **urls}))


def serve(port: int) -> None:
    """``manage.py runserver --noreload`` in this process, every audit entry written HOLD seconds late: the
    decision writes its entry inside its transaction, so each decision holds the database a little longer
    (as under load) and the others run into it every time, not only when the scheduler happens to let
    them (as tests/threads.py's slow_down does for the PostgreSQL races)."""
    from django.core.management import call_command

    from portal import audit

    record = audit.record

    def held(*args, **kwargs):
        time.sleep(HOLD)
        return record(*args, **kwargs)

    audit.record = held
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)


def offer_outcome(offer_pk: int) -> None:
    """Run in the server's environment: the offer's status and its decision's audit entries, as JSON."""
    from portal.models import AuditEntry
    from quotes.models import Offer

    offer = Offer.objects.get(pk=offer_pk)
    decisions = AuditEntry.objects.filter(action__in=("offer.accepted", "offer.rejected"), object_id=offer.public_id)
    print(json.dumps({"status": offer.status, "audit": list(decisions.values_list("action", flat=True))}))


def make_run_environment(database: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "DEBUG"}}
    env.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="portal.settings", PYTHONUNBUFFERED="1")
    return env


def django_command(code: str) -> list[str]:
    return [sys.executable, "-c", f"import django; django.setup(); import tests.test_sqlite_concurrency as t; {code}"]


def django_call(env: dict, code: str) -> dict:
    done = subprocess.run(
        django_command(code), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"runserver exited:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"runserver did not start:\n{log.read_text()[-3000:]}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One logged-in colleague: the session cookie, and the CSRF cookie the offer page sets."""

    def __init__(self, base: str, session: str):
        self.base, self.cookies = base, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)
        host = urllib.parse.urlsplit(base).hostname
        self.cookies.set_cookie(
            http.cookiejar.Cookie(
                0, "sessionid", session, None, False, host, False, False, "/", True, False, None, False, None, None, {}
            )
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=120) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx and 5xx
            return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")


@pytest.fixture
def make_run_server(tmp_path):
    """A migrated SQLite file, its seed, and runserver on it (stopped after the test)."""
    env = make_run_environment(tmp_path / "portal.sqlite3")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=600,
        check=True,
    )
    seeded = django_call(env, "t.seed()")
    port, log = free_port(), tmp_path / "runserver.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            django_command(f"t.serve({port})"),
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(port, server, log)
        yield {"base": f"http://127.0.0.1:{port}", "env": env, "log": log, **seeded}
    finally:
        server.terminate()
        server.wait(timeout=30)


def exception_of(page: str) -> str:
    """The exception a DEBUG error page shows (its type and message), or the page's start."""
    found = re.search(r'<title>(.*?)</title>.*?<pre class="exception_value">(.*?)</pre>', page, re.S)
    return " ".join(" ".join(found.groups()).split()) if found else page[:300]


def decide(browser: Browser, server: dict, index: int) -> tuple[int, str]:
    """Half the colleagues accept (the confirmation page's form), half reject; then read the page they
    are sent back to. (status of the POST, the page's text)."""
    if index % 2:
        path, data = server["offer_reject"], {"reason": "Am găsit un preț mai bun."}
    else:
        path, data = server["offer_accept"], {"po_number": f"PO-{index}", "note": ""}
    status, location, body = browser.request(path, {**data, "csrfmiddlewaretoken": browser.csrf()})
    if status == 302:
        _status, _location, body = browser.request(urllib.parse.urlsplit(location).path)
    return status, body


def test_twenty_parallel_decisions_on_sqlite_decide_once(make_run_server):
    server = make_run_server
    browsers = [Browser(server["base"], session) for session in server["sessions"]]
    for browser in browsers:  # each has the offer open: the page sets the CSRF cookie
        status, _location, _body = browser.request(server["offer_detail"])
        assert status == 200
    barrier, results = threading.Barrier(DECIDERS), [None] * DECIDERS

    def run(index: int) -> None:
        barrier.wait()
        results[index] = decide(browsers[index], server, index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(DECIDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    statuses = [status for status, _body in results]
    errors = [exception_of(body) for status, body in results if status >= 500]
    assert not errors, f"{len(errors)} of {DECIDERS} answered 5xx: {statuses}: {errors}"
    assert statuses == [302] * DECIDERS
    decided = [body for _status, body in results if DECIDED.search(body)]
    refused = [body for _status, body in results if ALREADY.search(body)]
    assert (len(decided), len(refused)) == (1, DECIDERS - 1)
    outcome = django_call(server["env"], f"t.offer_outcome({server['offer']})")
    assert outcome["status"] in ("accepted", "rejected") and outcome["audit"] == [f"offer.{outcome['status']}"]
    assert "database is locked" not in server["log"].read_text()
