"""API keys: random, shown once, kept only as a SHA-256 hash (like invitation tokens)."""

import hashlib
import ipaddress
import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KEY_PREFIX = "erp_"


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for line in text.split():
        try:
            networks.append(ipaddress.ip_network(line.strip(), strict=False))
        except ValueError as error:
            raise ValidationError(
                _("„%(network)s” nu este o rețea (de exemplu 10.0.0.0/8).") % {"network": line}
            ) from error
    return networks


def address_allowed(networks_text: str, address: str | None) -> bool:
    networks = parse_networks(networks_text)
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in networks)
