"""Public pages under /p/<slug>/: no account needed (views_public.py)."""


app_name = "public"

urlpatterns: list = []
