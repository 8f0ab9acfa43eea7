"""Canvassing pages: visits."""

urlpatterns: list = []
