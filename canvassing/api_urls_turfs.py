"""Canvassing API: turfs."""

from django.urls import path

from canvassing import api_turfs

C = "c/<slug:campaign_slug>/"

urlpatterns: list = [
    path(C + "turfs/", api_turfs.TurfList.as_view(), name="turf-list"),
    path(C + "turfs/cut/", api_turfs.TurfCut.as_view(), name="turf-cut"),
    path(C + "turfs/<uuid:code>/", api_turfs.TurfDetail.as_view(), name="turf-detail"),
    path(C + "turfs/<uuid:code>/households/", api_turfs.TurfMove.as_view(), name="turf-move"),
    path(C + "turfs/<uuid:code>/merge/", api_turfs.TurfMerge.as_view(), name="turf-merge"),
    path(C + "turfs/<uuid:code>/split/", api_turfs.TurfSplit.as_view(), name="turf-split"),
    path(C + "turfs/<uuid:code>/lock/", api_turfs.TurfLock.as_view(), name="turf-lock"),
]
