from django.urls import path

from zhichi.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("upload/", views.import_upload, name="upload"),
    path("<int:import_id>/", views.import_detail, name="detail"),
    path("<int:import_id>/start/", views.import_start, name="start"),
    path("<int:import_id>/errors.xlsx", views.import_errors, name="errors"),
    path("<int:import_id>/leads/", views.import_leads, name="leads"),
]
