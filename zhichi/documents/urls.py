from django.urls import path

from zhichi.documents import views

app_name = "documents"

urlpatterns = [
    path("cases/<int:case_id>/issue/", views.issue, name="issue"),
    path("<int:pk>/docx/", views.download, {"fmt": "docx"}, name="docx"),
    path("<int:pk>/pdf/", views.download, {"fmt": "pdf"}, name="pdf"),
]
