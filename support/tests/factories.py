from datetime import timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import CompanyFactory, UserFactory
from support.models import Message, Ticket
from support.services import next_ticket_number


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    company = factory.SubFactory(CompanyFactory)
    number = factory.LazyFunction(next_ticket_number)
    subject = "Pompa CP-200 nu pornește după revizie"
    description = "După revizia de ieri, pompa se oprește la câteva secunde după pornire."
    category = Ticket.Category.TECHNICAL
    priority = Ticket.Priority.NORMAL
    status = Ticket.Status.OPEN
    opened_by = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)
    last_activity_at = factory.LazyAttribute(lambda o: o.created_at)
    sla_started_at = factory.LazyAttribute(lambda o: o.created_at)
    first_response_due = factory.LazyAttribute(lambda o: o.created_at + timedelta(hours=8))
    resolution_due = factory.LazyAttribute(lambda o: o.created_at + timedelta(hours=72))


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    company = factory.LazyAttribute(lambda o: o.ticket.company)
    author = factory.SubFactory(UserFactory)
    body = "Am verificat alimentarea; problema persistă."
