"""The ERP's API, /api/v1/: each section's ``api.py`` router assembled here, one key scheme, one error
format, the OpenAPI schema at /api/v1/openapi.json and the reference page for staff at /api/v1/docs.

django-ninja: the schema is generated from the endpoints' type hints (Pydantic), the endpoints are plain
functions like the portal's views, and its Swagger UI ships with the package (no CDN).
"""

import importlib
import importlib.util

from django.apps import apps
from django.contrib.admin.views.decorators import staff_member_required
from ninja import NinjaAPI
from ninja.openapi.views import openapi_json

from integrations import problems
from integrations.auth import IntegrationKey

DESCRIPTION = """The supplier's ERP pushes its data into the client portal and reads what clients did.

Authenticate with the integration's key: `Authorization: Bearer erp_…` (staff create it in the admin,
"Integrări ERP"; it is shown once). Each key holds read and/or write scopes per resource group, may be
limited to some networks, and is rate-limited per minute. Errors are RFC 9457 problem details.
"""


def staff_only_reference(view):
    """The schema is public (the ERP's developers and their tools read it); the reference page is for staff."""
    return view if getattr(view, "func", None) is openapi_json else staff_member_required(view)


class ErpAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return problems.declare(super().get_openapi_schema(*args, **kwargs))


api = ErpAPI(
    title="Portal clienți — API ERP",
    version="1",
    description=DESCRIPTION,
    auth=IntegrationKey(),
    urls_namespace="api",
    docs_decorator=staff_only_reference,
)
problems.install(api)

# The project's own apps (those living in this repository): each may bring an ``api.py`` with a ``router``.
for config in apps.get_app_configs():
    name = f"{config.name}.api"
    if "." in config.name or config.name == "integrations" or importlib.util.find_spec(name) is None:
        continue
    module = importlib.import_module(name)
    if hasattr(module, "router"):
        api.add_router("/", module.router)
