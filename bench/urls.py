"""Bench-only URLconf: the real site plus the floors the figures are divided by.

A floor is a view returning a fixed response under a campaign URL, so it passes through the
same middleware as the real page (session, user, CampaignScopeMiddleware's campaign and
membership look-ups, scope, language, time zone) and does nothing else.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

FLOOR_HTML = b"<!DOCTYPE html><title>floor</title><p>floor</p>"
FLOOR_JSON = b'{"floor": true}'


def floor(request: HttpRequest, campaign_slug: str) -> HttpResponse:
    return HttpResponse(FLOOR_HTML, content_type="text/html; charset=utf-8")


def api_floor(request: HttpRequest, campaign_slug: str) -> HttpResponse:
    return HttpResponse(FLOOR_JSON, content_type="application/json")


urlpatterns = [
    path("c/<slug:campaign_slug>/__floor__/", floor, name="bench-floor"),
    path("api/v1/c/<slug:campaign_slug>/__floor__/", api_floor, name="bench-api-floor"),
    path("p/<slug:campaign_slug>/__floor__/", floor, name="bench-public-floor"),
    path("", include("config.urls")),
]
