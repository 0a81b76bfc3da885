"""Two people changing the same rows at once: never a deadlock shown as an outage.

Services lock only the rows they change (``select_for_update(of=("self",))``), several rows in
primary-key order; a transaction that still loses a deadlock is run once more
(``portal.db.retry_on_conflict``) and, if it loses again, the user reads "try again" (409), not the
503 page, which stays for a database that cannot be reached. See docs/RELIABILITY.md.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_acc .venv/bin/pytest -n 0 tests/test_concurrent_updates.py
"""

from functools import partial
from unittest import mock

import psycopg2.errors
import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Membership
from accounts.tests.factories import MembershipFactory
from conftest import require
from portal import db as portal_db
from portal import errors
from tests.threads import run_together, slow_down

CONFLICT_TEXT = "din cauza unei modificări simultane"


def wrapped(cause: BaseException, message: str = "") -> OperationalError:
    """A Django OperationalError as Django raises it: the driver's error as its cause."""
    error = OperationalError(message or str(cause))
    error.__cause__ = cause
    return error


def deadlock() -> OperationalError:
    return wrapped(psycopg2.errors.DeadlockDetected("deadlock detected"))


# --- what an OperationalError means ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "conflict", "unreachable"),
    [
        (deadlock(), True, False),
        (wrapped(psycopg2.errors.SerializationFailure("could not serialize access")), True, False),
        (wrapped(psycopg2.errors.LockNotAvailable("canceling statement due to lock timeout")), True, False),
        (wrapped(psycopg2.OperationalError("could not connect to server: Connection refused")), False, True),
        (wrapped(psycopg2.errors.AdminShutdown("terminating connection due to administrator command")), False, True),
        (wrapped(psycopg2.errors.lookup("08006")("connection failure")), False, True),
        (wrapped(psycopg2.errors.lookup("53300")("too many connections")), False, True),
        (OperationalError("server closed the connection unexpectedly"), False, True),
        (InterfaceError("connection already closed"), False, True),
        (wrapped(psycopg2.errors.QueryCanceled("canceling statement due to statement timeout")), False, False),
        (wrapped(psycopg2.errors.DiskFull("could not extend file")), False, False),
    ],
)
def test_database_errors_are_told_apart(error, conflict, unreachable):
    assert portal_db.is_conflict(error) is conflict
    assert portal_db.is_unreachable(error) is unreachable


def _server_error(error: BaseException, **headers):
    request = RequestFactory().get("/", **headers)
    try:
        raise error
    except type(error):
        with mock.patch("portal.errors.render", side_effect=lambda req, tpl, ctx, status: _plain(ctx, status)):
            return errors.server_error(request)


def _plain(context, status):
    from django.http import HttpResponse

    return HttpResponse(context["message"], status=status)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OperationalError("server closed the connection unexpectedly"), 503),
        (wrapped(psycopg2.OperationalError("could not connect to server: Connection refused")), 503),
        (InterfaceError("connection already closed"), 503),
        (deadlock(), 409),
        (wrapped(psycopg2.errors.SerializationFailure("could not serialize access")), 409),
        (wrapped(psycopg2.errors.LockNotAvailable("lock timeout")), 409),
        (wrapped(psycopg2.errors.QueryCanceled("statement timeout")), 500),
        (ValueError("a bug"), 500),
    ],
)
def test_the_error_handler_answers_503_only_when_the_database_cannot_be_reached(error, status):
    response = _server_error(error)
    assert response.status_code == status
    if status == 409:
        assert CONFLICT_TEXT in response.content.decode()
    if status == 503:
        assert response["Retry-After"] == "30"


def test_a_lost_deadlock_shows_the_clear_message_in_the_layout_not_the_outage_page(
    client, company_a, admin_a, member_a
):
    client = Client(raise_request_exception=False)
    client.force_login(admin_a)
    membership = Membership.objects.get(user=member_a)
    with mock.patch.object(account_services, "_lock_company_members", side_effect=deadlock()):
        response = client.post(
            reverse("accounts:member_edit", args=[membership.public_id]),
            {"role": "member", "job_title": "Contabil"},
            HTTP_REFERER="http://testserver" + reverse("accounts:members"),
        )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Operația nu a putut fi finalizată din cauza unei modificări simultane. Încercați din nou." in page
    assert "indisponibil" not in page
    assert reverse("accounts:members") in page  # back where the user came from, in the portal's layout
    assert response.context["current_company"] == company_a
    membership.refresh_from_db()
    assert membership.job_title == ""


