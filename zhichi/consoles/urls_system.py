"""The system administrator's pages, mounted under /system/ by zhichi/urls.py."""

app_name = "system"
urlpatterns: list = []
