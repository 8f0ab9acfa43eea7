"""Canvassing pages: progress (coordinators; any member's own numbers at progress/me/) and the review queue
of flagged visits."""

from django.urls import path

from canvassing import views_progress, views_review

urlpatterns: list = [
    path("canvassing/progress/", views_progress.overview, name="progress"),
    path("canvassing/progress/areas/", views_progress.by_area, name="progress_areas"),
    path("canvassing/progress/turfs/", views_progress.by_turf, name="progress_turfs"),
    path("canvassing/progress/turfs/<uuid:code>/", views_progress.turf_detail, name="progress_turf"),
    path("canvassing/progress/volunteers/", views_progress.by_volunteer, name="progress_volunteers"),
    path("canvassing/progress/days/", views_progress.by_day, name="progress_days"),
    path("canvassing/progress/me/", views_progress.my_progress, name="my_progress"),
    path("canvassing/review/", views_review.queue, name="review"),
    path("canvassing/review/<uuid:code>/", views_review.decide, name="review_decide"),
]
