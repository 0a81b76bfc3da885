from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.invoice_list, name="invoice_list"),
    path("<uuid:public_id>/", views.invoice_detail, name="invoice_detail"),
    path("<uuid:public_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("plati/", views.payment_list, name="payment_list"),
    path("plati/anunta/", views.notice_create, name="notice_create"),
    path("fisa-client/", views.statement, name="statement"),
    path("fisa-client/pdf/", views.statement_pdf, name="statement_pdf"),
    path("fisa-client/csv/", views.statement_csv, name="statement_csv"),
]
