from django.urls import path

from zhichi.rulebook import views

app_name = "rulebook"
urlpatterns = [
    path("calculators/", views.calculators_page, name="calculators"),
    path("law-library/", views.library_page, name="library"),
    path("law-library/<slug:what>/", views.library_edit, name="library_edit"),
]
