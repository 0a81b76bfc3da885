"""Counties as people write them → ISO 3166-2:RO codes for e-Factura (BR-RO-110), sectors (BR-RO-100)."""

import pytest
from django.core.exceptions import ValidationError

from portal.counties import Subdivision, county_problem, subdivision

# code, name with diacritics (comma below), name without diacritics
COUNTIES = [
    ("RO-AB", "Alba", "Alba"),
    ("RO-AG", "Argeș", "Arges"),
    ("RO-AR", "Arad", "Arad"),
    ("RO-BC", "Bacău", "Bacau"),
    ("RO-BH", "Bihor", "Bihor"),
    ("RO-BN", "Bistrița-Năsăud", "Bistrita-Nasaud"),
    ("RO-BR", "Brăila", "Braila"),
    ("RO-BT", "Botoșani", "Botosani"),
    ("RO-BV", "Brașov", "Brasov"),
    ("RO-BZ", "Buzău", "Buzau"),
    ("RO-CJ", "Cluj", "Cluj"),
    ("RO-CL", "Călărași", "Calarasi"),
    ("RO-CS", "Caraș-Severin", "Caras-Severin"),
    ("RO-CT", "Constanța", "Constanta"),
    ("RO-CV", "Covasna", "Covasna"),
    ("RO-DB", "Dâmbovița", "Dambovita"),
    ("RO-DJ", "Dolj", "Dolj"),
    ("RO-GJ", "Gorj", "Gorj"),
    ("RO-GL", "Galați", "Galati"),
    ("RO-GR", "Giurgiu", "Giurgiu"),
    ("RO-HD", "Hunedoara", "Hunedoara"),
    ("RO-HR", "Harghita", "Harghita"),
    ("RO-IF", "Ilfov", "Ilfov"),
    ("RO-IL", "Ialomița", "Ialomita"),
    ("RO-IS", "Iași", "Iasi"),
    ("RO-MH", "Mehedinți", "Mehedinti"),
    ("RO-MM", "Maramureș", "Maramures"),
    ("RO-MS", "Mureș", "Mures"),
    ("RO-NT", "Neamț", "Neamt"),
    ("RO-OT", "Olt", "Olt"),
    ("RO-PH", "Prahova", "Prahova"),
    ("RO-SB", "Sibiu", "Sibiu"),
    ("RO-SJ", "Sălaj", "Salaj"),
    ("RO-SM", "Satu Mare", "Satu Mare"),
    ("RO-SV", "Suceava", "Suceava"),
    ("RO-TL", "Tulcea", "Tulcea"),
    ("RO-TM", "Timiș", "Timis"),
    ("RO-TR", "Teleorman", "Teleorman"),
    ("RO-VL", "Vâlcea", "Valcea"),
    ("RO-VN", "Vrancea", "Vrancea"),
    ("RO-VS", "Vaslui", "Vaslui"),
]
CODES = [code for code, _, _ in COUNTIES]
CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")


def code_of(county: str, city: str = "Oraș", address: str = "") -> str:
    return subdivision(county=county, city=city, address=address).code


def test_the_table_has_every_county_but_bucharest_once():
    assert len(set(CODES)) == 41 and "RO-B" not in CODES


@pytest.mark.parametrize(("code", "name"), [(code, plain) for code, _, plain in COUNTIES])
def test_every_county_without_diacritics(code, name):
    assert code_of(name) == code
    assert code_of(name.upper()) == code
    assert code_of(name.lower()) == code


@pytest.mark.parametrize(("code", "name"), [(code, name) for code, name, _ in COUNTIES])
def test_every_county_with_diacritics_comma_or_cedilla(code, name):
    assert code_of(name) == code
    assert code_of(name.translate(CEDILLA)) == code
    assert code_of(name.upper()) == code


@pytest.mark.parametrize("code", CODES)
def test_car_codes_and_iso_codes(code):
    car = code.removeprefix("RO-")
    assert code_of(car) == code
    assert code_of(car.lower()) == code
    assert code_of(code) == code
    assert code_of(code.lower()) == code


