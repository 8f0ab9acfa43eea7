"""Canvassing API: households."""

from django.urls import path

from canvassing import api_households as api

C = "c/<slug:campaign_slug>/"

urlpatterns: list = [
    path(C + "households/", api.HouseholdList.as_view(), name="household-list"),
    path(C + "households/<uuid:code>/", api.HouseholdDetail.as_view(), name="household-detail"),
]
