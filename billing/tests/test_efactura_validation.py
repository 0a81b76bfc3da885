"""The offline e-Factura validator: ANAF's own examples pass, and a broken file fails with the rule ids."""

import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from billing.efactura.validation import validate

EXAMPLES = sorted((Path(__file__).parent / "efactura").glob("ubl_b2g_example*.xml"))
EXAMPLE = EXAMPLES[0].read_bytes()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_anafs_examples_are_valid(path):
    report = validate(path.read_bytes())
    assert report.kind == "Invoice"
    assert report.is_valid, report.problems()


def test_a_wrong_amount_due_fails_its_rule():
    broken = re.sub(rb'(<cbc:PayableAmount currencyID="RON">)[^<]+<', rb"\g<1>1.00<", EXAMPLE)
    report = validate(broken)
    assert not report.is_valid and not report.schema_errors
    assert [finding.rule for finding in report.fatal] == ["BR-CO-16"]
    assert report.problems()[0].startswith("BR-CO-16: ")


def test_a_missing_issue_date_fails_the_schema_and_the_rules():
    broken = EXAMPLE.replace(b"<cbc:IssueDate>", b"<cbc:Data>").replace(b"</cbc:IssueDate>", b"</cbc:Data>")
    report = validate(broken)
    assert any("Unexpected child with tag 'cbc:Data'" in error for error in report.schema_errors)
    assert "BR-03" in {finding.rule for finding in report.fatal}


def test_a_broken_cius_ro_rule_is_fatal():
    """CIUS-RO allows at most 20 invoice notes (BG-1); EN 16931 alone has no limit."""
    note = re.search(rb"<cbc:Note>.*?</cbc:Note>", EXAMPLE, re.S).group(0)
    report = validate(EXAMPLE.replace(note, note * 25, 1))
    assert [finding.rule for finding in report.fatal] == ["BR-RO-A020"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<Invoice", "bine format"),
        (b"<factura/>", "nu este o factură"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "DOCTYPE"),
    ],
)
def test_what_is_not_an_invoice_is_refused_before_the_rules(content, reason):
    report = validate(content)
    assert not report.is_valid and report.kind == "" and reason in report.schema_errors[0]


def test_the_command_checks_files(tmp_path, capsys):
    call_command("check_efactura", str(EXAMPLES[0]))
    assert "valid" in capsys.readouterr().out
    broken = tmp_path / "rea.xml"
    broken.write_bytes(re.sub(rb'(<cbc:PayableAmount currencyID="RON">)[^<]+<', rb"\g<1>1.00<", EXAMPLE))
    with pytest.raises(CommandError, match="1 din 1"):
        call_command("check_efactura", str(broken))
    assert "BR-CO-16" in capsys.readouterr().out
