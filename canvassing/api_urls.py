"""Canvassing under /api/v1/c/<slug>/, one module per part."""

from canvassing import api_urls_households, api_urls_maps, api_urls_progress, api_urls_turfs, api_urls_visits

urlpatterns: list = [
    *api_urls_households.urlpatterns,
    *api_urls_maps.urlpatterns,
    *api_urls_turfs.urlpatterns,
    *api_urls_visits.urlpatterns,
    *api_urls_progress.urlpatterns,
]
