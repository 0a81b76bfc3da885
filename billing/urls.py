from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.invoice_list, name="invoice_list"),
    path("export.csv", views.invoice_export_csv, name="invoice_export_csv"),
    path("export.xlsx", views.invoice_export_xlsx, name="invoice_export_xlsx"),
    path("<uuid:public_id>/", views.invoice_detail, name="invoice_detail"),
    path("<uuid:public_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("<uuid:public_id>/xml/", views.invoice_xml, name="invoice_xml"),
    path("<uuid:public_id>/zip-anaf/", views.invoice_signed_zip, name="invoice_signed_zip"),
    path("arhiva/", views.archive_create, name="archive_create"),
    path("arhiva/<uuid:public_id>/", views.archive_detail, name="archive_detail"),
    path("arhiva/<uuid:public_id>/zip/", views.archive_download, name="archive_download"),
    path("plati/", views.payment_list, name="payment_list"),
    path("plati/export.csv", views.payment_export_csv, name="payment_export_csv"),
    path("plati/export.xlsx", views.payment_export_xlsx, name="payment_export_xlsx"),
    path("exporturi/<uuid:public_id>/", views.list_export, name="list_export"),
    path("exporturi/<uuid:public_id>/descarca/", views.list_export_download, name="list_export_download"),
    path("plati/anunta/", views.notice_create, name="notice_create"),
    path("plati/anunturi/<uuid:public_id>/", views.notice_detail, name="notice_detail"),
    path("fisa-client/", views.statement, name="statement"),
    path("fisa-client/pdf/", views.statement_pdf, name="statement_pdf"),
    path("fisa-client/csv/", views.statement_csv, name="statement_csv"),
    path("fisa-client/exporturi/<uuid:public_id>/", views.statement_export, name="statement_export"),
    path(
        "fisa-client/exporturi/<uuid:public_id>/descarca/",
        views.statement_export_download,
        name="statement_export_download",
    ),
]
