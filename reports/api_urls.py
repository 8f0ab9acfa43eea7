"""Reports under /api/v1/c/<slug>/."""

from django.urls import path

from reports import api

C = "c/<slug:campaign_slug>/"

urlpatterns: list = [
    path(C + "reports/dashboard/", api.Dashboard.as_view(), name="reports-dashboard"),
    path(C + "reports/home/", api.Home.as_view(), name="reports-home"),
]
