from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import DataExport, Membership
from accounts.services import invitation_create
from accounts.tests.factories import MembershipFactory
from tests.access import HOME, LOGIN, SAME, Route, everyone, object_page, section, section_action

LOGGED_IN = {
    "anonymous": LOGIN,
    "owner_admin": 200,
    "owner_member": 200,
    "other_company": 200,
    "pending": 200,
    "deactivated": LOGIN,
    "staff": 200,
}
ACTIVE_GO_HOME = {"owner_admin": HOME, "owner_member": HOME, "other_company": HOME}


def objects(cast) -> dict:
    colleague = MembershipFactory(company=cast["company_a"], user__email="coleg@client-a.ro")
    invitation, token = invitation_create(
        company=cast["company_a"],
        by=cast["admin_a"],
        email="invitat@client-a.ro",
        role="member",
        can_accept_offers=False,
        can_see_billing=False,
    )
    export = DataExport.objects.create(
        user=cast["admin_a"], status=DataExport.Status.READY, expires_at=timezone.now() + timedelta(days=7)
    )
    export.file.save("export.zip", ContentFile(b"PK\x05\x06" + bytes(18)))
    return {
        "data_export": export,
        "colleague": colleague,
        "join_request": Membership.objects.get(user=cast["pending_user"]),
        "invitation": invitation,
        "invitation_token": token,
    }


ROUTES = [
    Route("accounts:pending", get={**LOGGED_IN, **ACTIVE_GO_HOME}, post={**LOGGED_IN, **ACTIVE_GO_HOME}),
    Route(
        "accounts:profile",
        get=LOGGED_IN,
        post={**everyone(SAME), "anonymous": LOGIN, "deactivated": LOGIN},
        data=lambda o: {"first_name": "Ion", "last_name": "Pop", "phone": "0722 111 222", "language": "ro"},
    ),
    Route(
        "accounts:set_language", get=everyone(405), post=everyone(HOME), data=lambda o: {"language": "en", "next": "/"}
    ),
    Route(
        "accounts:switch_company",
        get=everyone(405),
        post={
            "anonymous": LOGIN,
            "owner_admin": HOME,
            "owner_member": HOME,
            "other_company": 404,
            "pending": 404,
            "deactivated": LOGIN,
            "staff": 404,
        },
        data=lambda o: {"company": o["company_a"].public_id},
    ),
    Route(
        "accounts:members",
        get=section(right="manage_members"),
        post=section_action(SAME, right="manage_members"),
        data=lambda o: {"email": "nou@client.ro", "role": "member"},
    ),
    Route(
        "accounts:member_edit",
        get=object_page(200, right="manage_members"),
        post=object_page("accounts:members", right="manage_members"),
        kwargs=lambda o: {"public_id": o["colleague"].public_id},
        data=lambda o: {"role": "member", "can_see_billing": "on"},
    ),
    Route(
        "accounts:member_remove",
        get=everyone(405),
        post=object_page("accounts:members", right="manage_members"),
        kwargs=lambda o: {"public_id": o["colleague"].public_id},
    ),
    Route(
        "accounts:member_approve",
        get=everyone(405),
        post=object_page("accounts:members", right="manage_members"),
        kwargs=lambda o: {"public_id": o["join_request"].public_id},
    ),
    Route(
        "accounts:member_reject",
        get=everyone(405),
        post=object_page("accounts:members", right="manage_members"),
        kwargs=lambda o: {"public_id": o["join_request"].public_id},
    ),
    Route(
        "accounts:invitation_revoke",
        get=everyone(405),
        post=object_page("accounts:members", right="manage_members"),
        kwargs=lambda o: {"public_id": o["invitation"].public_id},
    ),
    # The token is the credential: anyone holding it sees the invitation; joining needs its email.
    Route(
        "accounts:invitation",
        get=everyone(200),
        post={**everyone(HOME), "anonymous": 200, "deactivated": 200},
        kwargs=lambda o: {"token": o["invitation_token"]},
    ),
    # Privacy: the notice is public; a person's own data and account need only a login (staff and
    # pending registrants too); an export is its owner's alone (404 for anyone else, as another
    # company's object).
    Route("accounts:privacy", get=everyone(200), post=everyone(405)),
    Route("accounts:my_data", get=LOGGED_IN, post={**everyone(SAME), "anonymous": LOGIN, "deactivated": LOGIN}),
    Route(
        "accounts:data_export_download",
        get={**everyone(404), "owner_admin": 200, "anonymous": LOGIN, "deactivated": LOGIN},
        post=everyone(405),
        kwargs=lambda o: {"public_id": o["data_export"].public_id},
    ),
    # Without the password and the confirmation the form answers again with its errors: nothing closes.
    Route("accounts:account_close", get=LOGGED_IN, post=LOGGED_IN),
]
