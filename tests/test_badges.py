"""The floor's status classes (portal/badges.py) name statuses by value: each must be one the section has."""

import pytest
from django.template import Context, Template

from billing.models import Invoice, PaymentNotice
from contracts.models import Contract
from portal.badges import STATUS_CLASSES, badge_class
from projects.models import Project, Task
from quotes.models import Offer, QuoteRequest
from shipments.models import Status as ShipmentStatus
from support.models import Ticket

STATUSES = {
    "invoice": Invoice.DisplayStatus,
    "payment_notice": PaymentNotice.Status,
    "quote_request": QuoteRequest.Status,
    "offer": Offer.DisplayStatus,
    "contract": Contract.DisplayStatus,
    "project": Project.Status,
    "project_progress": Project.Status,
    "task": Task.Status,
    "shipment": ShipmentStatus,
    "ticket": Ticket.Status,
    "ticket_priority": Ticket.Priority,
}


def test_every_kind_names_only_statuses_its_model_has():
    assert set(STATUS_CLASSES) == set(STATUSES)
    for kind, (classes, _other) in STATUS_CLASSES.items():
        assert set(classes) <= set(STATUSES[kind].values), kind


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        ("invoice", Invoice.DisplayStatus.OVERDUE, "text-bg-danger"),
        ("invoice", Invoice.DisplayStatus.DRAFT, "text-bg-secondary"),
        ("offer", Offer.DisplayStatus.WITHDRAWN, "text-bg-light border"),
        ("project_progress", Project.Status.IN_PROGRESS, ""),
        ("task", Task.Status.ON_HOLD, "bg-warning-subtle text-warning-emphasis border border-warning-subtle"),
    ],
)
def test_badge_class_falls_back_to_the_kinds_other_classes(kind, status, expected):
    assert badge_class(kind, status) == expected


def test_the_template_filter_reads_the_same_mapping():
    html = Template('{% load badges %}{{ status|badge_class:"shipment" }}').render(Context({"status": "livrata"}))
    assert html == "text-bg-success"
