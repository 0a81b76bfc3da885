from django.urls import path

from quotes import views

app_name = "quotes"

urlpatterns = [
    path("cerere-oferta/", views.request_list, name="request_list"),
    path("cerere-oferta/noua/", views.request_create, name="request_create"),
    path("cerere-oferta/produse/", views.product_search, name="product_search"),
    path("cerere-oferta/<uuid:public_id>/", views.request_detail, name="request_detail"),
    path("cerere-oferta/<uuid:public_id>/anuleaza/", views.request_cancel, name="request_cancel"),
    path(
        "cerere-oferta/<uuid:public_id>/atasamente/<uuid:file_id>/", views.request_attachment, name="request_attachment"
    ),
    path("oferte/", views.offer_list, name="offer_list"),
    path("oferte/<uuid:public_id>/", views.offer_detail, name="offer_detail"),
    path("oferte/<uuid:public_id>/pdf/", views.offer_pdf, name="offer_pdf"),
    path("oferte/<uuid:public_id>/accepta/", views.offer_accept, name="offer_accept"),
    path("oferte/<uuid:public_id>/respinge/", views.offer_reject, name="offer_reject"),
    path("oferte/<uuid:public_id>/confirmare-comanda/", views.offer_confirmation, name="offer_confirmation"),
    path("oferte/<uuid:public_id>/oferta-noua/", views.offer_request_new, name="offer_request_new"),
]
