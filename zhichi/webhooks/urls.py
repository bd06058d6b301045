from django.urls import path

from zhichi.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("new/", views.subscription_create, name="create"),
    path("<int:pk>/", views.subscription_detail, name="detail"),
    path("<int:pk>/revoke/", views.subscription_revoke, name="revoke"),
    path("<int:pk>/ping/", views.subscription_ping, name="ping"),
]
