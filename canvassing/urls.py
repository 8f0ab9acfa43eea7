"""Canvassing pages under /c/<slug>/canvassing/, one module per part so each stays small."""

from canvassing import urls_households, urls_maps, urls_progress, urls_turfs, urls_visits

app_name = "canvassing"

urlpatterns: list = [
    *urls_households.urlpatterns,
    *urls_maps.urlpatterns,
    *urls_turfs.urlpatterns,
    *urls_visits.urlpatterns,
    *urls_progress.urlpatterns,
]
