import pytest
from django.core.exceptions import ValidationError

from accounts.validators import cui_is_valid, normalize_cui, validate_cui, validate_reg_com


@pytest.mark.parametrize("cui", ["18547290", "RO14399840", "1590082", "RO42158732", "ro 18547290"])
def test_valid_cui(cui):
    assert cui_is_valid(cui)
    validate_cui(cui)


@pytest.mark.parametrize("cui", ["18547291", "123", "RO0123", "abc", "", "RO", "0018547290", "12345678901"])
def test_invalid_cui(cui):
    assert not cui_is_valid(cui)
    with pytest.raises(ValidationError) as error:
        validate_cui(cui)
    assert error.value.code == "invalid_cui"


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("ro 18547290", "RO18547290"), (" RO 1454 9840 ", "RO14549840"), ("18547290", "18547290"), (None, "")],
)
def test_normalize_cui(raw, normalized):
    assert normalize_cui(raw) == normalized


@pytest.mark.parametrize(
    "value", ["J40/1234/2015", "J2015001234400", "j40/1234/2015", "F12/3/2001", "C1/1/2020", "J40 / 1234 / 2015", ""]
)
def test_valid_reg_com(value):
    validate_reg_com(value)


@pytest.mark.parametrize("value", ["X/1/2", "J40/1234/15", "J40-1234-2015", "J201500123440", "40/1234/2015"])
def test_invalid_reg_com(value):
    with pytest.raises(ValidationError) as error:
        validate_reg_com(value)
    assert error.value.code == "invalid_reg_com"
