"""The offers' dashboard card speaks to the reader's rights: "your decision" to a member who may accept an
offer, the names of those who may to one who may not, read in the dashboard's one query on the cards."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership
from accounts.tests.factories import MembershipFactory
from dashboard.selectors import cards, company_cards, summaries
from quotes.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


def offers_card(user, company):
    membership = user.memberships.get(company=company)
    sections = summaries(company, membership, today=timezone.localdate())
    by_key = {card.key: card for card in cards(sections, company_cards(company, sections))}
    return by_key["offers"]


def decider(company, first_name, last_name, **fields):
    return MembershipFactory(
        company=company, can_accept_offers=True, user__first_name=first_name, user__last_name=last_name, **fields
    )


def test_a_member_who_may_decide_reads_your_decision(admin_a, company_a):
    OfferFactory.create_batch(2, company=company_a)
    card = offers_card(admin_a, company_a)
    assert card.count == 2 and card.count_label == "oferte așteaptă decizia dvs."


def test_a_member_without_the_right_reads_who_decides(admin_a, member_a, company_a, member_b):
    OfferFactory.create_batch(2, company=company_a)
    decider(company_a, "Ion", "Barbu")
    decider(company_a, "Dan", "Pending", status=Membership.Status.PENDING)  # not a member yet
    gone = decider(company_a, "Vlad", "Plecat")
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])
    MembershipFactory(company=company_a, user__first_name="Fără", user__last_name="Drept")  # no right
    card = offers_card(member_a, company_a)
    # The administrator holds every right; Elena Dumitru decides for company B only.
    assert card.count == 2 and card.count_label == "oferte așteaptă decizia: Ana Popescu, Ion Barbu"
    assert card.empty.startswith("Nicio ofertă nu așteaptă o decizie")


def test_one_offer_many_deciders_and_a_member_without_a_name(admin_a, member_a, company_a):
    OfferFactory(company=company_a)
    for name in ("Bogdan", "Corina", "Dana"):
        decider(company_a, name, "Pop")
    decider(company_a, "", "", user__email="achizitii@client-a.ro")
    card = offers_card(member_a, company_a)
    assert card.count_label == "ofertă așteaptă decizia: Ana Popescu, Bogdan Pop, Corina Pop și încă 2"


def test_nothing_to_decide(member_a, company_a):
    card = offers_card(member_a, company_a)
    assert card.count == 0 and card.empty == "Nicio ofertă nu așteaptă o decizie. Cereți una din „Cerere ofertă”."


def dashboard_queries(client, user) -> tuple[int, str]:
    client.force_login(user)
    client.get("/")  # warms the session and the caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_names_cost_no_query(client, admin_a, member_a, company_a):
    OfferFactory.create_batch(3, company=company_a)
    decider(company_a, "Ion", "Barbu")
    few, _page = dashboard_queries(client, member_a)
    for number in range(4):
        decider(company_a, f"Persoana{number}", "Test")
    many, page = dashboard_queries(client, member_a)
    admin, _page = dashboard_queries(client, admin_a)
    assert many == few and many <= admin, (few, many, admin)
    assert "oferte așteaptă decizia: Ana Popescu, Ion Barbu, Persoana0 Test și încă 3" in page
