"""The auditor's pages, mounted under /audit/ by zhichi/urls.py (docs/audit.md, "The auditor's
console")."""

from django.urls import path

from zhichi.consoles import audit_views as views

app_name = "audit_console"
urlpatterns = [
    path("", views.trail_list, name="trail"),
    path(
        "object/<str:object_type>/<path:object_id>/",
        views.object_history,
        name="history",
    ),
    path("verify/", views.verify, name="verify"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
]
