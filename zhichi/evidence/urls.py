from django.urls import path

from zhichi.evidence import views

app_name = "evidence"
urlpatterns = [
    path("case/<int:case_id>/upload/", views.case_upload, name="case_upload"),
    path("lead/<int:lead_id>/upload/", views.lead_upload, name="lead_upload"),
    path("<int:pk>/download/", views.download, name="download"),
]
