"""Nominations pages under /c/<slug>/."""

app_name = "nominations"

urlpatterns: list = []
