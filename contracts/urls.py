from django.urls import path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.list, name="list"),
]
