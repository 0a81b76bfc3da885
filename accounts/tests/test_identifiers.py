"""Identifiers and amounts are normalised before any check (portal.normalize): a CUI typed with
full-width or Arabic-Indic digits is the same company as the CUI in ASCII, never a second one."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Company, Membership, User
from accounts.tests.test_registration import signup_data
from accounts.validators import (
    cui_is_valid,
    iban_is_valid,
    normalize_cui,
    normalize_iban,
    validate_iban,
    validate_reg_com,
)
from portal.forms import AmountField
from portal.normalize import ascii_digits, normalize_identifier


def full_width(text: str) -> str:
    """'RO42158732' → 'ＲＯ４２１５８７３２'."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (full_width("RO42158732"), "RO42158732"),
        ("ro " + "42158732".translate(ARABIC_INDIC), "RO42158732"),
        ("RO\u00a042\u2009158\u202f732", "RO42158732"),  # no-break, thin and narrow no-break spaces
        ("RO42\u200b158732\ufeff", "RO42158732"),  # zero-width space, BOM
        ("४२१५८७३२", "42158732"),  # Devanagari digits
    ],
)
def test_a_cui_is_normalised_to_ascii_before_any_check(typed, expected):
    assert normalize_cui(typed) == expected
    assert cui_is_valid(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "RO42158732²",  # superscript two: NFKC makes it 2, and the check digit no longer matches
        "\u0420\u041e42158732",  # Cyrillic "РО": not the RO prefix
        "RO4215873\u0662x",
        "RO 42158 73Ⅱ",  # a Roman numeral is not a digit
    ],
)
def test_what_is_left_after_normalising_must_be_ascii(typed):
    assert not cui_is_valid(typed)


def test_reg_com_and_iban_are_normalised_the_same_way():
    validate_reg_com(full_width("J40/1234/2015"))
    validate_reg_com("j40 / 1234 / 2015")
    validate_reg_com(full_width("J2012000750528"))  # the 2024 format
    validate_reg_com("J2012000750528".translate(ARABIC_INDIC))
    with pytest.raises(ValidationError):
        validate_reg_com("J40\u22151234\u22152015")  # division slashes: not ASCII once normalised
    with pytest.raises(ValidationError):
        validate_reg_com(full_width("J2012000750529"))  # the 2024 format's check digit is off
    assert iban_is_valid(full_width("de89 3704 0044 0532 0130 00"))
    assert normalize_iban(full_width("ro49 aaaa 1b31 0075 9384 0000")) == "RO49AAAA1B31007593840000"
    assert iban_is_valid("RO49 AAAA 1B31 0075 9384 0000")
    assert not iban_is_valid("RO49AAAA1B31007593840001")  # one digit off: the mod-97 check fails
    assert not iban_is_valid("RO49AAAA1B3100759384000")  # a Romanian IBAN has 24 characters
    with pytest.raises(Exception, match="nu este valid"):
        validate_iban("RO00 0000")
    assert ascii_digits("١٢٣,٥") == "123,5"
    assert normalize_identifier(None) == ""


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("１２３４,５６", Decimal("1234.56")),
        ("1\u00a0234,56", Decimal("1234.56")),
        ("١٢٣٤٫٥٦".replace("٫", ","), Decimal("1234.56")),
        ("2,5", Decimal("2.5")),
    ],
)
def test_amounts_in_forms_are_read_in_any_digits(typed, amount):
    assert AmountField(localize=True, decimal_places=2).clean(typed) == amount


@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        lambda cui: "RO" + full_width(cui.removeprefix("RO")),  # RO４２１５８７３２: passed the check digit before
        full_width,
        lambda cui: cui.translate(ARABIC_INDIC),
    ],
)
def test_a_full_width_cui_asks_to_join_the_existing_company_not_a_second_one(
    client, django_capture_on_commit_callbacks, company_a, admin_a, write
):
    companies = Company.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), signup_data(cui=write(company_a.cui)))
    assert response.status_code == 302
    assert Company.objects.count() == companies
    membership = Membership.objects.get(user=User.objects.get(email="ioana@firma-noua.ro"))
    assert membership.company == company_a and membership.status == Membership.Status.PENDING
    assert membership.role == Membership.Role.MEMBER


@pytest.mark.django_db
def test_staff_typing_a_full_width_cui_in_the_admin_gets_the_existing_company_error(client, staff, company_a):
    client.force_login(staff)
    data = {
        "name": "Dublură SRL",
        "cui": full_width(company_a.cui),
        "reg_com": full_width("J40/1/2020"),
        "address": "Str. A 1",
        "city": "Cluj",
        "county": "Cluj",
        "iban": "",
        "status": "active",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:accounts_company_add"), data)
    assert response.status_code == 200
    assert "cui" in response.context["adminform"].form.errors
    data["cui"] = full_width(company_a.cui_digits)  # without RO: the same company all the same
    response = client.post(reverse("admin:accounts_company_add"), data)
    assert "Există deja o companie cu acest CUI" in response.content.decode()
    assert Company.objects.count() == 1

    data.update(cui=full_width(" ro 18547290"), iban=full_width("ro49 aaaa 1b31 0075 9384 0000"))
    response = client.post(reverse("admin:accounts_company_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Company.objects.get(name="Dublură SRL")
    assert (created.cui, created.reg_com, created.iban) == ("RO18547290", "J40/1/2020", "RO49AAAA1B31007593840000")


@pytest.mark.django_db
def test_the_erp_import_reads_a_full_width_cui_and_amounts(company_a, tmp_path):
    from billing import importer
    from billing.models import Invoice

    row = {
        "record": "factura",
        "cui": full_width(company_a.cui),
        "series": "FRN",
        "number": full_width("1024"),
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "description": "Pompă",
        "unit": "buc",
        "quantity": "２",
        "unit_price": "1\u00a0500,00",
        "vat_rate": "２１",
    }
    path = tmp_path / "erp.csv"
    path.write_text(
        ";".join(importer.CSV_COLUMNS)
        + "\n"
        + ";".join(str(row.get(column, "")) for column in importer.CSV_COLUMNS)
        + "\n",
        encoding="utf-8",
    )
    report = importer.import_file(path)
    invoice = Invoice.objects.get()
    assert invoice.company == company_a and invoice.number == 1024, report
    assert invoice.lines.get().unit_price == Decimal("1500.00")
