"""Canvassing API: maps."""

urlpatterns: list = []
