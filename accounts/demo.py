"""Demo people and companies: two client companies, a user of both, a pending registrant, a staff user."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone

from accounts.models import Company, Membership, User
from portal.models import Notification

DEMO_PASSWORD = "Portal-demo-2026"

STAFF = {"email": "staff@furnizor.ro", "first_name": "Ioana", "last_name": "Marinescu", "phone": "0721 000 100"}

COMPANIES = [
    {
        "company": {
            "name": "Agroserv Tehnic SRL",
            "cui": "RO42158732",
            "reg_com": "J40/8123/2019",
            "address": "Str. Fabricii nr. 12",
            "city": "București",
            "county": "Sector 6",
            "iban": "RO64BTRLRONCRT0415873201",
            "status": Company.Status.ACTIVE,
        },
        "people": [
            (
                {
                    "email": "ana.popescu@agroserv.ro",
                    "first_name": "Ana",
                    "last_name": "Popescu",
                    "phone": "0722 123 456",
                },
                {"role": Membership.Role.ADMIN, "job_title": "Director achiziții"},
            ),
            (
                {
                    "email": "mihai.ionescu@agroserv.ro",
                    "first_name": "Mihai",
                    "last_name": "Ionescu",
                    "phone": "0733 234 567",
                },
                {
                    "role": Membership.Role.MEMBER,
                    "job_title": "Inginer proiect",
                    "can_accept_offers": False,
                    "can_see_billing": False,
                },
            ),
            (
                {
                    "email": "cristina.dobre@agroserv.ro",
                    "first_name": "Cristina",
                    "last_name": "Dobre",
                    "phone": "0744 345 678",
                },
                {
                    "role": Membership.Role.MEMBER,
                    "job_title": "Contabil șef",
                    "can_accept_offers": False,
                    "can_see_billing": True,
                },
            ),
        ],
    },
    {
        "company": {
            "name": "Termoplast Industries SA",
            "cui": "RO38915264",
            "reg_com": "J12/2456/2017",
            "address": "Calea Turzii nr. 178",
            "city": "Cluj-Napoca",
            "county": "Cluj",
            "iban": "RO70BRDE441SV72905384410",
            "status": Company.Status.ACTIVE,
        },
        "people": [
            (
                {
                    "email": "elena.dumitru@termoplast.ro",
                    "first_name": "Elena",
                    "last_name": "Dumitru",
                    "phone": "0755 456 789",
                },
                {"role": Membership.Role.ADMIN, "job_title": "Manager aprovizionare"},
            ),
            (
                {
                    "email": "radu.stan@termoplast.ro",
                    "first_name": "Radu",
                    "last_name": "Stan",
                    "phone": "0766 567 890",
                },
                {
                    "role": Membership.Role.MEMBER,
                    "job_title": "Șef producție",
                    "can_accept_offers": True,
                    "can_see_billing": False,
                },
            ),
        ],
    },
]

# An outside accountant who keeps the books of both clients: one login, two companies. Agroserv is
# active at login (companies come by name), so a link to one of Termoplast's objects (her "Factură
# nouă" notifications, an email) switches the company (portal.tenancy.CompanyMiddleware).
TWO_COMPANIES = {
    "person": {
        "email": "irina.vasile@expertcont.ro",
        "first_name": "Irina",
        "last_name": "Vasile",
        "phone": "0745 789 012",
    },
    "membership": {
        "role": Membership.Role.MEMBER,
        "job_title": "Contabil extern",
        "can_accept_offers": False,
        "can_see_billing": True,
    },
    "companies": ("RO42158732", "RO38915264"),
}

PENDING = {
    "company": {
        "name": "Novatech Solutions SRL",
        "cui": "44701281",
        "reg_com": "J22/1534/2021",
        "address": "Bd. Independenței nr. 5",
        "city": "Iași",
        "county": "Iași",
        "iban": "RO72INGB0000999912345678",
        "status": Company.Status.PENDING,
    },
    "person": {
        "email": "andrei.georgescu@novatech.ro",
        "first_name": "Andrei",
        "last_name": "Georgescu",
        "phone": "0740 678 901",
    },
}


def upsert_user(data: dict, **extra) -> User:
    user, _ = User.objects.update_or_create(email=data["email"], defaults={**data, **extra, "is_active": True})
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def seed(demo: dict) -> None:
    """Fills ``demo`` with ``staff``, ``companies`` (by CUI), ``users`` (by email), ``logins`` and ``password``."""
    demo["password"] = DEMO_PASSWORD
    logins = demo.setdefault("logins", [])
    staff = upsert_user(STAFF, is_staff=True, is_superuser=True)
    demo["staff"] = staff
    logins.append((staff.email, "personal furnizor (admin Django, /admin/)"))
    now = timezone.now()
    for spec in COMPANIES:
        company, _ = Company.objects.update_or_create(
            cui=spec["company"]["cui"], defaults={**spec["company"], "approved_at": now}
        )
        demo.setdefault("companies", []).append(company)
        for person, membership in spec["people"]:
            user = upsert_user(person)
            demo.setdefault("users", {})[user.email] = user
            Membership.objects.update_or_create(
                user=user,
                company=company,
                defaults={
                    "can_accept_offers": True,
                    "can_see_billing": True,
                    **membership,
                    "status": Membership.Status.ACTIVE,
                    "approved_at": now,
                    "approved_by": staff,
                },
            )
            logins.append(
                (
                    user.email,
                    f"{company.name}: {Membership.Role(membership['role']).label}"
                    f"{' — ' + membership['job_title'] if membership.get('job_title') else ''}",
                )
            )
    logins.append(_seed_two_companies(demo, staff))
    company, _ = Company.objects.update_or_create(cui=PENDING["company"]["cui"], defaults=PENDING["company"])
    user = upsert_user(PENDING["person"])
    Membership.objects.update_or_create(
        user=user,
        company=company,
        defaults={
            "role": Membership.Role.ADMIN,
            "can_accept_offers": True,
            "can_see_billing": True,
            "status": Membership.Status.PENDING,
            "requested_at": now,
        },
    )
    logins.append((user.email, f"{company.name}: înregistrare în așteptarea aprobării"))


def _seed_two_companies(demo: dict, staff: User) -> tuple[str, "TwoCompanyLogin"]:
    user = upsert_user(TWO_COMPANIES["person"])
    demo["users"][user.email] = user
    companies = [Company.objects.get(cui=cui) for cui in TWO_COMPANIES["companies"]]
    for company in companies:
        Membership.objects.update_or_create(
            user=user,
            company=company,
            defaults={
                **TWO_COMPANIES["membership"],
                "status": Membership.Status.ACTIVE,
                "approved_at": timezone.now(),
                "approved_by": staff,
            },
        )
    return user.email, TwoCompanyLogin(user=user, active=companies[0], other=companies[1])


class TwoCompanyLogin:
    """The login line of the user of two companies, with a link to an object of the company that is not
    active at login. Written when seed_demo prints it: by then the sections have seeded and the
    notifications they send after commit (a new invoice of the second company) exist."""

    def __init__(self, *, user: User, active: Company, other: Company):
        self.user, self.active, self.other = user, active, other

    def __str__(self) -> str:
        title = TWO_COMPANIES["membership"]["job_title"]
        text = f"{self.active.name} (activă la intrare) și {self.other.name}: {title}"
        link = (
            Notification.objects.filter(user=self.user, company=self.other)
            .exclude(url="")
            .order_by("-created_at", "-id")
            .values_list("title", "url")
            .first()
        )
        if link:
            text += f"; linkul notificării «{link[0]}» trece la {self.other.name}: {settings.SITE_URL}{link[1]}"
        return text

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)
