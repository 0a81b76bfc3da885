"""Which objects a document can be linked to, registered by the sections that own them.

``files`` imports no section: a section calls ``register("projects.Project", ...)`` from its
AppConfig.ready(). A document linked to an object whose section needs a right (an invoice
needs ``billing``) is shown only to members with that right.
"""

from dataclasses import dataclass

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
