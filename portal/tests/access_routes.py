from portal.notifications import notify
from portal.topics import Topic
from tests.access import Route, everyone, object_page, section, section_action


def objects(cast) -> dict:
    # The owner admin's own notification; everybody else must not be able to open it.
    notification = notify(
        user=cast["admin_a"],
        company=cast["company_a"],
        kind="document.new",
        message="document.new",
        params={"title": "Fișă tehnică"},
        url="/fisiere/",
    )
    return {"notification": notification}


def own_notification(outcome):
    """A notification belongs to one user: their colleague gets 404 like a stranger."""
    return {**object_page(outcome), "owner_member": 404}


ROUTES = [
    Route("portal:notifications", get=section(), post=everyone(405)),
    Route("portal:notifications_read_all", get=everyone(405), post=section_action("portal:notifications")),
    Route(
        "portal:notification_settings",
        get=section(),
        post=section_action("portal:notification_settings"),
        data=lambda o: {**dict.fromkeys(Topic.values, "immediate"), "offers": "digest", "projects": "never"},
    ),
    Route(
        "portal:notification_open",
        get=everyone(405),
        post=own_notification("/fisiere/"),
        kwargs=lambda o: {"public_id": o["notification"].public_id},
    ),
    # For load balancers and monitoring: no login, up/down per component only (portal/health.py).
    Route("portal:health", get=everyone(200), post=everyone(405)),
    Route("portal:health_worker", get=everyone(200), post=everyone(405)),
]
