from django.urls import path

from zhichi.supervision import views

app_name = "supervision"

urlpatterns = [
    path("suggestions/", views.register, name="register"),
    path("cases/<int:case_id>/new/", views.new, name="new"),
    path("suggestions/<int:pk>/", views.detail, name="detail"),
    path("suggestions/<int:pk>/revise/", views.step, {"action": "revise"}, name="revise"),
    path("suggestions/<int:pk>/serve/", views.step, {"action": "serve"}, name="serve"),
    path("suggestions/<int:pk>/reply/", views.step, {"action": "reply"}, name="reply"),
    path("suggestions/<int:pk>/escalate/", views.step, {"action": "escalate"}, name="escalate"),
    path("suggestions/<int:pk>/close/", views.step, {"action": "close"}, name="close"),
    path("suggestions/<int:pk>/withdraw/", views.step, {"action": "withdraw"}, name="withdraw"),
]
