"""The portal's sections, in the brief's order, as the navigation shows them."""

from dataclasses import dataclass
from functools import cached_property

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass
class Section:
    key: str
    label: Promise
    url_name: str
    icon: str
    right: str | None = None

    @cached_property
    def url(self) -> str:
        # Reversed once per process: the sidebar is drawn on every page.
        return reverse(self.url_name)


SECTIONS = (
    Section("dashboard", _("Tablou de bord"), "dashboard:home", "speedometer2"),
    Section("quote_requests", _("Cerere ofertă"), "quotes:request_list", "cart-plus"),
    Section("offers", _("Oferte"), "quotes:offer_list", "file-earmark-text"),
    Section("projects", _("Proiecte"), "projects:list", "kanban"),
    Section("billing", _("Facturi / Plăți"), "billing:invoice_list", "receipt", right="billing"),
    Section("contracts", _("Contracte"), "contracts:list", "file-earmark-check"),
    Section("support", _("Suport"), "support:list", "life-preserver"),
    Section("shipments", _("Expedieri"), "shipments:list", "truck"),
    Section("files", _("Fișiere"), "files:list", "folder2-open"),
)


def sections_for(membership) -> list[Section]:
    if not membership:
        return []
    return [s for s in SECTIONS if s.right is None or membership.has_right(s.right)]
