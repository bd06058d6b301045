"""Two URL prefixes, one app: /joint-actions/ (namespace joint_actions) and /employers/
(namespace employers), included from zhichi/urls.py."""

from django.urls import path

from zhichi.employers import views

joint_action_patterns = (
    [
        path("", views.joint_action_list, name="list"),
        path("new/", views.joint_action_create, name="create"),
        path("<int:pk>/", views.joint_action_detail, name="detail"),
    ],
    "joint_actions",
)

employer_patterns = (
    [
        path("", views.employer_search, name="search"),
        path("<str:credit_code>/", views.employer_detail, name="profile"),
    ],
    "employers",
)
