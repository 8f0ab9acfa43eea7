"""Canvassing API: progress."""

urlpatterns: list = []
