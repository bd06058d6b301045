from django.urls import path

from zhichi.documents import views

app_name = "documents"

urlpatterns = [
    path("cases/<int:case_id>/issue/", views.issue, name="issue"),
    path("leads/<int:lead_id>/issue/", views.issue_lead, name="issue_lead"),
    path("<int:pk>/docx/", views.download, {"fmt": "docx"}, name="docx"),
    path("<int:pk>/pdf/", views.download, {"fmt": "pdf"}, name="pdf"),
    path("cases/<int:case_id>/case-file/", views.export_case_file, name="export_case_file"),
    path("case-files/<int:pk>/", views.export_page, name="export"),
    path("case-files/<int:pk>/download/", views.export_download, name="export_download"),
    path("templates/", views.templates, name="templates"),
    path("numbering/", views.numbering, name="numbering"),
    path("templates/<slug:kind>/use/", views.template_use, name="template_use"),
    path("templates/<slug:kind>/builtin.docx", views.template_file, name="template_builtin"),
    path("templates/<slug:kind>/<int:version>.docx", views.template_file, name="template_file"),
]
