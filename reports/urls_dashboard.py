"""Reports pages: dashboard."""

urlpatterns: list = []
