"""Inventory pages under /c/<slug>/."""

app_name = "inventory"

urlpatterns: list = []
