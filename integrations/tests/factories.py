from integrations import services
from integrations.models import SCOPE_CHOICES

ALL_SCOPES = [scope for scope, _label in SCOPE_CHOICES]


def integration_key(*, scopes=ALL_SCOPES, networks: str = "", name: str = "ERP test") -> tuple:
    """An integration and its key (the key as the ERP sends it)."""
    return services.integration_create(name=name, scopes=list(scopes), allowed_networks=networks)


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