def test_a_deadlock_is_retried_once_outside_a_transaction(monkeypatch):
    calls = []

    def service():
        calls.append(1)
        if len(calls) == 1:
            raise deadlock()
        return "done"

    monkeypatch.setattr(portal_db.transaction, "get_connection", lambda: mock.Mock(in_atomic_block=False))
    assert portal_db.retry_on_conflict(service)() == "done" and len(calls) == 2

    calls.clear()

    def always():
        calls.append(1)
        raise deadlock()

    with pytest.raises(OperationalError):
        portal_db.retry_on_conflict(always)()
    assert len(calls) == 2  # once more, not forever

    calls.clear()

    def outage():
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.raises(OperationalError):
        portal_db.retry_on_conflict(outage)()
    assert len(calls) == 1  # only a lost race is retried


def test_inside_an_outer_transaction_the_retry_is_left_to_the_outermost_call(db):
    calls = []

    def service():
        calls.append(1)
        raise deadlock()

    with pytest.raises(OperationalError):
        portal_db.retry_on_conflict(service)()  # the test's transaction is the outer one
    assert len(calls) == 1


# --- the race itself, on PostgreSQL ------------------------------------------------------------------------

TRIALS = 12


def _post_together(posts, monkeypatch) -> list[tuple]:
    """Each (client, url, data) posted from its own thread, released together; returns (status, page) each,
    or (the exception, "") for a request that raised (the test shows what each thread got)."""

    def post(client, url, data):
        response = client.post(url, data)
        return response.status_code, response.content.decode()

    original = account_services.audit.record
    slow_down(monkeypatch, account_services.audit, "record", 0.05)  # the other request must meet the locks
    results = run_together([partial(post, *each) for each in posts])
    monkeypatch.setattr(account_services.audit, "record", original)  # each trial slows it once, not once more
    return [(r, "") if isinstance(r, Exception) else r for r in results]


@pytest.fixture
def two_admins(transactional_db, company_a, admin_a):
    other = MembershipFactory(
        company=company_a,
        role=Membership.Role.ADMIN,
        can_accept_offers=True,
        can_see_billing=True,
        user__email="admin2.a@client-a.ro",
    ).user
    clients = {}
    for user in (admin_a, other):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[user.pk] = client
    return admin_a, other, clients


def _edit_url(company, user) -> str:
    return reverse("accounts:member_edit", args=[Membership.objects.get(company=company, user=user).public_id])


@pytest.mark.postgres
def test_two_admins_changing_each_others_rights_at_once_both_succeed(two_admins, company_a, monkeypatch):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    first, second, clients = two_admins
    outcomes = []
    for trial in range(TRIALS):
        statuses = _post_together(
            [
                (
                    clients[first.pk],
                    _edit_url(company_a, second),
                    {"role": "admin", "job_title": f"Director {trial}", "can_see_billing": "on"},
                ),
                (
                    clients[second.pk],
                    _edit_url(company_a, first),
                    {"role": "admin", "job_title": f"Contabil {trial}", "can_accept_offers": "on"},
                ),
            ],
            monkeypatch,
        )
        codes = [status for status, _page in statuses]
        outcomes.append(codes)
        for status, page in statuses:
            assert status in (302, 409), (trial, status, page[:500])
            if status == 409:
                assert CONFLICT_TEXT in page
        titles = dict(Membership.objects.filter(company=company_a).values_list("user_id", "job_title"))
        if codes[0] == 302:
            assert titles[second.pk] == f"Director {trial}"
        if codes[1] == 302:
            assert titles[first.pk] == f"Contabil {trial}"
    print(f"\n{TRIALS} trials of two admins editing each other: {outcomes}")
    # Locking only the memberships, in a fixed order, leaves nothing to deadlock on.
    assert all(codes == [302, 302] for codes in outcomes), outcomes


