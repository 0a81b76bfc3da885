from django.urls import path

from integrations.api import api

urlpatterns = [path("api/v1/", api.urls)]
