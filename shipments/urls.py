from django.urls import path

from shipments import views

app_name = "shipments"

urlpatterns = [
    path("", views.shipment_list, name="list"),
    path("<uuid:public_id>/", views.shipment_detail, name="detail"),
    path("<uuid:public_id>/confirma-primirea/", views.shipment_confirm_receipt, name="confirm_receipt"),
    path("<uuid:public_id>/raporteaza-o-problema/", views.shipment_report_problem, name="report_problem"),
]
