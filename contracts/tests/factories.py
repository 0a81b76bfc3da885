from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import CompanyFactory
from contracts.models import Annex, Contract


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: f"CTR-{2026}-{n:04d}")
    title = "Contract de furnizare echipamente"
    kind = Contract.Kind.SUPPLY
    status = Contract.Status.ACTIVE
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=200))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=300))
    current_end_date = factory.LazyAttribute(lambda o: o.end_date)
    value = Decimal("125000.00")
    current_value = factory.LazyAttribute(lambda o: o.value)
    payment_terms = "30 de zile de la emiterea facturii"


class AnnexFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Annex

    contract = factory.SubFactory(ContractFactory)
    company = factory.LazyAttribute(lambda o: o.contract.company)
    number = factory.Sequence(lambda n: n + 1)
    title = "Prelungire și suplimentare valoare"
    effective_date = factory.LazyFunction(timezone.localdate)
    value_change = Decimal("10000.00")
