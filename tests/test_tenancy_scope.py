"""The run-time tenancy scope (portal/scope.py): in a client request, a query on company-owned rows
that is not restricted to the request's company raises before it runs, with the same settings as
production.

These tests prove it stops an unscoped list, a by-id lookup (the IDOR) and the shapes that only look
scoped (negated, ``isnull``, one branch of an OR, another company's id), and lets through
``for_company``, related managers of scoped rows, re-reads of rows already loaded and ``unscoped()``.
"""

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import URLPattern, URLResolver, get_resolver

from contracts.models import Annex, Contract
from contracts.tests.factories import AnnexFactory, ContractFactory
from portal.scope import ScopeError, activate
from portal.tenancy import unscoped


@pytest.fixture
def contract_a(company_a):
    return ContractFactory(company=company_a, title="Contract A")


@pytest.fixture
def contract_b(company_b):
    return ContractFactory(company=company_b, title="Contract B")


def scoped_to(company, user=None):
    return activate(view="contracts:detail", company_id=company.pk, user_id=user.pk if user else None)


@pytest.mark.urls("tests.tenancy_scope_urls")
class TestInAClientRequest:
    def test_an_unscoped_list_raises(self, client, admin_a, contract_a, tenancy_scope_violations):
        client.force_login(admin_a)
        with pytest.raises(ScopeError, match=r"contracts\.Contract in contracts:leak"):
            client.get("/leak/")
        assert len(tenancy_scope_violations) == 1
        tenancy_scope_violations.clear()  # proven; let the fixture's teardown pass

    def test_a_lookup_by_public_id_without_the_company_raises(
        self, client, admin_a, contract_b, tenancy_scope_violations
    ):
        client.force_login(admin_a)
        with pytest.raises(ScopeError):
            client.get(f"/leak/{contract_b.public_id}/")
        tenancy_scope_violations.clear()

    def test_the_company_on_one_branch_of_an_or_raises(
        self, client, admin_a, contract_a, contract_b, tenancy_scope_violations
    ):
        client.force_login(admin_a)
        with pytest.raises(ScopeError):
            client.get(f"/leak/or/{contract_b.public_id}/")
        tenancy_scope_violations.clear()

    def test_the_escape_hatch_allows_a_declared_global_read(self, client, admin_a, contract_a, contract_b):
        client.force_login(admin_a)
        assert client.get("/leak/global/").content == b"2"

    def test_it_is_on_with_the_production_middleware(self):
        assert "portal.scope.ScopeMiddleware" in settings.MIDDLEWARE


class TestShapesThatOnlyLookScoped:
    """The three shapes an attack found passing the old syntactic guard, and a few more."""

    @pytest.mark.parametrize(
        "queryset",
        [
            lambda c: Contract.objects.exclude(company=c),
            lambda c: Contract.objects.filter(company__isnull=False),
            lambda c: Contract.objects.filter(Q(company=c) | Q(title="Contract B")),
            lambda c: Contract.objects.filter(~Q(company=c)),
            lambda c: Contract.objects.filter(company_id__gte=c.pk),
            lambda c: Contract.objects.filter(company__name=c.name),
        ],
        ids=["exclude", "isnull", "or-branch", "negated-q", "range", "company-by-name"],
    )
    def test_they_raise(self, company_a, contract_a, contract_b, queryset, tenancy_scope_violations):
        with scoped_to(company_a), pytest.raises(ScopeError):
            list(queryset(company_a))
        tenancy_scope_violations.clear()

    def test_another_companys_id_raises(self, company_a, company_b, contract_b, tenancy_scope_violations):
        with scoped_to(company_a), pytest.raises(ScopeError):
            list(Contract.objects.filter(company=company_b))
        with scoped_to(company_a), pytest.raises(ScopeError):
            list(Contract.objects.filter(company__in=[company_a, company_b]))
        tenancy_scope_violations.clear()

    def test_a_row_not_loaded_in_this_request_cannot_be_read_by_pk(
        self, company_a, contract_b, tenancy_scope_violations
    ):
        with scoped_to(company_a), pytest.raises(ScopeError):
            Contract.objects.get(pk=contract_b.pk)
        with scoped_to(company_a), pytest.raises(ScopeError):
            list(Annex.objects.filter(contract_id=contract_b.pk))
        tenancy_scope_violations.clear()

    def test_updates_and_deletes_are_checked_too(self, company_a, contract_b, tenancy_scope_violations):
        with scoped_to(company_a), pytest.raises(ScopeError), transaction.atomic():  # a savepoint
            Contract.objects.filter(title="Contract B").update(title="Furat")
        with scoped_to(company_a), pytest.raises(ScopeError), transaction.atomic():  # a savepoint
            Contract.objects.filter(title="Contract B").delete()
        contract_b.refresh_from_db()
        assert contract_b.title == "Contract B"
        tenancy_scope_violations.clear()


def test_scoped_reads_pass(company_a, company_b, contract_a, contract_b):
    AnnexFactory(contract=contract_a, company=company_a)
    with scoped_to(company_a):
        contract = Contract.objects.for_company(company_a).get(public_id=contract_a.public_id)
        assert list(contract.annexes.all())  # a related manager of a scoped row
        assert Contract.objects.filter(pk=contract.pk).update(title="Actualizat") == 1  # a known row
        assert Contract.objects.filter(company__in=[company_a]).count() == 1
        assert Annex.objects.filter(contract__in=Contract.objects.for_company(company_a)).count() == 1
        assert list(Contract.objects.for_company(company_a).prefetch_related("annexes"))
        assert Contract.objects.filter(Q(company=company_a, title="x") | Q(company=company_a)).count() == 1
        with unscoped("test"):
            assert Contract.objects.count() == 2


def test_outside_client_views_nothing_is_checked(contract_a, contract_b):
    assert Contract.objects.count() == 2  # admin, tasks, commands: not client views


def test_a_task_run_eagerly_inside_a_request_is_not_a_client_read(company_a, contract_b):
    from celery import shared_task

    @shared_task
    def count_contracts():
        return Contract.objects.count()

    with scoped_to(company_a):
        assert count_contracts.delay().get() == 1


def _namespaces(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = (
                f"{prefix}:{pattern.namespace}" if prefix and pattern.namespace else (pattern.namespace or prefix)
            )
            yield namespace or ""
            yield from _namespaces(pattern, namespace or "")
        elif isinstance(pattern, URLPattern):
            yield prefix


def test_every_namespace_of_the_urlconf_is_classified():
    """A new section's views are scoped only if its namespace is listed: this fails until it is."""
    known = set(settings.TENANCY_CLIENT_NAMESPACES) | set(settings.TENANCY_UNSCOPED_NAMESPACES)
    assert set(_namespaces(get_resolver())) <= known
