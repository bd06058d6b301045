"""The Excel exports' pages (issue 15, item 4): one address per list (the button posts there),
and a background export's page and download."""

from django.urls import path

from zhichi.stats import views_exports as views
from zhichi.stats.exports import LISTS

app_name = "exports"

urlpatterns = [
    path("<int:export_id>/", views.export_page, name="detail"),
    path("<int:export_id>/download/", views.export_download, name="download"),
    *(
        path(f"{name}/", views.export_list, {"list_name": name}, name=f"export_{name}")
        for name in LISTS
    ),
]