@pytest.mark.postgres
def test_two_admins_demoting_each_other_at_once_leave_one_admin(two_admins, company_a, monkeypatch):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    first, second, clients = two_admins
    outcomes = []
    for trial in range(TRIALS):
        Membership.objects.filter(company=company_a).update(role=Membership.Role.ADMIN)
        statuses = _post_together(
            [
                (clients[first.pk], _edit_url(company_a, second), {"role": "member", "job_title": ""}),
                (clients[second.pk], _edit_url(company_a, first), {"role": "member", "job_title": ""}),
            ],
            monkeypatch,
        )
        codes = [status for status, _page in statuses]
        outcomes.append(codes)
        for status, page in statuses:
            # 302: done; 200: "the company must keep an administrator"; 403: no longer an admin by the
            # time the request was handled; 409: "try again". Never the outage page or a 500.
            assert status in (302, 200, 403, 409), (trial, status, page[:500])
            if status == 200:
                assert "cel puțin un administrator" in page
        admins = Membership.objects.filter(company=company_a, role=Membership.Role.ADMIN).count()
        assert admins == 1, (trial, codes)
        assert codes.count(302) == 1, (trial, codes)
    print(f"\n{TRIALS} trials of two admins demoting each other: {outcomes}")


def test_no_service_locks_the_rows_it_only_joins():
    """select_for_update() with select_related() would lock the company, user... rows too."""
    import re
    from pathlib import Path

    offenders = []
    for path in sorted(Path(__file__).resolve().parent.parent.glob("*/services.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if re.search(r"select_for_update\((no_key=True)?\)[^#]*select_related\(", line):
                offenders.append(f"{path.parent.name}/{path.name}:{number}")
    assert offenders == []


# --- JSON endpoints get JSON errors ------------------------------------------------------------------------


def test_the_product_search_answers_json_when_the_database_is_down(company_a, admin_a):
    client = Client(raise_request_exception=False)
    client.force_login(admin_a)
    url = reverse("quotes:product_search") + "?q=pompa"
    assert client.get(url).status_code == 200
    with mock.patch(
        "quotes.selectors.product_search", side_effect=OperationalError("server closed the connection unexpectedly")
    ):
        for headers in ({}, {"HTTP_ACCEPT": "application/json"}):  # the view is a JSON view either way
            response = client.get(url, **headers)
            assert response.status_code == 503 and response["Retry-After"] == "30"
            assert response["Content-Type"] == "application/json"
            assert response.json() == {
                "error": "Portalul este indisponibil pentru scurt timp. Încercați din nou peste un minut."
            }


def test_a_page_asked_for_in_json_gets_json_errors_and_a_browser_still_gets_the_page(company_a, admin_a):
    client = Client(raise_request_exception=False)
    client.force_login(admin_a)
    down = OperationalError("server closed the connection unexpectedly")
    with mock.patch("dashboard.selectors.cards", side_effect=down):
        response = client.get(reverse("dashboard:home"), HTTP_ACCEPT="application/json")
        assert response.status_code == 503 and "error" in response.json()
        response = client.get(
            reverse("dashboard:home"), HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        )
        assert response.status_code == 503 and "indisponibil pentru scurt timp" in response.content.decode()
        assert response["Content-Type"].startswith("text/html")
    with mock.patch("dashboard.selectors.cards", side_effect=deadlock()):
        response = client.get(reverse("dashboard:home"), HTTP_ACCEPT="application/json")
        assert response.status_code == 409 and CONFLICT_TEXT in response.json()["error"]
    with mock.patch("dashboard.selectors.cards", side_effect=ValueError("a bug")):
        response = client.get(reverse("dashboard:home"), HTTP_ACCEPT="application/json")
        assert response.status_code == 500 and set(response.json()) == {"error"}


@pytest.mark.parametrize(
    ("path", "accept", "expected"),
    [
        ("/api/v1/facturi/", "", True),
        ("/cerere-oferta/produse/", "", True),  # a view marked @json_endpoint
        ("/", "application/json", True),
        ("/", "text/html,*/*;q=0.8", False),
        ("/", "", False),
        ("/nu-exista/", "", False),
    ],
)
def test_which_requests_want_json(path, accept, expected):
    request = RequestFactory().get(path, HTTP_ACCEPT=accept) if accept else RequestFactory().get(path)
    assert errors.wants_json(request) is expected
