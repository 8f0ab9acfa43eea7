"""Reports pages: forecast."""

urlpatterns: list = []
