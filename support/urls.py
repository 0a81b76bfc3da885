from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("nou/", views.ticket_create, name="create"),
    path("<uuid:public_id>/", views.ticket_detail, name="detail"),
    path("<uuid:public_id>/raspuns/", views.ticket_reply, name="reply"),
    path("<uuid:public_id>/inchide/", views.ticket_close, name="close"),
    path("<uuid:public_id>/redeschide/", views.ticket_reopen, name="reopen"),
    path("<uuid:public_id>/evaluare/", views.ticket_rate, name="rate"),
    path("<uuid:public_id>/atasamente/<uuid:attachment_id>/", views.attachment_download, name="attachment"),
]
