"""The auditor's pages, mounted under /audit/ by zhichi/urls.py."""

app_name = "audit_console"
urlpatterns: list = []
