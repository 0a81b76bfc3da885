"""Romanian counties as ISO 3166-2:RO codes, the way ANAF's e-Factura rules (CIUS-RO) want them.

BR-RO-110: the county of a Romanian address is its ISO 3166-2:RO code (RO-CJ, RO-B, …).
BR-RO-100: in Bucharest (RO-B) the city is the sector, written SECTOR1 … SECTOR6.

People write counties many ways: with or without diacritics (ș/ş and ț/ţ in both the comma and
the cedilla forms), "Jud. Cluj", "Județul Cluj", "Bistrita Nasaud", the car code "CJ", or the
ISO code itself. For Bucharest the sector may be in the county ("Sector 6"), in the city
("București, sectorul 3") or only in the address ("Bd. Iuliu Maniu nr. 7, Sector 6").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BUCHAREST = "RO-B"

# ISO 3166-2:RO code → the county's name. The code's letters are also the county's car code.
COUNTIES = {
    "RO-AB": "Alba",
    "RO-AG": "Argeș",
    "RO-AR": "Arad",
    "RO-B": "București",
    "RO-BC": "Bacău",
    "RO-BH": "Bihor",
    "RO-BN": "Bistrița-Năsăud",
    "RO-BR": "Brăila",
    "RO-BT": "Botoșani",
    "RO-BV": "Brașov",
    "RO-BZ": "Buzău",
    "RO-CJ": "Cluj",
    "RO-CL": "Călărași",
    "RO-CS": "Caraș-Severin",
    "RO-CT": "Constanța",
    "RO-CV": "Covasna",
    "RO-DB": "Dâmbovița",
    "RO-DJ": "Dolj",
    "RO-GJ": "Gorj",
    "RO-GL": "Galați",
    "RO-GR": "Giurgiu",
    "RO-HD": "Hunedoara",
    "RO-HR": "Harghita",
    "RO-IF": "Ilfov",
    "RO-IL": "Ialomița",
    "RO-IS": "Iași",
    "RO-MH": "Mehedinți",
    "RO-MM": "Maramureș",
    "RO-MS": "Mureș",
    "RO-NT": "Neamț",
    "RO-OT": "Olt",
    "RO-PH": "Prahova",
    "RO-SB": "Sibiu",
    "RO-SJ": "Sălaj",
    "RO-SM": "Satu Mare",
    "RO-SV": "Suceava",
    "RO-TL": "Tulcea",
    "RO-TM": "Timiș",
    "RO-TR": "Teleorman",
    "RO-VL": "Vâlcea",
    "RO-VN": "Vrancea",
    "RO-VS": "Vaslui",
}

# Words written before a county's name: "Jud. Cluj", "Județul Cluj", "Municipiul București".
COUNTY_PREFIX_RE = re.compile(r"^(?:judetul|judet|jud|municipiul|mun)\s+")
SECTOR_RE = re.compile(r"\bsector(?:ul)?\s*([1-6])\b")


@dataclass(frozen=True)
class Subdivision:
    code: str  # "RO-CJ", "RO-B"
    city: str  # the city as e-Factura writes it: "Cluj-Napoca", or "SECTOR3" in Bucharest


def plain(text: str) -> str:
    """'Județul Bistrița-Năsăud' → 'judetul bistrita nasaud': no diacritics, lower case,
    punctuation and hyphens as single spaces (full-width letters and digits become ASCII)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", letters.lower()).split())


def county_key(text: str) -> str:
    return COUNTY_PREFIX_RE.sub("", plain(text))


def _county_keys() -> dict[str, str]:
    keys = {}
    for code, name in COUNTIES.items():
        keys[county_key(name)] = code  # "bistrita nasaud"
        keys[plain(code)] = code  # "ro cj"
        keys[plain(code.removeprefix("RO-"))] = code  # "cj"
    return keys


COUNTY_KEYS = _county_keys()


def county_code(county: str) -> str | None:
    """The ISO code of a county as people write it; None when it is not recognised.

    A sector ("Sector 6", "București, sectorul 3") can only be Bucharest."""
    code = COUNTY_KEYS.get(county_key(county))
    if code is None and SECTOR_RE.search(plain(county)):
        return BUCHAREST
    return code


def bucharest_sector(*texts: str) -> int | None:
    """The first sector named in these texts, in order: 'Sector 6', 'sectorul 3', 'SECTOR1'."""
    for text in texts:
        match = SECTOR_RE.search(plain(text))
        if match:
            return int(match.group(1))
    return None


def subdivision(*, county: str, city: str, address: str = "") -> Subdivision:
    """The county's ISO code and the city as e-Factura writes it (BR-RO-100, BR-RO-110).

    Raises ValidationError when the county is not recognised, or when it is Bucharest and
    neither the county, the city nor the address names a sector 1-6."""
    code = county_code(county)
    if code is None:
        raise ValidationError(
            _(
                "Județul „%(county)s” nu este recunoscut: scrieți numele județului "
                "(de exemplu Cluj) sau indicativul (CJ)."
            ),
            code="unknown_county",
            params={"county": county},
        )
    if code != BUCHAREST:
        return Subdivision(code=code, city=city.strip())
    sector = bucharest_sector(county, city, address)
    if sector is None:
        raise ValidationError(
            _("Pentru „%(county)s” indicați sectorul (1–6) în județ, localitate sau adresă, de exemplu „Sector 3”."),
            code="missing_sector",
            params={"county": county},
        )
    return Subdivision(code=BUCHAREST, city=f"SECTOR{sector}")


def county_problem(*, county: str, city: str, address: str = "") -> str | None:
    """What is wrong with the county, for a form to show; None when it is fine."""
    try:
        subdivision(county=county, city=city, address=address)
    except ValidationError as error:
        return error.messages[0]
    return None