@pytest.mark.parametrize(
    ("county", "code"),
    [
        ("jud. Cluj", "RO-CJ"),
        ("Jud Cluj", "RO-CJ"),
        ("Județul Cluj", "RO-CJ"),
        ("JUDEŢUL CLUJ", "RO-CJ"),
        ("Judetul Mures", "RO-MS"),
        ("  județ Timiș ", "RO-TM"),
        ("Bistrita Nasaud", "RO-BN"),
        ("Bistrița - Năsăud", "RO-BN"),
        ("Caras Severin", "RO-CS"),
        ("CARAŞ-SEVERIN", "RO-CS"),
        ("Satu-Mare", "RO-SM"),
        ("Ｃｌｕｊ", "RO-CJ"),  # full-width letters
    ],
)
def test_prefixes_hyphens_and_spaces(county, code):
    assert code_of(county) == code
    assert county_problem(county=county, city="Oraș") is None


def test_outside_bucharest_the_city_is_returned_as_given():
    assert subdivision(county="Cluj", city="  Cluj-Napoca ") == Subdivision(code="RO-CJ", city="Cluj-Napoca")
    assert subdivision(county="Ilfov", city="Voluntari", address="Sector 3") == Subdivision("RO-IF", "Voluntari")


@pytest.mark.parametrize(
    ("county", "city", "address", "sector"),
    [
        ("Sector 6", "București", "Str. Fabricii nr. 12", 6),
        ("Sectorul 1", "București", "", 1),
        ("SECTOR3", "", "", 3),
        ("București", "București", "Bd. Iuliu Maniu nr. 7, Sector 6", 6),
        ("Bucuresti", "București, sectorul 3", "", 3),
        ("Municipiul București", "Sectorul 2", "", 2),
        ("Mun. Bucuresti", "Bucuresti", "Calea Victoriei 1, sectorul 5", 5),
        ("B", "București", "Str. X nr. 4, sector 4", 4),
        ("RO-B", "SECTOR1", "", 1),
        ("București, Sector 4", "București", "Str. Y", 4),
        (
            "sector 2",
            "București",
            "Str. Z, Sector 5",
            2,
        ),  # the county's sector first, then the city's, then the address'
        ("BUCUREŞTI", "Bucureşti", "Şos. Colentina 3, SECTORUL 2", 2),
    ],
)
def test_bucharest_variants_give_the_sector_as_city(county, city, address, sector):
    assert subdivision(county=county, city=city, address=address) == Subdivision("RO-B", f"SECTOR{sector}")
    assert county_problem(county=county, city=city, address=address) is None


@pytest.mark.parametrize(
    ("county", "city", "address"),
    [
        ("București", "București", "Str. Fabricii nr. 12"),
        ("București", "București", "Str. Fabricii nr. 12, S3"),  # "S3" is not enough
        ("B", "Bucuresti", "sector 7"),  # there are six sectors
        ("Municipiul București", "", ""),
    ],
)
def test_bucharest_without_a_sector_is_refused(county, city, address):
    with pytest.raises(ValidationError) as error:
        subdivision(county=county, city=city, address=address)
    assert error.value.code == "missing_sector"
    message = county_problem(county=county, city=city, address=address)
    assert message == error.value.messages[0]
    assert county in message and "sector" in message


@pytest.mark.parametrize(
    "county", ["Transilvania", "Cluj-Napoca", "Dimbovita", "XY", "RO-XX", "S3", "Sector 0", "Județul", ""]
)
def test_an_unknown_county_is_refused_naming_it(county):
    with pytest.raises(ValidationError) as error:
        subdivision(county=county, city="Oraș")
    assert error.value.code == "unknown_county"
    message = county_problem(county=county, city="Oraș")
    assert message == error.value.messages[0]
    assert f"„{county}”" in message and "nu este recunoscut" in message
