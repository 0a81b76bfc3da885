"""Sentry gets errors without personal data: the scrubbing on a realistic Django event."""

import json

import pytest

from portal import sentry

EVENT = {
    "event_id": "9f1c2b7a64d94f0e8e1f0f2d3c4b5a69",
    "level": "error",
    "server_name": "web-2.furnizor.internal",
    "transaction": "/cont/invitatie/Zx8kQ2pL9vN4mR7tY1wB3cD5eF6gH0jK/",
    "logentry": {
        "message": "login_failed email=%s ip=%s",
        "params": ["ana.popescu@client-a.ro", "198.51.100.23"],
        "formatted": "event=login_failed email=ana.popescu@client-a.ro ip=198.51.100.23",
    },
    "exception": {
        "values": [
            {
                "type": "ValidationError",
                "value": "['Adresa ana.popescu@client-a.ro este deja folosită de 2001:db8:85a3:0:0:8a2e:370:7334']",
                "stacktrace": {"frames": [{"filename": "accounts/services.py", "function": "invitation_create"}]},
            }
        ]
    },
    "request": {
        "url": "https://portal.furnizor.ro/cont/password/reset/key/3-c8f1e2a9b7d6-Q2pL9vN4mR7tY1wB/?next=/facturi/&token=abc123",
        "method": "POST",
        "query_string": "email=ana.popescu%40client-a.ro&page=2",
        "cookies": {"sessionid": "s3cr3t-session", "csrftoken": "tok"},
        "data": {"password1": "Parola-buna-2026", "first_name": "Ana", "last_name": "Popescu"},
        "headers": {
            "Cookie": "sessionid=s3cr3t-session; csrftoken=tok",
            "Authorization": "Bearer erp_live_9c1f0e8d7b6a",
            "X-Forwarded-For": "198.51.100.23, 10.0.0.2",
            "User-Agent": "Mozilla/5.0",
            "Referer": "https://portal.furnizor.ro/?email=ana.popescu@client-a.ro",
            "Host": "portal.furnizor.ro",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        "env": {"REMOTE_ADDR": "198.51.100.23", "SERVER_NAME": "web-2"},
    },
    "user": {"id": "42", "email": "ana.popescu@client-a.ro", "ip_address": "198.51.100.23", "username": "ana"},
    "breadcrumbs": {
        "values": [
            {
                "category": "portal.security_log",
                "message": "event=login_succeeded user=42 email=ana.popescu@client-a.ro",
            },
            {"category": "query", "message": "SELECT 1", "data": {"phone": "0722 111 222"}},
        ]
    },
    "extra": {"security": {"event": "login_failed", "email": "ana.popescu@client-a.ro", "ip": "198.51.100.23"}},
    "contexts": {"runtime": {"name": "CPython", "version": "3.11.7"}},
    "tags": {"company": "0b9c6a4e-3f5e-4d3b-9a63-1c8d2c6e7f10"},
}

PERSONAL = (
    "ana.popescu",
    "client-a.ro",
    "198.51.100.23",
    "2001:db8",
    "Popescu",
    "Parola-buna",
    "s3cr3t-session",
    "erp_live",
    "abc123",
    "Q2pL9vN4mR7tY1wB",
    "Zx8kQ2pL9vN4mR7t",
    "0722 111 222",
    "web-2",
)


@pytest.fixture
def scrubbed():
    return sentry.scrub_event(json.loads(json.dumps(EVENT)), {})


def test_no_personal_data_is_left(scrubbed):
    text = json.dumps(scrubbed)
    for value in PERSONAL:
        assert value not in text, value


def test_what_helps_find_the_bug_stays(scrubbed):
    assert scrubbed["exception"]["values"][0]["type"] == "ValidationError"
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]["function"] == "invitation_create"
    assert scrubbed["request"]["method"] == "POST"
    assert scrubbed["request"]["url"].startswith("https://portal.furnizor.ro/cont/password/reset/key/")
    assert scrubbed["request"]["headers"] == {
        "Host": "portal.furnizor.ro",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    assert scrubbed["user"] == {"id": "42"}
    assert scrubbed["tags"]["company"] == "0b9c6a4e-3f5e-4d3b-9a63-1c8d2c6e7f10"  # business, not personal
    assert scrubbed["contexts"]["runtime"]["name"] == "CPython"
    assert scrubbed["extra"]["security"]["event"] == "login_failed"


def test_query_strings_keep_their_names_only(scrubbed):
    assert scrubbed["request"]["query_string"] == "email=[Filtered]&page=[Filtered]"
    assert "next=[Filtered]" in scrubbed["request"]["url"] and "token=[Filtered]" in scrubbed["request"]["url"]


def test_a_transactions_spans_are_scrubbed_too():
    transaction = {
        "type": "transaction",
        "transaction": "/cont/invitatie/Zx8kQ2pL9vN4mR7tY1wB3cD5eF6gH0jK/",
        "spans": [{"op": "http.client", "description": "GET https://erp.internal/api?email=ana.popescu@client-a.ro"}],
    }
    text = json.dumps(sentry.scrub_event(transaction, {}))
    assert "ana.popescu" not in text and "Zx8kQ2pL9vN4mR7t" not in text
    assert "http.client" in text


def test_public_ids_in_urls_stay():
    url = "https://portal.furnizor.ro/oferte/0b9c6a4e-3f5e-4d3b-9a63-1c8d2c6e7f10/accepta/"
    assert sentry.scrub_url(url) == url


def test_init_turns_pii_off(monkeypatch):
    import sentry_sdk

    seen = {}
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: seen.update(options))
    sentry.init(dsn="https://key@sentry.example/1", environment="productie", traces_sample_rate=0.1)
    assert seen["send_default_pii"] is False and seen["include_local_variables"] is False
    assert seen["max_request_body_size"] == "never"
    assert seen["before_send"] is sentry.scrub_event
    assert {type(i).__name__ for i in seen["integrations"]} == {"DjangoIntegration", "CeleryIntegration"}
    assert seen["environment"] == "productie" and seen["traces_sample_rate"] == 0.1


def test_sentry_is_off_without_a_dsn():
    import sentry_sdk

    assert not sentry_sdk.get_client().is_active()
