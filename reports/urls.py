"""Reports pages under /c/<slug>/."""

app_name = "reports"

urlpatterns: list = []
