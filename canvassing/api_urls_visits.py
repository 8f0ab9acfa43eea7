"""Canvassing API: visits."""

urlpatterns: list = []
