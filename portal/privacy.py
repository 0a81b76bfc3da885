"""What each app holds about one person, for their data export (GDPR art. 15 and 20) and retention.

An app that keeps personal data defines ``<app>/privacy.py`` with, as it needs:

- ``export(user) -> ExportPart``: the person's own rows (as plain dicts, JSON-ready) and files;
  nothing written by someone else, nothing of a company the person does not belong to;
- ``retention(now) -> dict[str, int]``: deletes or strips what is past its retention period and
  says how many rows it touched.

They are found through the app registry, as ``seed_demo`` finds each app's ``demo.py``: the floor
imports no app above it.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from django.apps import apps


@dataclass
class ExportFile:
    """A file of the person's in the export: its path inside the ZIP and how to open it."""

    path: str
    open: Callable[[], IO[bytes]]


@dataclass
class ExportPart:
    records: dict[str, list[dict]] = field(default_factory=dict)
    files: list[ExportFile] = field(default_factory=list)


def privacy_modules() -> list:
    """Every project app's ``privacy`` module, in INSTALLED_APPS order (this one's excluded)."""
    names = [f"{config.name}.privacy" for config in apps.get_app_configs() if config.name != "portal"]
    found = []
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            spec = None
        if spec is not None:
            found.append(importlib.import_module(name))
    return found


def collect_export(user) -> ExportPart:
    collected = ExportPart()
    for module in privacy_modules():
        if hasattr(module, "export"):
            part = module.export(user)
            collected.records.update(part.records)
            collected.files.extend(part.files)
    return collected
