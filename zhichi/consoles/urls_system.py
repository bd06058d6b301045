"""The system administrator's pages, mounted under /system/ by zhichi/urls.py."""

from django.urls import path

from zhichi.consoles import system_views as views

app_name = "system"
urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", views.organisation_update, name="organisation_update"),
    path("organisations/<int:pk>/active/", views.organisation_active, name="organisation_active"),
    path(
        "organisations/<int:pk>/departments/new/",
        views.department_create,
        name="department_create",
    ),
    path("departments/<int:pk>/", views.department_detail, name="department"),
    path("departments/<int:pk>/edit/", views.department_update, name="department_update"),
]
