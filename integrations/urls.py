from django.urls import path, re_path

from integrations.api import api
from integrations.problems import problem


def unknown_api_path(request, rest=""):
    return problem(404, "No such API path; /api/v1/openapi.json lists them.")


urlpatterns = [
    path("api/v1/", api.urls),
    # After the API's own paths: anything else under /api/ answers as the API does, never with an HTML page.
    re_path(r"^api/(?P<rest>.*)$", unknown_api_path),
]
