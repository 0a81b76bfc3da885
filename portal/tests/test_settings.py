import os
import secrets
import string
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from conftest import require

# Variables of this shell that would change what the subprocess's settings read.
SETTINGS_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "SECURE_SSL_REDIRECT",
    "BEHIND_PROXY",
    "TRUSTED_PROXY_COUNT",
    "SECURE_HSTS_SECONDS",
    "CSRF_TRUSTED_ORIGINS",
    "EMAIL_BACKEND",
    # Set for the browser tests in this process; production never has it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    environment.update(DJANGO_SETTINGS_MODULE="portal.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def random_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(50))


PRODUCTION = {"DEBUG": "0", "ALLOWED_HOSTS": "portal.example.ro", "DATABASE_URL": "sqlite:////tmp/x.sqlite3"}


def test_production_settings_pass_the_deploy_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=random_secret_key(), **PRODUCTION)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in output
    assert "security." not in output  # no security.W0xx ids


def test_production_without_secret_key_refuses_to_start():
    result = manage("check", **PRODUCTION)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


def test_development_defaults_need_no_environment():
    result = manage("check", DEBUG="1")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.redis
def test_redis_is_reachable():
    url = os.environ.get("REDIS_URL")
    if not url:
        require(False, "Redis (REDIS_URL)")
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        assert client.ping() is True
        key = f"portal-test:{secrets.token_hex(4)}"
        client.set(key, "ok", ex=10)
        assert client.get(key) == b"ok"
        client.delete(key)
    finally:
        client.close()


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_is_the_database():
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 + 1, current_setting('server_encoding')")
        total, encoding = cursor.fetchone()
    assert total == 2
    assert encoding == "UTF8"
