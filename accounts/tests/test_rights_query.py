"""Membership.objects.with_right is the query twin of Membership.has_right: same answer for every
role, right and flag combination."""

import itertools

import pytest

from accounts.models import Membership
from accounts.tests.factories import MembershipFactory


@pytest.mark.parametrize("right", Membership.RIGHTS)
def test_with_right_agrees_with_has_right(company_a, right):
    memberships = [
        MembershipFactory(company=company_a, role=role, can_accept_offers=offers, can_see_billing=billing)
        for role, offers, billing in itertools.product(Membership.Role.values, (False, True), (False, True))
    ]
    holders = set(Membership.objects.filter(company=company_a).with_right(right).values_list("pk", flat=True))
    assert holders == {m.pk for m in memberships if m.has_right(right)}
    assert holders  # administrators at least


def test_an_unknown_right_is_an_error():
    with pytest.raises(ValueError):
        Membership.objects.with_right("sees_everything")
