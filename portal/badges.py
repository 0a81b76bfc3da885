"""The CSS classes a status is shown with, for every section: presentation, so kept out of the models.

Keyed by a kind ("invoice", "offer", ...) and the status value the model stores or derives
(``display_status()``), so the floor names no section app. The template filter ``badge_class``
(portal/templatetags/badges.py) and the selectors that precompute list rows both read ``badge_class``.
"""

_LIGHT = "text-bg-light border"
_SUBTLE = "bg-{0}-subtle text-{0}-emphasis border border-{0}-subtle"
_MUTED = "bg-body-tertiary text-body-secondary border"

# kind -> (status value -> classes, the classes of any other status)
STATUS_CLASSES: dict[str, tuple[dict[str, str], str]] = {
    "invoice": (
        {
            "platita": "text-bg-success",
            "restanta": "text-bg-danger",
            "partial": "text-bg-warning",
            "emisa": "text-bg-primary",
            "storno": "text-bg-info",
        },
        "text-bg-secondary",
    ),
    "payment_notice": ({"confirmed": "text-bg-success", "rejected": "text-bg-danger"}, "text-bg-warning"),
    "quote_request": (
        {
            "submitted": "text-bg-primary",
            "in_review": "text-bg-info",
            "offered": "text-bg-warning",
            "closed": "text-bg-secondary",
        },
        _LIGHT,
    ),
    "offer": (
        {
            "open": "text-bg-primary",
            "accepted": "text-bg-success",
            "rejected": "text-bg-danger",
            "expired": "text-bg-secondary",
        },
        _LIGHT,
    ),
    "contract": (
        {
            "active": "text-bg-success",
            "expiring": "text-bg-warning",
            "expired": "text-bg-secondary",
            "terminated": "text-bg-danger",
        },
        _LIGHT,
    ),
    "project": (
        {
            "planificat": _SUBTLE.format("secondary"),
            "in_desfasurare": _SUBTLE.format("primary"),
            "suspendat": _SUBTLE.format("warning"),
            "finalizat": _SUBTLE.format("success"),
            "anulat": _MUTED,
        },
        _LIGHT,
    ),
    # The colour of a project's progress bar (no class: the default blue).
    "project_progress": ({"finalizat": "bg-success", "suspendat": "bg-warning", "anulat": "bg-secondary"}, ""),
    "task": (
        {
            "neinceput": _SUBTLE.format("secondary"),
            "in_lucru": _SUBTLE.format("primary"),
            "in_asteptare": _SUBTLE.format("warning"),
            "finalizat": _SUBTLE.format("success"),
            "anulat": _MUTED,
        },
        _LIGHT,
    ),
    "shipment": (
        {
            "livrata": "text-bg-success",
            "livrare_esuata": "text-bg-danger",
            "in_livrare": "text-bg-warning",
            "expediata": "text-bg-primary",
            "in_tranzit": "text-bg-primary",
            "pregatita": "text-bg-info",
            "returnata": "text-bg-secondary",
        },
        _LIGHT,
    ),
    "ticket": (
        {
            "deschis": "text-bg-primary",
            "in_lucru": "text-bg-info",
            "asteapta_client": "text-bg-warning",
            "rezolvat": "text-bg-success",
        },
        "text-bg-secondary",
    ),
    "ticket_priority": ({"urgenta": "text-bg-danger", "ridicata": "text-bg-warning"}, _LIGHT),
}


def badge_class(kind: str, status: str) -> str:
    """The classes of a ``kind`` (a key of STATUS_CLASSES) in ``status``; an unknown kind is a KeyError."""
    classes, other = STATUS_CLASSES[kind]
    return classes.get(status, other)
