"""Canvassing pages: the district map's versions and its areas."""

from django.urls import path

from canvassing import views_maps

urlpatterns: list = [
    path("canvassing/maps/", views_maps.map_versions, name="map_versions"),
    path("canvassing/maps/upload/", views_maps.map_upload, name="map_upload"),
    path("canvassing/maps/settings/", views_maps.map_settings, name="map_settings"),
    path("canvassing/maps/<uuid:code>/", views_maps.map_version, name="map_version"),
    path("canvassing/maps/<uuid:code>/apply/", views_maps.map_version_apply, name="map_version_apply"),
    path("canvassing/maps/<uuid:code>/refresh/", views_maps.map_version_refresh, name="map_version_refresh"),
    path("canvassing/maps/<uuid:code>/discard/", views_maps.map_version_discard, name="map_version_discard"),
    path("canvassing/areas/", views_maps.area_list, name="areas"),
    path("canvassing/areas/<uuid:code>/", views_maps.area_detail, name="area_detail"),
]
