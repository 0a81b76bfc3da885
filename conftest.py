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
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings
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


# Object storage (S3-compatible: moto_server in CI, see .ci/run). With S3_TEST_ENDPOINT set, the tests
# marked ``s3`` and every test of these modules (files, PDFs, downloads) keep their files in a bucket of
# their own there instead of in memory; without it the ``s3`` tests skip (fail with CI=true).
S3_TEST_ENDPOINT = os.environ.get("S3_TEST_ENDPOINT", "")
S3_TEST_MODULES = (
    "files/tests/",
    "portal/tests/test_pdf.py",
    "tests/test_pdf_escaping.py",
    "quotes/tests/test_offers.py",
    "quotes/tests/test_next_step.py",
    "billing/tests/test_views.py",
    "billing/tests/test_efactura_originals.py",
    "support/tests/test_tickets.py",
    "projects/tests/test_views.py",
)


def pytest_collection_modifyitems(config, items):
    if not S3_TEST_ENDPOINT:
        return
    root = str(config.rootpath) + "/"
    for item in items:
        if str(item.path).removeprefix(root).startswith(S3_TEST_MODULES):
            item.add_marker(pytest.mark.s3)


def s3_endpoint_up() -> bool:
    parts = urlsplit(S3_TEST_ENDPOINT)
    return bool(parts.hostname) and port_open(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))


@pytest.fixture(autouse=True)
def _s3_storage(request):
    """A fresh private bucket as the default storage, for a test marked ``s3``; emptied and removed after."""
    if request.node.get_closest_marker("s3") is None:
        yield None
        return
    require(bool(S3_TEST_ENDPOINT) and s3_endpoint_up(), f"An S3 server at S3_TEST_ENDPOINT ({S3_TEST_ENDPOINT!r})")
    from portal.settings import s3_storage

    bucket = f"portal-test-{uuid.uuid4().hex[:20]}"
    config = s3_storage(
        bucket=bucket,
        endpoint_url=S3_TEST_ENDPOINT,
        region="us-east-1",
        access_key="test",
        secret_key="test",
        addressing_style="path",
        encrypt=True,
    )
    config["BACKEND"] = "files.tests.s3.SharedSessionS3Storage"
    storages = {"default": config, "staticfiles": settings.STORAGES["staticfiles"]}
    with override_settings(STORAGES=storages):
        from django.core.files.storage import default_storage

        client = default_storage.connection.meta.client
        client.create_bucket(Bucket=bucket)
        yield default_storage
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Romanian: a request in English leaves its language active in the thread, and a
    model's message read outside a request would then follow the previous test."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: SQLite gives the next test's rows the same ids, and a cached
    dashboard keyed by a company's id and stamp would otherwise be found again."""
    from django.core.cache import cache

    cache.clear()


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
