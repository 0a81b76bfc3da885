"""The portal's sections, in the brief's order; the navigation and the dashboard read this."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    key: str
    label: Promise
    url_name: str
    icon: str
    description: Promise
    right: str | None = None


SECTIONS = (
    Section("dashboard", _("Tablou de bord"), "portal:dashboard", "speedometer2",
            _("Sumarul relației cu furnizorul: ce vă așteaptă și ce s-a schimbat.")),
    Section("quote_requests", _("Cerere ofertă"), "quotes:request_list", "cart-plus",
            _("Cereți prețuri pentru produse, cu opțiunea și adresa de livrare și observațiile dvs.")),
    Section("offers", _("Oferte"), "quotes:offer_list", "file-earmark-text",
            _("Ofertele primite de la furnizor: le verificați și le acceptați sau respingeți cu un clic.")),
    Section("projects", _("Proiecte"), "projects:list", "kanban",
            _("Stadiul proiectelor, progresul, sarcinile și diagrama Gantt a programului.")),
    Section("billing", _("Facturi / Plăți"), "billing:invoice_list", "receipt",
            _("Facturile emise, plățile efectuate, soldul și fișa de cont."), right="billing"),
    Section("contracts", _("Contracte"), "contracts:list", "file-earmark-check",
            _("Contractele încheiate cu furnizorul, actele adiționale și termenele de expirare.")),
    Section("support", _("Suport"), "support:list", "life-preserver",
            _("Tichetele dvs. de suport: deschideți unul nou și discutați cu echipa furnizorului.")),
    Section("shipments", _("Expedieri"), "shipments:list", "truck",
            _("Expedierea comenzilor: stadiul livrării, urmărirea coletelor și documentele de livrare.")),
    Section("files", _("Fișiere"), "files:list", "folder2-open",
            _("Documentele și fișierele transmise de furnizor, de vizualizat și descărcat.")),
)

SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}


def sections_for(membership) -> list[Section]:
    if not membership:
        return []
    return [s for s in SECTIONS if s.right is None or membership.has_right(s.right)]
