"""A host without a fontconfig configuration (a slim container) renders PDFs with our own, which names the
fonts the PDFs embed: no "Fontconfig error: Cannot load default config file" three times per PDF."""

import os
from pathlib import Path

from portal import pdf


def test_our_fontconfig_is_used_only_where_the_system_has_none(monkeypatch, tmp_path):
    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    monkeypatch.setattr(pdf, "SYSTEM_FONTCONFIG", tmp_path / "fonts.conf")
    pdf._use_own_fontconfig_if_missing()
    ours = Path(os.environ["FONTCONFIG_FILE"])
    assert ours.is_file() and '<dir prefix="relative">../static/fonts</dir>' in ours.read_text()
    assert (ours.parent / "../static/fonts/DejaVuSans.ttf").is_file()

    monkeypatch.setenv("FONTCONFIG_FILE", "/etc/custom.conf")  # an operator's choice stays
    pdf._use_own_fontconfig_if_missing()
    assert os.environ["FONTCONFIG_FILE"] == "/etc/custom.conf"
