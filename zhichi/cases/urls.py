from django.urls import path

from zhichi.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/stage/", views.case_move_stage, name="case_move_stage"),
    path("<int:pk>/unmask/", views.case_unmask, name="case_unmask"),
]
