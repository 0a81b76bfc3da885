"""The Romanian and English catalogues cover every string in the code, with nothing fuzzy."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import require

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (
    "accounts",
    "billing",
    "contracts",
    "dashboard",
    "files",
    "integrations",
    "portal",
    "projects",
    "quotes",
    "shipments",
    "support",
    "templates",
    "locale",
    "manage.py",
)


@pytest.mark.parametrize("language", ["ro", "en"])
def test_committed_catalogue_is_complete(language):
    require(shutil.which("msgattrib") is not None, "gettext (msgattrib)")
    po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(po)], capture_output=True, text=True, check=True
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(po)], capture_output=True, text=True, check=True
    ).stdout
    assert "msgid" not in untranslated.split("\n\n", 1)[-1], f"untranslated in {po}:\n{untranslated[:3000]}"
    assert "msgid" not in fuzzy.split("\n\n", 1)[-1], f"fuzzy in {po}:\n{fuzzy[:3000]}"


def test_every_string_in_the_code_is_in_the_catalogues(tmp_path):
    """makemessages on a copy of the code adds nothing new: run `make makemessages` and translate if it fails."""
    require(shutil.which("xgettext") is not None, "gettext (xgettext)")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        # The Makefile's ignores: tests are not UI text.
        [
            *[sys.executable, "manage.py", "makemessages", "-l", "ro", "-l", "en", "--no-obsolete"],
            *["--add-location=file", "--ignore=tests", "--ignore=*/tests"],
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    for language in ("ro", "en"):
        po = tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"
        untranslated = subprocess.run(
            ["msgattrib", "--untranslated", "--no-obsolete", str(po)], capture_output=True, text=True, check=True
        ).stdout
        new = [line for line in untranslated.splitlines() if line.startswith("#: ")]
        assert not new, f"strings missing from locale/{language}: {new[:20]}"
