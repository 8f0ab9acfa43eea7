"""Reports pages: the leaflet forecast."""

from django.urls import path

from reports import views_forecast

urlpatterns: list = [
    path("inventory/forecast/", views_forecast.forecast, name="leaflet_forecast"),
]
