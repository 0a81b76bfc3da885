"""/health/ answers up or down per component, and nothing else, without login."""

import json

import pytest
from django.core.files.storage import storages
from django.db import OperationalError, connections
from django.urls import reverse

from portal import health
from portal.celery import app as celery_app

# What a failing backend says in its exception: none of it may reach the visitor.
SECRETS = ("db-primary.internal", "10.20.30.40", "redis-cache.internal", "s3-bucket-private", "Traceback", "Error")

pytestmark = pytest.mark.django_db


def get_json(client, url="/health/"):
    response = client.get(url, HTTP_ACCEPT="application/json")
    return response, json.loads(response.content)


def assert_nothing_leaks(response):
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body


def test_all_up_answers_200_in_json_and_html(client):
    response, data = get_json(client)
    assert response.status_code == 200
    assert data == {
        "status": "up",
        "components": {"database": "up", "cache": "up", "storage": "up", "broker": "up"},
    }
    assert "no-cache" in response["Cache-Control"] and "Accept" in response["Vary"]
    page = client.get(reverse("portal:health"))
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert "Toate serviciile funcționează" in page.content.decode()


def test_format_json_in_the_query_string(client):
    response = client.get("/health/?format=json")
    assert response["Content-Type"] == "application/json"


def test_the_librarys_other_formats_are_not_offered(client):
    for fmt in ("rss", "atom", "openmetrics", "text"):
        response = client.get(f"/health/?format={fmt}")
        assert response["Content-Type"].startswith("text/html"), fmt
        assert "Health Check" not in response.content.decode()


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self):
        raise OperationalError('could not connect to server: host "db-primary.internal" (10.20.30.40) refused')

    monkeypatch.setattr(type(connections["default"]), "temporary_connection", refuse)


@pytest.fixture
def cache_down(monkeypatch, settings):
    # The portal's own fail-open Redis cache, pointed at a port nobody listens on: writes are
    # dropped silently, the check reads nothing back.
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:9/1",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.fixture
def storage_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError("s3-bucket-private: AccessDenied")

    monkeypatch.setattr(type(storages["default"]), "save", refuse)


@pytest.fixture
def broker_down(monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")


@pytest.mark.parametrize(
    ("fixture", "component"),
    [("database_down", "database"), ("cache_down", "cache"), ("storage_down", "storage"), ("broker_down", "broker")],
)
def test_one_component_down_answers_503_naming_only_it(client, request, fixture, component):
    request.getfixturevalue(fixture)
    response, data = get_json(client)
    assert response.status_code == 503
    assert data["status"] == "down"
    assert data["components"][component] == "down"
    assert [name for name, state in data["components"].items() if state == "down"] == [component]
    assert_nothing_leaks(response)
    page = client.get("/health/")
    assert page.status_code == 503
    assert 'data-component="%s"' % component in page.content.decode()
    assert_nothing_leaks(page)


def test_health_needs_no_login_and_no_session(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_health_answers_head_and_refuses_post(client):
    assert client.head("/health/").status_code == 200  # some probes ask HEAD
    assert client.post("/health/").status_code == 405


# --- the worker ----------------------------------------------------------------------------------


@pytest.fixture
def not_eager():
    """Tasks go to a broker, as in production (Celery's settings object takes no monkeypatch)."""
    celery_app.conf.update(task_always_eager=False)
    yield celery_app
    celery_app.conf.update(task_always_eager=True)


def test_worker_is_up_with_eager_tasks(client):
    response, data = get_json(client, "/health/worker/")
    assert response.status_code == 200 and data["components"]["worker"] == "up"


def test_worker_down_when_no_worker_answers(client, monkeypatch, not_eager):
    monkeypatch.setattr(not_eager.control, "ping", lambda **kwargs: [])
    response, data = get_json(client, "/health/worker/")
    assert response.status_code == 503
    assert data["components"]["worker"] == "down"
    assert data["components"]["database"] == "up"


def test_worker_up_when_one_answers_on_the_queue(client, monkeypatch, not_eager):
    worker = "celery@worker-7.internal"
    monkeypatch.setattr(not_eager.control, "ping", lambda **kwargs: [{worker: {"ok": "pong"}}])

    class Inspect:
        def active_queues(self):
            return {worker: [{"name": "celery"}]}

    monkeypatch.setattr(not_eager.control, "inspect", lambda *args, **kwargs: Inspect())
    response, data = get_json(client, "/health/worker/")
    assert response.status_code == 200 and data["components"]["worker"] == "up"
    assert "worker-7" not in response.content.decode()


def test_the_basic_url_does_not_wait_for_a_worker(client, monkeypatch, not_eager):
    monkeypatch.setattr(not_eager.control, "ping", lambda **kwargs: pytest.fail("pinged a worker"))
    response, data = get_json(client)
    assert "worker" not in data["components"] and response.status_code == 200


def test_labels_cover_every_component():
    assert set(health.worker_checks()) == set(health.LABELS)
