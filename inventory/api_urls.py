"""Inventory under /api/v1/c/<slug>/."""

urlpatterns: list = []
