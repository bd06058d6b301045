from django.urls import path, register_converter

from zhichi.portal import views


class CodeConverter:
    """A receipt code as the portal prints it in links: 10 capitals and digits."""

    regex = "[A-Z0-9]{10}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CodeConverter, "receipt")

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("privacy/", views.privacy, name="privacy"),
    path("apply/", views.apply, name="apply"),
    path("apply/start/", views.start, name="start"),
    path("apply/<slug:step>/", views.step, name="step"),
    path("receipt/<receipt:code>/", views.receipt, name="receipt"),
    path("resume/", views.resume, name="resume"),
    path("status/", views.status, name="status"),
    path("status/<receipt:code>/", views.status_detail, name="status_detail"),
    path("leave/", views.leave, name="leave"),
]
