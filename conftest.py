"""The cast every test shares (like healthchecks' alice, bob and charlie).

- ``admin_a``: administrator of company A (all rights)
- ``member_a``: plain member of company A (no offer, no billing right)
- ``member_b``: administrator of company B
- ``pending_user``: registered, asked to join company A, not approved yet
- ``staff``: supplier staff (Django admin), no membership
- ``deactivated_a``: active admin membership of company A, but the user account is deactivated
"""

import os
import socket

import pytest
from django.test import override_settings

from accounts.models import Membership
from accounts.tests.factories import CompanyFactory, MembershipFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, what: str) -> None:
    """Skip a test whose service is missing; in CI (CI=true) fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} is not available")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True, scope="session")
def _isolated_side_effects():
    # Tests run tasks eagerly and keep rate-limit counters in memory, whatever REDIS_URL says;
    # the Redis tests build their own client from REDIS_URL.
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        CELERY_TASK_ALWAYS_EAGER=True,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        yield


@pytest.fixture(autouse=True)
def tenancy_scope_violations():
    """The run-time tenancy scope (portal/scope.py) raises on an unscoped read in a client view; this
    also fails the test when a view swallowed that exception. The list is the test's to inspect."""
    from portal.scope import scope_violation

    violations: list[str] = []

    def collect(sender, message, **kwargs):
        violations.append(message)

    scope_violation.connect(collect, weak=False, dispatch_uid="tests.tenancy_scope_violations")
    yield violations
    scope_violation.disconnect(dispatch_uid="tests.tenancy_scope_violations")
    assert not violations, "\n".join(violations)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def company_a(db):
    return CompanyFactory(name="Agroserv Test SRL")


@pytest.fixture
def company_b(db):
    return CompanyFactory(name="Termoplast Test SA")


@pytest.fixture
def admin_a(company_a):
    return MembershipFactory(
        company=company_a,
        role=Membership.Role.ADMIN,
        can_accept_offers=True,
        can_see_billing=True,
        user__email="admin.a@client-a.ro",
        user__first_name="Ana",
        user__last_name="Popescu",
    ).user


@pytest.fixture
def member_a(company_a):
    return MembershipFactory(
        company=company_a, user__email="member.a@client-a.ro", user__first_name="Mihai", user__last_name="Ionescu"
    ).user


@pytest.fixture
def member_b(company_b):
    return MembershipFactory(
        company=company_b,
        role=Membership.Role.ADMIN,
        can_accept_offers=True,
        can_see_billing=True,
        user__email="admin.b@client-b.ro",
        user__first_name="Elena",
        user__last_name="Dumitru",
    ).user


@pytest.fixture
def pending_user(company_a):
    return MembershipFactory(
        company=company_a,
        status=Membership.Status.PENDING,
        approved_at=None,
        user__email="pending@client-a.ro",
        user__first_name="Andrei",
    ).user


@pytest.fixture
def deactivated_a(company_a):
    """An administrator of company A whose account staff deactivated (User.is_active=False).

    ``client.force_login`` still works for it (it skips the is_active check), which is the state of a
    session opened before the deactivation: every request must then treat it as anonymous.
    """
    user = MembershipFactory(
        company=company_a,
        role=Membership.Role.ADMIN,
        can_accept_offers=True,
        can_see_billing=True,
        user__email="deactivated@client-a.ro",
        user__first_name="Radu",
    ).user
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@furnizor.ro", is_staff=True, is_superuser=True)
