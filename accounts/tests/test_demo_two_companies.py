"""seed_demo shows a user of two companies, with a link of a notification of the company not active at login."""

import re
from urllib.parse import urlsplit

import pytest

from accounts.demo import TWO_COMPANIES
from accounts.models import Membership
from portal.management.commands.seed_demo import Command
from portal.tenancy import SESSION_KEY


@pytest.mark.django_db
def test_the_demo_user_of_two_companies_gets_a_link_that_switches(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the notifications, as after the command's commit
        demo = Command().seed()
    email = TWO_COMPANIES["person"]["email"]
    memberships = Membership.objects.active().filter(user__email=email).select_related("company")
    active, other = (m.company for m in memberships)  # by name: the first is active at login
    line = f"{dict(demo['logins'])[email]}"  # as seed_demo prints it, after commit
    assert active.name in line and other.name in line
    path = urlsplit(re.search(r"https?://\S+", line).group(0)).path

    client.force_login(memberships[0].user)
    assert client.get(path)["Location"] == path
    assert client.session[SESSION_KEY] == str(other.public_id)
    assert f"Ați trecut la compania {other.name}." in client.get(path).content.decode()
