import socket

from integrations import services
from integrations.models import SCOPE_CHOICES
from integrations.webhooks import webhook_endpoint_create
from portal.events import EVENTS

ALL_SCOPES = [scope for scope, _label in SCOPE_CHOICES]


def integration_key(*, scopes=ALL_SCOPES, networks: str = "", name: str = "ERP test") -> tuple:
    """An integration and its key (the key as the ERP sends it)."""
    return services.integration_create(name=name, scopes=list(scopes), allowed_networks=networks)


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def webhook_endpoint(*, url: str, events=EVENTS, integration=None, name: str = "ERP webhooks") -> tuple:
    """An endpoint listening to ``events`` (every event by default) and its secret."""
    if integration is None:
        integration, _key = integration_key(name=name)
    return webhook_endpoint_create(integration=integration, url=url, events=list(events))


def closed_port_url() -> str:
    """A local URL nothing listens on: a try fails at once (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/webhook"
