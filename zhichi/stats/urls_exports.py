"""The Excel exports' pages (issue 15, item 4)."""

app_name = "exports"

urlpatterns: list = []
