"""The tenancy guard (tests/tenancy_guard.py, autouse fixture ``tenancy_guard`` in conftest.py) fails a
test when a client view reads company-owned rows without scoping them to a company.

These tests prove it catches an unscoped list and a by-id lookup (the IDOR), and lets through
``for_company``, related managers of scoped rows, re-reads of rows already loaded and ``unscoped()``.
"""

import pytest

from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from portal.tenancy import unscoped
from tests.tenancy_guard import UnscopedRead, active_for

pytestmark = pytest.mark.urls("tests.tenancy_guard_urls")


@pytest.fixture
def contract_a(company_a):
    return ContractFactory(company=company_a)


def test_an_unscoped_list_in_a_client_view_fails(client, admin_a, contract_a, tenancy_guard):
    client.force_login(admin_a)
    with pytest.raises(UnscopedRead, match=r"contracts\.Contract in contracts:leak"):
        client.get("/leak/")
    assert len(tenancy_guard.violations) == 1
    tenancy_guard.violations.clear()  # proven; let the fixture's teardown pass


def test_a_lookup_by_public_id_without_the_company_fails(client, admin_a, contract_a, tenancy_guard):
    client.force_login(admin_a)
    with pytest.raises(UnscopedRead):
        client.get(f"/leak/{contract_a.public_id}/")
    tenancy_guard.violations.clear()


def test_the_escape_hatch_allows_a_declared_global_read(client, admin_a, contract_a, tenancy_guard):
    client.force_login(admin_a)
    assert client.get("/leak/global/").content == b"1"
    assert tenancy_guard.violations == []


def test_scoped_reads_pass(company_a, contract_a, tenancy_guard):
    from contracts.tests.factories import AnnexFactory

    AnnexFactory(contract=contract_a, company=company_a)
    with active_for("contracts:detail"):
        contract = Contract.objects.for_company(company_a).get(public_id=contract_a.public_id)
        assert list(contract.annexes.all())  # a related manager of a scoped row
        Contract.objects.filter(pk=contract.pk).update(title="Actualizat")  # a re-read/write of a known row
        assert Contract.objects.filter(company__in=[company_a]).count() == 1
        with unscoped("test"):
            Contract.objects.count()
    assert tenancy_guard.violations == []


def test_a_row_not_loaded_in_this_request_cannot_be_read_by_pk(company_b, tenancy_guard):
    other = ContractFactory(company=company_b)
    with active_for("contracts:detail"), pytest.raises(UnscopedRead):
        Contract.objects.get(pk=other.pk)
    tenancy_guard.violations.clear()


def test_outside_client_views_nothing_is_checked(contract_a, tenancy_guard):
    assert Contract.objects.count() == 1  # admin, tasks, commands: not client views
    assert tenancy_guard.violations == []
