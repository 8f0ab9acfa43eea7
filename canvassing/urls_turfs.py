"""Canvassing pages: turfs."""

urlpatterns: list = []
