"""Canvassing API: map versions and areas."""

from django.urls import path

from canvassing import api_maps

C = "c/<slug:campaign_slug>/"

urlpatterns: list = [
    path(C + "map-versions/", api_maps.MapVersionList.as_view(), name="map-version-list"),
    path(C + "map-versions/<uuid:code>/", api_maps.MapVersionDetail.as_view(), name="map-version-detail"),
    path(C + "map-versions/<uuid:code>/apply/", api_maps.MapVersionApply.as_view(), name="map-version-apply"),
    path(C + "map-versions/<uuid:code>/areas/", api_maps.MapVersionAreas.as_view(), name="map-version-areas"),
    path(C + "areas/", api_maps.AreaList.as_view(), name="area-list"),
    path(C + "areas/<uuid:code>/", api_maps.AreaDetail.as_view(), name="area-detail"),
]
