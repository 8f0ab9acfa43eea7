"""Reports pages under /c/<slug>/: the dashboards, the volunteer home and the leaflet forecast."""

from reports import urls_dashboard, urls_forecast

app_name = "reports"

urlpatterns: list = [*urls_dashboard.urlpatterns, *urls_forecast.urlpatterns]
