from django.urls import path

from zhichi.transfers import views

app_name = "transfers"

urlpatterns = [
    path("inbox/", views.box, {"box": "inbox"}, name="inbox"),
    path("outbox/", views.box, {"box": "outbox"}, name="outbox"),
    path("new/case/<int:pk>/", views.send, {"subject": "case"}, name="send_case"),
    path("new/lead/<int:pk>/", views.send, {"subject": "lead"}, name="send_lead"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/receive/", views.step, {"action": "receive"}, name="receive"),
    path("<int:pk>/accept/", views.step, {"action": "accept"}, name="accept"),
    path("<int:pk>/reject/", views.step, {"action": "reject"}, name="reject"),
    path("<int:pk>/feedback/", views.step, {"action": "feedback"}, name="feedback"),
    path("<int:pk>/close/", views.step, {"action": "close"}, name="close"),
    path(
        "<int:pk>/evidence/<int:attachment_id>/",
        views.evidence_download,
        name="evidence_download",
    ),
]
