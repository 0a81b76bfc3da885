from django.urls import path

from shipments import views

app_name = "shipments"

urlpatterns = [
    path("", views.list, name="list"),
]
