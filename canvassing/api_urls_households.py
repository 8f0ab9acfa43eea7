"""Canvassing API: households."""

urlpatterns: list = []
