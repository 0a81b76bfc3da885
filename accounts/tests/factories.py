import secrets
from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from stdnum.ro import cui as stdnum_cui

from accounts.models import Company, Invitation, Membership, User, hash_token

PASSWORD = "Parola-test-2026"


def valid_cui(n: int) -> str:
    body = str(1_000_000 + n)
    return f"RO{body}{stdnum_cui.calc_check_digit(body)}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@client.ro")
    first_name = factory.Faker("first_name", locale="ro_RO")
    last_name = factory.Faker("last_name", locale="ro_RO")
    phone = "0722 000 000"
    language = "ro"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Client {n} SRL")
    cui = factory.Sequence(valid_cui)
    reg_com = factory.Sequence(lambda n: f"J40/{1000 + n}/2020")
    address = "Str. Exemplu nr. 1"
    city = "București"
    county = "Sector 1"
    status = Company.Status.ACTIVE
    approved_at = factory.LazyFunction(timezone.now)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE
    requested_at = factory.LazyFunction(timezone.now)
    approved_at = factory.LazyFunction(timezone.now)


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation. Its token is unknown (only the hash is stored): tests that need the
    link create the invitation through ``services.invitation_create``, which returns the token."""

    class Meta:
        model = Invitation

    company = factory.SubFactory(CompanyFactory)
    email = factory.Sequence(lambda n: f"invitat{n}@client.ro")
    role = Membership.Role.MEMBER
    token_hash = factory.LazyFunction(lambda: hash_token(secrets.token_urlsafe(32)))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
