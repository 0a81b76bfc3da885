from django.urls import path

from files import views

app_name = "files"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("incarca/", views.document_upload, name="upload"),
    path("<uuid:public_id>/", views.document_detail, name="detail"),
    path("<uuid:public_id>/versiune-noua/", views.document_add_version, name="add_version"),
    path("<uuid:public_id>/descarca/", views.document_download, name="download"),
    path("<uuid:public_id>/descarca/v<int:number>/", views.document_download, name="download_version"),
    path("<uuid:public_id>/previzualizare/", views.document_preview, name="preview"),
]
