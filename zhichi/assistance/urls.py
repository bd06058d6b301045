from django.urls import path

from zhichi.assistance import views

app_name = "assistance"

urlpatterns = [
    path("", views.register, name="register"),
    path("cases/<int:case_id>/new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/opinion/", views.step, {"action": "opinion"}, name="opinion"),
    path("<int:pk>/funds/", views.step, {"action": "funds"}, name="funds"),
    path("<int:pk>/notice/", views.step, {"action": "notice"}, name="notice"),
    path("<int:pk>/payment/", views.step, {"action": "payment"}, name="payment"),
    path("<int:pk>/follow-up/", views.step, {"action": "follow_up"}, name="follow_up"),
    path("<int:pk>/withdraw/", views.step, {"action": "withdraw"}, name="withdraw"),
    path(
        "legal-aid/<int:transfer_id>/lawyer/",
        views.legal_aid,
        {"action": "lawyer"},
        name="legal_aid_lawyer",
    ),
    path(
        "legal-aid/<int:transfer_id>/outcome/",
        views.legal_aid,
        {"action": "outcome"},
        name="legal_aid_outcome",
    ),
]
