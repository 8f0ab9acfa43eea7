"""Canvassing API: progress, and a coordinator's review of a visit."""

from django.urls import path

from canvassing import api_progress

C = "c/<slug:campaign_slug>/canvassing/progress/"

urlpatterns: list = [
    path(C, api_progress.Summary.as_view(), name="canvassing-progress"),
    path(C + "turfs/", api_progress.ByTurf.as_view(), name="canvassing-progress-turfs"),
    path(C + "areas/", api_progress.ByArea.as_view(), name="canvassing-progress-areas"),
    path(C + "volunteers/", api_progress.ByVolunteer.as_view(), name="canvassing-progress-volunteers"),
    path(C + "days/", api_progress.ByDay.as_view(), name="canvassing-progress-days"),
    path(C + "me/", api_progress.Mine.as_view(), name="canvassing-progress-me"),
    path(
        "c/<slug:campaign_slug>/canvassing/visits/<uuid:code>/review/",
        api_progress.Review.as_view(),
        name="canvassing-visit-review",
    ),
]
