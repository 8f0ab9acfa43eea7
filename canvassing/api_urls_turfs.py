"""Canvassing API: turfs."""

urlpatterns: list = []
