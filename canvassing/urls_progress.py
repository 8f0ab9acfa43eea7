"""Canvassing pages: progress."""

urlpatterns: list = []
