from django.urls import path

from zhichi.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.lead_list, name="lead_list"),
    path("new/", views.lead_create, name="lead_create"),
    path("new/claimant-row/", views.claimant_row, name="claimant_row"),
    path("<int:pk>/", views.lead_detail, name="lead_detail"),
    path("<int:pk>/accept/", views.lead_accept, name="lead_accept"),
    path("<int:pk>/decline/", views.lead_decline, name="lead_decline"),
]
