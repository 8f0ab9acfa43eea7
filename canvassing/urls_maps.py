"""Canvassing pages: maps."""

urlpatterns: list = []
