"""Which objects a document can be linked to, registered by the sections that own them.

``files`` imports no section: a section calls ``register("projects.Project", ...)`` from its
AppConfig.ready(). A document linked to an object whose section needs a right (an invoice
needs ``billing``) is shown only to members with that right.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.functional import Promise


@dataclass(frozen=True)
class Linkable:
    label: str  # "app_label.ModelName"
    verbose_name: Promise
    right: str | None = None
    # Relations its ``__str__`` follows (an annex names its contract): fetched with it in lists.
    select_related: tuple[str, ...] = ()

    @property
    def model_key(self) -> str:
        return self.label.lower()


LINKABLES: dict[str, Linkable] = {}


def register(
    label: str, verbose_name: Promise, *, right: str | None = None, select_related: tuple[str, ...] = ()
) -> None:
    LINKABLES[label.lower()] = Linkable(label, verbose_name, right, tuple(select_related))


def linkable(model_key: str) -> Linkable | None:
    return LINKABLES.get(model_key)


@dataclass(frozen=True)
class ErpKey:
    """How the ERP names one kind of linkable object: its key split at the last spaces into ``fields``."""

    fields: tuple[str, ...]
    # When several rows share the key (an offer's revisions), the first in this order is meant.
    order_by: tuple[str, ...] = ()


# By field name only, so files still imports no section. Keys as the ERP pushes the objects themselves:
# an invoice "SERIES NUMBER", an annex "CONTRACT_NUMBER ANNEX_NUMBER", an offer's number (its current
# revision, else its last one).
ERP_KEYS: dict[str, ErpKey] = {
    "billing.invoice": ErpKey(("series", "number")),
    "contracts.contract": ErpKey(("number",)),
    "contracts.annex": ErpKey(("contract__number", "number")),
    "projects.project": ErpKey(("code",)),
    "quotes.offer": ErpKey(("number",), order_by=("-is_current", "-revision")),
    "shipments.shipment": ErpKey(("number",)),
}


def find_by_erp_key(model_key: str, key: str, *, company):
    """The company's object of kind ``model_key`` ("billing.invoice") that the ERP calls ``key``, or None."""
    erp_key = ERP_KEYS.get(model_key)
    if erp_key is None or linkable(model_key) is None:
        return None
    parts = key.strip().rsplit(None, len(erp_key.fields) - 1)
    if len(parts) != len(erp_key.fields):
        return None
    model = apps.get_model(model_key)
    lookup = dict(zip(erp_key.fields, parts, strict=True))
    if not all(_fits(model, path, value) for path, value in lookup.items()):
        return None
    rows = model._default_manager.filter(company=company, **lookup)
    return rows.order_by(*erp_key.order_by).first() if erp_key.order_by else rows.first()


def _fits(model, path: str, value: str) -> bool:
    """Whether ``value`` can be looked up in that field: "F abc" or a 30-digit number would make the database
    raise instead of finding nothing."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    field = model._meta.get_field(name)
    if isinstance(field, models.IntegerField):
        return value.isascii() and value.isdigit() and int(value) < 2**31
    return True
