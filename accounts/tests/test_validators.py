import pytest
from django.core.exceptions import ValidationError

from accounts.validators import (
    cui_digits,
    cui_is_valid,
    iban_is_valid,
    normalize_cui,
    normalize_iban,
    normalize_reg_com,
    validate_cui,
    validate_iban,
    validate_reg_com,
)


@pytest.mark.parametrize(
    "cui",
    ["18547290", "RO18547290", "ro 18547290", "RO 185 472 90", "RO14399840", "1590082", "RO42158732", "RO46093156"],
)
def test_valid_cui(cui):
    assert cui_is_valid(cui)
    validate_cui(cui)


@pytest.mark.parametrize(
    "cui",
    [
        "18547291",  # the check digit is off
        "RO18547291",
        "123",
        "RO0123",  # a leading zero
        "0018547290",
        "12345678901",  # 11 digits: too long
        "1630615123457",  # a valid CNP is a person, not a company
        "RO1630615123457",
        "abc",
        "",
        "RO",
        "RORO18547290",
        "1854-7290",  # stdnum would drop the hyphen; the stored value would keep it
        "RO1854729O",  # letter O for a zero
    ],
)
def test_invalid_cui(cui):
    assert not cui_is_valid(cui)
    with pytest.raises(ValidationError) as error:
        validate_cui(cui)
    assert error.value.code == "invalid_cui"
    assert "nu este valid" in str(error.value.messages[0])


@pytest.mark.parametrize(
    ("raw", "normalized", "digits"),
    [
        ("ro 18547290", "RO18547290", "18547290"),
        (" RO 1454 9840 ", "RO14549840", "14549840"),
        ("18547290", "18547290", "18547290"),
        (None, "", ""),
    ],
)
def test_normalize_cui(raw, normalized, digits):
    assert normalize_cui(raw) == normalized
    assert cui_digits(raw) == digits


@pytest.mark.parametrize(
    "value",
    [
        "J40/1234/2015",
        "j40/1234/2015",
        "J40 / 1234 / 2015",
        "J52/750/2012",
        "F12/3/2001",
        "C1/1/2020",
        "J40/12345/2024",  # the last year of the old format
        # the 2024 format: letter, year, number, county (00 from 2025), check digit
        "J2012000750528",
        "J2007007766403",
        "J1992002621040",
        "J2015001234406",
        "J2025000123009",  # registered in 2025: county 00
        "j2015 0012344 06",
        "",
    ],
)
def test_valid_reg_com(value):
    validate_reg_com(value)


@pytest.mark.parametrize(
    "value",
    [
        "X/1/2",
        "J40/1234/15",  # a two-digit year
        "40/1234/2015",  # no J, F or C
        "X52/750/2012",
        "J99/1234/2015",  # no county 99
        "J40/123456/2015",  # six-digit number
        "J40/1234/2025",  # the old format was no longer issued after 2024
        "J40-1234-2015",  # stdnum would read hyphens as slashes; the stored value would keep them
        "J40/1234/01.02.2015",
        "J201500123440",  # 13 characters
        "J2015001234400",  # the 2024 format with a wrong check digit (should be 6)
        "J2012000750529",
        "X2012000750528",
        "J2025000123458",  # registered in 2025 with a county code: from 2025 the county is 00
    ],
)
def test_invalid_reg_com(value):
    with pytest.raises(ValidationError) as error:
        validate_reg_com(value)
    assert error.value.code == "invalid_reg_com"
    assert "J40/1234/2015" in str(error.value.messages[0])


def test_reg_com_is_stored_as_typed_only_without_spaces():
    assert normalize_reg_com(" j40 / 1234 / 2015 ") == "J40/1234/2015"
    assert normalize_reg_com("C1/1/2020") == "C1/1/2020"


def romanian_iban_of_length(length: int) -> str:
    """An RO IBAN whose mod-97 check is right but whose length is not 24."""
    account = "AAAA" + "1" * (length - 8)
    number = int("".join(str(int(char, 36)) for char in account + "RO00"))
    return f"RO{98 - number % 97:02d}{account}"


@pytest.mark.parametrize(
    "iban",
    [
        "RO49AAAA1B31007593840000",
        "RO49 AAAA 1B31 0075 9384 0000",
        "ro66bacx0000001234567890",
        "DE89370400440532013000",
        "GB82WEST12345698765432",
        "FR1420041010050500013M02606",
        "NL91ABNA0417164300",
    ],
)
def test_valid_iban(iban):
    assert iban_is_valid(iban)
    validate_iban(iban)


@pytest.mark.parametrize(
    "iban",
    [
        "RO49AAAA1B31007593840001",  # one digit off: the mod-97 check fails
        romanian_iban_of_length(23),
        romanian_iban_of_length(25),
        "QQ52AAAA1B31007593840000",  # mod-97 right, but no such country
        "RO49-AAAA-1B31-0075-9384-0000",  # stdnum would drop the hyphens; the stored value would keep them
        "RO00 0000",
        "DE89370400440532013001",
        "RO",
    ],
)
def test_invalid_iban(iban):
    assert not iban_is_valid(iban)
    with pytest.raises(ValidationError) as error:
        validate_iban(iban)
    assert error.value.code == "invalid_iban"


def test_an_empty_iban_is_allowed_by_the_validator_but_is_not_an_iban():
    validate_iban("")
    assert not iban_is_valid("")


def test_the_helper_builds_ibans_right_but_of_the_wrong_length():
    for length in (23, 25):
        iban = romanian_iban_of_length(length)
        assert len(iban) == length
        assert int("".join(str(int(char, 36)) for char in iban[4:] + iban[:4])) % 97 == 1
    assert normalize_iban(" ro49 aaaa 1b31 0075 9384 0000 ") == "RO49AAAA1B31007593840000"
