from django.urls import path

from zhichi.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/<str:key>/", views.figure_records, name="figure"),
    path("report/", views.report, name="report"),
    path("warnings/", views.warnings, name="warnings"),
]
