from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("cautare/", views.search_results, name="search"),
    path("cautare/sugestii/", views.search_suggestions, name="search_suggestions"),
]
