"""Reports pages: the coordinator dashboard and its exports, the candidate's overview, the volunteer's home."""

from django.urls import path

from reports import views

urlpatterns: list = [
    path("reports/", views.dashboard, name="dashboard"),
    path("reports/export/", views.export, name="export"),
    path("reports/overview/", views.overview, name="overview"),
    path("reports/settings/", views.reports_settings, name="settings"),
    path("home/", views.home, name="home"),
    path("home/preferences/", views.preferences, name="preferences"),
]
