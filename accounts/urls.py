from django.urls import path

from accounts import privacy_views, views

app_name = "accounts"

urlpatterns = [
    path("in-asteptare/", views.pending, name="pending"),
    path("profil/", views.profile, name="profile"),
    path("limba/", views.set_language, name="set_language"),
    path("companie/schimba/", views.switch_company, name="switch_company"),
    path("companie/membri/", views.members, name="members"),
    path("companie/membri/<uuid:public_id>/", views.member_edit, name="member_edit"),
    path("companie/membri/<uuid:public_id>/elimina/", views.member_remove, name="member_remove"),
    path("companie/membri/<uuid:public_id>/aproba/", views.member_approve, name="member_approve"),
    path("companie/membri/<uuid:public_id>/respinge/", views.member_reject, name="member_reject"),
    path("companie/invitatii/<uuid:public_id>/anuleaza/", views.invitation_revoke, name="invitation_revoke"),
    path("invitatie/<str:token>/", views.invitation, name="invitation"),
    path("confidentialitate/", privacy_views.privacy_notice, name="privacy"),
    path("datele-mele/", privacy_views.my_data, name="my_data"),
    path("datele-mele/export/<uuid:public_id>/", privacy_views.data_export_download, name="data_export_download"),
    path("inchide-contul/", privacy_views.account_close, name="account_close"),
]
