from django.urls import path

from zhichi.documents import views

app_name = "documents"

urlpatterns = [
    path("cases/<int:case_id>/issue/", views.issue, name="issue"),
    path("<int:pk>/docx/", views.download, {"fmt": "docx"}, name="docx"),
    path("<int:pk>/pdf/", views.download, {"fmt": "pdf"}, name="pdf"),
    path("templates/", views.templates, name="templates"),
    path("templates/<slug:kind>/use/", views.template_use, name="template_use"),
    path("templates/<slug:kind>/builtin.docx", views.template_file, name="template_builtin"),
    path("templates/<slug:kind>/<int:version>.docx", views.template_file, name="template_file"),
]
