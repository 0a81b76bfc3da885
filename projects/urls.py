from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/gantt/", views.gantt, name="gantt"),
    path("<uuid:public_id>/discutie/", views.comments, name="comments"),
    path("<uuid:public_id>/discutie/atasamente/<uuid:file_id>/", views.attachment, name="attachment"),
]
