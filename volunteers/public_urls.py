"""Public pages under /p/<slug>/: no account needed (views_public.py)."""

from django.urls import path

from volunteers import ical, views_public

app_name = "public"

urlpatterns: list = [
    path("", views_public.page, name="page"),
    path("join/", views_public.join, name="join"),
    path("join/thanks/", views_public.thanks, name="thanks"),
    path("claim/<str:token>/", views_public.claim, name="claim"),
    path("s/<str:token>/", views_public.signup_action, name="signup_action"),
    # notifications/optout.py builds this path itself: keep the two in step.
    path("opt-out/<str:token>/", views_public.opt_out, name="opt_out"),
    path("feed/<slug:token>.ics", ical.feed, name="feed"),
]
