from django.urls import path

from quotes import views

app_name = "quotes"

urlpatterns = [
    path("cerere-oferta/", views.request_list, name="request_list"),
    path("oferte/", views.offer_list, name="offer_list"),
]
