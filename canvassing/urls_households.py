"""Canvassing pages: households."""

urlpatterns: list = []
